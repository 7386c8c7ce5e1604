"""The MCP Streamable HTTP transport (basic/transports, "Streamable HTTP"), as a plain ASGI app on uvicorn.

One endpoint (`/mcp`): a POST carries one JSON-RPC message (or a 2025-03-26 batch); a request is
answered with `application/json`, or with an SSE stream (`text/event-stream`) when it causes
messages before its answer (progress, logs, questions to the client); notifications and
responses get 202. Handshake-era clients get an `Mcp-Session-Id` at `initialize`: the session
is one `Connection` of the protocol core, its GET stream carries what belongs to no request.
A 2026-07-28 request carries its own envelope: the requests share one connection (under ids of
ours), and nothing per client stays in the process between POSTs.

Imported only by `serve --http`: stdio never pays for uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import itertools
import logging
import math
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc
import uvicorn

from .._json import dumps
from .._protocol import jsonrpc
from .._protocol.connection import Connection, Reply
from .._protocol.envelope import has_envelope
from .._protocol.server import Server
from .._protocol.versions import ALL_VERSIONS, STATELESS_VERSIONS, at_least
from .._version import __version__
from ..config import Settings
from ..errors import InvalidRequest, MethodNotFound, ParseError
from . import asgi, cors, http_headers
from .asgi import BodyRefused, Mount, Receive, Scope, foreign_host, read_body
from .asgi import Send as AsgiSend
from .heads import bounded_heads
from .http_headers import VERSION_HEADER
from .sockets import is_loopback, url
from .sse import Stream, parse_event_id
from .stdio import watch_parent

logger = logging.getLogger("mcp_toolhost.http")

SESSION_HEADER = "mcp-session-id"
_STREAMS_KEPT = 16
"""Finished SSE streams a session keeps for clients that resume them; older ones are forgotten."""


@dataclass(eq=False)
class _Session:
    """A handshake-era client: one `Connection`, and its SSE streams, kept for resumption (0: the GET stream)."""

    id: str
    keep: int
    """Events kept per stream (sse_replay_events)."""
    retry_ms: int | None = None
    """The `retry` of its streams; None before `initialize` chose 2025-11-25 or later (no priming events)."""
    connection: Connection | None = None
    last_seen: float = field(default_factory=time.monotonic)
    streams: dict[int, Stream] = field(default_factory=dict)
    ended: anyio.Event = field(default_factory=anyio.Event)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.streams[0] = Stream(0, self.keep)

    def send(self, data: bytes) -> None:
        """What belongs to no request goes to the GET stream, kept there until the client opens it."""
        self.streams[0].send(data)

    def open_stream(self) -> Stream:
        number = next(self._numbers)
        stream = self.streams[number] = Stream(number, self.keep)
        finished = [old for old, kept in self.streams.items() if old and kept.done]
        for old in finished[: len(self.streams) - 1 - _STREAMS_KEPT]:
            del self.streams[old]
        return stream

    def close(self) -> None:
        for stream in self.streams.values():
            stream.close()

    def idle_since(self, moment: float) -> bool:
        """No request since `moment`, and no stream open: the client has gone without DELETE."""
        return self.last_seen < moment and not any(stream.attached for stream in self.streams.values())


def _error_body(message: str) -> bytes:
    """A JSON-RPC error for an HTTP-level refusal, so that a client shows the reason."""
    return jsonrpc.error_message(None, InvalidRequest(message))


class HttpApp:
    """The ASGI application: routing, checks and the mapping of JSON-RPC onto HTTP."""

    def __init__(self, server: Server, path: str, *, loopback: bool, beside: Mount | None = None) -> None:
        self._server = server
        self._beside = beside
        self._settings = server.settings
        self._path = path
        self._loopback = loopback
        self._token = (server.settings.token or "").encode()
        self._sessions: dict[str, _Session] = {}
        self._shared: Connection | None = None
        self._ids = itertools.count(1)
        self._closing = anyio.Event()
        self._listening: set[Stream] = set()
        """2026-07-28 `subscriptions/listen` streams: open until the client or a shutdown closes them."""
        self.tasks: anyio.abc.TaskGroup | None = None
        """Where sessions run; set before the first request."""

    def close(self) -> None:
        """Shutting down: end every session and every listen stream, so that uvicorn can finish.

        Calls in flight get `shutdown_grace` (Connection.finish) before they are cancelled.
        """
        self._closing.set()
        for session in list(self._sessions.values()):
            self._end(session)
        for stream in list(self._listening):
            stream.close()
        if self._beside is not None:
            self._beside.close()

    async def __call__(self, scope: Scope, receive: Receive, send: AsgiSend) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; websockets are not served
        if self._beside is not None and scope["path"] not in (self._path, "/healthz"):
            await self._beside(scope, receive, send)  # with checks of its own: MCP's token is not its
            return
        headers = asgi.headers(scope)
        method = scope["method"]
        refusal = self._refusal(scope["path"], headers)
        repeated = _repeated(scope["headers"])
        if repeated is not None:
            text = f"Bad request: the {repeated} header is given more than once; send it once"
            await asgi.respond(send, 400, _error_body(text))
        elif refusal is not None:
            await asgi.respond(send, *refusal)
        elif scope["path"] == "/healthz" and method in ("GET", "HEAD"):
            await asgi.respond(send, 200, dumps({"status": "ok", "version": __version__}))
        elif scope["path"] != self._path:
            await asgi.respond(send, 404, _error_body(f"Not found: the MCP endpoint is {self._path}"))
        elif method == "POST":
            await self._post(scope, headers, receive, send)
        elif method == "GET":
            await self._get(headers, receive, send)
        elif method == "DELETE":
            await self._delete(headers, send)
        else:
            body = _error_body(f"Method {method} not allowed: use POST, GET or DELETE")
            await asgi.respond(send, 405, body, [(b"allow", cors.METHODS)])

    def _refusal(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
        """Why a request is refused before it is read (status, body, headers), or None.

        basic/transports, "Security Warning": servers MUST validate the Origin header (DNS
        rebinding: a web page whose name now points at 127.0.0.1), SHOULD bind to localhost
        only, and SHOULD authenticate.
        """
        origin = headers.get("origin")
        if origin is not None and not cors.allows(origin, self._settings.allow_origins):
            text = f"Forbidden: origin {origin!r} is not allowed; add it to allow_origins if it is yours"
            return 403, _error_body(text), []
        if not headers.get("host", "").strip():  # RFC 9112, 3.2: a request without Host is answered 400
            return 400, _error_body("Bad request: no Host header; HTTP/1.1 requires one"), []
        rebound = foreign_host(headers, loopback=self._loopback)
        if rebound is not None:
            return 403, _error_body(rebound), []
        if self._token and path != "/healthz":
            scheme, _, given = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self._token):
                challenge = 'Bearer realm="mcp-toolhost"' + (', error="invalid_token"' if given else "")
                text = "Unauthorized: send the server's token as `Authorization: Bearer TOKEN`"
                return 401, _error_body(text), [(b"www-authenticate", challenge.encode())]
        return None

    # --- POST ---------------------------------------------------------------------------

    async def _post(self, scope: Scope, headers: dict[str, str], receive: Receive, send: AsgiSend) -> None:
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            await asgi.respond(send, 415, _error_body("Unsupported media type: send the message as application/json"))
            return
        if headers.get("content-encoding", "identity").strip().lower() != "identity":  # RFC 9110, 8.4.1: 415
            text = f"Unsupported content encoding {headers['content-encoding']!r}: send the body uncompressed"
            await asgi.respond(send, 415, _error_body(text))
            return
        data = await self._read_body(headers, receive, send)
        if data is None:
            return
        try:
            message = jsonrpc.decode(data)
        except ParseError as error:
            await asgi.respond(send, 400, jsonrpc.error_message(None, error))
            return
        accept = headers.get("accept", "")
        if _expects_answer(message) and not (
            _accepts(accept, "application/json") and _accepts(accept, "text/event-stream")
        ):  # a notification or a response gets 202 and no body, whatever its client accepts
            body = _error_body("Not acceptable: a POST must accept both application/json and text/event-stream")
            await asgi.respond(send, 406, body)
            return
        version = headers.get(VERSION_HEADER)
        session_id = headers.get(SESSION_HEADER)
        # A request with its envelope is 2026-07-28's, which has no sessions: a session id beside
        # it (a client mixing eras, or one whose session ended) is not ours to refuse with
        # "send initialize", which that revision removed.
        if _is_stateless(message) or (session_id is None and version in STATELESS_VERSIONS):
            await self._stateless(message, scope["headers"], receive, send)
            return
        if version is not None and version not in ALL_VERSIONS:
            text = f"Unsupported {VERSION_HEADER} header {version!r}: this server speaks {', '.join(ALL_VERSIONS)}"
            await asgi.respond(send, 400, _error_body(text))
            return
        if _is_initialize(message):
            await self._initialize(message, send)
            return
        session = await self._session(session_id, send)
        if session is None or session.connection is None:
            return
        stream = session.open_stream()
        await self._exchange(session.connection, message, receive, send, stream, retry_ms=session.retry_ms)
        if session.retry_ms is None or (stream.done and not stream.related):
            # Answered whole as JSON, or to a client before 2025-11-25: no event id to resume it
            # from, and kept, a session's last 16 answers (16 MB each at most) stayed in memory.
            session.streams.pop(stream.number, None)

    async def _initialize(self, message: dict[str, Any], send: AsgiSend) -> None:
        assert self.tasks is not None
        if len(self._sessions) >= self._settings.max_sessions:
            text = f"Service unavailable: {len(self._sessions)} sessions are open (max_sessions); retry later"
            await asgi.respond(send, 503, _error_body(text), [(b"retry-after", b"1")])
            return
        session = _Session(secrets.token_urlsafe(24), self._settings.sse_replay_events)
        await self.tasks.start(self._run_session, session)
        assert session.connection is not None
        stream = Stream(0, 1)
        session.connection.receive(message, stream.reply, stream.send)
        answer = (await stream.after(0))[0][1]  # `initialize` is answered at once, without messages before
        decoded = jsonrpc.decode(answer)
        result = decoded.get("result")
        if result is None:
            self._end(session)
            await asgi.respond(send, _error_status(decoded, stateless=False), answer)
            return
        # Priming events and resumption came with 2025-11-25 (SEP-1699): older clients would read
        # an event with empty data as a message that is not JSON.
        if at_least(result["protocolVersion"], "2025-11-25"):
            session.retry_ms = self._settings.sse_retry_ms
        self._sessions[session.id] = session
        await asgi.respond(send, 200, answer, [(SESSION_HEADER.encode(), session.id.encode())])

    async def _run_session(self, session: _Session, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        async with self._server.connect(session.send) as connection:
            session.connection = connection
            task_status.started()
            await session.ended.wait()
        session.close()  # after the calls' grace: their last answers are in

    async def _session(self, session_id: str | None, send: AsgiSend) -> _Session | None:
        """The session a request names, or None once the error response is sent."""
        if session_id is None:
            text = f"Bad request: missing the {SESSION_HEADER} header; send `initialize` first to get one"
            await asgi.respond(send, 400, _error_body(text))
            return None
        session = self._sessions.get(session_id)
        if session is None:
            text = "Session not found: it ended or never existed; send `initialize` again to start a new one"
            await asgi.respond(send, 404, _error_body(text))
        else:
            session.last_seen = time.monotonic()
        return session

    async def expire_sessions(self) -> None:
        """End sessions idle for `session_idle_timeout`, so that clients gone without DELETE free their slot."""
        timeout = self._settings.session_idle_timeout
        while timeout > 0:
            await anyio.sleep(timeout / 4)
            cutoff = time.monotonic() - timeout
            for session in [session for session in self._sessions.values() if session.idle_since(cutoff)]:
                logger.info("a session ended: idle for %g seconds", timeout)  # its id is a credential
                self._end(session)

    def _end(self, session: _Session) -> None:
        self._sessions.pop(session.id, None)
        session.ended.set()
        session.streams[0].close()

    async def _stateless(
        self, message: Any, raw_headers: list[tuple[bytes, bytes]], receive: Receive, send: AsgiSend
    ) -> None:
        """A 2026-07-28 message: served on the shared connection, or a `subscriptions/listen` on its own."""
        if not isinstance(message, dict) or jsonrpc.is_response(message):
            await asgi.respond(send, 400, _error_body("Invalid request: 2026-07-28 posts one request or notification"))
            return
        try:  # before the id is replaced by ours: an invalid one must not be served
            jsonrpc.check_request(message)
        except InvalidRequest as invalid:
            given = message.get("id")
            await asgi.respond(send, 400, jsonrpc.error_message(given if jsonrpc.is_valid_id(given) else None, invalid))
            return
        if "id" not in message:
            # No client-to-server notification means anything here (a client cancels by closing
            # the response stream), and nothing per client is kept to apply one to.
            await asgi.respond(send, 202, b"")
            return
        request_id = message["id"]
        if message.get("method") == "initialize":  # removed in 2026-07-28: no handshake to serve
            error = MethodNotFound("Method not found: initialize (removed in 2026-07-28)", "initialize")
            await asgi.respond(send, 404, jsonrpc.error_message(request_id, error))
            return
        refused = http_headers.mismatch(message, raw_headers, self._server.registry)
        if refused is not None:
            await asgi.respond(send, 400, jsonrpc.error_message(request_id, refused))
            return
        stream = Stream(0, self._settings.sse_replay_events)
        if message.get("method") == "subscriptions/listen" or self._shared is None:
            # A connection of its own: the subscription's notifications carry the request's id.
            with anyio.CancelScope() as cancel_on_close:
                async with self._server.connect(stream.send) as connection:
                    await self._exchange(connection, message, receive, send, stream, cancel_on_close.cancel, True)
            return
        # Any other request goes to the connection all of them share, under an id of ours: two
        # clients may use the same id at once. Every answer starts with its id (jsonrpc.py).
        ours = next(self._ids)
        theirs, mine = (b'{"jsonrpc":"2.0","id":' + jsonrpc.encode(value) for value in (request_id, ours))

        def reply(data: bytes | None) -> None:
            stream.reply(theirs + data[len(mine) :] if data is not None and data.startswith(mine) else data)

        def cancel() -> None:  # the client closed the stream: basic/utilities/cancellation
            notification = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": ours}}
            shared.receive(notification)

        shared = self._shared
        renamed = {**message, "id": ours}
        await self._exchange(shared, renamed, receive, send, stream, cancel, True, reply=reply)

    async def run_shared(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        """The connection 2026-07-28 requests share (but `subscriptions/listen`), until shutdown."""
        async with self._server.connect(_nowhere) as connection:
            self._shared = connection
            task_status.started()
            await self._closing.wait()

    async def _exchange(
        self,
        connection: Connection,
        message: Any,
        receive: Receive,
        send: AsgiSend,
        stream: Stream,
        on_close: Callable[[], None] | None = None,
        stateless: bool = False,
        retry_ms: int | None = None,
        reply: Reply | None = None,
    ) -> None:
        """Hand the message to the connection and write what it answers as JSON, SSE or 202.

        `on_close`: what a closed response stream does. At 2026-07-28 the client cancels by
        closing it (basic/utilities/cancellation); in a session it cancels nothing
        ("disconnection SHOULD NOT be interpreted as the client cancelling its request"), and
        the stream goes on for the client to resume. A `stateless` error answer carries the
        HTTP status the revision gives its code. `reply`: the answer's way into `stream`.
        """
        if not _expects_answer(message):
            connection.receive(message)
            await asgi.respond(send, 202, b"")
            return
        listen = isinstance(message, dict) and message.get("method") == "subscriptions/listen"
        close_stream = stream.cut if retry_ms is not None else None
        answer_to = reply or (stream.keep_open if listen else stream.reply)
        connection.receive(message, answer_to, stream.send, close_stream)
        with anyio.CancelScope() as scope, _watching(receive, on_close or scope.cancel):
            first = await stream.after(0)
            if stream.done and stream.related == 0:
                answer = first[0][1] if first else b""
                code = 200 if answer else 202
                if b'"error":' in answer:
                    code = _error_status(jsonrpc.decode(answer), stateless)
                await asgi.respond(send, code, answer)
            else:
                if listen:
                    self._listening.add(stream)
                try:
                    await stream.write(send, 0, retry_ms, self._settings.sse_keepalive)
                finally:
                    self._listening.discard(stream)

    async def _read_body(self, headers: dict[str, str], receive: Receive, send: AsgiSend) -> bytes | None:
        """The request's body, or None once a 413 or 408 is sent (too large, or too slow to arrive)."""
        try:
            return await read_body(receive, headers, self._settings.max_message_bytes, self._settings.http_read_timeout)
        except BodyRefused as refused:
            await asgi.respond(send, refused.status, _error_body(str(refused)), [(b"connection", b"close")])
            return None

    # --- GET and DELETE ---------------------------------------------------------------

    async def _get(self, headers: dict[str, str], receive: Receive, send: AsgiSend) -> None:
        if SESSION_HEADER not in headers:
            # basic/transports: a GET the server does not serve as a stream gets 405, which
            # clients probing before `initialize` (and 2026-07-28, which has no GET stream) take
            # as "no stream here"; a 400 made them give up.
            text = "Method not allowed: GET opens a session's stream; POST initialize, then GET with its Mcp-Session-Id"
            await asgi.respond(send, 405, _error_body(text), [(b"allow", cors.METHODS)])
            return
        if not _accepts(headers.get("accept", ""), "text/event-stream"):
            await asgi.respond(send, 406, _error_body("Not acceptable: a GET must accept text/event-stream"))
            return
        session = await self._session(headers.get(SESSION_HEADER), send)
        if session is None:
            return
        stream, seq = session.streams[0], session.streams[0].delivered
        if "last-event-id" in headers:  # the client lost a stream and resumes it after the last event it got
            resumed = parse_event_id(headers["last-event-id"])
            if resumed is None:
                text = f"Bad request: Last-Event-ID {headers['last-event-id'][:40]!r} is not an event id of this server"
                await asgi.respond(send, 400, _error_body(text))
                return
            number, seq = resumed
            if number not in session.streams:
                text = f"Not found: stream {number} of this session is over and forgotten; send the request again"
                await asgi.respond(send, 404, _error_body(text))
                return
            stream = session.streams[number]
            if seq > stream.last:
                text = f"Not found: event {seq} of stream {number} was never sent; resume after an event you got"
                await asgi.respond(send, 404, _error_body(text))
                return
        with anyio.CancelScope() as scope, _watching(receive, scope.cancel):
            await stream.write(send, seq, session.retry_ms, self._settings.sse_keepalive)

    async def _delete(self, headers: dict[str, str], send: AsgiSend) -> None:
        session = await self._session(headers.get(SESSION_HEADER), send)
        if session is not None:
            self._end(session)
            await asgi.respond(send, 200, b"")


