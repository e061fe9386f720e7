"""Lighthouse on the built site, as a reader's phone would load it.

Pinned Lighthouse (`lighthouse@12.2.3` from package.json, run by node) with its mobile profile
and simulated throttling loads one page of each type from a local server that serves the built
site (`site_dir`) gzip-compressed under `site_url`'s path, as GitHub Pages does, and audits it
once it has settled (`PAUSE_AFTER_LOAD_MS` after its load event). Each page must score 100 for
accessibility, best practices and SEO. Performance has a target and a floor: the target (95) is
what the site aims at and what `python tests/test_lighthouse.py site/` reports against; the floor
(`MINIMUM`, 80) is what the test holds each page to, below the scores a page gets on a busy
shared 2-core host (single runs vary by about ten points there) and above what the pages scored
while they ran material's JavaScript bundle (API 77, home 71, VGG 77, Tasks 90 in one
interleaved run on this host, a build of 931eeca; medians of two runs of 25675ce: API 78, Tasks
74.5): most pages that start loading a heavy script again fail it.

The bundle was most of the gap: its evaluation and its start at DOMContentLoaded took about 250
ms each on every page at 4x CPU throttling (CPU profiles, medians of five loads), and with every
other metric at its best, 95 allows a total blocking time of about 260 ms (Lighthouse's mobile
curve scores 200 ms 0.9 and 600 ms 0.5). The pages now leave it out and run the site's
`theme.js` (docs/overrides/main.html). In that interleaved run: API 99, home 100, VGG 98, Tasks
96; `python tests/test_lighthouse.py site/` on the same build, once per page: home 97,
architecture 96, Tasks 99, Comparison 95, API 98, notebook 98 (total blocking time 5-274 ms).
The Comparison page was the lowest and varied most. Its runs fell into three groups by when the
browser first painted, before any simulation (Lighthouse's `observedFirstContentfulPaint`, which
`main` prints as paint/load): about 0.2, 1.2 or 2.2 s after navigation, though its load event
came at 0.3-0.5 s. In 44 runs of one build and of copies with one script or style left out: 4
early, all of the page as built (performance 96-100, speed index 1.1 s), 19 at 1.2 s (92-99,
2.3 s), 21 at 2.2 s (84-93, 3.7 s). In a late run's trace the renderer painted before the load
event, then did no work and asked for no frame until the late paint. The Chromium that
Lighthouse launches runs with RenderDocument off (`chrome_flags`); with it on, as Chromium ships
it, 13 of 13 runs of the Comparison, API and Tasks pages painted at 0.17-0.31 s, against 6 of 13
as launched, interleaved; Comparison scored 95-99 (7 runs) against 86-98. Paint holding off
instead, RenderDocument still off, left 2 of 4 runs late. Why RenderDocument delays the paint
is not known here.

Performance is the only figure that varies from run to run (it is simulated from the page's
observed main-thread work, which a busy host stretches): a page below the bar is run twice more
and judged by the median of the three runs, as Lighthouse's guidance on variability suggests;
those reruns scale the CPU slowdown to the host's measured benchmark index (`cpu_slowdown`), so
that a host slowed by other jobs simulates the same phone rather than a slower one.

Run alone, it prints the scores and page weights of the page types (what the issue's "before
and after" table reports):

    python tests/test_lighthouse.py site/            # or any built site folder

Reports (JSON) land in `artifacts/lighthouse/`.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = Path("/usr/bin/chromium")
# Lighthouse's phone (its mobile profile's screen), for the browser tests and benchmarks that
# load a page as Lighthouse does.
PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True}
REPORTS = ROOT / "artifacts" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PERFORMANCE_TARGET = 95  # the aim (see the module's docstring)
# Known shortfalls, each with its reason; the issue that tracks the site's scores stays open.
# (None at present. The Comparison page's best-practices 96, "legible text", was its folded code
# listing at Material's 10.9 px in admonitions; extra.css sets code there at 12 px or more.)
KNOWN_SHORTFALLS: dict[tuple[str, str], str] = {}
MINIMUM = {"performance": 80, "accessibility": 100, "best-practices": 100, "seo": 100}
RUNS = 3  # runs of a page whose performance is below the floor on the first, judged by the median
SLOW_HOST_INDEX = 1000  # Lighthouse's benchmark index below which it calls the host CPU slow
# How long Lighthouse waits after the load event before it audits the page: its own wait when it
# does not simulate (5250 ms, core/config/constants.js), not its simulated mode's 1000 ms. The
# pages show their far blocks in idle slices after load (far.js); at 1 s some may still be
# skipped on a busy host, and axe misjudges skipped content (colour contrast, table headers): on
# this host the Tasks page once scored 97 for accessibility (1 of 11 runs), a table still skipped.
# Performance showed no consistent change with it (3 interleaved runs each on API and Tasks: the
# medians moved by 9 and -8 points). A run takes up to about 4 s longer.
PAUSE_AFTER_LOAD_MS = 5250

# Chromium as the check runs it: the launcher's flags (chrome-launcher, which Lighthouse uses)
# with these, and with RenderDocument as Chromium ships it (see `chrome_flags`).
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")
LAUNCHER_FLAGS = ROOT / "node_modules" / "chrome-launcher" / "dist" / "flags.js"

# One page of each type (paths in the site). The notebook page is found through the navigation.
PAGE_TYPES = {
    "home": "",
    "architecture": "vgg/",
    "tasks": "tasks/",
    "comparison": "comparison/",
    "api": "api/models/vgg/",  # the largest of the API pages
}
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


# --- the server -------------------------------------------------------------------------------


class GzipSiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under `prefix`, gzip-compressed where the browser accepts it."""

    prefix = "/"
    _compressed: ClassVar[dict[Path, bytes]] = {}

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            return str(Path(self.directory, "__not_under_site_url__"))
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the address with a slash
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and path.suffix in COMPRESSIBLE and accepts):
            return super().send_head()
        body = self._compressed.get(path)
        if body is None:
            body = self._compressed[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def site_prefix(site_dir: Path) -> str:
    """The path of `site_url` (e.g. `/cnnref/`), read from the sitemap's shortest address."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(site_dir / "sitemap.xml")
    locs = [loc.text or "" for loc in tree.getroot().iterfind("s:url/s:loc", namespace)]
    return urlsplit(min(locs, key=len)).path if locs else "/"


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """`http://127.0.0.1:<port><prefix>` serving `site_dir` gzip-compressed."""
    prefix = site_prefix(site_dir)
    handler = type("Handler", (GzipSiteHandler,), {"prefix": prefix, "_compressed": {}})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


# --- the pages --------------------------------------------------------------------------------


def page_types(site_dir: Path) -> dict[str, str]:
    """The pages to check: the fixed ones, and the first notebook page the navigation lists."""
    pages = {kind: path for kind, path in PAGE_TYPES.items() if (site_dir / path).is_dir()}
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    notebooks = re.findall(r'href="(?:\./)?(notebooks/[^"#]+/)"', home)
    if notebooks:
        pages["notebook"] = notebooks[0]
    return pages


# --- Lighthouse -------------------------------------------------------------------------------


@functools.cache
def chrome_flags() -> tuple[str, ...]:
    """`CHROME_FLAGS` and the launcher's `--disable-features` list less RenderDocument.

    chrome-launcher turns RenderDocument off (for Lighthouse's own CI,
    GoogleChrome/lighthouse#16363); Chromium ships it on, and Puppeteer stopped turning it off
    (puppeteer/puppeteer#14745). Off, most runs' first paint waited until about 1.2 or 2.2 s
    after navigation, long after the load event (the module's docstring). Chromium keeps only
    the last `--disable-features`, so the list is the launcher's, read from its source, less
    RenderDocument.
    """
    text = LAUNCHER_FLAGS.read_text(encoding="utf-8")
    block = re.search(r"'--disable-features=' \+\s*\[(.*?)\]\.join", text, re.S)
    features = re.findall(r"^\s*'(\w+)',?\s*$", block[1], re.M) if block else []
    if "RenderDocument" not in features:
        raise RuntimeError(
            f"{LAUNCHER_FLAGS}: no --disable-features list with RenderDocument in it; "
            "chrome-launcher changed: see chrome_flags()"
        )
    kept = [f for f in features if f != "RenderDocument"]
    return (*CHROME_FLAGS, "--disable-features=" + ",".join(kept))


def lighthouse(url: str, report: Path, cpu_slowdown: float = 4.0) -> dict:
    """One Lighthouse run (mobile, simulated throttling); returns the JSON report."""
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    command = [
        shutil.which("node") or "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--throttling-method=simulate",
        f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:g}",
        "--form-factor=mobile",
        f"--pauseAfterLoadMs={PAUSE_AFTER_LOAD_MS}",
        f"--chrome-flags={' '.join(chrome_flags())}",
    ]
    error = ""
    for _ in range(2):  # once more when Chromium gives up on a page (a busy host)
        report.unlink(missing_ok=True)
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode == 0 and report.exists():
            return json.loads(report.read_text(encoding="utf-8"))
        error = proc.stderr.strip()[-2000:]
    return {"error": f"lighthouse failed on {url}: {error}"}


def scores(result: dict) -> dict[str, int]:
    if "error" in result:
        return dict.fromkeys(CATEGORIES, 0)
    return {c: round(100 * (result["categories"][c]["score"] or 0)) for c in CATEGORIES}


def failing_audits(result: dict, category: str) -> list[str]:
    """The audits that cost a category points: `id (score): title`."""
    if "error" in result:
        return [result["error"]]
    refs = result["categories"][category]["auditRefs"]
    audits = result["audits"]
    out = []
    for ref in refs:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            out.append(f"{ref['id']} ({audit['score']}): {audit.get('displayValue', '')}")
    return out


def cpu_slowdown(result: dict) -> float:
    """The CPU slowdown that makes this host stand for Lighthouse's mobile device.

    Lighthouse's 4x is meant for a host whose benchmark index is at least 1000 (below that it
    warns of a slow host CPU): a host that another job slows down (a shared CI runner) gets a
    proportionally smaller factor, so that it simulates the same phone, not a slower one.
    """
    index = result.get("environment", {}).get("benchmarkIndex") or SLOW_HOST_INDEX
    return 4.0 if index >= SLOW_HOST_INDEX else max(1.0, round(4.0 * index / SLOW_HOST_INDEX, 2))


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def check_page(base_url: str, kind: str, path: str, runs: int = RUNS) -> dict:
    """Lighthouse on one page: scores (performance as the median when it needs more runs)."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    results = [lighthouse(base_url + path, REPORTS / f"{kind}-1.json")]
    if scores(results[0])["performance"] < MINIMUM["performance"]:  # reruns serve the gate
        for i in range(2, runs + 1):
            slowdown = cpu_slowdown(results[-1])
            results.append(lighthouse(base_url + path, REPORTS / f"{kind}-{i}.json", slowdown))
    performance = [scores(r)["performance"] for r in results]
    order = sorted(range(len(results)), key=lambda i: performance[i])
    result = results[order[(len(order) - 1) // 2]]  # the median run (the lower of two middles)
    audits = result.get("audits", {})

    def figure(audit: str) -> float:
        return audits.get(audit, {}).get("numericValue") or 0

    # What the browser did, before the simulation: its first paint and load event (see the
    # module's docstring for why the first paint is worth watching).
    observed = (audits.get("metrics", {}).get("details", {}).get("items") or [{}])[0]

    return {
        "kind": kind,
        "path": path,
        "scores": scores(result),
        "performance_runs": performance,
        "cpu_slowdowns": [
            r.get("configSettings", {}).get("throttling", {}).get("cpuSlowdownMultiplier")
            for r in results
        ],
        "benchmark_indexes": [r.get("environment", {}).get("benchmarkIndex") for r in results],
        "weight_kib": round(figure("total-byte-weight") / 1024),
        "lcp_s": round(figure("largest-contentful-paint") / 1000, 2),
        "tbt_ms": round(figure("total-blocking-time")),
        "speed_index_s": round(figure("speed-index") / 1000, 2),
        "observed_fcp_ms": _rounded(observed.get("observedFirstContentfulPaint")),
        "observed_load_ms": _rounded(observed.get("observedLoad")),
        "problems": {
            c: failing_audits(result, c) for c in CATEGORIES if scores(result)[c] < MINIMUM[c]
        },
    }


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lighthouse_results(site_dir: Path) -> list[dict]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does)")
    if not LIGHTHOUSE.exists():
        pytest.fail(f"{LIGHTHOUSE} is missing: run `npm ci` (`make test` does)")
    with serve(site_dir) as base_url:
        results = [check_page(base_url, k, p) for k, p in page_types(site_dir).items()]
    (REPORTS / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def test_every_page_type_is_checked(site_dir: Path) -> None:
    assert set(PAGE_TYPES) <= set(page_types(site_dir)), "a page type is missing from the site"


@pytest.mark.parametrize("category", CATEGORIES)
def test_lighthouse_scores(lighthouse_results: list[dict], category: str) -> None:
    low = []
    for r in lighthouse_results:
        if (r["kind"], category) in KNOWN_SHORTFALLS:
            continue
        if r["scores"][category] < MINIMUM[category]:
            runs = f" (runs {r['performance_runs']})" if category == "performance" else ""
            audits = "".join(f"\n    {p}" for p in r["problems"].get(category, []))
            low.append(
                f"{r['kind']} ({r['path'] or 'home'}): {r['scores'][category]}{runs}{audits}"
            )
    assert not low, f"Lighthouse {category} below {MINIMUM[category]}:\n" + "\n".join(low)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def main(site: str) -> None:
    site_dir = Path(site)
    with serve(site_dir) as base_url:
        rows = [check_page(base_url, k, p, runs=RUNS) for k, p in page_types(site_dir).items()]
    print(
        f"{'page':<28}{'perf':>6}{'a11y':>6}{'bp':>6}{'seo':>6}{'KiB':>7}{'LCP s':>7}{'TBT':>6}"
        f"{'SI s':>6}{'paint/load ms':>15}"
    )
    for r in rows:
        s = r["scores"]
        print(
            f"{r['kind'] + ' ' + (r['path'] or '/'):<28}{s['performance']:>6}"
            f"{s['accessibility']:>6}{s['best-practices']:>6}{s['seo']:>6}"
            f"{r['weight_kib']:>7}{r['lcp_s']:>7}{r['tbt_ms']:>6}{r['speed_index_s']:>6}"
            f"{_or_dash(r['observed_fcp_ms']) + '/' + _or_dash(r['observed_load_ms']):>15}"
            f"  runs {r['performance_runs']} at CPU x{r['cpu_slowdowns']}"
            f" (host index {r['benchmark_indexes']})"
        )
        for category, problems in r["problems"].items():
            for problem in problems:
                print(f"    {category}: {problem}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "site")
