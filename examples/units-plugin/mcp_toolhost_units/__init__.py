"""Unit conversions served as MCP tools by mcp-toolhost (see `tools`)."""
