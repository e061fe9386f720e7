"""What a page of each type costs the browser as it loads, counted rather than timed.

    python benchmarks/page_work.py site/                 # or: make page-work
    python benchmarks/page_work.py before/ after/        # two builds, side by side

Lighthouse's performance score varies by about 10 points from run to run on a shared 2-core
machine (it simulates a phone from the main-thread work it observes, which other jobs stretch),
so it cannot tell apart two builds a few points apart. The work itself varies far less: one
Chromium trace per page (phone viewport, no throttling) counts, from the navigation until three
seconds after the load event, the elements restyled and the layout objects laid out (within 5 %
from run to run, four runs of the same build), and how many times the page was restyled, laid
out and painted (these depend on how the work falls into frames: within about 20 %). Fewer is
less for the site's scripts to do on a phone. The main thread's busy time
is printed too, for reference only: it varies by half on a busy host.

The pages and the gzip server are the Lighthouse check's (`tests/test_lighthouse.py`).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_lighthouse  # noqa: E402  (the page types, the phone and the server, in one place)

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "loading"]
FIELDS = ("styled", "laid out", "restyles", "layouts", "paints", "busy ms")


def count(trace: list[dict]) -> dict[str, float]:
    """The work on the page's main thread (see the module's notes)."""
    layout_events = [e for e in trace if e.get("name") in ("Layout", "UpdateLayoutTree")]
    main = collections.Counter(e["tid"] for e in layout_events).most_common(1)[0][0]
    events = [e for e in trace if e.get("tid") == main]

    def named(name: str) -> list[dict]:
        return [e for e in events if e.get("name") == name and e.get("ph") in ("X", "B")]

    def arg(event: dict, *keys: str) -> int:
        value: object = event.get("args") or {}
        for key in keys:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return value if isinstance(value, int) else 0

    restyles, layouts = named("UpdateLayoutTree"), named("Layout")
    return {
        "styled": sum(arg(e, "elementCount") for e in restyles),
        "laid out": sum(arg(e, "beginData", "dirtyObjects") for e in layouts),
        "restyles": len(restyles),
        "layouts": len(layouts),
        "paints": len(named("Paint")),
        "busy ms": round(sum(e.get("dur", 0) for e in named("RunTask")) / 1000),
    }


def measure(sites: list[Path]) -> dict[tuple[str, Path], dict[str, float]]:
    """One load of each page type of each site: its counts."""
    from playwright.sync_api import sync_playwright

    results = {}
    with ExitStack() as stack, sync_playwright() as playwright:
        urls = {site: stack.enter_context(test_lighthouse.serve(site)) for site in sites}
        browser = playwright.chromium.launch(executable_path=str(test_lighthouse.CHROMIUM))
        for kind, path in test_lighthouse.page_types(sites[0]).items():
            for site in sites:
                context = browser.new_context(**test_lighthouse.PHONE)
                page = context.new_page()
                browser.start_tracing(page=page, categories=CATEGORIES)
                page.goto(urls[site] + path, wait_until="load")
                page.wait_for_timeout(3000)
                trace = json.loads(browser.stop_tracing())["traceEvents"]
                context.close()
                results[(kind, site)] = count(trace)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders")
    args = parser.parse_args()
    results = measure(args.sites)
    print(f"{'page':14s} {'site':24s}" + "".join(f"{field:>10s}" for field in FIELDS))
    for (kind, site), counts in results.items():
        row = "".join(f"{counts[field]:>10}" for field in FIELDS)
        print(f"{kind:14s} {str(site)[-24:]:24s}{row}")


if __name__ == "__main__":
    main()
