"""`Prompt`: a function served as an MCP prompt template, and the `@prompt` decorator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from ..errors import ConfigError
from .completions import Completer, check_completions
from .content import Content
from .function import Function, marked

if TYPE_CHECKING:
    from .signature import FunctionSchema

__all__ = ["Prompt", "PromptOptions", "collect_prompts", "prompt"]

F = TypeVar("F", bound=Callable[..., Any])

_MARK: Final = "__mcp_prompt__"
_ROLES: Final = frozenset({"user", "assistant"})


@dataclass(frozen=True, slots=True)
class PromptOptions:
    """What `@prompt(...)` was given; everything else comes from the function itself."""

    name: str | None = None
    title: str | None = None
    description: str | None = None
    completions: Mapping[str, Completer] | None = field(default=None, hash=False)


@overload
def prompt(fn: F, /) -> F: ...
@overload
def prompt(
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    completions: Mapping[str, Completer] | None = None,
) -> Callable[[F], F]: ...
def prompt(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Mark a function as a prompt, bare (`@prompt`) or with options (`@prompt(name=...)`).

    Its parameters are the prompt's arguments (described by the docstring's Args); it
    returns a `str` (one user message), content blocks, or messages as
    `{"role": "user" | "assistant", "content": str | Content}`. `completions` maps an
    argument to its values: a list, or a function of the typed prefix.
    """

    def mark(fn: F) -> F:
        setattr(fn, _MARK, PromptOptions(**options))
        return fn

    return mark if fn is None else mark(fn)


def collect_prompts(module: ModuleType) -> list[Prompt]:
    """The `@prompt` functions defined in `module` (not those it imported), in source order."""
    return [Prompt(fn, getattr(fn, _MARK)) for fn in marked(module, _MARK)]


class Prompt(Function):
    """A function served as a prompt: its arguments in, messages out."""

    kind = "prompt"
    unstructured_types = (object,)

    def __init__(self, fn: Callable[..., Any], options: PromptOptions | None = None) -> None:
        options = options or PromptOptions()
        super().__init__(fn, options.description)
        self.name = options.name if options.name is not None else str(getattr(fn, "__name__", ""))
        if not self.name:
            raise ConfigError(f"{fn!r}: a prompt needs a name")
        self.title = options.title
        self.completions = dict(options.completions or {})

    def __repr__(self) -> str:
        return f"<Prompt {self.name}>"

    def _check(self, schema: FunctionSchema) -> None:
        check_completions(f"prompt {self.name!r}", self.completions, schema.input_schema.get("properties", {}))

    def definition(self, level: int) -> dict[str, Any]:
        """The `Prompt` of `prompts/list`: each argument with its description and whether it is required."""
        schema = self.schema.input_schema
        required = set(schema.get("required", ()))
        arguments = []
        for name, prop in schema.get("properties", {}).items():
            argument: dict[str, Any] = {"name": name}
            if prop.get("description"):
                argument["description"] = prop["description"]
            argument["required"] = name in required
            arguments.append(argument)
        definition: dict[str, Any] = {"name": self.name}
        if self.title is not None and level >= 2:  # `title` came with 2025-06-18
            definition["title"] = self.title
        if self.description:
            definition["description"] = self.description
        definition["arguments"] = arguments
        return definition

    def messages(self, value: Any, level: int) -> list[dict[str, Any]]:
        """The `messages` of a `prompts/get` result for what the function returned."""
        items = value if isinstance(value, list | tuple) else [value]
        return [self._message(item, level) for item in items]

    def _message(self, item: Any, level: int) -> dict[str, Any]:
        role: Any = "user"
        content = item
        if isinstance(item, dict):
            role, content = item.get("role"), item.get("content")
            if role not in _ROLES:
                raise TypeError(f"prompt {self.name!r} has a message with role {role!r}: use 'user' or 'assistant'")
        if isinstance(content, str):
            return {"role": role, "content": {"type": "text", "text": content}}
        if isinstance(content, Content):
            from .results import content_block  # with the JSON codec: loaded when serving, not at import

            return {"role": role, "content": content_block(content, level)}
        raise TypeError(
            f"prompt {self.name!r} returned {type(content).__name__}; return a str, content blocks"
            " or messages ({'role': 'user', 'content': str | Content})"
        )
