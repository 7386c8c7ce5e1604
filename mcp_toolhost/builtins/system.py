"""The system built-ins: `run_command` for allowlisted programs, and `system_info`.

`run_command` is served only when programs are allowed (`--allow-command NAME` or an
absolute path); names are resolved on PATH when the server starts, so the model names a
program and the server decides which file that is. The child's environment is scrubbed: only the
variables `run_command_pass_env` names, those `run_command_env` sets, and the call's
own `env` reach it; the secrets among the first two are masked in what it prints.
"""

from __future__ import annotations

import os
from typing import NotRequired

from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from .._redact import redact_values, secret_values
from .._tools.tool import tool
from .._version import __version__
from ..errors import ToolError
from . import _budget as budget
from ._config import STARTED, config

__all__ = ["run_command", "system_info"]

# Variables that make the dynamic loader run code of the caller's choosing.
_LOADER_PREFIXES = ("LD_", "DYLD_")


class CommandResult(TypedDict):
    command: list[str]
    """The argv that ran, the program as resolved."""
    exit_code: int | None
    """The exit status; negative when killed by a signal; null when it timed out."""
    timed_out: bool
    stdout: str
    stderr: str
    stdout_truncated: bool
    stderr_truncated: bool
    duration_seconds: float


@tool(title="Run a command", read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)
async def run_command(
    command: list[str],
    cwd: str | None = None,
    timeout: float = 60,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> CommandResult:
    """Run an allowed program with arguments (no shell) and return its exit code, stdout and stderr.

    Each list item is one argument, passed as is: quotes, `;`, `|`, `$(...)` and `*` are
    not interpreted. On timeout the program and everything it started are killed.

    Args:
        command: The program and its arguments, e.g. ["git", "status", "--short"].
        cwd: The working directory (default: the first allowed directory).
        timeout: Seconds before the program is killed.
        stdin: Text fed to the program's standard input.
        env: Extra environment variables for the program.
    """
    from .._subprocess import run_program

    cfg = config()
    settings = cfg.settings
    if not command:
        raise ToolError('command is empty: give the program and its arguments, e.g. ["git", "status"].')
    program = cfg.commands.get(command[0])
    if program is None:
        allowed = ", ".join(sorted(set(settings.allow_commands))) or "none"
        raise ToolError(f"{command[0]!r} is not an allowed command. Allowed: {allowed} (--allow-command).")
    if not 0 < timeout <= settings.run_command_timeout:
        raise ToolError(
            f"timeout must be more than 0 and at most {settings.run_command_timeout:g} seconds (run_command_timeout)."
        )
    folder = cfg.path("." if cwd is None else cwd)  # the first root; refused when there is none
    if not folder.is_dir():
        raise ToolError(f"cwd {cwd!r} is not a directory.")
    for name in env or {}:
        if name.startswith(_LOADER_PREFIXES):
            raise ToolError(f"Setting {name} is not allowed: it changes how every program is loaded.")
    argv = [program, *command[1:]]
    child_env = _environment(env or {})
    # The secrets the server hands the child (not those the call gave it) are masked in
    # what it prints: `env` or a verbose program would show them otherwise.
    handed = secret_values(child_env, shown={*config().settings.allow_env, *(env or {})})
    try:
        done = await run_program(
            argv,
            cwd=str(folder),
            env=child_env,
            stdin=None if stdin is None else stdin.encode("utf-8"),
            timeout=timeout,
            max_output=settings.run_command_max_output_bytes,
        )
    except OSError as exc:
        raise ToolError(f"Cannot run {command[0]}: {exc.strerror or exc}") from None
    # Each stream gets half the result's room (see `_budget.py`): escaped control characters can grow
    # a 1 MiB output sevenfold.
    room = budget.room(settings, 2)
    stdout, stdout_cut = budget.fit_text(redact_values(done.stdout.decode("utf-8", errors="replace"), handed), room)
    stderr, stderr_cut = budget.fit_text(redact_values(done.stderr.decode("utf-8", errors="replace"), handed), room)
    return CommandResult(
        command=argv,
        exit_code=done.exit_code,
        timed_out=done.timed_out,
        stdout=stdout,
        stderr=stderr,
        stdout_truncated=done.stdout_truncated or stdout_cut,
        stderr_truncated=done.stderr_truncated or stderr_cut,
        duration_seconds=round(done.duration, 3),
    )


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """The scrubbed environment: passed-through names, configured values, then the call's own."""
    settings = config().settings
    names = settings.run_command_pass_env
    env = dict(os.environ) if "*" in names else {name: os.environ[name] for name in names if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update(settings.run_command_env)
    env.update(extra)
    return env


# --- system_info -----------------------------------------------------------------------


class OsInfo(TypedDict):
    system: str
    release: str
    version: str
    machine: str
    hostname: str


class PythonInfo(TypedDict):
    version: str
    implementation: str
    executable: str


class MemoryInfo(TypedDict):
    total_bytes: int
    available_bytes: NotRequired[int]


class DiskUsage(TypedDict):
    root: str
    total_bytes: int
    used_bytes: int
    free_bytes: int


class ServerInfo(TypedDict):
    version: str
    pid: int
    uptime_seconds: float


class SystemInfo(TypedDict):
    os: OsInfo
    python: PythonInfo
    cpus: int | None
    """CPUs this process may use."""
    memory: MemoryInfo | None
    disks: list[DiskUsage]
    """Disk usage of the file systems holding the allowed directories."""
    server: ServerInfo


@tool(title="System information", read_only_hint=True, open_world_hint=False)
def system_info() -> SystemInfo:
    """The operating system, Python, CPUs, memory, disk usage of the allowed directories, and the server's uptime."""
    import platform
    import shutil
    import sys
    import time

    uname = platform.uname()
    disks = []
    for root in config().roots.paths:
        try:
            usage = shutil.disk_usage(root)
        except OSError:
            continue
        disks.append(DiskUsage(root=str(root), total_bytes=usage.total, used_bytes=usage.used, free_bytes=usage.free))
    return SystemInfo(
        os=OsInfo(
            system=uname.system,
            release=uname.release,
            version=uname.version,
            machine=uname.machine,
            hostname=uname.node,
        ),
        python=PythonInfo(
            version=platform.python_version(),
            implementation=platform.python_implementation(),
            executable=sys.executable,
        ),
        cpus=_cpus(),
        memory=_memory(),
        disks=disks,
        server=ServerInfo(version=__version__, pid=os.getpid(), uptime_seconds=round(time.monotonic() - STARTED, 3)),
    )


def _cpus() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def _memory() -> MemoryInfo | None:
    try:  # Linux: MemAvailable counts reclaimable caches, as `free` does
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            fields = {key: value.split() for key, _, value in (line.partition(":") for line in meminfo)}
        memory = MemoryInfo(total_bytes=int(fields["MemTotal"][0]) * 1024)
        if "MemAvailable" in fields:
            memory["available_bytes"] = int(fields["MemAvailable"][0]) * 1024
        return memory
    except (OSError, KeyError, ValueError, IndexError):
        pass
    try:
        return MemoryInfo(total_bytes=os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return None
