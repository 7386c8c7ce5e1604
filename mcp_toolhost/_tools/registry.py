"""`Registry`: a live set of tools, prompts or resources, paged for listing, observable for changes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

from ..errors import ConfigError, InvalidParams
from .changes import Observable
from .tool import Tool

__all__ = ["Registry", "ToolRegistry"]


class _Served(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def fn(self) -> object: ...
    def prepare(self) -> None: ...


T = TypeVar("T", bound=_Served)


def _cursor_for(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode("ascii")


def _name_from(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidParams(f"Invalid cursor {cursor!r}") from None


class Registry(Observable, Generic[T]):
    """Served things by key (a tool's or prompt's name, a resource's URI or template)."""

    def __init__(self, noun: str) -> None:
        super().__init__()
        self.noun = noun
        """What it holds, for messages: "tool", "prompt", "resource"."""
        self._items: dict[str, T] = {}
        self._sorted: list[str] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return (self._items[name] for name in self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def add(self, item: T) -> None:
        existing = self._items.get(item.key)
        if existing is not None and existing is not item:
            raise ConfigError(
                f"{self.noun.capitalize()} {item.key!r} from {item.source or item.fn!r} is already taken"
                f" by {existing.source or existing.fn!r}"
            )
        self._items[item.key] = item
        self._changed()

    def discard(self, item: T) -> None:
        """Stop serving `item`, unless its key now belongs to another (a reload may have replaced it)."""
        if self._items.get(item.key) is item:
            self.remove(item.key)

    def remove(self, name: str) -> T | None:
        removed = self._items.pop(name, None)
        if removed is not None:
            self._changed()
        return removed

    def unservable(self, *keys: str) -> dict[str, str]:
        """Each item (of `keys`, or all) whose schema cannot be built, and why.

        Builds the schemas that listing would build lazily, so a command can report
        one that cannot be served rather than leave it out quietly.
        """
        problems = {}
        for item in [self._items[key] for key in keys if key in self._items] if keys else self:
            try:
                item.prepare()
            except ConfigError as exc:
                source = item.source or "unknown source"
                problems[item.key] = f"{self.noun} {item.key!r} ({source}) cannot be served: {exc}"
        return problems

    def page(self, cursor: str | None, size: int) -> tuple[list[T], str | None]:
        """One page in key order, and the cursor of the next page if any.

        The cursor names the last key returned, so pages stay consistent while items
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
        return [self._items[name] for name in chunk], next_cursor

    def unknown(self, name: str) -> str:
        """The error for a request naming `name`, which is not served: the near misses if any."""
        shown = name[:200]
        import difflib  # only on this error path: not worth its import at start

        close = difflib.get_close_matches(shown, self._names(), n=3)
        if close:
            choices = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
            return f"Unknown {self.noun}: {shown}; did you mean {choices}?"
        return f"Unknown {self.noun}: {shown}"

    def _names(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._items)
        return self._sorted

    def _changed(self) -> None:
        self._sorted = None
        self.changed()


class ToolRegistry(Registry[Tool]):
    def __init__(self) -> None:
        super().__init__("tool")
        self.reasons: list[Callable[[str], str | None]] = []
        """Functions saying why a tool name is not served (None: not theirs to explain).

        The layers that hide tools (built-ins, plugin filters) add them; they are asked
        only when a call names a tool that is not served.
        """

    def unknown(self, name: str) -> str:
        """The error for a call to `name`, which is not served: why, or the near misses."""
        for reason in self.reasons:
            why = reason(name)
            if why is not None:
                return f"Tool {name[:200]!r} is not served: {why}"
        return super().unknown(name)
