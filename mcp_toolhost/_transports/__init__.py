"""Transports: how messages reach the protocol core (stdio today; HTTP plugs in the same way)."""
