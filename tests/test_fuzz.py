"""Whatever arrives, the core answers with well-formed JSON-RPC and keeps serving."""

import json

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_toolhost import ToolHost

pytestmark = pytest.mark.anyio

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
methods = st.sampled_from(
    ["initialize", "ping", "tools/list", "tools/call", "server/discover", "logging/setLevel", "subscriptions/listen"]
) | st.text(max_size=15)
messages = st.fixed_dictionaries(
    {"jsonrpc": st.sampled_from(["2.0", "1.0", 2])},
    optional={"id": json_values, "method": methods, "params": json_values, "result": json_values},
)
lines = (
    st.binary(max_size=200)
    | messages.map(lambda m: json.dumps(m).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
)


def add(a: int, b: int = 0) -> int:
    return a + b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(lines, max_size=8))
async def test_any_input_gets_well_formed_answers_and_the_server_survives(anyio_backend, inputs):
    host = ToolHost()
    host.tool()(add)
    sent: list[bytes] = []
    async with host.server().connect(sent.append) as connection:
        for line in inputs:
            connection.feed(line)
        connection.feed(b'{"jsonrpc":"2.0","id":"last","method":"ping"}')
        with anyio.fail_after(5):
            while not any(b'"id":"last"' in message for message in sent):
                await anyio.lowlevel.checkpoint()
    for raw in sent:
        assert b"\n" not in raw
        message = json.loads(raw)
        for item in message if isinstance(message, list) else [message]:
            assert item["jsonrpc"] == "2.0"
            if "method" not in item:
                assert ("result" in item) != ("error" in item), item
                if "error" in item:
                    assert isinstance(item["error"]["code"], int) and item["error"]["message"]
