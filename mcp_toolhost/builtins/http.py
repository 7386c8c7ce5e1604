"""The HTTP built-in: `http_request`, for public http(s) URLs only.

Addresses are checked on every connection, redirects included (see `_net.py` and
`_pinned.py`); redirects are followed here, one hop at a time, up to
`http_max_redirects`. The response body is read up to `max_bytes` and returned as JSON
when it is JSON, as text when it is text, and base64-encoded otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from .. import _json
from .._tools.tool import tool
from .._version import __version__
from ..errors import ToolError
from . import _budget as budget
from ._config import config

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpResponse", "http_request"]

HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

_USER_AGENT = f"mcp-toolhost/{__version__}"
# Headers a redirect must not carry to another origin (as browsers and httpx do).
_CREDENTIALS = ("authorization", "cookie", "proxy-authorization")
# Deeper JSON is returned as text: serializing the result (pydantic) stops at 255 levels,
# the result's own levels included.
_MAX_JSON_DEPTH = 200
_TEXT_TYPES = ("application/xml", "application/javascript", "application/x-www-form-urlencoded", "image/svg+xml")


class HttpResponse(TypedDict):
    url: str
    """The URL that answered, after redirects."""
    status: int
    reason: str
    headers: dict[str, str | list[str]]
    """Response headers by lower-case name; a header sent more than once (Set-Cookie) is a list of its values."""
    content_type: NotRequired[str]
    json: NotRequired[Any]
    """The body, parsed, when it is JSON (and complete)."""
    text: NotRequired[str]
    """The body when it is text (or JSON cut at `max_bytes`, or nested more than 200 deep)."""
    base64: NotRequired[str]
    """The body, base64-encoded, when it is binary."""
    size: int
    """Bytes of body returned (before base64)."""
    truncated: bool
    """True when the body was longer than `max_bytes`, or than fits in `max_result_bytes`, and was cut."""
    redirects: list[str]
    """The URLs redirected to, in order."""


@tool(
    title="HTTP request",
    read_only_hint=False,
    destructive_hint=True,
    idempotent_hint=False,
    open_world_hint=True,
)
async def http_request(
    url: str,
    method: HttpMethod = "GET",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    json: Any = None,
    body: str | None = None,
    timeout: float = 30,
    max_bytes: int | None = None,
) -> HttpResponse:
    """Send an HTTP request to a public http(s) URL and return the status, headers and body.

    The body comes back as `json` when the response is JSON, `text` when it is text, and
    `base64` when it is binary; it is cut at `max_bytes`, which sets `truncated`. A header
    the response repeats (Set-Cookie) comes back as a list of its values. Local,
    private and link-local addresses are refused unless the server allows them.

    Args:
        url: The http:// or https:// URL.
        method: The HTTP method.
        headers: Request headers.
        params: Query parameters, added to the URL.
        json: A JSON body (sets Content-Type: application/json); not with `body`.
        body: A text body, sent as UTF-8; not with `json`.
        timeout: Seconds for the whole request, redirects included.
        max_bytes: Most body bytes to return (default: the server's limit).
    """
    cfg = config()
    settings = cfg.settings
    if cfg.http_methods is not None and method not in cfg.http_methods:
        allowed = ", ".join(sorted(cfg.http_methods))
        raise ToolError(f"The server is read-only: http_request may only send {allowed}, not {method}.")
    if json is not None and body is not None:
        raise ToolError("Give either `json` or `body`, not both.")
    if not 0 < timeout <= settings.http_timeout:
        raise ToolError(f"timeout must be more than 0 and at most {settings.http_timeout:g} seconds (http_timeout).")
    if max_bytes is None:
        max_bytes = settings.http_max_bytes
    elif not 0 <= max_bytes <= settings.http_max_bytes:
        raise ToolError(f"max_bytes must be between 0 and {settings.http_max_bytes} (http_max_bytes).")

    _check_scheme(url, url)

    import anyio
    import httpx

    from ._pinned import GuardedTransport

    try:
        with anyio.fail_after(timeout):
            async with httpx.AsyncClient(
                transport=GuardedTransport(cfg.hosts),
                follow_redirects=False,
                trust_env=False,  # no proxies from the environment: they would connect unchecked
                timeout=timeout,
                headers={"User-Agent": _USER_AGENT},
            ) as client:
                request = client.build_request(method, url, headers=headers, params=params, json=json, content=body)
                return await _send(client, request, url, max_bytes, settings.http_max_redirects, budget.room(settings))
    except TimeoutError:
        raise ToolError(f"The request timed out after {timeout:g} seconds.") from None
    except httpx.InvalidURL as exc:
        raise ToolError(f"Invalid URL {url!r}: {exc}") from None
    except httpx.HTTPError as exc:
        raise ToolError(f"The request failed: {type(exc).__name__}: {exc}") from None


def _check_scheme(url: str, shown: str) -> None:
    """Refuse a URL that is not http(s), naming it as given (`shown`): httpx's own text drops other schemes."""
    from urllib.parse import urlsplit

    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return
    if not scheme:
        raise ToolError(f"Only http and https URLs are allowed; {shown!r} has no scheme (add https://).")
    raise ToolError(f"Only http and https URLs are allowed, not {shown!r}.")


async def _send(
    client: httpx.AsyncClient, request: httpx.Request, shown: str, max_bytes: int, max_redirects: int, fits: int
) -> HttpResponse:
    """Send `request` (`shown` is its URL as the caller gave it), following redirects one hop at a time;
    the body returned costs at most `fits` bytes of the result (see `_budget.py`)."""
    redirects: list[str] = []
    while True:
        if request.url.scheme not in ("http", "https"):
            raise ToolError(f"Only http and https URLs are allowed, not {shown!r}.")
        response = await client.send(request, stream=True)
        try:
            if response.has_redirect_location:
                if len(redirects) >= max_redirects:
                    raise ToolError(
                        f"Too many redirects: more than {max_redirects} (http_max_redirects); last {request.url}"
                    )
                came_from = request.url
                request = _next_hop(client, request, response)
                if request.url.scheme not in ("http", "https"):
                    location = response.headers["Location"]
                    raise ToolError(
                        f"Only http and https URLs are allowed, not {location!r} (a redirect from {came_from})."
                    )
                redirects.append(str(request.url))
                continue
            data, truncated = await _read(response, max_bytes)
        finally:
            await response.aclose()
        return _result(response, data, truncated, redirects, fits)


def _next_hop(client: httpx.AsyncClient, request: httpx.Request, response: httpx.Response) -> httpx.Request:
    """The request a redirect asks for (RFC 9110, 15.4): 303, and 301/302 after POST, become GET."""
    url = request.url.join(response.headers["Location"])
    method = request.method
    if (response.status_code == 303 and method != "HEAD") or (response.status_code in (301, 302) and method == "POST"):
        method = "GET"
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
    if method != request.method:
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "transfer-encoding")}
    if (url.scheme, url.host, url.port) != (request.url.scheme, request.url.host, request.url.port):
        headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIALS}
    content = request.content if method == request.method else None
    return client.build_request(method, url, headers=headers, content=content)


