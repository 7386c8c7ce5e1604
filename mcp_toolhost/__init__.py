"""mcp-toolhost: a fast, strict, safe-by-default Model Context Protocol tool host."""

from ._tools.asking import Elicited, Root, Sampled
from ._tools.content import Audio, Content, EmbeddedResource, Image, ResourceLink, Text
from ._tools.context import Context
from ._tools.headers import Header
from ._tools.prompt import Prompt, prompt
from ._tools.resource import Resource, resource
from ._tools.tool import Tool, tool
from ._version import __version__
from .config import Settings
from .errors import ConfigError, ProtocolError, ToolError, ToolHostError
from .host import ToolHost

__all__ = [
    "Audio",
    "ConfigError",
    "Content",
    "Context",
    "Elicited",
    "EmbeddedResource",
    "Header",
    "Image",
    "Prompt",
    "ProtocolError",
    "Resource",
    "ResourceLink",
    "Root",
    "Sampled",
    "Settings",
    "Text",
    "Tool",
    "ToolError",
    "ToolHost",
    "ToolHostError",
    "__version__",
    "prompt",
    "resource",
    "tool",
]
