"""Content a tool can return besides plain values: images, audio, links, resources.

Return one of these (or a list of them) from a tool to control the result's content
blocks exactly; anything else is turned into text and, when typed, structured content.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Audio", "Content", "EmbeddedResource", "Image", "ResourceLink", "Text"]


class Content:
    """Base of every content block; `to_dict()` gives its MCP wire form."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _guess_mime(path: Path, default: str) -> str:
    return mimetypes.guess_type(path.name)[0] or default


@dataclass(frozen=True, slots=True)
class Text(Content):
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


@dataclass(frozen=True, slots=True)
class Image(Content):
    data: bytes
    mime_type: str = "image/png"

    @classmethod
    def from_file(cls, path: str | Path) -> Image:
        path = Path(path)
        return cls(path.read_bytes(), _guess_mime(path, "application/octet-stream"))

    def to_dict(self) -> dict[str, Any]:
        return {"type": "image", "data": _b64(self.data), "mimeType": self.mime_type}


@dataclass(frozen=True, slots=True)
class Audio(Content):
    data: bytes
    mime_type: str = "audio/wav"

    @classmethod
    def from_file(cls, path: str | Path) -> Audio:
        path = Path(path)
        return cls(path.read_bytes(), _guess_mime(path, "application/octet-stream"))

    def to_dict(self) -> dict[str, Any]:
        return {"type": "audio", "data": _b64(self.data), "mimeType": self.mime_type}


@dataclass(frozen=True, slots=True)
class ResourceLink(Content):
    uri: str
    name: str
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        block: dict[str, Any] = {"type": "resource_link", "uri": self.uri, "name": self.name}
        for key, value in (
            ("title", self.title),
            ("description", self.description),
            ("mimeType", self.mime_type),
            ("size", self.size),
        ):
            if value is not None:
                block[key] = value
        return block


@dataclass(frozen=True, slots=True)
class EmbeddedResource(Content):
    """A resource's contents inline: give `text` for text, `blob` for bytes."""

    uri: str
    text: str | None = None
    blob: bytes | None = None
    mime_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        resource: dict[str, Any] = {"uri": self.uri}
        if self.mime_type is not None:
            resource["mimeType"] = self.mime_type
        if self.blob is not None:
            resource["blob"] = _b64(self.blob)
        else:
            resource["text"] = self.text or ""
        return {"type": "resource", "resource": resource}