async def _read(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    data = bytearray()
    async for chunk in response.aiter_bytes():
        room = max_bytes - len(data)
        if len(chunk) > room:
            data += chunk[:room]
            return bytes(data), True
        data += chunk
    return bytes(data), False


def _result(response: httpx.Response, data: bytes, truncated: bool, redirects: list[str], fits: int) -> HttpResponse:
    result = HttpResponse(
        url=str(response.url),
        status=response.status_code,
        reason=response.reason_phrase,
        headers=_headers(response.headers),
        size=len(data),
        truncated=truncated,
        redirects=redirects,
    )
    content_type = response.headers.get("Content-Type")
    if content_type is not None:
        result["content_type"] = content_type
    if not data:
        return result
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    is_json = mime == "application/json" or mime.endswith("+json")
    if is_json and not truncated:
        import orjson

        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # mislabelled: fall through to text
        else:
            # Too big as JSON (escaping included): returned as text, cut to fit.
            if _nested_within(parsed, _MAX_JSON_DEPTH) and budget.cost(_json.dumps(parsed).decode()) <= fits:
                result["json"] = parsed
                return result
    text = _as_text(data, response.charset_encoding, textual=is_json or _is_text(mime), truncated=truncated)
    if text is not None:
        result["text"], cut = budget.fit_text(text, fits)
        if cut:
            result["truncated"], result["size"] = True, len(result["text"].encode())
    else:
        import base64

        if len(data) > budget.base64_room(fits):
            data = data[: budget.base64_room(fits)]
            result["truncated"], result["size"] = True, len(data)
        result["base64"] = base64.b64encode(data).decode("ascii")
    return result


def _nested_within(value: Any, limit: int) -> bool:
    """Whether `value` nests lists and objects at most `limit` deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True


def _headers(headers: httpx.Headers) -> dict[str, str | list[str]]:
    """Headers by name; one sent more than once is a list, since joining with ", " is lossy (RFC 9110, 5.3:
    Set-Cookie values may hold commas)."""
    result: dict[str, str | list[str]] = {}
    for key in headers:  # distinct lower-case names
        values = headers.get_list(key)
        result[key] = values[0] if len(values) == 1 else values
    return result


def _is_text(mime: str) -> bool:
    return mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith("+xml")


def _as_text(data: bytes, charset: str | None, *, textual: bool, truncated: bool) -> str | None:
    """The body as text if it is text: declared so, or valid UTF-8 without NUL bytes."""
    if textual:
        try:
            return data.decode(charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset
            return data.decode("utf-8", errors="replace")
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A body cut at max_bytes may end inside a character.
        if truncated and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8", errors="replace")
        return None
