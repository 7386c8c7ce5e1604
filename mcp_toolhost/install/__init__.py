"""`mcp-toolhost install` and `uninstall`: this server's entry in an MCP client's config file.

- `targets`: the clients, where each keeps its servers and the shape of an entry;
- `command`: the command line a client runs to start this server;
- `configfile`: reading, checking, editing and writing the config file;
- `jsonedit`: the edit itself, one member of a JSON document, every other byte kept.

Nothing is imported here: `cli.py` imports each part when a command needs it, not at start.
"""
