"""Where a page's Lighthouse performance goes: the built site against copies without its scripts.

    python benchmarks/lighthouse_ablation.py site/             # or: make lighthouse-ablation
    python benchmarks/lighthouse_ablation.py site/ --runs 3 --pages api,tasks

Each variant is a copy of the built site in which every page leaves out some of its script files
(`<script src>`; inline scripts stay), so that a variant's score, against the site's, says what
those scripts cost a page:

- `as built`: the site itself;
- `no material`: without material's bundle (search, instant navigation, the table of contents'
  tracking, copy buttons: everything material does in the browser);
- `no far.js`: without the script that shows the far blocks after load (they stay skipped);
- `no scripts`: without any script file.

Lighthouse runs with the check's settings (`tests/test_lighthouse.py`) on each page type, the
variants interleaved run by run so that a host that slows down slows them all, and the medians
of performance and total blocking time are printed. Single runs vary by about ten points on a
shared machine: compare the variants within one run of this script, not across runs. A variant
without far.js leaves blocks skipped, which axe misjudges, so its accessibility score is not
the site's.
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

import test_lighthouse  # noqa: E402  (the page types, the server and the Lighthouse run, in one place)

SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"[^>]*>\s*</script>")

# Each variant: which script files (by their address in the page) its pages leave out.
VARIANTS: dict[str, Callable[[str], bool]] = {
    "as built": lambda src: False,
    "no material": lambda src: re.search(r"assets/javascripts/bundle\.[^/]*js$", src) is not None,
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


def measure(site: Path, runs: int, kinds: list[str] | None) -> dict[tuple[str, str], list[dict]]:
    """Lighthouse on each page type of each variant, `runs` times, interleaved."""
    pages = test_lighthouse.page_types(site)
    if kinds:
        pages = {kind: pages[kind] for kind in kinds}
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
                    report = Path(tmp) / f"{kind}-{run}-{len(results)}.json"
                    result = test_lighthouse.lighthouse(url + path, report)
                    audits = result.get("audits", {})
                    row = {
                        "performance": test_lighthouse.scores(result)["performance"],
                        "tbt_ms": round(
                            audits.get("total-blocking-time", {}).get("numericValue") or 0
                        ),
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
    kinds = args.pages.split(",") if args.pages else None
    results = measure(args.site, args.runs, kinds)
    print(f"\n{'page':14s}{'variant':14s}{'performance':>12s}{'TBT ms':>8s}  runs")
    for (kind, name), rows in results.items():
        performance = statistics.median(r["performance"] for r in rows)
        tbt = statistics.median(r["tbt_ms"] for r in rows)
        runs = [r["performance"] for r in rows]
        print(f"{kind:14s}{name:14s}{performance:>12g}{tbt:>8g}  {runs}")


if __name__ == "__main__":
    main()
