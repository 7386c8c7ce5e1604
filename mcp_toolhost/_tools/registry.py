"""`ToolRegistry`: the live set of tools, paged for `tools/list`, observable for changes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import ConfigError, InvalidParams
from .tool import Tool

__all__ = ["ToolRegistry"]


def _cursor_for(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode("ascii")


def _name_from(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidParams(f"Invalid cursor {cursor!r}") from None


class ToolRegistry:
    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._sorted: list[str] | None = None
        self._listeners: list[Callable[[], None]] = []
        self._batching = 0
        self._pending_change = False
        self.reasons: list[Callable[[str], str | None]] = []
        """Functions saying why a tool name is not served (None: not theirs to explain).

        The layers that hide tools (built-ins, plugin filters) add them; they are asked
        only when a call names a tool that is not served.
        """

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return (self._tools[name] for name in self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def add(self, tool: Tool) -> None:
        existing = self._tools.get(tool.name)
        if existing is not None and existing is not tool:
            raise ConfigError(
                f"Tool name {tool.name!r} from {tool.source or tool.fn!r} is already taken"
                f" by {existing.source or existing.fn!r}"
            )
        self._tools[tool.name] = tool
        self._changed()

    def remove(self, name: str) -> Tool | None:
        removed = self._tools.pop(name, None)
        if removed is not None:
            self._changed()
        return removed

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Tell listeners once, at the end, about all the changes made inside the block.

        A plugin reload removes and adds several tools; clients get one `list_changed`.
        """
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching and self._pending_change:
                self._pending_change = False
                self._notify()

    def on_change(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def unservable(self, *names: str) -> dict[str, str]:
        """Each tool (of `names`, or all) whose schema cannot be built, and why.

        Builds the schemas that `tools/list` would build lazily, so a command can report
        a tool that cannot be served rather than leave it out quietly.
        """
        problems = {}
        for tool in [self._tools[name] for name in names if name in self._tools] if names else self:
            try:
                tool.prepare()
            except ConfigError as exc:
                problems[tool.name] = f"tool {tool.name!r} ({tool.source or 'unknown source'}) cannot be served: {exc}"
        return problems

    def page(self, cursor: str | None, size: int) -> tuple[list[Tool], str | None]:
        """One page of tools in name order, and the cursor of the next page if any.

        The cursor names the last tool returned, so pages stay consistent while tools
        are added or removed between requests (server/utilities/pagination: cursors
        are opaque to the client).
        """
        names = self._names()
        start = 0
        if cursor is not None:
            after = _name_from(cursor)
            start = next((i for i, name in enumerate(names) if name > after), len(names))
        chunk = names[start : start + size]
        next_cursor = _cursor_for(chunk[-1]) if start + size < len(names) and chunk else None
        return [self._tools[name] for name in chunk], next_cursor

    def unknown(self, name: str) -> str:
        """The error for a call to `name`, which is not served: why, or the near misses."""
        shown = name[:200]
        for reason in self.reasons:
            why = reason(name)
            if why is not None:
                return f"Tool {shown!r} is not served: {why}"
        import difflib  # only on this error path: not worth its import at start

        close = difflib.get_close_matches(shown, self._names(), n=3)
        if close:
            choices = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
            return f"Unknown tool: {shown}; did you mean {choices}?"
        return f"Unknown tool: {shown}"

    def _names(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._tools)
        return self._sorted

    def _changed(self) -> None:
        self._sorted = None
        if self._batching:
            self._pending_change = True
        else:
            self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
