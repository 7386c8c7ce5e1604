"""Both protocol eras in one server: the handshake (2024-11-05 .. 2025-11-25) and 2026-07-28."""

import pytest
from conftest import FIXTURES

TOOLS = str(FIXTURES / "core_tools.py")
HANDSHAKE = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
MODERN = "2026-07-28"


def envelope(version=MODERN, **extra):
    meta = {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "pytest", "version": "0"},
    }
    meta.update(extra)
    return {"_meta": meta}


@pytest.fixture
def server(spawn):
    return spawn("serve", "--no-builtins", "--tools", TOOLS)


# --- handshake era ------------------------------------------------------------------


@pytest.mark.parametrize("version", HANDSHAKE)
def test_initialize_answers_the_requested_version_when_supported(server, version):
    result = server.initialize(version)
    assert result["protocolVersion"] == version
    assert result["capabilities"]["tools"] == {"listChanged": False}
    assert result["serverInfo"]["name"] == "mcp-toolhost"
    assert result["serverInfo"]["version"]
    assert result["serverInfo"]["title"]


@pytest.mark.parametrize("version", ["1999-01-01", "2026-07-28", "banana"])
def test_initialize_answers_latest_handshake_version_otherwise(server, version):
    assert server.initialize(version)["protocolVersion"] == "2025-11-25"


def test_initialize_without_protocol_version_is_invalid_params(server):
    response = server.request("initialize", {"capabilities": {}})
    assert response["error"]["code"] == -32602


def test_requests_before_initialize_get_an_error_but_ping_works(server):
    assert server.request("ping")["result"] == {}
    response = server.request("tools/list")
    assert response["error"]["code"] == -32602
    assert "initialize" in response["error"]["message"]
    server.initialize()
    assert server.request("tools/list")["result"]["tools"]


def test_instructions_are_sent_when_configured(spawn):
    server = spawn("serve", "--no-builtins", env={"MCP_TOOLHOST_INSTRUCTIONS": "Use add for sums."})
    assert server.initialize()["instructions"] == "Use add for sums."


def test_batches_are_served_in_2025_03_26(server):
    server.initialize("2025-03-26")
    server.send(
        [
            {"jsonrpc": "2.0", "id": "a", "method": "ping"},
            {"jsonrpc": "2.0", "method": "notifications/whatever"},
            {
                "jsonrpc": "2.0",
                "id": "b",
                "method": "tools/call",
                "params": {"name": "add", "arguments": {"a": 1, "b": 2}},
            },
            {"jsonrpc": "2.0", "id": "c", "method": "nope"},
            {"foo": "bar"},
        ]
    )
    answers = server.recv()
    assert isinstance(answers, list)
    by_id = {answer.get("id"): answer for answer in answers}
    assert by_id["a"]["result"] == {}
    assert by_id["b"]["result"]["content"][0]["text"] == "3"
    assert by_id["c"]["error"]["code"] == -32601
    assert by_id[None]["error"]["code"] == -32600
    assert len(answers) == 4


def test_batch_of_notifications_draws_nothing_and_empty_batch_is_invalid(server):
    server.initialize("2025-03-26")
    server.send([{"jsonrpc": "2.0", "method": "notifications/whatever"}])
    server.send([])
    answer = server.recv()
    assert answer["error"]["code"] == -32600 and answer["id"] is None


def tool_named(tools, name):
    return next(tool for tool in tools if tool["name"] == name)


def test_tool_definitions_follow_the_negotiated_revision(spawn):
    shapes = {}
    for version in HANDSHAKE:
        server = spawn("serve", "--no-builtins", "--tools", TOOLS)
        server.initialize(version)
        shapes[version] = tool_named(server.list_tools(), "add")
    assert "annotations" not in shapes["2024-11-05"] and "title" not in shapes["2024-11-05"]
    assert shapes["2025-03-26"]["annotations"] == {"readOnlyHint": True, "idempotentHint": True, "title": "Add numbers"}
    for version in ("2025-06-18", "2025-11-25"):
        assert shapes[version]["title"] == "Add numbers"
        assert shapes[version]["outputSchema"]["properties"]["result"] == {"type": "integer"}
    for version in ("2024-11-05", "2025-03-26"):
        assert "outputSchema" not in shapes[version]


