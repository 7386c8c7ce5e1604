"""`Events`, in-process: a reader that falls behind is dropped, the others keep their events; `close` ends them."""

from __future__ import annotations

import pytest

from mcp_toolhost.dashboard.events import Events


@pytest.mark.anyio
async def test_a_reader_past_its_queue_is_dropped_and_a_keeping_up_one_is_not():
    events = Events(queue=2)
    async with events.reader() as slow, events.reader() as fast:
        events.publish("call_started", {"n": 1})
        assert b'"n":1' in await fast.receive()
        events.publish("call_started", {"n": 2})
        assert b'"n":2' in await fast.receive()
        events.publish("call_started", {"n": 3})  # slow holds 2 unread: it is dropped here
        frames = [frame async for frame in slow]
        assert [b'"n":1' in frames[0], b'"n":2' in frames[1], len(frames)] == [True, True, 2], frames
        frame = await fast.receive()
        assert frame.startswith(b"id: 3\nevent: call_started\ndata: ") and frame.endswith(b"\n\n"), frame


@pytest.mark.anyio
async def test_close_ends_every_stream_and_any_opened_after():
    events = Events(queue=2)
    async with events.reader() as open_before:
        events.close()
        assert [frame async for frame in open_before] == []
        async with events.reader() as opened_after:
            assert [frame async for frame in opened_after] == []
