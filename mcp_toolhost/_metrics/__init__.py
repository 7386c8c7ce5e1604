"""Metrics, always on: counters the protocol core bumps as requests and calls end.

`recorder.py` holds the counters (plain attributes, no lock: every update happens on the
event loop's thread), `window.py` each tool's recent latencies, `memory.py` the process's
resident memory. `Recorder.snapshot()` is the one source of every figure: the typed
`mcp_toolhost.metrics.Metrics` (`ToolHost.metrics()`), the state file and `stats` read it.
"""
