"""Where a page's Lighthouse performance goes: the built site against copies without its scripts.

    python benchmarks/lighthouse_ablation.py site/             # or: make lighthouse-ablation
    python benchmarks/lighthouse_ablation.py site/ --runs 3 --pages api,tasks

Each variant is a copy of the built site in which every page leaves out some of its script files
(`<script src>`; inline scripts stay), so that a variant's score, against the site's, says what
those scripts cost a page:

- `as built`: the site itself;
- `no theme.js`: without the site's theme script, which stands in for material's bundle
  (search, copy buttons, the table of contents' tracking; the palette's inline script stays);
- `no far.js`: without the script that shows the far blocks after load (they stay skipped);
- `no scripts`: without any script file.

Lighthouse runs as the check runs it (`tests/test_lighthouse.py`: mobile, simulated throttling
at the CPU slowdown calibrated to the host's benchmark index, the same wait after load; each
load is audited at the profile's fixed 4x too) on each page type, the variants interleaved run by
run so that a host that slows down slows them all; the medians of performance (calibrated and at
4x) and total blocking time are printed, with the host's benchmark indexes. Single runs vary by
about ten points on a shared machine: compare the variants within one invocation of this
script, not across invocations.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# The page types, the server and the Lighthouse run, in one place.
import test_lighthouse  # noqa: E402

SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"[^>]*>\s*</script>")

# Each variant: which script files (by their address in the page) its pages leave out.
VARIANTS: dict[str, Callable[[str], bool]] = {
    "as built": lambda src: False,
    "no theme.js": lambda src: src.endswith("assets/javascripts/theme.js"),
    "no far.js": lambda src: src.endswith("assets/javascripts/far.js"),
    "no scripts": lambda src: True,
}


def without_scripts(html: str, leave_out: Callable[[str], bool]) -> str:
    """The page's HTML without the script elements whose `src` `leave_out` picks."""
    return SCRIPT.sub(lambda m: "" if leave_out(m.group(1)) else m.group(0), html)


def make_variant(site: Path, folder: Path, leave_out: Callable[[str], bool]) -> Path:
    """A copy of the built `site` in `folder`, its pages without the scripts `leave_out` picks."""
    shutil.copytree(site, folder)
    for page in folder.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        changed = without_scripts(html, leave_out)
        if changed != html:
            page.write_text(changed, encoding="utf-8")
    return folder


def measure(site: Path, runs: int, pages: dict[str, str]) -> dict[tuple[str, str], list[dict]]:
    """Lighthouse on the given pages (type: path) of each variant, `runs` times, interleaved."""
    results: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        urls = {
            name: stack.enter_context(
                test_lighthouse.serve(make_variant(site, Path(tmp) / str(i), leave_out))
            )
            for i, (name, leave_out) in enumerate(VARIANTS.items())
        }
        for run in range(runs):
            for kind, path in pages.items():
                for name, url in urls.items():
                    report = Path(tmp) / f"{kind}-{name.replace(' ', '-')}-{run}.json"
                    result, fixed = test_lighthouse.lighthouse(url + path, report)
                    if "error" in result:  # not a score of 0: left out of the medians
                        print(f"run {run + 1}: {kind} {name}: {result['error']}", flush=True)
                        continue
                    tbt = result["audits"].get("total-blocking-time", {}).get("numericValue")
                    row = {
                        "performance": test_lighthouse.scores(result)["performance"],
                        "at_4x": test_lighthouse.scores(fixed)["performance"],
                        "tbt_ms": test_lighthouse.rounded(tbt),
                        # the browser's own first paint, before the simulation (see
                        # tests/test_lighthouse.py's docstring: late ones score lower)
                        "paint_ms": test_lighthouse.rounded(
                            test_lighthouse.observed(result).get("observedFirstContentfulPaint")
                        ),
                        "slowdown": result["configSettings"]["throttling"]["cpuSlowdownMultiplier"],
                        "host_index": round(result["environment"]["benchmarkIndex"]),
                    }
                    results.setdefault((kind, name), []).append(row)
                    print(f"run {run + 1}: {kind:13s} {name:12s} {row}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and variant")
    parser.add_argument("--pages", help="page types, comma-separated (default: all)")
    args = parser.parse_args()
    known = test_lighthouse.page_types(args.site)
    kinds = [k.strip() for k in args.pages.split(",")] if args.pages else list(known)
    if unknown := [k for k in kinds if k not in known]:
        parser.error(f"no page type {', '.join(unknown)} in {args.site}: {', '.join(known)}")
    results = measure(args.site, args.runs, {kind: known[kind] for kind in kinds})
    print(f"\n{'page':14s}{'variant':14s}{'performance':>12s}{'at 4x':>7s}{'TBT ms':>8s}  runs")
    for (kind, name), rows in results.items():
        performance = statistics.median(r["performance"] for r in rows)
        at_4x = statistics.median(r["at_4x"] for r in rows)
        tbts = [r["tbt_ms"] for r in rows if r["tbt_ms"] is not None]
        tbt = statistics.median(tbts) if tbts else float("nan")
        runs = [r["performance"] for r in rows]
        print(f"{kind:14s}{name:14s}{performance:>12g}{at_4x:>7g}{tbt:>8g}  {runs}")
    indexes = [r["host_index"] for rows in results.values() for r in rows]
    if indexes:
        print(f"host benchmark index {min(indexes)}-{max(indexes)} (Lighthouse calls < 1000 slow)")


if __name__ == "__main__":
    main()
