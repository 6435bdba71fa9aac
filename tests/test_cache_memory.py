"""The in-process cache stays bounded: 100k distinct keys never grow it past `max_entries`."""

from __future__ import annotations

import tracemalloc

from llmrouter.state import MemoryStore

VALUE = b"x" * 1024  # a typical cached answer is 0.5-2 KB of JSON


async def fill(store: MemoryStore, count: int) -> None:
    for i in range(count):
        await store.set(f"llmrouter:cache:v1:{i:064x}", VALUE + str(i).encode(), ttl_s=3600)


async def test_100k_keys_stay_within_max_entries() -> None:
    tracemalloc.start()
    try:
        store = MemoryStore(max_entries=1_000)
        await fill(store, 100_000)
        current, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(store) == 1_000
    assert current < 2_000_000  # ~1,000 x (1 KB value + bookkeeping)


async def test_bytes_per_entry_is_value_plus_small_overhead() -> None:
    entries = 10_000
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        store = MemoryStore(max_entries=entries)
        await fill(store, entries)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    overhead = (after - before) / entries - len(VALUE)
    assert len(store) == entries
    assert overhead < 600, overhead  # docs/caching.md: ~400 bytes per entry besides the value
