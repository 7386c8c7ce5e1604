"""Structured logs on stderr, never stdout.

The standard library's `logging` carries every record (so libraries' logs are
caught too); structlog renders them, as console text or one JSON object a line.
Credentials in messages and tracebacks are masked (`_redact.py`).
structlog is imported when the first record is actually written: a quiet server
does not pay its import time at start.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

__all__ = ["configure_logging"]

_ROOT = "mcp_toolhost"


class _LazyStructlogFormatter(logging.Formatter):
    def __init__(self, fmt: Literal["console", "json"]) -> None:
        super().__init__()
        self._output: Literal["console", "json"] = fmt
        self._formatter: logging.Formatter | None = None

    def format(self, record: logging.LogRecord) -> str:
        if self._formatter is None:
            self._formatter = _structlog_formatter(self._output)
        try:
            return self._formatter.format(record)
        except RecursionError:
            # A value from a client nested too deeply for `repr`. `logging` re-raises a
            # RecursionError (bpo-36272), which would fail whatever was being logged.
            record.msg, record.args = f"{record.msg} (arguments nested too deeply to show)", None
            return self._formatter.format(record)


def _structlog_formatter(fmt: Literal["console", "json"]) -> logging.Formatter:
    import structlog

    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        processor=renderer,
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.stdlib.ExtraAdder(),  # the fields of a record's `extra` (the request log's)
            _redacted,
        ],
    )


def _redacted(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Credentials in a message or a traceback (a URL's password, `token=...`) never reach the log."""
    from ._redact import redact_text

    for key in ("event", "exception"):
        if isinstance(event.get(key), str):
            event[key] = redact_text(event[key])
    return event


def configure_logging(level: str = "warning", fmt: Literal["console", "json"] = "console") -> None:
    """Send mcp-toolhost's logs (and warnings) to stderr at `level`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LazyStructlogFormatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger(_ROOT).setLevel(level.upper())
    logging.captureWarnings(True)
