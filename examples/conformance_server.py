"""The official conformance suite's fixtures (tools, resources, prompts), with the public API only (issue 12).

    mcp-toolhost serve --http 8000 --no-builtins --tools examples/conformance_server.py
    npx @modelcontextprotocol/conformance server --url http://127.0.0.1:8000/mcp

(benchmarks/conformance.sh runs both.) Each fixture is what the suite's scenario asks for, in
the words of its description; README, "Streamable HTTP", lists the scenarios that pass.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

import anyio
from pydantic import BaseModel, Field

from mcp_toolhost import (
    Audio,
    Content,
    Context,
    Elicited,
    EmbeddedResource,
    Header,
    Image,
    ProtocolError,
    Text,
    ToolError,
    prompt,
    resource,
    tool,
)

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


def _titled(*options: tuple[str, str]) -> list[dict[str, str]]:
    return [{"const": value, "title": title} for value, title in options]


class Enums(BaseModel):
    """The five enum shapes of SEP-1330, none of them required."""

    untitledSingle: Literal["option1", "option2", "option3"] | None = Field(None, description="Select one option")
    titledSingle: str | None = Field(
        None,
        description="Select one option with titles",
        json_schema_extra={
            "oneOf": _titled(("value1", "First Option"), ("value2", "Second Option"), ("value3", "Third Option"))
        },
    )
    legacyEnum: Literal["opt1", "opt2", "opt3"] | None = Field(
        None,
        description="Select one option (legacy)",
        json_schema_extra={"enumNames": ["Option One", "Option Two", "Option Three"]},
    )
    untitledMulti: (
        Annotated[list[Literal["option1", "option2", "option3"]], Field(min_length=1, max_length=3)] | None
    ) = Field(None, description="Select multiple options")
    titledMulti: Annotated[list[str], Field(min_length=1, max_length=3)] | None = Field(
        None,
        description="Select multiple options with titles",
        json_schema_extra={
            "items": {
                "anyOf": _titled(("value1", "First Choice"), ("value2", "Second Choice"), ("value3", "Third Choice"))
            }
        },
    )


@tool
async def test_elicitation_sep1330_enums(ctx: Context) -> str:
    """Tests elicitation with enum schema improvements per SEP-1330"""
    answer = await ctx.elicit("Please select options from the enum fields", Enums)
    content = answer.data.model_dump(exclude_none=True) if answer.data is not None else {}
    return f"Elicitation completed: action={answer.action}, content={content}"


# SEP-1613 and SEP-2106: an input schema served exactly as written.
JSON_SCHEMA_2020_12 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "$anchor": "addressDef",
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        }
    },
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


@tool(input_schema=JSON_SCHEMA_2020_12, description="Tool with JSON Schema 2020-12 features")
def json_schema_2020_12_tool(**arguments: Any) -> str:
    return f"JSON Schema 2020-12 tool called with: {arguments}"


# --- Resources -----------------------------------------------------------------------


@resource("test://static-text", name="static-text", title="Static Text Resource", mime_type="text/plain")
def static_text() -> str:
    """A static text resource for testing"""
    return "This is the content of the static text resource."


@resource("test://static-binary", name="static-binary", title="Static Binary Resource", mime_type="image/png")
def static_binary() -> bytes:
    """A static binary resource (image) for testing"""
    return IMAGE


@resource("test://template/{id}/data", name="template", title="Resource Template", mime_type="application/json")
def template(id: str) -> dict[str, Any]:
    """A resource template with parameter substitution"""
    return {"id": id, "templateTest": True, "data": f"Data for ID: {id}"}


@resource("test://watched-resource", name="watched-resource", title="Watched Resource", mime_type="text/plain")
def watched_resource() -> str:
    """A resource clients may subscribe to"""
    return "Watched resource content"


# --- Prompts -------------------------------------------------------------------------


@prompt(title="Simple Test Prompt")
def test_simple_prompt() -> str:
    """A simple prompt without arguments"""
    return "This is a simple prompt for testing."


@prompt(title="Prompt With Arguments", completions={"arg1": ["paris", "park", "party"]})
def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
    """A prompt with required arguments

    Args:
        arg1: First test argument
        arg2: Second test argument
    """
    return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"


@prompt(title="Prompt With Embedded Resource")
def test_prompt_with_embedded_resource(resourceUri: str) -> list[Content]:
    """A prompt that includes an embedded resource

    Args:
        resourceUri: URI of the resource to embed
    """
    return [
        EmbeddedResource(resourceUri, text="Embedded resource content for testing.", mime_type="text/plain"),
        Text("Please process the embedded resource above."),
    ]


@prompt(title="Prompt With Image")
def test_prompt_with_image() -> list[Content]:
    """A prompt that includes image content"""
    return [Image(IMAGE, "image/png"), Text("Please analyze the image above.")]


# --- 2026-07-28: input-required rounds (SEP-2322) and the stateless scenario's probes --------
# On 2026-07-28 each question is a round: the call answers `input_required`, and the tool runs
# again from its start with the answers so far. In the handshake era the same code asks the
# client directly.


class Name(BaseModel):
    name: str


class Confirm(BaseModel):
    ok: bool


class Color(BaseModel):
    color: str


class UserContext(BaseModel):
    context: str


def _field(answer: Elicited[Any], name: str) -> Any:
    return getattr(answer.data, name) if answer.data is not None else f"({answer.action})"


@tool
async def test_input_required_result_elicitation(ctx: Context) -> str:
    """MRTR: returns InputRequiredResult with elicitation request"""
    answer = await ctx.elicit("What is your name?", Name, key="user_name")
    return f"Hello, {_field(answer, 'name')}!"


@tool
async def test_input_required_result_sampling(ctx: Context) -> str:
    """MRTR: returns InputRequiredResult with sampling request"""
    sampled = await ctx.sample("What is the capital of France?", max_tokens=100, key="capital_question")
    return f"Sampling response: {sampled.text}"


@tool
async def test_input_required_result_list_roots(ctx: Context) -> str:
    """MRTR: returns InputRequiredResult with roots/list request"""
    roots = await ctx.list_roots(key="client_roots")
    return f"Client roots: {', '.join(root.uri for root in roots) or '(none)'}"


@tool
async def test_input_required_result_request_state(ctx: Context) -> str:
    """MRTR: returns InputRequiredResult with requestState"""
    answer = await ctx.elicit("Please confirm", Confirm, key="confirm")
    # Reaching this line means the sealed requestState was opened and checked.
    return f"state-ok: confirmed={_field(answer, 'ok')}"


@tool
async def test_input_required_result_multiple_inputs(ctx: Context) -> str:
    """MRTR: returns InputRequiredResult with multiple input requests"""
    name, greeting, roots = await ctx.ask_together(  # one round with three inputRequests
        ctx.elicit("What is your name?", Name, key="user_name"),
        ctx.sample("Generate a greeting", max_tokens=50, key="greeting"),
        ctx.list_roots(key="client_roots"),
    )
    return f"name={_field(name, 'name')}, greeting={greeting.text}, roots={len(roots)}"


@tool
async def test_input_required_result_multi_round(ctx: Context) -> str:
    """MRTR: multi-round InputRequiredResult workflow"""
    name = await ctx.elicit("Step 1: What is your name?", Name, key="step1")
    color = await ctx.elicit("Step 2: What is your favorite color?", Color, key="step2")
    return f"{_field(name, 'name')} likes {_field(color, 'color')}"


@tool
async def test_input_required_result_tampered_state(ctx: Context) -> str:
    """MRTR: HMAC-signed requestState integrity test"""
    answer = await ctx.elicit("Please confirm", Confirm)
    return f"confirmed={_field(answer, 'ok')}"


@tool
async def test_input_required_result_capabilities(ctx: Context) -> str:
    """MRTR: respects client capabilities in inputRequests"""
    # Ask only what the client declared it can answer (SEP-2322).
    declared = ctx.client_capabilities
    if "sampling" in declared:
        return f"Sampled: {(await ctx.sample('Say hello', max_tokens=20)).text}"
    if "elicitation" in declared:
        return f"Hello, {_field(await ctx.elicit('What is your name?', Name), 'name')}!"
    return "The client declared neither sampling nor elicitation: nothing to ask"


@prompt
async def test_input_required_result_prompt(ctx: Context) -> str:
    """MRTR: prompt that requires elicitation input"""
    answer = await ctx.elicit("What context should the prompt use?", UserContext, key="user_context")
    return f"Prompt with context: {_field(answer, 'context')}"


@tool
async def test_streaming_elicitation(ctx: Context) -> str:
    """Diagnostic tool validating response progress streams"""
    await ctx.info("asking for a name")
    return f"Hello, {_field(await ctx.elicit('What is your name?', Name), 'name')}!"


@tool
async def test_logging_tool(ctx: Context) -> str:
    """Diagnostic logging validator tool"""
    # Sent only when the request asked for logs (2026-07-28: its _meta names a logLevel).
    await ctx.info("test_logging_tool ran")
    return "logged"


@tool
async def test_missing_capability(ctx: Context) -> str:
    """Test tool requiring sampling"""
    sampled = await ctx.sample("Say hello", max_tokens=20)
    return f"Success: {sampled.text}"


@tool
def test_custom_header(region: Annotated[str, Header("Region")]) -> str:
    """Echoes a parameter HTTP clients mirror into the Mcp-Param-Region header (SEP-2243)"""
    return f"region={region}"


# --- Tasks (2026-07-28 extension io.modelcontextprotocol/tasks, SEP-2663): the tasks-* scenarios.


class DeleteConfirm(BaseModel):
    confirm: bool = False


@tool
def greet(name: str) -> str:
    """Sync-only greeting (no task support)"""
    return f"Hello, {name}!"


@tool(task_support="optional")
async def slow_compute(seconds: float = 1, label: str = "") -> str:
    """Sleeps `seconds`, then reports it: a task for a client declaring the tasks extension"""
    await anyio.sleep(seconds)
    return f"computed {label} after {seconds:g}s"


@tool(task_support="required")
def failing_job() -> str:
    """Runs only as a task, and fails with a tool error (a completed task whose result isError)"""
    raise ToolError("failing_job failed, as it always does")


@tool(task_support="optional")
def protocol_error_job() -> str:
    """Fails with a protocol error (a failed task carrying the JSON-RPC error)"""
    raise ProtocolError("protocol_error_job: an internal failure, as it always has")


@tool(task_support="optional")
async def confirm_delete(filename: str, ctx: Context) -> str:
    """Asks for a confirmation (input_required), then says whether it would delete `filename`"""
    answer = await ctx.elicit(f"Delete {filename}?", DeleteConfirm)
    confirmed = answer.data is not None and answer.data.confirm
    return f"{filename}: {'deleted' if confirmed else 'kept'}"


@tool(task_support="optional")
async def multi_input(ctx: Context) -> str:
    """Asks two questions at once: the task waits until both are answered"""
    answers: list[Elicited[DeleteConfirm]] = []

    async def ask(message: str) -> None:
        answers.append(await ctx.elicit(message, DeleteConfirm))

    async with anyio.create_task_group() as group:
        group.start_soon(ask, "First confirmation?")
        group.start_soon(ask, "Second confirmation?")
    return f"{len(answers)} answers: " + ", ".join(answer.action for answer in answers)


@tool(task_support="required")
async def test_tool_with_task(ctx: Context) -> str:
    """Asks the user's name, then greets them, as a task"""
    answer = await ctx.elicit("What is your name?", Name, key="user_name")
    return f"Hello, {_field(answer, 'name')}!"