@pytest.mark.parametrize("version", HANDSHAKE)
def test_structured_content_only_from_2025_06_18(server, version):
    server.initialize(version)
    result = server.call("point", {"x": 1, "y": 2})["result"]
    assert result["content"] == [{"type": "text", "text": '{"x":1,"y":2}'}]
    if version in ("2025-06-18", "2025-11-25"):
        assert result["structuredContent"] == {"x": 1, "y": 2}
    else:
        assert "structuredContent" not in result


def test_invalid_arguments_are_a_result_from_2025_11_25(server):
    server.initialize("2025-11-25")
    result = server.call("add", {"a": "not a number"})["result"]
    assert result["isError"] is True
    assert "a: Input should be a valid integer" in result["content"][0]["text"]


def test_invalid_arguments_are_invalid_params_before_2025_11_25(server):
    server.initialize("2025-06-18")
    response = server.call("add", {"b": 1, "c": 2})
    assert response["error"]["code"] == -32602
    paths = {error["path"] for error in response["error"]["data"]["errors"]}
    assert paths == {"a", "c"}


def test_log_level_filters_client_logging(server):
    server.initialize()
    assert server.request("logging/setLevel", {"level": "warning"})["result"] == {}
    server.call("chatty")
    levels = [n["params"]["level"] for n in server.notifications if n["method"] == "notifications/message"]
    assert levels == ["warning", "error"]
    assert server.request("logging/setLevel", {"level": "loud"})["error"]["code"] == -32602


def test_progress_is_reported_before_the_answer(server):
    server.initialize()
    response = server.call("progress", {"steps": 3}, _meta={"progressToken": "tok"})
    assert response["result"]["content"][0]["text"] == "finished"
    progress = [n["params"] for n in server.notifications if n["method"] == "notifications/progress"]
    assert progress == [{"progressToken": "tok", "progress": i, "total": 3, "message": f"step {i}"} for i in (1, 2, 3)]


def test_progress_from_a_sync_tool_in_a_worker_thread(server):
    server.initialize()
    server.call("sync_progress", {"steps": 2}, _meta={"progressToken": 7})
    progress = [n["params"]["progress"] for n in server.notifications if n["method"] == "notifications/progress"]
    assert progress == [1, 2]


def test_no_progress_without_a_token(server):
    server.initialize()
    server.call("progress", {"steps": 2})
    assert not [n for n in server.notifications if n["method"] == "notifications/progress"]


def test_context_parameter_is_not_in_the_schema(server):
    server.initialize()
    schema = tool_named(server.list_tools(), "progress")["inputSchema"]
    assert list(schema["properties"]) == ["steps"]


# --- stateless era (2026-07-28) -------------------------------------------------------


SERVER_INFO = "io.modelcontextprotocol/serverInfo"


def test_discover_needs_no_handshake(server):
    result = server.request("server/discover", envelope())["result"]
    assert result["supportedVersions"] == [MODERN]
    assert result["capabilities"]["tools"] == {"listChanged": False}
    assert result["resultType"] == "complete"
    assert result["ttlMs"] >= 0 and result["cacheScope"] in ("public", "private")
    assert result["_meta"][SERVER_INFO]["name"] == "mcp-toolhost"


def test_stateless_list_and_call(server):
    listed = server.request("tools/list", envelope())["result"]
    assert listed["resultType"] == "complete" and "ttlMs" in listed and "cacheScope" in listed
    assert tool_named(listed["tools"], "add")["title"] == "Add numbers"
    result = server.request("tools/call", {"name": "point", "arguments": {"x": 3, "y": 4}, **envelope()})["result"]
    assert result["structuredContent"] == {"x": 3, "y": 4}
    assert result["resultType"] == "complete"
    assert result["_meta"][SERVER_INFO]["version"]
    assert "ttlMs" not in result


@pytest.mark.parametrize(
    "meta",
    [
        {"io.modelcontextprotocol/protocolVersion": MODERN},
        {"io.modelcontextprotocol/clientCapabilities": {}},
        {"io.modelcontextprotocol/protocolVersion": 2026, "io.modelcontextprotocol/clientCapabilities": {}},
        "not an object",
    ],
    ids=["no-capabilities", "no-version", "version-not-string", "meta-not-object"],
)
def test_missing_or_broken_envelope_is_invalid_params(server, meta):
    response = server.request("server/discover", {"_meta": meta})
    assert response["error"]["code"] == -32602


