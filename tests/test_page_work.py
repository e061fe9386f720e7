"""benchmarks/page_work.py counts a trace's work on the page's main thread, and only there."""

from __future__ import annotations


def test_counts_the_main_threads_restyles_layouts_and_paints(load_benchmark):
    def event(name, tid=1, dur=1000, **args):
        return {"name": name, "tid": tid, "ph": "X", "ts": 0, "dur": dur, "args": args}

    trace = [
        event("RunTask", dur=60_000),
        event("UpdateLayoutTree", elementCount=700),
        event("UpdateLayoutTree", elementCount=50),
        event("Layout", beginData={"dirtyObjects": 900, "totalObjects": 900}),
        event("Paint"),
        event("Paint"),
        # Another thread (a worker, the compositor): not the page's.
        event("RunTask", tid=2, dur=500_000),
        event("Layout", tid=2, beginData={"dirtyObjects": 5}),
    ]
    assert load_benchmark("page_work").count(trace) == {
        "styled": 750,
        "laid out": 900,
        "restyles": 2,
        "layouts": 1,
        "paints": 2,
        "busy ms": 60,
    }
