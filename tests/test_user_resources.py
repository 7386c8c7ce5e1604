"""`@resource` functions through the real process: list, templates, read (text, JSON, blob), errors, in both eras."""

import base64
import json

import pytest
from conftest import FIXTURES

FUNCTIONS = str(FIXTURES / "resources_prompts.py")
MODERN = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


@pytest.fixture
def server(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS)
    server.initialize()
    return server


def read(server, uri, *, stateless=False):
    params = {"uri": uri, **({"_meta": MODERN} if stateless else {})}
    return server.request("resources/read", params)


def test_capabilities_name_resources_prompts_and_completions(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS)
    capabilities = server.initialize()["capabilities"]
    assert capabilities["resources"] == {"subscribe": True, "listChanged": False}
    assert capabilities["prompts"] == {"listChanged": False}
    assert capabilities["completions"] == {}


def test_a_server_without_them_does_not_advertise_them(spawn):
    server = spawn("serve", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"))
    capabilities = server.initialize()["capabilities"]
    assert not {"resources", "prompts", "completions"} & set(capabilities), capabilities


def test_fixed_resources_are_listed_with_their_metadata(server):
    result = server.request("resources/list")["result"]
    by_uri = {resource["uri"]: resource for resource in result["resources"]}
    assert sorted(by_uri) == ["bin://logo", "broken://config", "config://app"]
    assert by_uri["config://app"] == {
        "uri": "config://app",
        "name": "app_config",
        "title": "App config",
        "description": "The application's configuration.",
        "mimeType": "application/json",
    }
    assert by_uri["bin://logo"]["mimeType"] == "image/png"
    assert by_uri["broken://config"]["mimeType"] == "text/plain"
    assert "nextCursor" not in result


def test_templates_are_listed_apart(server):
    templates = server.request("resources/templates/list")["result"]["resourceTemplates"]
    assert [t["uriTemplate"] for t in templates] == [
        "missing://{name}",
        "notes://{name}/{page}",
        "numbers://{count}",
        "slow://{marker}",
    ]
    assert templates[1] == {
        "uriTemplate": "notes://{name}/{page}",
        "name": "note",
        "description": "A page of a note.",
        "mimeType": "text/markdown",
    }


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_read_gives_json_text_and_blob_contents(server, stateless):
    contents = read(server, "config://app", stateless=stateless)["result"]["contents"]
    assert contents == [{"uri": "config://app", "mimeType": "application/json", "text": '{"debug":true,"level":1}'}]
    (blob,) = read(server, "bin://logo", stateless=stateless)["result"]["contents"]
    assert blob["mimeType"] == "image/png"
    assert base64.b64decode(blob["blob"]) == b"\x89PNG\r\n\x1a\n"


def test_a_template_is_read_with_typed_percent_decoded_parameters(server):
    (content,) = read(server, "notes://caf%C3%A9/2")["result"]["contents"]
    assert content == {"uri": "notes://caf%C3%A9/2", "mimeType": "text/markdown", "text": "# café, page 2"}
    (numbers,) = read(server, "numbers://3")["result"]["contents"]
    assert json.loads(numbers["text"]) == [0, 1, 2]
    assert numbers["mimeType"] == "application/json"


def test_2026_results_carry_cache_hints_and_result_type(server):
    for method, params in [
        ("resources/list", {}),
        ("resources/templates/list", {}),
        ("resources/read", {"uri": "config://app"}),
    ]:
        result = server.request(method, {**params, "_meta": MODERN})["result"]
        assert result["resultType"] == "complete", result
        assert result["cacheScope"] == "private" and result["ttlMs"] == 0, result


@pytest.mark.parametrize(("stateless", "code"), [(False, -32002), (True, -32602)], ids=["handshake", "2026-07-28"])
def test_an_unknown_uri_is_refused_with_each_eras_code(server, stateless, code):
    error = read(server, "nowhere://at/all", stateless=stateless)["error"]
    assert error["code"] == code, error
    assert error["data"] == {"uri": "nowhere://at/all"}
    assert "resources/list and resources/templates/list" in error["message"]
    assert server.request("ping")["result"] == {}


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_template_value_of_the_wrong_type_is_invalid_params(server, stateless):
    error = read(server, "notes://alpha/first", stateless=stateless)["error"]
    assert error["code"] == -32602
    assert error["message"].startswith(
        "Resource template 'notes://{name}/{page}' cannot read this URI: Invalid arguments: page:"
    )
    assert error["data"]["errors"][0]["path"] == "page"


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_raising_resource_is_a_clear_error_and_the_server_serves_on(server, stateless):
    error = read(server, "broken://config", stateless=stateless)["error"]
    assert error == {"code": -32603, "message": "Resource 'broken' failed: ValueError: the config file is missing"}
    assert "ValueError: the config file is missing" in server.wait_for_stderr("the config file is missing")
    assert read(server, "config://app")["result"]["contents"]


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_tool_error_from_a_resource_is_invalid_params_with_its_message(server, stateless):
    error = read(server, "missing://zeta", stateless=stateless)["error"]
    assert error == {
        "code": -32602,
        "message": "Resource 'missing://{name}': No note named 'zeta'; resources/list names the notes there are.",
    }


def test_a_bad_uri_param_is_invalid_params(server):
    error = server.request("resources/read", {"uri": 5})["error"]
    assert error == {"code": -32602, "message": 'resources/read: "uri" must be a string'}


def test_a_cancelled_read_is_stopped_and_never_answered(server, tmp_path):
    marker = tmp_path / "cancelled"
    uri = "slow://" + str(marker).replace("/", "%2F")
    server.send({"jsonrpc": "2.0", "id": "victim", "method": "resources/read", "params": {"uri": uri}})
    assert read(server, "config://app")["result"]  # the victim is running by now
    server.notify("notifications/cancelled", {"requestId": "victim"})
    assert server.request("ping")["result"] == {}
    server.close_stdin()
    assert server.wait() == 0
    rest = [server.recv() for _ in range(server.lines.qsize() - 1)]
    assert all(message.get("id") != "victim" for message in rest), rest
    assert marker.read_text() == "cancelled"


def test_a_read_that_runs_too_long_times_out(spawn, tmp_path):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS, env={"MCP_TOOLHOST_TOOL_TIMEOUT": "0.2"})
    server.initialize()
    error = read(server, "slow://" + str(tmp_path / "m").replace("/", "%2F"))["error"]
    assert error == {"code": -32603, "message": "Resource 'slow' timed out after 0.2 seconds and was cancelled."}


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
@pytest.mark.parametrize(
    ("method", "key", "expected"),
    [
        ("resources/list", "uri", ["bin://logo", "broken://config", "config://app"]),
        (
            "resources/templates/list",
            "uriTemplate",
            ["missing://{name}", "notes://{name}/{page}", "numbers://{count}", "slow://{marker}"],
        ),
        ("prompts/list", "name", ["confirm", "daily", "explain_note", "greet", "review", "wrong"]),
    ],
)
def test_lists_are_paged_with_opaque_cursors(spawn, method, key, expected, stateless):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS, env={"MCP_TOOLHOST_PAGE_SIZE": "2"})
    server.initialize()
    envelope = {"_meta": MODERN} if stateless else {}
    field = {"resources/list": "resources", "resources/templates/list": "resourceTemplates"}.get(method, "prompts")
    seen, params, pages = [], {}, 0
    while True:
        result = server.request(method, {**params, **envelope})["result"]
        seen += [item[key] for item in result[field]]
        pages += 1
        if "nextCursor" not in result:
            break
        params = {"cursor": result["nextCursor"]}
    assert (seen, pages) == (expected, -(-len(expected) // 2))
    error = server.request(method, {"cursor": "not a cursor", **envelope})["error"]
    assert error["code"] == -32602 and "Invalid cursor" in error["message"]


ANNOUNCING = """
from mcp_toolhost import Context, resource, tool

NOTES = {"todo": "milk"}

@resource("notes://{name}")
def note(name: str) -> str:
    return NOTES[name]

@tool
def set_note(name: str, text: str, ctx: Context) -> str:
    NOTES[name] = text
    ctx.resource_updated(f"notes://{name}")
    return "saved"
"""


def test_a_resource_announces_its_own_update_on_a_2026_subscription_stream(spawn, tmp_path):
    from test_plugins_reload import _wait_for

    (tmp_path / "announcing.py").write_text(ANNOUNCING)
    server = spawn("serve", "--no-builtins", "--tools", str(tmp_path / "announcing.py"))
    wanted = {"resourceSubscriptions": ["notes://todo"]}
    listen = {"jsonrpc": "2.0", "id": "sub", "method": "subscriptions/listen"}
    server.send({**listen, "params": {"_meta": MODERN, "notifications": wanted}})
    ack = _wait_for(server, "notifications/subscriptions/acknowledged")
    assert ack["params"]["notifications"] == wanted
    call = {"name": "set_note", "arguments": {"name": "todo", "text": "eggs"}, "_meta": MODERN}
    assert server.request("tools/call", call)["result"]["content"][0]["text"] == "saved"
    update = _wait_for(server, "notifications/resources/updated")
    assert update["params"] == {"uri": "notes://todo", "_meta": {"io.modelcontextprotocol/subscriptionId": "sub"}}
    assert read(server, "notes://todo", stateless=True)["result"]["contents"][0]["text"] == "eggs"
    other = {**call, "arguments": {"name": "other", "text": "x"}}  # nobody subscribed to notes://other
    assert server.request("tools/call", other)["result"]["content"][0]["text"] == "saved"
    assert all(n["method"] != "notifications/resources/updated" for n in server.notifications)


def test_entry_point_and_plugin_folder_serve_resources_and_prompts(spawn, tmp_path):
    from test_plugins_loading import _fake_distribution

    site = tmp_path / "site"
    (site / "fakedocs").mkdir(parents=True)
    (site / "fakedocs" / "__init__.py").write_text("")
    (site / "fakedocs" / "docs.py").write_text(
        "from mcp_toolhost import prompt, resource\n\n"
        "@resource('docs://index')\ndef index() -> str:\n    return 'from an entry point'\n\n"
        "@prompt\ndef explain(topic: str) -> str:\n    return f'Explain {topic}'\n"
    )
    _fake_distribution(site, "fakedocs", "1.0.0", {"fakedocs": "fakedocs.docs"})
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "motd.py").write_text(
        "from mcp_toolhost import resource\n\n@resource('motd://today')\ndef motd() -> str:\n    return 'hi'\n"
    )

    server = spawn("serve", "--no-builtins", "--plugins", str(folder), env={"PYTHONPATH": str(site)})
    server.initialize()
    assert read(server, "docs://index")["result"]["contents"][0]["text"] == "from an entry point"
    assert read(server, "motd://today")["result"]["contents"][0]["text"] == "hi"
    prompt = server.request("prompts/get", {"name": "explain", "arguments": {"topic": "MCP"}})["result"]
    assert prompt["messages"][0]["content"]["text"] == "Explain MCP"


def test_a_result_over_max_result_bytes_is_refused_and_the_server_serves_on(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS, env={"MCP_TOOLHOST_MAX_RESULT_BYTES": "300"})
    server.initialize()
    error = read(server, "numbers://200")["error"]
    assert error["code"] == -32603
    assert error["message"].endswith("more than the 300 byte limit on results (max_result_bytes); ask for less.")
    assert read(server, "numbers://3")["result"]["contents"][0]["text"] == "[0,1,2]"
