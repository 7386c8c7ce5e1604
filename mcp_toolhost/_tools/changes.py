"""`Observable`: something whose changes listeners hear of, once per batch of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Observable"]


class Observable:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []
        self._batching = 0
        self._pending_change = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Tell listeners once, at the end, about all the changes made inside the block.

        A plugin reload removes and adds several items; clients get one `list_changed`.
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

    def changed(self) -> None:
        """Tell listeners of a change now, or at the end of the batch in progress."""
        if self._batching:
            self._pending_change = True
        else:
            self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