# --- HTTP helpers -------------------------------------------------------------------


_SINGLE = frozenset(
    [
        SESSION_HEADER,
        VERSION_HEADER,
        "last-event-id",
        "content-type",
        "content-length",
        "authorization",
        "host",
        "origin",
    ]
)
"""Headers given once: two copies would be read differently by a proxy (the first) and by us, e.g. a
load balancer routing by Mcp-Session-Id to the worker of a session other than the one served."""


def _repeated(raw_headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The first header of `_SINGLE` given more than once, or None."""
    seen: set[str] = set()
    for raw_name, _ in raw_headers:
        name = raw_name.decode("latin-1").lower()
        if name in seen and name in _SINGLE:
            return name
        seen.add(name)
    return None


def _accepts(accept: str, media_type: str) -> bool:
    kinds = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return media_type in kinds or "*/*" in kinds or f"{media_type.split('/')[0]}/*" in kinds


def _error_status(answer: Any, stateless: bool) -> int:
    """The HTTP status of a lone answer that may be an error.

    basic/transports: input that is no JSON-RPC message (-32600) is refused with an HTTP error
    status, e.g. 400, in every revision; at 2026-07-28 each error code has its own status.
    """
    if not isinstance(answer, dict):  # a 2025-03-26 batch's answers
        return 200
    if stateless:
        return http_headers.status(answer)
    return 400 if answer.get("error", {}).get("code") == InvalidRequest.code else 200


def _is_initialize(message: Any) -> bool:
    return isinstance(message, dict) and message.get("method") == "initialize" and "id" in message


def _is_stateless(message: Any) -> bool:
    params = message.get("params") if isinstance(message, dict) and "method" in message else None
    return isinstance(params, dict) and has_envelope(params)


def _expects_answer(message: Any) -> bool:
    if isinstance(message, list):
        return any(map(jsonrpc.expects_reply, message)) or not message
    return jsonrpc.expects_reply(message)


def _nowhere(data: bytes) -> None:
    """The shared connection's own messages: none belong to a client (each request has its stream)."""


@contextlib.contextmanager
def _watching(receive: Receive, on_disconnect: Callable[[], None]) -> Iterator[None]:
    """Call `on_disconnect` if the client goes away while the block runs.

    The watcher is a plain asyncio task, cancelled when the block ends: in an anyio task group
    it cost a request a tenth of its CPU (`start_soon`, and the task's repr that `cancel`
    writes into its reason).
    """
    watcher = asyncio.get_running_loop().create_task(_on_disconnect(receive, on_disconnect))
    try:
        yield
    finally:
        watcher.cancel()


async def _on_disconnect(receive: Receive, then: Callable[[], None]) -> None:
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except Exception:  # nobody awaits this task: what it raised would only be logged at exit
        logger.exception("watching a request for its client's disconnection failed")
        return
    then()


# --- serving ------------------------------------------------------------------------


def refusal_to_bind(host: str, token: str | None, no_auth: bool) -> str | None:
    """Why serving on `host` is refused: a non-loopback address needs a token, or --no-auth said explicitly."""
    if is_loopback(host) or token or no_auth:
        return None
    return (
        f"Refusing to serve on {host} without a token: anyone who reaches it could run your tools. "
        "Give --token TOKEN (or MCP_TOOLHOST_TOKEN), or --no-auth if something in front of it authenticates."
    )


class _Uvicorn(uvicorn.Server):
    """uvicorn, told to end the app's streams when a signal asks it to stop."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn's own re-raises the signal after shutdown, which would kill us with it:
        # a clean shutdown on SIGTERM exits 0, like stdio's.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.handle_exit, signum, None)
        try:
            yield
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)

    def handle_exit(self, sig: int, frame: Any) -> None:
        logger.info("received %s, shutting down", signal.Signals(sig).name)
        super().handle_exit(sig, frame)
        self._on_exit()


def uvicorn_config(app: Any, settings: Settings) -> uvicorn.Config:
    """uvicorn serving `app`: our logging, no lifespan, bounded request heads, no websockets.

    At shutdown it waits for the responses open a second longer than the calls'
    `shutdown_grace`: a call cancelled after its grace still gets its answer (or its stream's
    end) written.
    """
    return uvicorn.Config(
        app,
        http=bounded_heads(settings.http_read_timeout, settings.max_header_bytes),
        ws="none",  # an upgrade request is answered as plain HTTP: with websockets installed, it was a 500
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace) + 1,
    )


def announce(sock: socket.socket, path: str) -> None:
    """Print the URL served on stderr: a client (or a test) waits for this line."""
    print(f"mcp-toolhost: serving Streamable HTTP on {url(sock)}{path}", file=sys.stderr, flush=True)


async def serve_http(
    server: Server, sock: socket.socket, path: str = "/mcp", *, worker: bool = False, beside: Mount | None = None
) -> None:
    """Serve Streamable HTTP on a listening socket (`listen`) until SIGTERM or SIGINT.

    A `worker` also stops when its supervisor is gone. `beside`: an app served on the same
    port at every other path (the dashboard).
    """
    host = sock.getsockname()[0]
    app = HttpApp(server, path, loopback=is_loopback(host), beside=beside)
    # CORS on MCP's paths only: the dashboard grants no other origin.
    served = cors.Cors(app, (path, "/healthz"), server.settings.allow_origins)
    uv = _Uvicorn(uvicorn_config(served, server.settings), app.close)
    async with anyio.create_task_group() as tasks:
        app.tasks = tasks
        tasks.start_soon(app.expire_sessions)
        await tasks.start(app.run_shared)
        if worker:
            tasks.start_soon(watch_parent, functools.partial(uv.handle_exit, signal.SIGTERM, None))
        await uv.serve(sockets=[sock])
        app.close()
        tasks.cancel_scope.cancel()


def run_workers(count: int, serve: Callable[[], None], ready: Callable[[], None]) -> int:
    """Run `serve` in `count` forked processes sharing the listening socket, `ready` once they are; the exit status.

    The kernel hands each connection to one of them. SIGTERM or SIGINT is passed on to every
    worker, which finishes like a single process does.
    """
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # a worker
            code = 0
            try:
                serve()
            except BaseException:
                logger.exception("worker %d failed", os.getpid())
                code = 1
            finally:
                os._exit(code)  # never the parent's exit handlers, nor its atexit hooks
        children.append(pid)
    ready()

    def pass_on(signum: int, frame: Any) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, pass_on)
    signal.signal(signal.SIGINT, pass_on)
    worst = 0
    for child in children:
        _, status = os.waitpid(child, 0)
        worst = max(worst, abs(os.waitstatus_to_exitcode(status)))
    return worst
