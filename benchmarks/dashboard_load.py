"""The dashboard page on a 500-tool server with a steady stream of calls, in Debian's chromium.

    python benchmarks/dashboard_load.py [--tools 500] [--rate 200] [--window 20] [--minutes 3]

Starts `mcp-toolhost serve --no-builtins --tools FILE --dashboard 127.0.0.1:0` with FILE holding
`--tools` generated functions (in a temporary folder), an MCP client on its stdio, and the page in
Playwright's chromium (`executable_path`, as tests/test_dashboard_browser.py). It reports:

- first render: from navigation start to the first frame after the whole tools table is parsed
  (an init script marks it), the median of 5 loads, with the HTML's size and chromium's CPU time;
- filter: each keystroke of a search typed and erased, from the `input` event to the next frame,
  and its synchronous part (handler, style and layout, forced);
- live: while the client calls every tool in turn at `--rate` calls per second (each call is two
  events, started and finished), the page's main-thread busy time over `--window` seconds from
  CDP `Performance.getMetrics` (task, script, layout, style; wall-clock, so it swells on a busy
  machine), chromium's CPU time (from /proc, Linux only), long tasks (> 50 ms), and how old the
  newest row shown is, sampled twice a second;
- memory: the JS heap after a garbage collection, DOM nodes and rows in the live calls table, every
  30 s for `--minutes` of that stream (the list must stay bounded).

Speed is measured here, never in timed tests; figures vary with the machine's load (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import CDPSession, Page, sync_playwright

SCRIPT = Path(sys.executable).parent / "mcp-toolhost"
TICK = os.sysconf("SC_CLK_TCK")
QUERY = "tool_49 text"
"""Typed one key at a time into the filter, then erased."""

# Marks the first frame after the document (and so the server-rendered table) is parsed, and
# counts long tasks; installed before the page's own scripts run.
_PROBE = """
window.__longTasks = {count: 0, ms: 0};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { __longTasks.count += 1; __longTasks.ms += entry.duration; }
}).observe({type: "longtask"});
document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => setTimeout(() => {
  window.__tableShown = performance.now();
  window.__tableRows = document.querySelectorAll("#tools tbody tr").length;
  window.__answered = performance.getEntriesByType("navigation")[0].responseEnd;
})));
"""

_KEYSTROKES = """async (query) => {
  const search = document.getElementById("search");
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
  const typed = [...query].map((_, i) => query.slice(0, i + 1));
  const erased = typed.slice(0, -1).reverse().concat([""]);
  const sync = [], toFrame = [];
  for (const value of typed.concat(erased)) {
    await frame();
    const start = performance.now();
    search.value = value;
    search.dispatchEvent(new Event("input", {bubbles: true}));
    document.body.getBoundingClientRect();  // style and layout, forced now
    sync.push(performance.now() - start);
    await frame();
    toFrame.push(performance.now() - start);
  }
  return {sync, toFrame, shown: document.querySelectorAll("#tools tbody tr:not([hidden])").length};
}"""

_STALENESS = """() => {
  // How old the newest call shown is: its start (server clock) to now, in ms.
  const row = document.querySelector("#calls tbody tr");
  return row && row.call ? Date.now() - row.call.time * 1000 : null;
}"""


def tools_file(folder: Path, count: int) -> Path:
    """`count` tools, each with a description and an input schema of three fields."""
    hints = ("read_only_hint=True", "destructive_hint=True", "idempotent_hint=True, open_world_hint=True")
    lines = ["from mcp_toolhost import tool", ""]
    for i in range(count):
        lines += [
            f"@tool({hints[i % 3]})",
            f"def tool_{i:03d}(text: str, times: int = 1, loud: bool = False) -> str:",
            f'    """Tool number {i}: repeat `text` `times` times, upper-cased if `loud`."""',
            "    return (text.upper() if loud else text) * times",
            "",
        ]
    path = folder / "many_tools.py"
    path.write_text("\n".join(lines))
    return path


class Client:
    """The MCP client on the server's stdio: calls at a steady rate, answers drained by a thread."""

    def __init__(self, server: subprocess.Popen[bytes], tools: int) -> None:
        assert server.stdin is not None and server.stdout is not None
        self._stdin, self._stdout = server.stdin, server.stdout
        self._tools = tools
        self._ids = 0
        self.answered = 0
        self._stop = threading.Event()
        self._write(
            {
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "dashboard_load", "version": "1"},
                },
            }
        )
        self._stdout.readline()
        self._stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        self._stdin.flush()
        threading.Thread(target=self._drain, daemon=True).start()

    def _write(self, message: dict[str, Any]) -> None:
        self._ids += 1
        self._stdin.write(json.dumps({"jsonrpc": "2.0", "id": self._ids, **message}).encode() + b"\n")
        self._stdin.flush()

    def _drain(self) -> None:
        for _ in self._stdout:
            self.answered += 1

    def stream(self, rate: int) -> None:
        """Call every tool in turn, `rate` calls a second, in ticks of 10 ms, until `stop`."""

        def run() -> None:
            start, sent = time.perf_counter(), 0
            while not self._stop.is_set():
                due = int((time.perf_counter() - start) * rate)
                for _ in range(due - sent):
                    name = f"tool_{sent % self._tools:03d}"
                    arguments = {"text": f"call {sent}", "times": 1}
                    self._write({"method": "tools/call", "params": {"name": name, "arguments": arguments}})
                    sent += 1
                time.sleep(0.01)

        threading.Thread(target=run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def browser_cpu() -> float:
    """CPU seconds (user + system) of every chromium process this script started, all of them alive.

    Wall-clock busy time swells when other programs take the cores; CPU time does not.
    """
    parents, cpu = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().rsplit(")", 1)
        except OSError:  # ended meanwhile
            continue
        pid, fields = int(stat.parent.name), fields.split()
        parents[pid] = int(fields[1])
        if "chrom" in name:
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return sum(seconds for pid, seconds in cpu.items() if ours(pid))


def metrics(cdp: CDPSession) -> dict[str, float]:
    return {item["name"]: item["value"] for item in cdp.send("Performance.getMetrics")["metrics"]}


def first_render(page: Page, url: str, tools: int) -> None:
    times, answered, cpu = [], [], browser_cpu()
    for _ in range(5):
        page.goto(url)
        page.wait_for_function("window.__tableShown !== undefined")
        rows = page.evaluate("window.__tableRows")
        assert rows == tools, f"{rows} rows in the tools table, not {tools}"
        times.append(page.evaluate("window.__tableShown"))
        answered.append(page.evaluate("window.__answered"))
    cpu = (browser_cpu() - cpu) / 5
    size = len(page.content().encode())
    print(
        f"first render of the {tools}-row table: median {statistics.median(times):.0f} ms "
        f"(min {min(times):.0f}, max {max(times):.0f}; 5 loads), of which the page's answer "
        f"{statistics.median(answered):.0f} ms (HTML {size / 1024:.0f} KiB); chromium's CPU {cpu * 1000:.0f} ms a load"
    )


def filter_keystrokes(page: Page) -> None:
    found = page.evaluate(_KEYSTROKES, QUERY)
    sync, to_frame = found["sync"], found["toFrame"]
    print(
        f"filter keystroke ({len(sync)} keys, {QUERY!r} typed and erased): to next frame median "
        f"{statistics.median(to_frame):.1f} ms, max {max(to_frame):.1f}; handler+style+layout median "
        f"{statistics.median(sync):.1f} ms, max {max(sync):.1f}"
    )


def live(page: Page, cdp: CDPSession, client: Client, window: float) -> None:
    page.evaluate("window.__longTasks = {count: 0, ms: 0}")
    before, answered, cpu = metrics(cdp), client.answered, browser_cpu()
    started, ages = time.perf_counter(), []
    while time.perf_counter() - started < window:
        time.sleep(0.5)
        ages.append(page.evaluate(_STALENESS))
    after, elapsed = metrics(cdp), time.perf_counter() - started
    cpu = browser_cpu() - cpu
    tasks = page.evaluate("window.__longTasks")
    rate = (client.answered - answered) / elapsed

    def busy(name: str) -> str:
        return f"{(after[name] - before[name]) / elapsed * 100:.1f}%"

    print(
        f"live, {rate:.0f} calls/s answered for {elapsed:.0f} s: main thread busy {busy('TaskDuration')} "
        f"(script {busy('ScriptDuration')}, layout {busy('LayoutDuration')}, style {busy('RecalcStyleDuration')}); "
        f"{tasks['count']} long tasks, {tasks['ms']:.0f} ms in all"
    )
    print(f"  chromium's CPU (all its processes): {cpu / elapsed * 100:.1f}% of a core")
    shown = [age for age in ages if age is not None]
    if shown:
        print(
            f"  the newest call shown started {statistics.median(shown):.0f} ms before (median of "
            f"{len(shown)} samples, max {max(shown):.0f}; clocks of one machine)"
        )


def memory(page: Page, cdp: CDPSession, minutes: float) -> None:
    print("  s  JS heap MiB  DOM nodes  live call rows")
    start = time.perf_counter()
    while True:
        elapsed = round(time.perf_counter() - start)
        cdp.send("HeapProfiler.collectGarbage")
        figures = metrics(cdp)
        rows = page.evaluate('document.querySelectorAll("#calls tbody tr").length')
        print(
            f"{elapsed:3d}  {figures['JSHeapUsedSize'] / 2**20:11.1f}  {figures['Nodes']:9.0f}  {rows:14d}", flush=True
        )
        if elapsed >= minutes * 60:
            return
        time.sleep(min(30, max(0, start + minutes * 60 - time.perf_counter())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tools", type=int, default=500)
    parser.add_argument("--rate", type=int, default=200, help="calls per second from the MCP client")
    parser.add_argument("--window", type=float, default=20, help="seconds of live calls measured")
    parser.add_argument("--minutes", type=float, default=3, help="minutes of calls before the last heap figure")
    options = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed: apt-get install chromium")
    print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        command = [
            SCRIPT,
            "serve",
            "--no-builtins",
            "--tools",
            str(tools_file(Path(folder), options.tools)),
            "--dashboard",
            "127.0.0.1:0",
        ]
        server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert server.stderr is not None
        try:
            found = None
            while found is None:
                line = server.stderr.readline().decode()
                if not line:
                    sys.exit("the server ended before printing its dashboard URL")
                found = re.search(r"dashboard on (\S+)", line)
            # stderr is not read from here on: quiet at the default log level, it cannot fill the pipe.
            client = Client(server, options.tools)
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=args)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.add_init_script(_PROBE)
                page.goto(found[1])  # sets the cookie; later loads are of / itself
                url = found[1].split("?")[0]
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable")
                first_render(page, url, options.tools)
                filter_keystrokes(page)
                page.wait_for_selector("#health.ok")
                client.stream(options.rate)
                time.sleep(3)  # every tool called once or more: the latency table at its full size
                live(page, cdp, client, options.window)
                filter_keystrokes(page)
                memory(page, cdp, options.minutes)
                client.stop()
                browser.close()
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
