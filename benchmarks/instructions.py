"""Instructions a server executes per `echo` call, counted by callgrind: a figure machine load does not move.

    python3 benchmarks/instructions.py CONFIGS.json [CALLS]

CONFIGS.json as for cpu_ab.py: {"name": {"cmd": [...], "env": {...}}, ...}, each a stdio server with
an `echo(text)` tool (examples/bench_tools.py). Each server runs under `valgrind --tool=callgrind`
four times: 10 and 10+CALLS calls one at a time, 10 and 10+CALLS pipelined (CALLS defaults to 1,000);
the difference of the totals over CALLS is the cost of a call, start-up and shutdown left out. Needs
valgrind (Debian: apt-get install valgrind). Runs of one build differ by a few thousand
instructions (how calls fall into event loop turns), so compare differences larger than that.
"""

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

HELLO = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "instructions", "version": "1"}}


def call(i: int) -> bytes:
    message = {
        "jsonrpc": "2.0",
        "id": i,
        "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": f"w{i}"}},
    }
    return json.dumps(message).encode() + b"\n"


def instructions(cmd: list[str], env: dict[str, str], calls: int, pipelined: bool) -> int:
    """Instructions the whole server run executed: start, initialize, `calls` calls, EOF, exit."""
    wrapped = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd]
    server = subprocess.Popen(wrapped, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    stderr: list[bytes] = []
    drain = threading.Thread(target=lambda: stderr.append(server.stderr.read()))  # type: ignore[union-attr]
    drain.start()
    server.stdin.write(
        json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": HELLO}).encode() + b"\n"
    )
    server.stdin.flush()
    server.stdout.readline()
    server.stdin.write(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
    if pipelined:  # written by a thread: the answers are read meanwhile, so neither pipe fills up
        stdin, batch = server.stdin, b"".join(call(i) for i in range(1, calls + 1))
        writer = threading.Thread(target=lambda: (stdin.write(batch), stdin.flush()))
        writer.start()
        for _ in range(calls):
            server.stdout.readline()
        writer.join()
    else:
        for i in range(1, calls + 1):
            server.stdin.write(call(i))
            server.stdin.flush()
            server.stdout.readline()
    server.stdin.close()
    server.wait()
    drain.join()
    found = re.search(rb"Collected : (\d+)", stderr[0])
    if found is None:
        sys.exit(f"no callgrind total for {cmd}: {stderr[0][-2000:].decode(errors='replace')}")
    return int(found[1])


def main() -> None:
    configs = json.loads(Path(sys.argv[1]).read_text())
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rows: dict[str, tuple[float, float]] = {}
    for name, config in configs.items():
        env = {**os.environ, **config.get("env", {})}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        per_call = []
        for pipelined in (False, True):
            small = instructions(config["cmd"], env, 10, pipelined)
            large = instructions(config["cmd"], env, 10 + calls, pipelined)
            per_call.append((large - small) / calls)
        rows[name] = (per_call[0], per_call[1])
        print(
            f"{name}: sequential {per_call[0] / 1000:.1f}k, pipelined {per_call[1] / 1000:.1f}k instructions a call",
            flush=True,
        )
    first = next(iter(rows))
    print(f"\n{'server':<12} {'sequential':>11} {'pipelined':>10}   ratios to {first}")
    for name, (seq, pipe) in rows.items():
        ratios = f"{seq / rows[first][0]:.3f}x {pipe / rows[first][1]:.3f}x"
        print(f"{name:<12} {seq / 1000:>10.1f}k {pipe / 1000:>9.1f}k   {ratios}")


main()
