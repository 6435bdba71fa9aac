"""The gateway process's collector settings (`tune_gc`, called once the router is warm)."""

from __future__ import annotations

import gc

from llmrouter.gateway.lifecycle import GC_YOUNG_THRESHOLD, tune_gc


def test_tune_gc_freezes_the_warm_heap_and_collects_the_young_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
