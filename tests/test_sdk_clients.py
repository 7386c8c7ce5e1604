"""The official MCP Python SDK, as an independent client, against the real server process."""

import base64

import anyio
import pytest
from conftest import FIXTURES, executable
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

pytestmark = pytest.mark.anyio

TOOLS = str(FIXTURES / "core_tools.py")


def server_parameters() -> StdioServerParameters:
    return StdioServerParameters(command=executable(), args=["serve", "--no-builtins", "--tools", TOOLS])


async def exercise(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert tools["add"].title == "Add numbers"
    assert tools["add"].annotations.read_only_hint is True
    assert tools["add"].input_schema["properties"]["b"]["description"] == "The second addend"
    result = await client.call_tool("add", {"a": 2, "b": 40})
    assert result.structured_content == {"result": 42}
    assert result.content[0].text == "42"
    point = await client.call_tool("point", {"x": 1, "y": 2})
    assert point.structured_content == {"x": 1, "y": 2}
    invalid = await client.call_tool("add", {"a": "two"})
    assert invalid.is_error
    with pytest.raises(MCPError) as unknown:
        await client.call_tool("no_such_tool", {})
    assert unknown.value.error.code == -32602


async def test_sdk_client_speaks_2026_07_28_by_default():
    async with Client(server_parameters()) as client:
        assert client.protocol_version == "2026-07-28"
        assert client.server_info.name == "mcp-toolhost"
        await exercise(client)


async def test_sdk_client_in_legacy_mode_speaks_2025_11_25():
    async with Client(server_parameters(), mode="legacy") as client:
        assert client.protocol_version == "2025-11-25"
        await exercise(client)


async def test_sdk_client_receives_logs_when_it_opts_in():
    received = []

    async def on_log(params):
        received.append((params.level, params.data))

    async with Client(server_parameters(), logging_callback=on_log, log_level="warning") as client:
        await client.call_tool("chatty", {})
    assert received == [("warning", "warning message"), ("error", "error message")]


# Handshake-era logging is what this test is about; the SDK warns that 2026-07-28 deprecates it.
@pytest.mark.filterwarnings("ignore:The logging capability is deprecated")
async def test_sdk_handshake_session_with_progress_and_logging():
    progress, logs = [], []

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async def on_log(params):
        logs.append(params.level)

    async with (
        stdio_client(server_parameters()) as (read, write),
        ClientSession(read, write, logging_callback=on_log) as session,
    ):
        initialized = await session.initialize()
        assert initialized.protocol_version == "2025-11-25"
        assert initialized.capabilities.logging is not None
        await session.set_logging_level("error")
        result = await session.call_tool("progress", {"steps": 3}, progress_callback=on_progress)
        assert result.content[0].text == "finished"
        await session.call_tool("chatty", {})
        assert (await session.send_ping()) is not None
    assert progress == [(1.0, 3.0, "step 1"), (2.0, 3.0, "step 2"), (3.0, 3.0, "step 3")]
    assert logs == ["error"]


async def test_sdk_client_hears_of_reloaded_tools_on_a_2026_subscription(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    params = StdioServerParameters(
        command=executable(), args=["serve", "--no-builtins", "--plugins", str(plugins), "--reload"]
    )
    async with Client(params) as client:
        assert client.protocol_version == "2026-07-28"
        assert client.server_capabilities.tools.list_changed is True
        assert (await client.list_tools()).tools == []
        async with client.listen(tools_list_changed=True) as subscription:
            staged = tmp_path / "hello.py"
            staged.write_text(
                "from mcp_toolhost import tool\n\n@tool\ndef hello() -> str:\n    '''Say hi.'''\n    return 'hi'\n"
            )
            staged.rename(plugins / "hello.py")  # one complete file appears, as editors save
            with anyio.fail_after(20):
                async for _event in subscription:
                    break
        tools = (await client.list_tools()).tools
        assert [tool.name for tool in tools] == ["hello"]
        assert (await client.call_tool("hello", {})).content[0].text == "hi"


RESOURCES_PROMPTS = str(FIXTURES / "resources_prompts.py")


def catalog_parameters() -> StdioServerParameters:
    return StdioServerParameters(command=executable(), args=["serve", "--no-builtins", "--tools", RESOURCES_PROMPTS])


async def exercise_catalog(client: Client | ClientSession, unknown_uri_code: int) -> None:
    """Resources, templates, prompts and completion, as the SDK's typed results see them."""
    from mcp_types import PromptReference, ResourceTemplateReference

    resources = {str(r.uri): r for r in (await client.list_resources()).resources}
    assert resources["config://app"].mime_type == "application/json"
    templates = (await client.list_resource_templates()).resource_templates
    assert "notes://{name}/{page}" in [t.uri_template for t in templates]
    (text,) = (await client.read_resource("notes://alpha/1")).contents
    assert (text.text, text.mime_type) == ("# alpha, page 1", "text/markdown")
    (blob,) = (await client.read_resource("bin://logo")).contents
    assert base64.b64decode(blob.blob) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(MCPError) as unknown:
        await client.read_resource("nowhere://x")
    assert unknown.value.error.code == unknown_uri_code
    # A value that does not fit the template, a ToolError: invalid params; a function that raised: internal.
    for uri, code in (("notes://alpha/first", -32602), ("missing://zeta", -32602), ("broken://config", -32603)):
        with pytest.raises(MCPError) as failed:
            await client.read_resource(uri)
        assert failed.value.error.code == code, uri
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert [a.name for a in prompts["review"].arguments] == ["code", "language"]
    review = await client.get_prompt("review", {"code": "x = 1"})
    assert review.messages[0].role == "user"
    assert review.messages[0].content.text.endswith("x = 1")
    assert (await client.get_prompt("daily")).messages[0].content.text == "What is on today?"
    with pytest.raises(MCPError) as missing:
        await client.get_prompt("review", {})
    assert missing.value.error.code == -32602
    for name, arguments in (("reveiw", {}), ("explain_note", {"name": "zeta"})):
        with pytest.raises(MCPError) as refused:
            await client.get_prompt(name, arguments)
        assert refused.value.error.code == -32602, name
    style = await client.complete(PromptReference(type="ref/prompt", name="greet"), {"name": "style", "value": "f"})
    assert style.completion.values == ["formal", "friendly", "funny"]
    ref = ResourceTemplateReference(type="ref/resource", uri="notes://{name}/{page}")
    names = await client.complete(ref, {"name": "name", "value": "al"})
    assert (names.completion.values, names.completion.total) == (["alpha", "alpine"], 2)


async def test_sdk_client_reads_resources_prompts_and_completions_in_2026_07_28():
    async with Client(catalog_parameters()) as client:
        assert client.protocol_version == "2026-07-28"
        assert client.server_capabilities.resources is not None
        assert client.server_capabilities.prompts is not None
        assert client.server_capabilities.completions is not None
        await exercise_catalog(client, unknown_uri_code=-32602)  # SEP-2164


async def test_sdk_handshake_session_reads_resources_prompts_and_completions():
    async with (
        stdio_client(catalog_parameters()) as (read, write),
        ClientSession(read, write) as session,
    ):
        initialized = await session.initialize()
        assert initialized.protocol_version == "2025-11-25"
        await exercise_catalog(session, unknown_uri_code=-32002)


async def pages(list_page, field: str, key: str) -> list[list[str]]:
    """Each page's `key`s, following `nextCursor` to the end: `list_page(cursor)` asks for one."""
    found, cursor = [], None
    while True:
        result = await list_page(cursor)
        found.append([str(getattr(item, key)) for item in getattr(result, field)])
        cursor = result.next_cursor
        if cursor is None:
            return found


PAGED = [
    ("list_resources", "resources", "uri", [["bin://logo", "broken://config"], ["config://app"]]),
    (
        "list_resource_templates",
        "resource_templates",
        "uri_template",
        [["missing://{name}", "notes://{name}/{page}"], ["numbers://{count}", "slow://{marker}"]],
    ),
    ("list_prompts", "prompts", "name", [["confirm", "daily"], ["explain_note", "greet"], ["review", "wrong"]]),
]


def paged_parameters() -> StdioServerParameters:
    parameters = catalog_parameters()
    parameters.env = {"MCP_TOOLHOST_PAGE_SIZE": "2"}
    return parameters


async def test_sdk_client_pages_through_resources_templates_and_prompts_in_2026_07_28():
    async with Client(paged_parameters()) as client:
        for method, field, key, expected in PAGED:
            ask = getattr(client, method)
            assert await pages(lambda cursor, ask=ask: ask(cursor=cursor, cache_mode="bypass"), field, key) == expected


async def test_sdk_handshake_session_pages_through_resources_templates_and_prompts():
    from mcp_types import PaginatedRequestParams

    async with stdio_client(paged_parameters()) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for method, field, key, expected in PAGED:
            ask = getattr(session, method)
            found = await pages(lambda cursor, ask=ask: ask(params=PaginatedRequestParams(cursor=cursor)), field, key)
            assert found == expected


def files_parameters(root) -> StdioServerParameters:
    return StdioServerParameters(command=executable(), args=["serve", "--builtins", "files", "--root", str(root)])


def file_tree(tmp_path):
    root = tmp_path / "r\u00e9sum\u00e9s"
    root.mkdir()
    (root / "a b.txt").write_text("hello")
    (root / "pixel.bin").write_bytes(b"\x00\x01")
    (tmp_path / "secret.txt").write_text("top secret")
    (root / "link_out").symlink_to(tmp_path / "secret.txt")
    return root


async def exercise_files(client: Client | ClientSession, root) -> None:
    """The files under the root as resources, and a built-in prompt, as the SDK's typed results see them."""
    text_uri = (root / "a b.txt").as_uri()
    listed = [str(r.uri) for r in (await client.list_resources()).resources]
    assert text_uri in listed and "toolhost://tools" in listed, listed
    (text,) = (await client.read_resource(text_uri)).contents
    assert (text.text, text.mime_type) == ("hello", "text/plain")
    (blob,) = (await client.read_resource((root / "pixel.bin").as_uri())).contents
    assert base64.b64decode(blob.blob) == b"\x00\x01"
    with pytest.raises(MCPError) as refused:
        await client.read_resource((root / "link_out").as_uri())
    assert refused.value.error.code == -32602
    assert "outside the allowed directories" in refused.value.error.message
    summary = await client.get_prompt("summarize_file", {"path": "a b.txt"})
    assert summary.messages[1].content.resource.text == "hello"


async def test_sdk_client_reads_and_subscribes_to_files_in_2026_07_28(tmp_path):
    from mcp.client.subscriptions import ResourceUpdated

    root = file_tree(tmp_path)
    async with Client(files_parameters(root)) as client:
        assert client.protocol_version == "2026-07-28"
        await exercise_files(client, root)
        target = (root / "a b.txt").as_uri()
        async with client.listen(resource_subscriptions=[target]) as subscription:
            (root / "a b.txt").write_text("changed")
            with anyio.fail_after(20):
                async for event in subscription:
                    assert event == ResourceUpdated(target)
                    break
        (text,) = (await client.read_resource(target)).contents
        assert text.text == "changed"


# resources/subscribe is what this test is about; the SDK warns that 2026-07-28 removed it.
@pytest.mark.filterwarnings("ignore:resources/subscribe is removed")
async def test_sdk_handshake_session_reads_and_subscribes_to_files(tmp_path):
    root = file_tree(tmp_path)
    target = (root / "a b.txt").as_uri()
    updated: list[str] = []
    arrived = anyio.Event()

    async def on_message(message) -> None:
        if getattr(message, "method", None) == "notifications/resources/updated":
            updated.append(str(message.params.uri))
            arrived.set()

    async with (
        stdio_client(files_parameters(root)) as (read, write),
        ClientSession(read, write, message_handler=on_message) as session,
    ):
        initialized = await session.initialize()
        assert initialized.capabilities.resources.subscribe is True
        await exercise_files(session, root)
        await session.subscribe_resource(target)
        (root / "a b.txt").write_text("changed")
        with anyio.fail_after(20):
            await arrived.wait()
        assert updated == [target]
