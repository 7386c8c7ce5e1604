"""Code blocks of the Markdown docs, and their `$ command` transcripts run against the real process.

A ```console block is a transcript: `$ command` lines, each followed by the output the docs show.
`run_console` runs every command with bash, as a reader would paste it, and checks that output.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import executable


def block(text: str, language: str, first_line: str) -> str:
    """The first ```language block of `text` that starts with `first_line`."""
    for found in re.findall(rf"```{language}\n(.*?)```", text, re.S):
        if found.startswith(first_line):
            return found
    raise AssertionError(f"no {language} block starting with {first_line!r}")


def console(text: str) -> list[tuple[str, list[str]]]:
    """The `$ command` lines of the first console block of `text`, each with the output shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for line in re.search(r"```console\n(.*?)```", text, re.S).group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def _same(want: str, line: str) -> bool:
    """A shown line and an actual one agree; a shown line ending in `...` is a prefix."""
    if want.endswith("...") and want != "...":
        return line.startswith(want[:-3])
    return line == want


def matches(shown: list[str], actual: str) -> bool:
    """Shown lines appear in order in the actual output; a `...` line stands for any lines."""
    squeeze = lambda text: " ".join(text.split())  # noqa: E731  # column widths depend on the terminal
    lines = [squeeze(line) for line in actual.splitlines()]
    wanted = [squeeze(line) for line in shown]
    if "..." not in wanted:
        return len(lines) == len(wanted) and all(map(_same, wanted, lines))
    position = 0
    for want in (line for line in wanted if line != "..."):
        while position < len(lines) and not _same(want, lines[position]):
            position += 1
        if position == len(lines):
            return False
        position += 1
    return True


def run_console(text: str, cwd: Path) -> dict[str, str]:
    """Run the first console block of `text` in `cwd`; each command must succeed and print what is shown.

    Returns each command's stdout. `mcp-toolhost` is found on PATH, as in a reader's activated venv.
    """
    env = {**os.environ, "PATH": f"{Path(executable()).parent}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "200"}
    outputs: dict[str, str] = {}
    for command, shown in console(text):
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, timeout=60, check=False)
        out = done.stdout.decode()
        assert done.returncode == 0, f"$ {command}\n{out}{done.stderr.decode()}"
        assert matches(shown, out), f"$ {command}\nthe docs show:\n" + "\n".join(shown) + f"\nactual:\n{out}"
        outputs[command] = out
    return outputs
