"""State files: each running server's metrics snapshot on disk, for `mcp-toolhost stats`.

While `serve` runs, a background task writes `Recorder.snapshot()` to `STATE_DIR/PID.json`
every `state_interval` seconds (the first time one interval after start), atomically: a
reader sees a whole snapshot, never half of one. The file is removed when the server stops
(EOF, SIGTERM, SIGINT). A server killed outright cannot remove its file: readers skip and
remove the files of processes that no longer exist.

The write runs on the event loop, without `fsync` (a snapshot lost in a power cut is
replaced a second later): a few system calls a second. Handing it to a worker thread
instead cost a third of the pipelined calls per second (measured, benchmarks/RESULTS.md):
the thread's every return from a system call waits for the busy loop to give up the GIL.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .config import Settings

if TYPE_CHECKING:
    from .host import ToolHost
    from .metrics import Metrics

__all__ = ["running_servers", "write_state_file"]

logger = logging.getLogger("mcp_toolhost.stats")

_SUFFIX = ".json"


async def write_state_file(host: ToolHost) -> None:
    """Keep this process's state file current until cancelled, then remove it."""
    import orjson

    written: Path | None = None
    try:
        while True:
            # The first write too waits one interval: starting costs nothing, and a server
            # living less than that (a client's probe, a cold-start benchmark) leaves no trace.
            await anyio.sleep(host.settings.state_interval)
            try:
                path = _write(host.settings, orjson.dumps(host.recorder.snapshot()))
            except Exception:  # a bug of ours: the server serves on without its state file
                logger.exception("cannot write the state file: `mcp-toolhost stats` will not see this server")
                return
            if path is None:
                return  # could not write: logged once, and the server serves on without it
            written = path
    finally:
        if written is not None:
            with contextlib.suppress(OSError):
                written.unlink()


def _write(settings: Settings, data: bytes) -> Path | None:
    from .builtins._atomic import write_atomic  # on first use: it loads OpenSSL (secrets), 1 MiB

    try:
        folder = settings.state_folder()
        # Private to the user: the snapshot names the tools served and how they are used.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{os.getpid()}{_SUFFIX}"
        write_atomic(path, data, durable=False)
    except OSError as exc:
        logger.warning(
            "cannot write the state file in %s (%s): `mcp-toolhost stats` will not see this server;"
            " give a writable folder with --state-dir or MCP_TOOLHOST_STATE_DIR",
            exc.filename or settings.state_dir,
            exc.strerror or exc,
        )
        return None
    return path


def running_servers(folder: Path) -> list[Metrics]:
    """The snapshots of the servers running now, oldest first; files of dead processes are removed."""
    import pydantic

    from .builtins._atomic import TEMP_SUFFIX, alive, remove_stale
    from .metrics import Metrics

    servers = []
    for path in folder.glob(f"*{_SUFFIX}"):
        if not path.stem.isdigit() or int(path.stem) == 0:  # (pid 0 would be our own process group)
            continue
        if not alive(int(path.stem)):
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        try:
            servers.append(Metrics.model_validate_json(path.read_bytes()))
        except (OSError, pydantic.ValidationError):
            continue  # removed since listed, or written by another version: not ours to read
    # A server killed in the middle of a write leaves its hidden temporary file (.PID.json.PID.x.mcp-tmp).
    for temp in folder.glob(f".*{TEMP_SUFFIX}"):
        remove_stale(folder / (temp.name[1:].split(".", 1)[0] + _SUFFIX))
    return sorted(servers, key=lambda server: (server.started_at, server.pid))
