"""The transport-agnostic MCP protocol core."""
