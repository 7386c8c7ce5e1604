"""The dashboard page in a real Chromium (Debian's `chromium`, driven by Playwright), against the real
server on stdio with an MCP client on its pipes at the same time (and once over `--http`).

Playwright's own browser download is not reachable here, so the system's chromium is launched
with `executable_path`; `.ci/run` installs it when missing. The tests skip only if it truly
cannot be found.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_dashboard_api import HttpSession, start_http_dashboard

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    # As root (CI's containers) Chromium refuses to start with its sandbox.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        launched.close()


@pytest.fixture
def served(spawn, browser: Browser) -> Iterator[tuple[McpProcess, Page]]:
    """The server with an initialized MCP client on stdio, and the page open and live."""
    server = spawn("serve", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"), "--dashboard", "127.0.0.1:0")
    found = re.search(r"dashboard on (\S+)", server.wait_for_stderr("dashboard on "))
    assert found
    server.initialize()
    context = browser.new_context()
    page = context.new_page()
    page.goto(found[1])
    expect(page.locator("#health.ok")).to_have_text("live")  # the event stream is open
    yield server, page
    context.close()


@contextmanager
def open_dashboard(spawn: Any, browser: Browser, *args: str, **options: Any) -> Iterator[tuple[McpProcess, Page]]:
    """`serve --no-builtins ARGS --dashboard` and its page, in a browser context of its own (`options`)."""
    server = spawn("serve", "--no-builtins", *args, "--dashboard", "127.0.0.1:0")
    found = re.search(r"dashboard on (\S+)", server.wait_for_stderr("dashboard on "))
    assert found
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        page.goto(found[1])
        yield server, page
    finally:
        context.close()


def test_the_page_lists_the_tools_and_filters_them(served: tuple[McpProcess, Page]) -> None:
    _, page = served
    expect(page.locator('#tools tr[data-name="add"]')).to_contain_text("add")
    page.fill("#search", "sync_progress")
    expect(page.locator("#tools tbody tr:visible")).to_have_count(1)
    expect(page.locator('#tools tr[data-name="sync_progress"]')).to_be_visible()
    page.fill("#search", "")
    page.locator('#tools tr[data-name="echo"] input.toggle').uncheck()
    page.select_option("#state", "off")
    expect(page.locator("#tools tbody tr:visible")).to_have_count(1)
    expect(page.locator('#tools tr[data-name="echo"]')).to_be_visible()


def test_a_call_over_stdio_appears_in_the_live_calls_within_a_second(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    response = server.call("add", {"a": 20, "b": 22})
    assert response["result"]["structuredContent"] == {"result": 42}
    row = page.locator("#calls tbody tr").first
    expect(row).to_contain_text("pytest", timeout=1000)
    expect(row).to_contain_text("add", timeout=1000)
    expect(row.locator("td.ok")).to_have_text("ok", timeout=1000)
    row.click()
    expect(page.locator("#call-detail")).to_contain_text('"result": 42')


def test_disabling_a_tool_in_the_page_reaches_the_mcp_client(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    page.locator('#tools tr[data-name="echo"] input.toggle').uncheck()
    message: dict[str, Any] = server.recv()
    assert message["method"] == "notifications/tools/list_changed", message
    assert "echo" not in {tool["name"] for tool in server.list_tools()}
    page.locator('#tools tr[data-name="echo"] input.toggle').check()
    assert server.recv()["method"] == "notifications/tools/list_changed"
    assert "echo" in {tool["name"] for tool in server.list_tools()}


def test_a_call_from_the_form_shows_its_result(served: tuple[McpProcess, Page]) -> None:
    _, page = served
    page.locator('#tools tr[data-name="add"] a.tool-link').click()
    page.fill('#try-fields input[name="a"]', "2")
    page.fill('#try-fields input[name="b"]', "3")
    page.click("#try-form button")
    expect(page.locator("#try-result")).to_contain_text('"success": true')
    expect(page.locator("#try-result")).to_contain_text('"result": 5')
    expect(page.locator("#try-figures")).to_contain_text("1 calls, 0 errors")  # the figures count it
    expect(page.locator("#calls tbody tr").first).to_contain_text("mcp-toolhost dashboard")


def test_the_system_figures_and_latency_chart_update_live(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    expect(page.locator("#latency-empty")).to_be_visible()
    expect(page.locator("#uptime")).to_contain_text("up ")
    expect(page.locator("#rss")).to_contain_text("MiB")
    server.call("add", {"a": 1})
    row = page.locator("#latency tbody tr", has_text="add")
    expect(row).to_have_count(1, timeout=3000)  # the next poll of the metrics, once a second
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(page.locator("#latency-empty")).to_be_hidden()
    expect(page.locator("#plugins")).to_contain_text("No plugins")


def test_the_tool_view_shows_its_schemas_and_figures(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    server.call("add", {"a": 1})
    page.locator('#tools tr[data-name="add"] a.tool-link').click()
    expect(page.locator("#try-figures")).to_contain_text("1 calls, 0 errors")
    expect(page.locator("#try-schemas")).to_contain_text('"inputSchema"')


def test_a_change_made_elsewhere_shows_in_the_toggles(served: tuple[McpProcess, Page]) -> None:
    _, page = served
    # Another tab (same origin, same cookie) disables a tool.
    page.evaluate(
        """() => fetch("/api/tools/echo/disable", {method: "POST",
            headers: {"x-csrf-token": document.querySelector('meta[name="csrf-token"]').content}})"""
    )
    expect(page.locator('#tools tr[data-name="echo"] input.toggle')).not_to_be_checked()


def test_a_filter_matching_nothing_says_so_and_shows_all_again(served: tuple[McpProcess, Page]) -> None:
    _, page = served
    page.fill("#search", "no such tool anywhere")
    expect(page.locator("#no-match")).to_be_visible()
    expect(page.locator("#tool-count")).to_have_text(re.compile(r"^0 of \d+$"))
    page.click("#show-all")
    expect(page.locator("#no-match")).to_be_hidden()
    expect(page.locator("#search")).to_have_value("")
    expect(page.locator("#tools tbody tr:visible")).to_have_count(page.locator("#tools tbody tr").count())


def test_the_live_calls_keep_the_newest_rows_only(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    shown = page.evaluate("CALLS_SHOWN")
    expect(page.locator("#calls-empty")).to_be_visible()
    calls = shown + 20
    for i in range(calls):  # pipelined: many events reach the page in one frame
        params = {"name": "add", "arguments": {"a": i}}
        server.send({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params})
    answers = [server.recv() for _ in range(calls)]  # in any order: the calls run concurrently
    assert sorted(answer["result"]["structuredContent"]["result"] for answer in answers) == list(range(calls))
    # Newest first by start (call ids count from 1 in the order the server started them, which for
    # concurrent calls need not be the order sent), once every call has ended.
    page.wait_for_function(
        """(calls) => { const rows = [...document.querySelectorAll("#calls tbody tr")];
            return rows.length && rows[0].call.id === calls && rows.every((row) => row.call.outcome === "ok"); }""",
        arg=calls,
    )
    ids = page.evaluate("""() => [...document.querySelectorAll("#calls tbody tr")].map((row) => row.call.id)""")
    assert ids == list(range(calls, calls - shown, -1)), ids
    expect(page.locator("#calls tbody td.ok")).to_have_count(shown)
    expect(page.locator("#calls-empty")).to_be_hidden()
    second = page.locator("#calls tbody tr").nth(1)
    second.click()
    expect(page.locator("#calls tbody tr.chosen")).to_have_count(1)
    added = json.loads(second.locator("td").nth(3).inner_text())["a"]
    expect(page.locator("#call-detail")).to_contain_text(f'"result": {added}')


def test_a_running_call_chosen_shows_how_it_ended(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    server.send(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "wait", "arguments": {"seconds": 30}}}
    )
    row = page.locator("#calls tbody tr").first
    expect(row.locator("td.running")).to_have_text("running")
    row.click()
    expect(page.locator("#call-detail")).to_contain_text('"outcome": "running"')
    server.notify("notifications/cancelled", {"requestId": 1})  # it ends now
    expect(page.locator("#call-detail")).to_contain_text('"outcome": "cancelled"')
    expect(page.locator("#call-detail")).to_contain_text('"duration_ms"')


def test_a_failed_toggle_is_undone_and_says_why(served: tuple[McpProcess, Page]) -> None:
    server, page = served
    server.close_stdin()  # the client leaves: the server ends, and the page's requests fail
    assert server.proc.wait(timeout=15) == 0
    expect(page.locator("#health")).to_have_text("reconnecting…")
    page.locator('#tools tr[data-name="echo"] input.toggle').click()
    expect(page.locator("#notice")).to_contain_text("Could not disable echo: the server did not answer")
    expect(page.locator('#tools tr[data-name="echo"] input.toggle')).to_be_checked()


def test_a_tool_has_its_own_address(served: tuple[McpProcess, Page]) -> None:
    _, page = served
    page.goto(page.url.split("#")[0] + "#tool/add")
    expect(page.locator("#try")).to_be_visible()
    expect(page.locator("#try-name")).to_have_text("add")
    page.click("#try-close")
    expect(page.locator("#try")).to_be_hidden()
    page.go_back()
    expect(page.locator("#try-name")).to_have_text("add")
    expect(page.locator("#try")).to_be_visible()
    page.goto(page.url.split("#")[0] + "#tool/leave")
    expect(page.locator("#try-fields")).to_have_text("No arguments: just call it.")
    page.goto(page.url.split("#")[0] + "#tool/nothing_like_it")
    expect(page.locator("#notice")).to_contain_text("No tool named nothing_like_it")
    page.click("#notice")
    expect(page.locator("#notice")).to_be_hidden()


ORDER_TOOL = '''
from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_toolhost import tool


@tool
def order(
    size: Literal["S", "M", "L"],
    count: Annotated[int, Field(description="How many")] = 1,
    gift: bool = False,
    note: str = "",
    extras: Any = None,
) -> dict[str, Any]:
    """Echo an order."""
    return {"size": size, "count": count, "gift": gift, "note": note, "extras": extras}
'''


def test_the_form_has_an_input_for_each_kind_of_field(spawn, browser: Browser, tmp_path: Any) -> None:
    (tmp_path / "order_tools.py").write_text(ORDER_TOOL)
    with open_dashboard(spawn, browser, "--tools", str(tmp_path / "order_tools.py")) as (_, page):
        page.goto(page.url + "#tool/order")
        fields = page.locator("#try-fields")
        expect(fields.locator('select[name="size"]')).to_have_attribute("required", "")
        expect(fields.locator("label", has_text="size")).to_contain_text("size *")
        expect(fields.locator('input[name="count"]')).to_have_attribute("type", "number")
        expect(fields.locator("label", has_text="count")).to_contain_text("How many")
        expect(fields.locator('input[name="count"]')).to_have_attribute("placeholder", "default: 1")
        expect(fields.locator('select[name="gift"] option')).to_have_text(["(default)", "true", "false"])
        expect(fields.locator('input[name="note"]')).to_have_attribute("type", "text")
        # A field of any JSON: a bad value is refused in the page, saying which field and how to write it.
        page.select_option('select[name="size"]', label="M")
        page.fill('textarea[name="extras"]', "{oops")
        page.click("#try-form button[type=submit]")
        expect(page.locator("#try-result.error")).to_contain_text("extras is not valid JSON")
        page.fill('textarea[name="extras"]', '{"wrap": true}')
        page.fill('input[name="count"]', "2")
        page.select_option('select[name="gift"]', label="true")
        page.click("#try-form button[type=submit]")
        expect(page.locator("#try-result.ok")).to_contain_text('"success": true')
        result = page.locator("#try-result")
        for shown in ('"size": "M"', '"count": 2', '"gift": true', '"note": ""', '"wrap": true'):
            expect(result).to_contain_text(shown)


def test_the_page_follows_the_systems_dark_theme(spawn, browser: Browser) -> None:
    with open_dashboard(spawn, browser, "--tools", str(FIXTURES / "core_tools.py"), color_scheme="dark") as (_, page):
        expect(page.locator("#health.ok")).to_have_text("live")
        colours = page.evaluate(
            """() => [getComputedStyle(document.body).color,
                      getComputedStyle(document.getElementById("health")).color]"""
        )
        assert colours == ["rgb(255, 255, 255)", "rgb(63, 185, 80)"], colours  # light text, the lighter green


def test_the_latency_chart_shows_the_slowest_tools(spawn, browser: Browser, tmp_path: Any) -> None:
    many = "from mcp_toolhost import tool\n" + "".join(
        f"\n\n@tool\ndef tool_{i}() -> int:\n    return {i}\n" for i in range(30)
    )
    (tmp_path / "many_tools.py").write_text(many)
    with open_dashboard(spawn, browser, "--tools", str(tmp_path / "many_tools.py")) as (server, page):
        server.initialize()
        for i in range(30):
            assert "result" in server.call(f"tool_{i}")
        shown = page.evaluate("LATENCY_SHOWN")
        expect(page.locator("#latency-count")).to_have_text(f"the {shown} slowest of 30")
        expect(page.locator("#latency tbody tr")).to_have_count(shown)
        p99 = [float(text) for text in page.locator("#latency tbody td:nth-child(5)").all_text_contents()]
        assert p99 == sorted(p99, reverse=True), p99


def test_the_plugins_show_their_state_and_reload_from_the_page(spawn, browser: Browser, tmp_path: Any) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "greet.py").write_text("from mcp_toolhost import tool\n\n@tool\ndef greet() -> str:\n    return 'hi'\n")
    (folder / "broken.py").write_text("this is not python")
    with open_dashboard(spawn, browser, "--plugins", str(folder)) as (_, page):
        expect(page.locator("#plugins li.ok", has_text="greet")).to_contain_text("loaded, 1 tools")
        expect(page.locator("#plugins li.error", has_text="broken")).to_contain_text("skipped")
        (folder / "broken.py").write_text("from mcp_toolhost import tool\n\n@tool\ndef mended() -> int:\n    return 1")
        page.click("#reload")
        expect(page.locator("#plugins li.ok", has_text="broken")).to_contain_text("loaded, 1 tools")
        expect(page.locator('#tools tr[data-name="mended"]')).to_be_visible()  # the list changed: shown again
        expect(page.locator("#reload")).to_be_enabled()


def test_the_rate_chart_is_drawn_at_the_screens_resolution(spawn, browser: Browser) -> None:
    with open_dashboard(spawn, browser, "--tools", str(FIXTURES / "core_tools.py"), device_scale_factor=2) as (_, page):
        expect(page.locator("#uptime")).to_contain_text("up ")  # the first poll drew the chart
        size = page.evaluate("() => { const c = document.getElementById('rate'); return [c.width, c.clientWidth]; }")
        assert size[0] == 2 * size[1] > 0, size


def test_over_http_a_call_from_an_mcp_client_on_the_same_port_appears_live(spawn, browser: Browser) -> None:
    dashboard = start_http_dashboard(spawn)
    client = HttpSession(f"{dashboard.base}/mcp")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{dashboard.base}/?token={dashboard.token}")
    expect(page.locator("#health.ok")).to_have_text("live")
    expect(page.locator('#tools tr[data-name="add"]')).to_contain_text("add")
    assert client.call("add", {"a": 20, "b": 22})["result"]["structuredContent"] == {"result": 42}
    row = page.locator("#calls tbody tr").first
    expect(row).to_contain_text("pytest", timeout=1000)
    expect(row.locator("td.ok")).to_have_text("ok", timeout=1000)
    context.close()
