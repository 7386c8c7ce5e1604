"""The first thing any client does: start the server, initialize, list and call."""

from conftest import EXAMPLES


def test_initialize_list_and_call_over_stdio(spawn):
    server = spawn("serve", "--tools", str(EXAMPLES / "bench_tools.py"))
    result = server.initialize("2025-06-18")
    assert result["protocolVersion"] == "2025-06-18"
    assert result["serverInfo"]["name"] == "mcp-toolhost"
    names = {tool["name"] for tool in server.list_tools()}
    assert {"echo", "sleep"} <= names
    response = server.call("echo", {"text": "hello\nworld"})
    assert response["result"]["content"] == [{"type": "text", "text": "hello\nworld"}]
    server.close_stdin()
    assert server.wait() == 0