def test_discover_without_envelope_is_invalid_params(server):
    assert server.request("server/discover")["error"]["code"] == -32602


@pytest.mark.parametrize("version", ["2099-01-01", "2025-11-25", "2024-11-05"])
def test_unsupported_version_gets_32022_listing_the_stateless_versions(server, version):
    """A handshake-era version is negotiated by `initialize`: in an envelope it is unsupported too."""
    response = server.request("tools/list", envelope(version))
    error = response["error"]
    assert error["code"] == -32022
    assert error["data"] == {"requested": version, "supported": [MODERN]}
    assert server.request("tools/list", envelope())["result"]["tools"]  # and the server keeps serving


@pytest.mark.parametrize("method", ["ping", "logging/setLevel"])
def test_methods_removed_in_2026_are_method_not_found(server, method):
    assert server.request(method, {"level": "info", **envelope()})["error"]["code"] == -32601


def test_stateless_logs_only_when_the_request_asks(server):
    server.request("tools/call", {"name": "chatty", "arguments": {}, **envelope()})
    assert not [n for n in server.notifications if n["method"] == "notifications/message"]
    server.request(
        "tools/call", {"name": "chatty", "arguments": {}, **envelope(**{"io.modelcontextprotocol/logLevel": "info"})}
    )
    levels = [n["params"]["level"] for n in server.notifications if n["method"] == "notifications/message"]
    assert levels == ["info", "warning", "error"]


def test_stateless_invalid_arguments_are_results(server):
    result = server.request("tools/call", {"name": "add", "arguments": {"a": []}, **envelope()})["result"]
    assert result["isError"] is True


def test_both_eras_on_one_connection(server):
    server.initialize("2025-06-18")
    handshake = server.call("point", {"x": 1, "y": 1})["result"]
    assert "resultType" not in handshake
    modern = server.request("tools/call", {"name": "point", "arguments": {"x": 1, "y": 1}, **envelope()})["result"]
    assert modern["resultType"] == "complete"


def test_tools_list_pages_with_opaque_cursors(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_PAGE_SIZE": "5"})
    server.initialize()
    first = server.request("tools/list")["result"]
    assert len(first["tools"]) == 5 and first["nextCursor"]
    names = [tool["name"] for tool in server.list_tools()]
    unpaged = spawn("serve", "--no-builtins", "--tools", TOOLS)
    unpaged.initialize()
    assert names == [tool["name"] for tool in unpaged.request("tools/list")["result"]["tools"]]
    assert len(names) > 10 and len(set(names)) == len(names)
    assert server.request("tools/list", {"cursor": "!!not-a-cursor!!"})["error"]["code"] == -32602


def test_content_blocks_of_every_kind_follow_the_revision(spawn):
    blocks = {}
    for version in ("2024-11-05", "2025-03-26", "2025-11-25"):
        server = spawn("serve", "--no-builtins", "--tools", TOOLS)
        server.initialize(version)
        blocks[version] = server.call("mixed")["result"]["content"]
    newest = blocks["2025-11-25"]
    assert [block["type"] for block in newest] == ["text", "audio", "resource_link", "resource", "resource"]
    assert newest[1] == {"type": "audio", "data": "UklGRg==", "mimeType": "audio/wav"}
    assert newest[2] == {
        "type": "resource_link",
        "uri": "file:///tmp/report.pdf",
        "name": "report.pdf",
        "title": "The report",
        "mimeType": "application/pdf",
    }
    assert newest[3]["resource"] == {"uri": "file:///tmp/notes.txt", "mimeType": "text/plain", "text": "some notes"}
    assert newest[4]["resource"] == {"uri": "file:///tmp/blob.bin", "blob": "AAE="}
    # Revisions without resource links (before 2025-06-18) or audio (2024-11-05) get words instead.
    assert blocks["2025-03-26"][2] == {"type": "text", "text": "The report: file:///tmp/report.pdf"}
    assert blocks["2025-03-26"][1]["type"] == "audio"
    assert blocks["2024-11-05"][1]["type"] == "text" and "audio/wav" in blocks["2024-11-05"][1]["text"]
