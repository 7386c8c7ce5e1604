"""Tasks (the 2026-07-28 extension io.modelcontextprotocol/tasks, SEP-2663) over the real process's stdio.

A task-supporting tool called by a client declaring the extension answers at once with a task,
which the client polls with `tasks/get` (each poll a request: the tests wait on responses).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess
from test_http import post, start_http

TOOLS = str(FIXTURES / "task_tools.py")
TASKS = "io.modelcontextprotocol/tasks"
WITH_TASKS = {"elicitation": {}, "extensions": {TASKS: {}}}
TERMINAL = {"completed", "failed", "cancelled"}


def envelope(capabilities: dict[str, Any]) -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
    }


def start(spawn: Callable[..., McpProcess], tools: str = TOOLS, **env: str) -> McpProcess:
    variables = {f"MCP_TOOLHOST_{name.upper()}": value for name, value in env.items()}
    return spawn("serve", "--no-builtins", "--tools", tools, env=variables)


def call(server: McpProcess, name: str, capabilities: dict[str, Any] = WITH_TASKS, **arguments: Any) -> dict[str, Any]:
    return server.request("tools/call", {"name": name, "arguments": arguments, "_meta": envelope(capabilities)})


def tasks(server: McpProcess, method: str, capabilities: dict[str, Any] = WITH_TASKS, **params: Any) -> dict[str, Any]:
    return server.request(method, {**params, "_meta": envelope(capabilities)})


def until(server: McpProcess, task_id: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    for _ in range(2000):
        task = tasks(server, "tasks/get", taskId=task_id)["result"]
        if done(task):
            return task
    raise AssertionError(f"task {task_id} never got there: {task}")


def test_a_task_tool_is_listed_with_its_task_support_and_the_extension_is_advertised(spawn):
    server = start(spawn)
    listed = {tool["name"]: tool for tool in tasks(server, "tools/list")["result"]["tools"]}
    assert listed["wait"]["execution"] == {"taskSupport": "optional"}
    assert listed["only_as_task"]["execution"] == {"taskSupport": "required"}
    assert "execution" not in listed["plain"]
    capabilities = tasks(server, "server/discover")["result"]["capabilities"]
    assert capabilities["extensions"] == {TASKS: {}}
    assert "tasks" not in capabilities  # SEP-2663: an extension, not v1's capabilities.tasks


def test_a_server_without_task_tools_does_not_advertise_tasks(spawn):
    server = start(spawn, str(FIXTURES / "core_tools.py"))
    assert "extensions" not in tasks(server, "server/discover")["result"]["capabilities"]


def test_a_task_answers_at_once_and_tasks_get_inlines_its_result(spawn):
    server = start(spawn)
    created = call(server, "wait", seconds=0.2)["result"]
    assert created["resultType"] == "task"
    assert created["status"] == "working"
    assert {"taskId", "createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs"} <= created.keys()
    assert created["ttlMs"] == 3600000
    assert not {"task", "result", "requestState", "ttl", "pollInterval"} & created.keys()
    done = until(server, created["taskId"], lambda task: task["status"] in TERMINAL)
    assert done["status"] == "completed", done
    assert done["result"]["content"] == [{"type": "text", "text": "waited 0.2s"}]
    assert done["resultType"] == "complete"
    assert "requestState" not in done


def test_a_tool_error_completes_the_task_and_a_protocol_error_fails_it(spawn):
    server = start(spawn)
    refused = until(server, call(server, "refuses")["result"]["taskId"], lambda task: task["status"] in TERMINAL)
    assert refused["status"] == "completed"
    assert refused["result"]["isError"] is True
    assert refused["result"]["content"][0]["text"] == "refused: nothing to do"
    broken = until(server, call(server, "breaks")["result"]["taskId"], lambda task: task["status"] in TERMINAL)
    assert broken["status"] == "failed"
    assert broken["error"] == {"code": -32603, "message": "broken on purpose"}
    assert "result" not in broken


def test_a_client_without_the_extension_gets_a_plain_result_or_minus_32021(spawn):
    server = start(spawn)
    plain = call(server, "wait", {})["result"]
    assert plain["resultType"] == "complete"
    assert plain["content"][0]["text"] == "waited 0s"
    required = call(server, "only_as_task", {})["error"]
    assert required["code"] == -32021
    assert required["data"] == {"requiredCapabilities": {"extensions": {TASKS: {}}}}
    assert TASKS in required["message"]
    for method in ("tasks/get", "tasks/cancel", "tasks/update"):
        error = tasks(server, method, {}, taskId="x", inputResponses={})["error"]
        assert error["code"] == -32021, (method, error)


def test_a_task_is_cancelled_and_cancelling_again_is_the_same_ack(spawn):
    server = start(spawn)
    task_id = call(server, "wait", seconds=60)["result"]["taskId"]
    assert tasks(server, "tasks/get", taskId=task_id)["result"]["status"] == "working"
    for _ in range(2):
        ack = tasks(server, "tasks/cancel", taskId=task_id)["result"]
        assert ack == {"resultType": "complete", "_meta": ack["_meta"]}
        assert until(server, task_id, lambda task: task["status"] in TERMINAL)["status"] == "cancelled"


def test_unknown_tasks_and_removed_methods_are_refused(spawn):
    server = start(spawn)
    unknown = tasks(server, "tasks/get", taskId="nope")["error"]
    assert unknown["code"] == -32602
    assert "no task 'nope'" in unknown["message"]
    for method in ("tasks/result", "tasks/list"):  # removed by SEP-2663
        assert tasks(server, method, taskId="nope")["error"]["code"] == -32601


def test_a_task_waits_for_its_questions_to_be_answered_with_tasks_update(spawn):
    server = start(spawn)
    task_id = call(server, "confirm", what="delete")["result"]["taskId"]
    asking = until(server, task_id, lambda task: task["status"] == "input_required")
    assert list(asking["inputRequests"]) == ["question-1"]
    assert asking["inputRequests"]["question-1"]["method"] == "elicitation/create"
    assert asking["inputRequests"]["question-1"]["params"]["message"] == "Really delete?"
    ignored = tasks(server, "tasks/update", taskId=task_id, inputResponses={"other": {"action": "accept"}})
    assert ignored["result"]["resultType"] == "complete"
    assert tasks(server, "tasks/get", taskId=task_id)["result"]["status"] == "input_required"
    yes = {"action": "accept", "content": {"ok": True}}
    tasks(server, "tasks/update", taskId=task_id, inputResponses={"question-1": yes})
    second = until(server, task_id, lambda task: "question-2" in task.get("inputRequests", {}))
    assert list(second["inputRequests"]) == ["question-2"]
    tasks(server, "tasks/update", taskId=task_id, inputResponses={"question-2": {"action": "decline"}})
    done = until(server, task_id, lambda task: task["status"] in TERMINAL)
    assert done["result"]["content"][0]["text"] == "delete: accept/decline"


def test_tasks_are_bounded_in_number_and_forgotten_after_their_ttl(spawn):
    server = start(spawn, max_tasks="2")
    first, second = (call(server, "wait", seconds=60)["result"]["taskId"] for _ in range(2))
    refused = call(server, "wait", seconds=60)["error"]
    assert "Too many tasks: 2 are running" in refused["message"]
    tasks(server, "tasks/cancel", taskId=first)
    until(server, first, lambda task: task["status"] == "cancelled")
    assert call(server, "wait", seconds=0)["result"]["resultType"] == "task"  # the finished one made room
    assert tasks(server, "tasks/get", taskId=first)["error"]["code"] == -32602
    assert tasks(server, "tasks/get", taskId=second)["result"]["status"] == "working"

    brief = start(spawn, task_ttl="0.05")
    task_id = call(brief, "wait", seconds=60)["result"]["taskId"]
    for _ in range(2000):
        if "error" in tasks(brief, "tasks/get", taskId=task_id):
            break
    else:
        pytest.fail("the task outlived its ttl")
    assert tasks(brief, "tasks/get", taskId=task_id)["error"]["code"] == -32602


def test_the_handshake_era_runs_a_task_tool_as_any_call(spawn):
    server = start(spawn)
    server.initialize()
    assert server.call("wait")["result"]["content"] == [{"type": "text", "text": "waited 0s"}]
    assert "extensions" not in server.request("initialize", {"protocolVersion": "2025-11-25"})["result"]["capabilities"]


def test_over_http_tasks_outlive_their_post_and_tasks_methods_carry_the_task_id_in_mcp_name(spawn):
    url = start_http(spawn, tools=("--no-builtins", "--tools", TOOLS))[1]

    def send(method: str, params: dict[str, Any], name: str) -> Any:
        message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**params, "_meta": envelope(WITH_TASKS)}}
        return post(url, message, **{"mcp-protocol-version": "2026-07-28", "mcp-method": method, "mcp-name": name})

    task_id = send("tools/call", {"name": "wait", "arguments": {"seconds": 0}}, "wait").json()["result"]["taskId"]
    for _ in range(2000):
        got = send("tasks/get", {"taskId": task_id}, task_id)
        assert got.status_code == 200, got.text
        if got.json()["result"]["status"] == "completed":
            break
    assert got.json()["result"]["result"]["content"][0]["text"] == "waited 0s"
    wrong = send("tasks/get", {"taskId": task_id}, "another-task")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == -32020
    assert "'taskId'" in wrong.json()["error"]["message"]


def test_running_tasks_do_not_stop_the_server_reading_its_next_requests(spawn):
    # A connection stops reading while 4 x max_concurrent_calls calls are pending; tasks run past
    # their request, so counting them would leave no way to poll or cancel them until they end.
    server = start(spawn, max_concurrent_calls="1", max_tasks="10")
    started = [call(server, "wait", seconds=60)["result"]["taskId"] for _ in range(6)]
    assert tasks(server, "tasks/get", taskId=started[-1])["result"]["status"] == "working"
    for task_id in started:
        tasks(server, "tasks/cancel", taskId=task_id)
    assert until(server, started[0], lambda task: task["status"] in TERMINAL)["status"] == "cancelled"
