"""The dashboard page in a real Chromium (Debian's `chromium`, driven by Playwright), against the real
server on stdio with an MCP client on its pipes at the same time (and once over `--http`).

Playwright's own browser download is not reachable here, so the system's chromium is launched
with `executable_path`; `.ci/run` installs it when missing. The tests skip only if it truly
cannot be found.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
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
