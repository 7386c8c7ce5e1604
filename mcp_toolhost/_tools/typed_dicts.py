"""`typing.TypedDict` for pydantic on Python 3.11, which accepts only `typing_extensions.TypedDict`.

pydantic refuses `typing.TypedDict` below Python 3.12 (its `__required_keys__` cannot
be trusted there with postponed annotations); tool authors write it anyway. Each such
class found in an annotation is rebuilt, once, as a `typing_extensions.TypedDict` with
the same name, docstring, fields and required keys, nested classes included.
"""

from __future__ import annotations

import functools
import operator
import sys
import types
import typing
from typing import Annotated, Any, NotRequired, Required, get_args, get_origin

import typing_extensions

from ..errors import ConfigError

__all__ = ["compatible"]

_NEEDED = sys.version_info < (3, 12)
_BUILDING: set[type] = set()  # classes being rebuilt, to catch one that contains itself


def compatible(annotation: Any) -> Any:
    """`annotation` with every `typing.TypedDict` in it rebuilt for pydantic (unchanged from Python 3.12)."""
    return _convert(annotation) if _NEEDED else annotation


def _convert(annotation: Any) -> Any:
    if isinstance(annotation, type) and type(annotation) is _TYPING_META:
        return _rebuild(annotation)
    args = get_args(annotation)
    origin = get_origin(annotation)
    if not args or origin is typing.Literal:
        return annotation
    converted: tuple[Any, ...] = tuple(_convert(arg) if not isinstance(arg, list) else arg for arg in args)
    if converted == args:
        return annotation
    if origin is Annotated:
        return Annotated[(converted[0], *annotation.__metadata__)]
    if isinstance(annotation, types.UnionType):
        return functools.reduce(operator.or_, converted)
    if isinstance(annotation, types.GenericAlias):
        return types.GenericAlias(origin, converted)
    return annotation.copy_with(converted)  # typing's aliases: Union, Optional, List, Required...


@functools.cache
def _rebuild(cls: type) -> Any:
    if cls in _BUILDING:
        raise ConfigError(
            f"{cls.__qualname__} refers to itself: on Python 3.11, import TypedDict from typing_extensions"
        )
    _BUILDING.add(cls)
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = {
            name: (Required if _required(cls, name, hint) else NotRequired)[_convert(_unwrap_required(hint))]
            for name, hint in hints.items()
        }
    finally:
        _BUILDING.discard(cls)
    rebuilt: Any = typing_extensions.TypedDict(cls.__name__, fields)  # type: ignore[misc]  # mypy wants literals
    rebuilt.__doc__, rebuilt.__module__, rebuilt.__qualname__ = cls.__doc__, cls.__module__, cls.__qualname__
    return rebuilt


def _required(cls: type, name: str, hint: Any) -> bool:
    # __required_keys__ follows each class's totality, but misses Required/NotRequired
    # written as strings (`from __future__ import annotations`): the resolved hint knows.
    if get_origin(hint) is Required:
        return True
    if get_origin(hint) is NotRequired:
        return False
    return name in cls.__required_keys__  # type: ignore[attr-defined]


def _unwrap_required(hint: Any) -> Any:
    while get_origin(hint) in (Required, NotRequired):
        hint = get_args(hint)[0]
    return hint


class _Probe(typing.TypedDict):
    pass


_TYPING_META = type(_Probe)
