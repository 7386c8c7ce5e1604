"""The management API's OpenAPI 3.1 document, served at `/api/openapi.json`."""

from __future__ import annotations

from typing import Any

from .._version import __version__

__all__ = ["schema"]

_ERROR = {
    "description": "An error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}


def _get(summary: str, parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": _responses()}}


def _post(summary: str, body: str | None = None, *, named: bool = True) -> dict[str, Any]:
    parameters = [_NAME] if named else []
    operation: dict[str, Any] = {"summary": summary, "parameters": parameters, "responses": _responses()}
    if body is not None:
        operation["requestBody"] = {
            "description": body,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return {"post": operation}


def _responses() -> dict[str, Any]:
    return {
        "200": {"description": "OK", "content": {"application/json": {}}},
        **{status: _ERROR for status in ("401", "403", "404", "422")},
    }


def schema() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "mcp-toolhost management API", "version": __version__},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "mcp_toolhost_dashboard_ID",
                    "description": "Set by opening /?token=TOKEN; ID differs from server to server",
                },
            },
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
            },
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            "/api/tools": _get("Every tool: name, title, description, schemas, annotations, source, enabled"),
            "/api/tools/{name}": _get("One tool", [_NAME]),
            "/api/tools/{name}/status": _get(
                "enabled, source, last_call, and the tool's figures: calls by outcome, latency p50/p95/p99", [_NAME]
            ),
            "/api/tools/{name}/call": _post(
                "Call a tool as an MCP client would: {success, data, error, metadata}", "The tool's arguments"
            ),
            "/api/tools/{name}/enable": _post("Serve the tool again; clients get tools/list_changed"),
            "/api/tools/{name}/disable": _post("Stop serving the tool; clients get tools/list_changed"),
            "/api/plugins": _get("Each plugin's state (loaded, skipped, disabled), tools, load errors and warnings"),
            "/api/plugins/reload": {
                "post": {**_post("Reload every plugin from its files now")["post"], "parameters": []}
            },
            "/api/system/health": _get("status, timestamp, uptime_s, version"),
            "/api/system/metrics": _get("The metrics snapshot (mcp_toolhost.metrics.Metrics)"),
            "/api/calls": _get(
                "Recent tool calls, newest first, arguments and results masked as in the audit log",
                [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
            ),
            "/api/events": {
                "get": {
                    "summary": "Server-Sent Events: call_started, call_finished, tools_changed, log",
                    "responses": {"200": {"description": "An event stream", "content": {"text/event-stream": {}}}},
                }
            },
        },
    }
