"""`Resource`: a function served as an MCP resource (a fixed URI or a URI template), and `@resource`."""

from __future__ import annotations

import base64
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ..errors import ConfigError
from .completions import Completer, check_completions
from .function import Function, marked
from .uri_template import UriTemplate

if TYPE_CHECKING:
    from .signature import FunctionSchema

__all__ = ["Resource", "ResourceOptions", "collect_resources", "resource"]

F = TypeVar("F", bound=Callable[..., Any])

_MARK: Final = "__mcp_resource__"
_JSON: Final = "application/json"
_TEXT: Final = "text/plain"
_BINARY: Final = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class ResourceOptions:
    """What `@resource(...)` was given; everything else comes from the function itself."""

    uri: str
    name: str | None = None
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    completions: Mapping[str, Completer] | None = field(default=None, hash=False)


def resource(
    uri: str,
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    mime_type: str | None = None,
    completions: Mapping[str, Completer] | None = None,
) -> Callable[[F], F]:
    """Mark a function as the resource at `uri`, or a template of them (`notes://{name}`).

    Template variables (RFC 6570 level 1) are the function's parameters, typed and
    validated as a tool's arguments are. It returns text (`str`), bytes (a blob) or any
    other value, sent as JSON. `completions` maps a variable to its values: a list, or a
    function of the typed prefix. The function is returned unchanged.
    """
    if not isinstance(uri, str):  # `@resource` without its URI: the function came as `uri`
        raise TypeError('@resource needs the URI it serves: @resource("config://app") or @resource("notes://{name}")')
    options = ResourceOptions(uri, name, title, description, mime_type, completions)

    def mark(fn: F) -> F:
        setattr(fn, _MARK, options)
        return fn

    return mark


def collect_resources(module: types.ModuleType) -> list[Resource]:
    """The `@resource` functions defined in `module` (not those it imported), in source order."""
    return [Resource(fn, getattr(fn, _MARK)) for fn in marked(module, _MARK)]


class Resource(Function):
    """A function served as a resource, or as a resource template when its URI has variables."""

    kind = "resource"
    unstructured_types = (object,)

    def __init__(self, fn: Callable[..., Any], options: ResourceOptions) -> None:
        super().__init__(fn, options.description)
        self.uri = options.uri
        self.template = UriTemplate(options.uri)
        self.name = options.name if options.name is not None else str(getattr(fn, "__name__", options.uri))
        self.title = options.title
        self.mime_type = options.mime_type or _mime_for(fn)
        self.completions = dict(options.completions or {})
        check_completions(f"resource {self.uri!r}", self.completions, self.template.variables)

    def __repr__(self) -> str:
        return f"<Resource {self.uri}>"

    @property
    def key(self) -> str:
        """What a registry knows it by: its URI, or its URI template."""
        return self.uri

    def _check(self, schema: FunctionSchema) -> None:
        # Every variable must reach a parameter, and every parameter without a default
        # must come from the URI: nothing else can supply it.
        parameters = set(schema.input_schema.get("properties", {}))
        required = set(schema.input_schema.get("required", ()))
        variables = set(self.template.variables)
        if variables - parameters:
            missing = ", ".join(sorted(variables - parameters))
            raise ConfigError(f"resource {self.uri!r}: the function takes no parameter for {{{missing}}}")
        if required - variables:
            extra = ", ".join(sorted(required - variables))
            raise ConfigError(
                f"resource {self.uri!r}: parameter {extra} is not in the URI; add {{{extra}}} or give it a default"
            )

    def definition(self, level: int) -> dict[str, Any]:
        """The `Resource` of `resources/list`, or the `ResourceTemplate` of `resources/templates/list`.

        Raises ConfigError if the function cannot serve its URI: it is not listed then.
        """
        self.prepare()
        definition: dict[str, Any] = {"uriTemplate" if self.template.is_template else "uri": self.uri}
        definition["name"] = self.name
        if self.title is not None and level >= 2:  # `title` came with 2025-06-18
            definition["title"] = self.title
        if self.description:
            definition["description"] = self.description
        if self.mime_type is not None:
            definition["mimeType"] = self.mime_type
        return definition

    def contents(self, uri: str, value: Any) -> list[dict[str, Any]]:
        """The `contents` of a `resources/read` result for what the function returned."""
        if isinstance(value, str):
            return [{"uri": uri, "mimeType": self.mime_type or _TEXT, "text": value}]
        if isinstance(value, bytes | bytearray | memoryview):
            blob = base64.b64encode(value).decode("ascii")
            return [{"uri": uri, "mimeType": self.mime_type or _BINARY, "blob": blob}]
        from .. import _json  # the JSON codec: loaded when serving, not at import

        return [{"uri": uri, "mimeType": self.mime_type or _JSON, "text": _json.dumps(value).decode()}]


def _mime_for(fn: Callable[..., Any]) -> str | None:
    """The MIME type the return annotation promises; None when it does not say."""
    try:
        returns = typing.get_type_hints(fn).get("return")
    except Exception:  # an unresolvable annotation: the schema build reports it
        return None
    if returns is None:
        return None
    if returns is str:
        return _TEXT
    if returns is bytes:
        return _BINARY
    if returns is Any or typing.get_origin(returns) in (typing.Union, types.UnionType):
        return None
    return _JSON
