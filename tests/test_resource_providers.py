"""`ResourceProvider`: resources that are not decorated functions, served after the decorated ones.

In-process through the protocol core (`mcp_toolhost.testing`): providers are added in code.
"""

from typing import Any

import pytest

from mcp_toolhost import ToolHost
from mcp_toolhost.errors import InvalidParams
from mcp_toolhost.testing import ClientError, connect

pytestmark = pytest.mark.anyio

_MODERN = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


class Shelf:
    """Five books at `book://0` to `book://4`, a template `book://{id}`, and a forbidden one."""

    async def list_resources(self, cursor: str | None, size: int) -> tuple[list[dict[str, Any]], str | None]:
        start = int(cursor or 0)
        end = min(start + size, 5)
        page = [{"uri": f"book://{i}", "name": f"book {i}"} for i in range(start, end)]
        return page, str(end) if end < 5 else None

    def list_templates(self) -> list[dict[str, Any]]:
        return [{"uriTemplate": "book://{id}", "name": "book"}]

    async def read(self, uri: str) -> list[dict[str, Any]] | None:
        if uri == "book://secret":
            raise InvalidParams("book://secret is outside the shelf")
        if not uri.startswith("book://"):
            return None
        return [{"uri": uri, "mimeType": "text/plain", "text": f"the text of {uri}"}]

    async def complete(self, template: str, argument: str, value: str, arguments: dict[str, str]) -> list[str] | None:
        if template != "book://{id}":
            return None
        return [str(i) for i in range(150) if str(i).startswith(value)]


def shelf_host() -> ToolHost:
    host = ToolHost(page_size=2)

    @host.resource("config://app")
    def config() -> dict[str, int]:
        return {"level": 1}

    host.resources.add_provider(Shelf())
    return host


async def test_listing_pages_through_the_decorated_then_the_provided():
    async with connect(shelf_host()) as client:
        first = await client.request("resources/list")
        assert [r["uri"] for r in first["resources"]] == ["config://app", "book://0"]
        uris = [r["uri"] for r in await client.list_resources()]
    assert uris == ["config://app", *(f"book://{i}" for i in range(5))]


async def test_capabilities_name_resources_and_completions_for_a_provider_alone():
    host = ToolHost()
    host.resources.add_provider(Shelf())
    async with connect(host) as client:
        result = await client.request("server/discover", {"_meta": _MODERN})
        assert {"resources", "completions"} <= set(result["capabilities"])
        assert await client.list_resource_templates() == [{"uriTemplate": "book://{id}", "name": "book"}]


async def test_read_asks_the_provider_after_the_decorated_ones():
    async with connect(shelf_host()) as client:
        assert (await client.read_resource("config://app"))["contents"][0]["text"] == '{"level":1}'
        assert (await client.read_resource("book://3"))["contents"][0]["text"] == "the text of book://3"
        with pytest.raises(ClientError) as refused:
            await client.read_resource("book://secret")
        assert (refused.value.code, refused.value.message) == (-32602, "book://secret is outside the shelf")
        with pytest.raises(ClientError) as unknown:
            await client.read_resource("shop://1")
        assert unknown.value.code == -32002


async def test_completion_of_a_provided_template_is_capped_at_100():
    async with connect(shelf_host()) as client:
        ref = {"type": "ref/resource", "uri": "book://{id}"}
        result = await client.request("completion/complete", {"ref": ref, "argument": {"name": "id", "value": "1"}})
        completion = result["completion"]
        assert completion["values"][:3] == ["1", "10", "11"]
        assert (len(completion["values"]), completion["total"], completion["hasMore"]) == (61, 61, False)
        result = await client.request("completion/complete", {"ref": ref, "argument": {"name": "id", "value": ""}})
        assert (len(result["completion"]["values"]), result["completion"]["hasMore"]) == (100, True)


async def test_one_list_changed_per_batch_and_per_provider_change():
    host = shelf_host()
    host.list_changed = True  # as with --reload
    async with connect(host) as client:
        with host.resources.batch():
            host.resource("notes://{name}")(lambda name: name)
            host.resource("motd://today")(lambda: "hi")
        host.resources.changed()  # a provider's resources changed
        assert [n["method"] for n in client.notifications] == ["notifications/resources/list_changed"] * 2
