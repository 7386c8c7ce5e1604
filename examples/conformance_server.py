"""The official conformance suite's fixture tools, with the public API only (issue 12).

    mcp-toolhost serve --http 8000 --no-builtins --tools examples/conformance_server.py
    npx @modelcontextprotocol/conformance server --url http://127.0.0.1:8000/mcp

(benchmarks/conformance.sh runs both.) Resources and prompts, which some scenarios need, are
not served yet: README, "Streamable HTTP", lists the scenarios that pass.
"""

from __future__ import annotations

import base64
from typing import Literal

import anyio
from pydantic import BaseModel, Field

from mcp_toolhost import Audio, Content, Context, EmbeddedResource, Image, Text, ToolError, tool

IMAGE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
AUDIO = base64.b64decode("UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=")


@tool
def test_simple_text() -> str:
    """Tests simple text content response"""
    return "This is a simple text response for testing."


@tool
def test_image_content() -> Image:
    """Tests image content response"""
    return Image(IMAGE, "image/png")


@tool
def test_audio_content() -> Audio:
    """Tests audio content response"""
    return Audio(AUDIO, "audio/wav")


@tool
def test_embedded_resource() -> EmbeddedResource:
    """Tests embedded resource content response"""
    return EmbeddedResource(
        "test://embedded-resource", text="This is an embedded resource content.", mime_type="text/plain"
    )


@tool
def test_multiple_content_types() -> list[Content]:
    """Tests response with multiple content types (text, image, resource)"""
    return [
        Text("Multiple content types test:"),
        Image(IMAGE, "image/png"),
        EmbeddedResource(
            "test://mixed-content-resource", text='{"test":"data","value":123}', mime_type="application/json"
        ),
    ]


@tool
async def test_tool_with_logging(ctx: Context) -> str:
    """Tests tool that emits log messages during execution"""
    for message in ("Tool execution started", "Tool processing data", "Tool execution completed"):
        await ctx.info(message)
    return "Tool with logging executed successfully"


@tool
async def test_tool_with_progress(ctx: Context) -> str:
    """Tests tool that reports progress notifications"""
    for step in (0, 50, 100):
        await ctx.report_progress(step, 100, f"Completed step {step} of 100")
    return str(ctx.progress_token)


@tool
def test_error_handling() -> str:
    """Tests error response handling"""
    raise ToolError("This tool intentionally returns an error for testing")


@tool
async def test_reconnection(ctx: Context) -> str:
    """Tests SSE stream disconnection and client reconnection (SEP-1699)"""
    ctx.close_sse_stream()
    await anyio.sleep(0.1)
    return (
        "Reconnection test completed successfully. If you received this, the client properly reconnected"
        " after stream closure."
    )


@tool
async def test_sampling(prompt: str, ctx: Context) -> str:
    """Tests server-initiated sampling (LLM completion request)"""
    sampled = await ctx.sample(prompt, max_tokens=100)
    return f"LLM response: {sampled.text}"


class Response(BaseModel):
    response: str = Field(description="User's response")


@tool
async def test_elicitation(message: str, ctx: Context) -> str:
    """Tests server-initiated elicitation (user input request)"""
    answer = await ctx.elicit(message, Response)
    content = answer.data.model_dump() if answer.data is not None else {}
    return f"User response: action={answer.action}, content={content}"


class Defaults(BaseModel):
    name: str = Field("John Doe", description="User name")
    age: int = Field(30, description="User age")
    score: float = Field(95.5, description="User score")
    status: Literal["active", "inactive", "pending"] = Field("active", description="User status")
    verified: bool = Field(True, description="Verification status")


@tool
async def test_elicitation_sep1034_defaults(ctx: Context) -> str:
    """Tests elicitation with default values per SEP-1034"""
    answer = await ctx.elicit("Please review and update the form fields with defaults", Defaults)
    content = answer.data.model_dump() if answer.data is not None else {}
    return f"Elicitation completed: action={answer.action}, content={content}"
