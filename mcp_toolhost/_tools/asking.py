"""What a tool can ask the client, and how the answers come back: roots, elicitation, sampling.

Wire shapes follow client/roots, client/elicitation and client/sampling (2025-06-18 and
2025-11-25). This module knows the shapes only; which era carries a question, and how,
is the protocol layer's business (`Context` is given an `Ask` for it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeVar, cast

from ..errors import ToolError

if TYPE_CHECKING:
    import pydantic

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "Ask",
    "Elicited",
    "Root",
    "Sampled",
    "Unanswered",
    "elicitation_request",
    "elicited",
    "elicited_url",
    "file_roots",
    "offered_roots",
    "roots_by_round",
    "sampled",
    "sampling_request",
]

T = TypeVar("T")

Ask = Callable[[str, dict[str, Any], str | None], Awaitable[dict[str, Any]]]
"""Sends one request to the client (method, params, the question's key) and returns its result;
raises ToolError, or `Unanswered` (2026-07-28) when the answer comes in a later round."""


class Unanswered(BaseException):
    """A question the client has not answered yet: in 2026-07-28 it takes an input-required round.

    Raised by the protocol layer's `Ask` (its `rounds.Asked`), so a BaseException, like a
    cancellation: a function's `except Exception` lets it pass.
    """

    def together(self, unanswered: Sequence[Unanswered]) -> Unanswered:
        """Several questions (this one among them) as one round."""
        raise NotImplementedError


DEFAULT_MAX_TOKENS: Final = 1000
_VALUE: Final = "value"
"""The one field a primitive `schema` is wrapped in: the spec's requested schema is always an object."""
_PRIMITIVE_TYPES: Final = frozenset({"string", "number", "integer", "boolean"})
Action = Literal["accept", "decline", "cancel"]


@dataclass(frozen=True, slots=True)
class Root:
    """A folder the client offers (client/roots): a `file://` URI and an optional display name."""

    uri: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Elicited(Generic[T]):
    """The person's answer to `ctx.elicit`: `data` is set only when `action` is "accept"."""

    action: Action
    data: T | None = None


@dataclass(frozen=True, slots=True)
class Sampled:
    """The client's model's answer to `ctx.sample`."""

    text: str
    model: str
    stop_reason: str | None
    content: Any
    """The message content as the client sent it (a block or, since 2025-11-25, a list of blocks)."""


# --- roots ---------------------------------------------------------------------------

offered_roots: ContextVar[tuple[Root, ...] | None] = ContextVar("offered_roots", default=None)
"""The roots the client of the current tool call last listed; None while unknown.

Set by the connection for each call it runs (so each connection's calls see their own
client's roots; a sync tool's worker thread inherits it), read by whoever confines paths
(the built-in file tools), which the protocol core knows nothing of."""

roots_by_round: ContextVar[Callable[[], tuple[Root, ...]] | None] = ContextVar("roots_by_round", default=None)
"""2026-07-28: asks the client of the current tool call for its roots, as an input-required round
(raising `rounds.Asked` until answered); None when that client did not declare `roots`.

Set by the connection, called only by whoever needs the roots (`_paths.roots_for_call`), so that a
call that confines no path takes no extra round. Answered once per call: asking again returns it."""


def file_roots(result: dict[str, Any]) -> list[Root]:
    """The `file://` roots of a `roots/list` result; others are ignored (client/roots: the URI
    "MUST be a `file://` URI in the current specification")."""
    roots = result.get("roots")
    found: list[Root] = []
    for root in roots if isinstance(roots, list) else []:
        if isinstance(root, dict) and isinstance(root.get("uri"), str) and root["uri"].startswith("file://"):
            name = root.get("name")
            found.append(Root(root["uri"], name if isinstance(name, str) else None))
    return found


# --- elicitation ---------------------------------------------------------------------


def _answer_model(schema: type[Any]) -> type[pydantic.BaseModel]:
    import pydantic  # on first use: serving tools that never ask does not load it

    if isinstance(schema, type) and issubclass(schema, pydantic.BaseModel):
        return schema
    return pydantic.create_model("Answer", **{_VALUE: (schema, ...)})  # type: ignore[call-overload, no-any-return]


def elicitation_request(message: str, schema: type[Any]) -> dict[str, Any]:
    """The params of a form-mode `elicitation/create` asking for `schema`."""
    model = _answer_model(schema)
    full = model.model_json_schema()
    defs = full.get("$defs", {})
    properties = {name: _flat_field(name, prop, defs) for name, prop in full.get("properties", {}).items()}
    requested: dict[str, Any] = {"type": "object", "properties": properties}
    if full.get("required"):
        requested["required"] = full["required"]
    # No `mode`: 2025-06-18 has none, and 2025-11-25 reads a missing one as "form".
    return {"message": message, "requestedSchema": requested}


def _resolved(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A property with its `$ref` (an Enum) and optional-null union folded in."""
    prop = dict(prop)
    ref = prop.pop("$ref", None)
    if isinstance(ref, str):
        # The referenced definition's title is its class name, not the field's.
        target = {key: value for key, value in defs.get(ref.rsplit("/", 1)[-1], {}).items() if key != "title"}
        prop = {**target, **prop}
    options = prop.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:  # `X | None`: the field is optional, not a union
            del prop["anyOf"]
            prop = {**_resolved(kept[0], defs), **prop}
    return prop


def _flat_field(name: str, prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """One property of the requested schema, checked against what client/elicitation allows:
    string (optionally an enum, with `oneOf` const/title for titled options, SEP-1330),
    number, integer, boolean, or an array of enum strings for multi-select."""
    prop = _resolved(prop, defs)
    if "default" in prop and prop["default"] is None:
        del prop["default"]  # `X | None = None`: optional; the spec's defaults are never null
    kind = prop.get("type")
    if kind == "array" and isinstance(prop.get("items"), dict):
        items = _resolved(prop["items"], defs)
        if "enum" in items or "anyOf" in items:
            return {**prop, "items": items}
    elif kind in _PRIMITIVE_TYPES or "oneOf" in prop:
        return prop
    raise ToolError(
        f"elicit: field {name!r} is not a primitive (string, number, integer, boolean, an enum, or a list of "
        "enum values); elicitation forms are flat, so split nested data into separate fields"
    )


def _action(result: dict[str, Any]) -> Action:
    action = result.get("action")
    if action not in ("accept", "decline", "cancel"):
        raise ToolError(f"The client answered the elicitation with an unknown action {action!r}")
    return cast(Action, action)


def elicited(result: dict[str, Any], schema: type[Any]) -> Elicited[Any]:
    """Read an `ElicitResult`; an accepted answer is validated into `schema`."""
    action = _action(result)
    if action != "accept":
        return Elicited(action)
    import pydantic

    model = _answer_model(schema)
    try:
        data = model.model_validate(result.get("content") or {})
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"field {'.'.join(map(str, error['loc'])) or '(answer)'!r}: {error['msg']}" for error in exc.errors()
        )
        raise ToolError(f"The answer to the elicitation does not fit the requested form: {problems}") from None
    return Elicited("accept", data if model is schema else getattr(data, _VALUE))


def elicited_url(result: dict[str, Any]) -> Elicited[None]:
    """Read the `ElicitResult` of a URL-mode request: only the action counts."""
    return Elicited(_action(result))


# --- sampling ------------------------------------------------------------------------


def sampling_request(
    prompt_or_messages: str | Sequence[dict[str, Any]],
    *,
    system_prompt: str | None,
    max_tokens: int,
    temperature: float | None,
    model_preferences: dict[str, Any] | None,
    stop_sequences: Sequence[str] | None,
) -> dict[str, Any]:
    """The params of `sampling/createMessage`; a `str` is one user message."""
    if isinstance(prompt_or_messages, str):
        messages: list[dict[str, Any]] = [{"role": "user", "content": {"type": "text", "text": prompt_or_messages}}]
    else:
        messages = list(prompt_or_messages)
    params: dict[str, Any] = {"messages": messages, "maxTokens": max_tokens}
    optional = {
        "systemPrompt": system_prompt,
        "temperature": temperature,
        "modelPreferences": model_preferences,
        "stopSequences": list(stop_sequences) if stop_sequences is not None else None,
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    return params


def sampled(result: dict[str, Any]) -> Sampled:
    """Read a `CreateMessageResult`; `text` joins its text blocks."""
    content = result.get("content")
    blocks = content if isinstance(content, list) else [content]
    text = "".join(
        cast(str, block["text"])
        for block in blocks
        if isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str)
    )
    model = result.get("model")
    stop_reason = result.get("stopReason")
    return Sampled(
        text=text,
        model=model if isinstance(model, str) else "",
        stop_reason=stop_reason if isinstance(stop_reason, str) else None,
        content=content,
    )
