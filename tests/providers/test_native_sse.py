"""The SSE decoder: line endings, split reads, comments, multi-line data, event names."""

from __future__ import annotations

import time

import pytest

from llmrouter.providers.sse import EventTooLarge, ServerSentEvent, SSEDecoder

STREAM = (
    b": keep-alive\n\n"
    b'event: message_start\ndata: {"a": 1}\n\n'
    b"data: line one\ndata:line two\n\n"
    b"id: 7\nretry: 10\ndata: [DONE]\n\n"
)
EXPECTED = [
    ServerSentEvent("message_start", b'{"a": 1}'),
    ServerSentEvent(None, b"line one\nline two"),
    ServerSentEvent(None, b"[DONE]"),
]


def decode(pieces: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    return events + decoder.close()


def test_whole_stream() -> None:
    assert decode([STREAM]) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_any_split_gives_the_same_events(size: int) -> None:
    pieces = [STREAM[i : i + size] for i in range(0, len(STREAM), size)]
    assert decode(pieces) == EXPECTED


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
@pytest.mark.parametrize("size", [1, 5, 1000])
def test_crlf_and_cr_line_ends(newline: bytes, size: int) -> None:
    stream = STREAM.replace(b"\n", newline)
    pieces = [stream[i : i + size] for i in range(0, len(stream), size)]
    assert decode(pieces) == EXPECTED


def test_an_unterminated_last_event_is_delivered_at_close() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: {}\n\ndata: [DONE]") == [ServerSentEvent(None, b"{}")]
    assert decoder.close() == [ServerSentEvent(None, b"[DONE]")]


def test_a_blank_line_without_data_dispatches_nothing() -> None:
    assert decode([b"event: ping\n\n\n\n"]) == []


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_a_blank_line_split_across_any_pieces_ends_the_event(newline: bytes, size: int) -> None:
    text = STREAM.replace(b"\n", newline)
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    assert decode(pieces) == EXPECTED


def test_an_event_past_its_cap_raises() -> None:
    decoder = SSEDecoder(max_event_bytes=1000)
    assert decoder.feed(b"data: " + b"a" * 500 + b"\n\n") == [ServerSentEvent(None, b"a" * 500)]
    decoder.feed(b"data: " + b"a" * 600)
    with pytest.raises(EventTooLarge):
        decoder.feed(b"a" * 600)


def test_a_growing_event_costs_linear_time() -> None:
    """16 MiB fed 4 KiB at a time into one open event: each piece is held, never re-joined
    (a decoder that re-joins copies ~32 GiB here)."""
    decoder = SSEDecoder()
    piece = b"a" * 4096
    started = time.perf_counter()
    decoder.feed(b"data: ")
    for _ in range((16 << 20) // len(piece)):
        decoder.feed(piece)
    assert time.perf_counter() - started < 1.0
    [event] = decoder.close()
    assert len(event.data) == 16 << 20
