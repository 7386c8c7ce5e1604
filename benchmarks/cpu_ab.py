"""Server CPU per `echo` call and calls per second, sequential and pipelined, of servers taken in turn.

    python3 benchmarks/cpu_ab.py ROUNDS CONFIGS.json OUT.json

CONFIGS.json: {"name": {"cmd": [...], "env": {...}}, ...}, each command a stdio server with an
`echo(text)` tool (examples/bench_tools.py). Each round starts every server afresh, in turn (the
order reversed every other round): initialize, 1,000 warm-up calls, 3,000 calls one at a time,
then 20,000 pipelined; the server's CPU time (user + system) comes from /proc/PID/schedstat
around each phase (Linux only: the time the scheduler ran it, to the nanosecond; the ticks of
/proc/PID/stat sample a process that runs 200 µs at a time unevenly, so they are the fallback).
Medians of the rounds, their ratios to the first server, and the minimum CPU per call are printed.
PYTHONDONTWRITEBYTECODE is dropped from the servers' environment: give each tree its own
PYTHONPYCACHEPREFIX, so that none compiles its modules at every start (it costs memory and time).

On a virtual machine calls one at a time cost more CPU when the client and the server run on two
CPUs (each wakes the other's idle CPU, whose caches other guests used) than on one, and where
they land changes from process to process: `taskset -c 1 python3 benchmarks/cpu_ab.py ...` puts
them all on one CPU and steadies the sequential figures (pipelined calls per second then share it).
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
WARMUP, SEQUENTIAL, PIPELINED = 1000, 3000, 20000


def cpu_seconds(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except FileNotFoundError:  # a kernel without CONFIG_SCHED_INFO
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK


def call(i: int) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": i,
        "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": f"w{i}"}},
    }


def session(cmd: list[str], env: dict[str, str]) -> tuple[tuple[float, float], tuple[float, float]]:
    """((sequential calls/s, CPU µs a call), (pipelined calls/s, CPU µs a call)) of one fresh server."""
    server = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=0)
    assert server.stdin is not None and server.stdout is not None
    stdin, read = server.stdin, server.stdout.readline

    def send(messages: list[dict]) -> None:
        stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))

    hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "cpu_ab", "version": "1"}}
    send([{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello}])
    read()
    send([{"jsonrpc": "2.0", "method": "notifications/initialized"}, *(call(i) for i in range(1, WARMUP + 1))])
    for _ in range(WARMUP):
        read()
    cpu, start = cpu_seconds(server.pid), time.perf_counter()
    for i in range(SEQUENTIAL):
        send([call(10_000 + i)])
        read()
    sequential = (SEQUENTIAL / (time.perf_counter() - start), (cpu_seconds(server.pid) - cpu) / SEQUENTIAL * 1e6)
    calls = [call(100_000 + i) for i in range(PIPELINED)]
    writer = threading.Thread(target=lambda: [send(calls[k : k + 500]) for k in range(0, PIPELINED, 500)])
    cpu, start = cpu_seconds(server.pid), time.perf_counter()
    writer.start()
    for _ in range(PIPELINED):
        read()
    pipelined = (PIPELINED / (time.perf_counter() - start), (cpu_seconds(server.pid) - cpu) / PIPELINED * 1e6)
    writer.join()
    stdin.close()
    server.wait()
    return sequential, pipelined


def main() -> None:
    rounds, configs = int(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    results: dict[str, list] = {name: [] for name in configs}
    for number in range(1, rounds + 1):
        # Every other round in the reverse order: measured here, a server started right after
        # another one ran 8-10% slower than the same server started first, whichever it was.
        for name, config in list(configs.items())[:: 1 if number % 2 else -1]:
            env = {**os.environ, **config.get("env", {})}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            (seq, seq_cpu), (pipe, pipe_cpu) = session(config["cmd"], env)
            results[name].append(((seq, seq_cpu), (pipe, pipe_cpu)))
            print(
                f"round {number} {name}: seq {seq:.0f}/s {seq_cpu:.1f}us  pipe {pipe:.0f}/s {pipe_cpu:.1f}us",
                flush=True,
            )
    first = next(iter(configs))
    print(
        f"\n{'server':<12} {'seq calls/s':>12} {'seq cpu us':>11} {'pipe calls/s':>13} {'pipe cpu us':>12}"
        f"   ratios to {first}: seq cpu, pipe cpu, pipe calls/s"
    )
    medians: dict[str, list[float]] = {}
    for name, runs in results.items():
        cells = [(i, j) for i in (0, 1) for j in (0, 1)]
        m = medians[name] = [statistics.median(run[i][j] for run in runs) for i, j in cells]
        low = [min(run[i][1] for run in runs) for i in (0, 1)]
        ratios = " ".join(f"{m[k] / medians[first][k]:.3f}x" for k in (1, 3, 2))
        print(
            f"{name:<12} {m[0]:>12.0f} {m[1]:>11.1f} {m[2]:>13.0f} {m[3]:>12.1f}   {ratios}"
            f"   (min cpu: seq {low[0]:.1f}, pipe {low[1]:.1f})"
        )
    Path(sys.argv[3]).write_text(json.dumps(results))


main()
