"""Completion values for prompt arguments and resource template parameters (`completions=`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["MAX_VALUES", "Completer", "Completion", "check_completions", "complete", "completion"]

Completer: TypeAlias = Sequence[str] | Callable[..., Iterable[str] | Awaitable[Iterable[str]]]
"""A list of values, or a function of the typed prefix (and, if it takes a second
parameter, the arguments already resolved) returning them, sync or async."""

MAX_VALUES: Final = 100
"""server/utilities/completion, "Completion Results": at most 100 values per response."""


def check_completions(owner: str, completions: Mapping[str, Completer] | None, names: Iterable[str]) -> None:
    """Refuse completions for names `owner` does not take: a typo would never complete."""
    unknown = sorted(set(completions or ()) - set(names))
    if unknown:
        raise ConfigError(f"{owner}: completions for {', '.join(map(repr, unknown))}, which it does not take")


async def complete(completer: Completer, prefix: str, arguments: dict[str, str]) -> dict[str, Any]:
    """The `completion` object of a `completion/complete` result.

    A list is filtered by the prefix here; a function is given it and trusted to filter
    (it may match more loosely, e.g. case-insensitively).
    """
    if isinstance(completer, str | bytes) or not callable(completer):
        values = [str(value) for value in completer if str(value).startswith(prefix)]
    else:
        values = [str(value) for value in await _call(completer, prefix, arguments)]
    return completion(values)


def completion(values: list[str]) -> dict[str, Any]:
    """The `completion` object for these values: the first `MAX_VALUES`, with how many there are."""
    shown = values[:MAX_VALUES]
    return {"values": shown, "total": len(values), "hasMore": len(values) > len(shown)}


class Completion:
    """One declared completer, run as user code runs (`Connection.invoke`) with `prefix` and `arguments`."""

    kind = "completion"

    def __init__(self, name: str, completer: Completer) -> None:
        self.name = name
        self.completer = completer

    def time_limit(self, settings: Settings) -> float | None:
        return settings.tool_timeout or None  # 0 disables

    async def run(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return await complete(self.completer, kwargs["prefix"], kwargs["arguments"])


async def _call(fn: Callable[..., Any], prefix: str, arguments: dict[str, str]) -> Iterable[Any]:
    args: tuple[Any, ...] = (prefix, arguments) if _takes_two(fn) else (prefix,)
    if inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__):
        result: Iterable[Any] = await fn(*args)
        return result
    import anyio.to_thread

    # A sync completer may read a disk or a database: not on the event loop.
    return await anyio.to_thread.run_sync(functools.partial(fn, *args), abandon_on_cancel=True)


def _takes_two(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)
