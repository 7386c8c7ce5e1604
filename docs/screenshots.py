"""Regenerate the README's dashboard screenshots (docs/dashboard-light.png, docs/dashboard-dark.png)
from a real run: `mcp-toolhost serve --dashboard` with examples/my_tools.py and the built-ins, an MCP
client on its stdio making a few calls, and Debian's chromium driven by Playwright.

    python docs/screenshots.py    # in the activated .venv, from the repository's root
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "mcp-toolhost"


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed: apt-get install chromium")
    server = subprocess.Popen(
        [SCRIPT, "serve", "--tools", "examples/my_tools.py", "--dashboard", "127.0.0.1:0"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    stdin, stdout = server.stdin, server.stdout
    ids = iter(range(1, 1000))

    def request(method: str, params: dict[str, Any]) -> None:
        message = {"jsonrpc": "2.0", "id": next(ids), "method": method, "params": params}
        stdin.write(json.dumps(message).encode() + b"\n")
        stdin.flush()
        stdout.readline()  # its answer

    try:
        url = re.search(r"dashboard on (\S+)", server.stderr.readline().decode())
        assert url, "the server did not print its dashboard URL"
        request(
            "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "claude-code"}}
        )
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=args)
            for scheme in ("light", "dark"):
                page = browser.new_page(viewport={"width": 1280, "height": 860}, color_scheme=scheme)
                page.goto(url[1])
                page.wait_for_selector("#health.ok")
                for city in ("Lyon", "Oslo", "Lima"):
                    request("tools/call", {"name": "forecast", "arguments": {"city": city, "days": 2}})
                request("tools/call", {"name": "read_file", "arguments": {"path": "README.md", "limit": 3}})
                request("tools/call", {"name": "read_file", "arguments": {"path": "/etc/shadow"}})
                page.locator("#latency tbody tr", has_text="read_file").wait_for()
                page.screenshot(path=ROOT / "docs" / f"dashboard-{scheme}.png")
                page.close()
            browser.close()
    finally:
        server.kill()


if __name__ == "__main__":
    main()
