"""Lighthouse on the built site, as a reader's phone would load it.

Pinned Lighthouse (`lighthouse@12.2.3` from package.json, run by node) with its mobile profile
and simulated throttling loads one page of each type from a local server that serves the built
site (`site_dir`) gzip-compressed under `site_url`'s path, as GitHub Pages does, and audits it
once it has settled (`PAUSE_AFTER_LOAD_MS` after its load event). Each page must score 95 for
performance and 100 for accessibility, best practices and SEO.

**The phone.** Simulated throttling loads the page unthrottled and computes what the profile's
phone would have seen from the work the browser was observed to do, its CPU time multiplied by a
slowdown. The profile's constant 4x is meant for a high-end desktop host: Lighthouse's
docs/throttling.md puts those at a benchmark index of 1500-2000 and says to calibrate the slowdown
on a weaker host. This shared 2-core host measured 939-1721 from run to run (other jobs slow it
down), mostly 1000-1300, where 4x simulates a phone slower than the profile's, and slower the
busier the host. So each run sets its slowdown from the benchmark index measured in the same run
(`cpu_slowdown`: Lighthouse's calculator, capped at 4x) and reports the same load at 4x too
(`lighthouse`). A page below 95 is run twice more and judged by the median of the three runs,
as Lighthouse's guidance on variability suggests (docs/variability.md). Three rounds of the six
pages on a build of 0971feb (18 loads, each audited both ways; host index 939-1582): calibrated
95-100, at 4x 89-100 (5 of 18 below 95: Tasks 3 of 3, architecture and API 1 each); two runs of
`main` on that build: 98-100 calibrated, 90-99 at 4x.

**What the pages cost.** With material's JavaScript bundle the pages scored far below (at 4x, one
interleaved run of a build of 931eeca: API 77, home 71, VGG 77, Tasks 90): its evaluation and
its start at DOMContentLoaded took about 250 ms each on every page at 4x (CPU profiles, medians
of five loads), and with every other metric at its best, 95 allows a total blocking time of
about 260 ms (Lighthouse's mobile curve scores 200 ms 0.9 and 600 ms 0.5). The pages now leave
it out and run the site's `theme.js` (docs/overrides/main.html). What remains is mostly style
and layout: the first screens' at load, and the far blocks' after it (far.js).

**The first paint.** The Chromium that Lighthouse launches runs with RenderDocument off
(`chrome_flags`). Off, most runs' first paint waited until about 1.2 or 2.2 s after navigation
though the load event came at 0.3-0.5 s (Lighthouse's `observedFirstContentfulPaint`, which
`main` prints as paint/load): in 44 runs of the Comparison page, 4 painted at about 0.2 s
(performance 96-100, speed index 1.1 s), 19 at 1.2 s (92-99, 2.3 s), 21 at 2.2 s (84-93, 3.7 s).
In a late run's trace the renderer painted before the load event, then did no work and asked for
no frame until the late paint. With RenderDocument on, as Chromium ships it, 13 of 13 runs of
the Comparison, API and Tasks pages painted at 0.17-0.31 s, against 6 of 13 as launched,
interleaved. Why RenderDocument delays the paint is not known here.

Run alone, it prints the scores and page weights of the page types (what the issue's "before
and after" table reports):

    python tests/test_lighthouse.py site/            # or any built site folder

`make test` prints the same table in its output. Reports (JSON: each run's calibrated
report and its `-4x` twin) land in `artifacts/lighthouse/` with each run's folder (the trace and
artifacts Lighthouse gathered, and the report of its last audit).
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
# Known shortfalls, each with its reason; the issue that tracks the site's scores stays open.
# (None at present. The Comparison page's best-practices 96, "legible text", was its folded code
# listing at Material's 10.9 px in admonitions; extra.css sets code there at 12 px or more.)
KNOWN_SHORTFALLS: dict[tuple[str, str], str] = {}
MINIMUM = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
RUNS = 3  # runs of a page whose performance is below 95 on the first, judged by the median
MOBILE_SLOWDOWN = 4.0  # the mobile profile's CPU slowdown, meant for a high-end desktop host
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


def cpu_slowdown(benchmark_index: float | None) -> float | None:
    """The CPU slowdown at which this host stands for Lighthouse's mobile phone.

    Lighthouse's constant 4x is meant for a high-end desktop host (benchmark index 1500-2000);
    on a weaker host its docs (docs/throttling.md, "Calibrating the CPU slowdown") say to lower
    it, and link a calculator that maps the index to a slowdown: 2x at 800, 3x at 1300, 4x at
    1533 (patrickhulce/lighthouse-cpu-throttling-calculator, `computeMultiplierMessages`). This
    is that mapping, capped at the profile's 4x. The cap only ever favours the page: on a host
    faster than 1533 the calculator would go above 4x (4.8x at 1721), and the check, like
    Lighthouse's default, simulates a faster phone than the profile's. Without an index (a
    failed benchmark), 4x; below 150, where the calculator says the host is too slow to stand
    for the phone, None.
    """
    if not benchmark_index:
        return MOBILE_SLOWDOWN
    if benchmark_index < 150:
        return None
    if benchmark_index >= 1300:
        slowdown = 3 + (benchmark_index - 1300) / 233
    elif benchmark_index >= 800:
        slowdown = 2 + (benchmark_index - 800) / 500
    else:
        slowdown = 1 + (benchmark_index - 150) / 650
    return round(min(slowdown, MOBILE_SLOWDOWN), 2)


def _lighthouse_command(url: str, slowdown: float, *mode: str) -> list[str]:
    return [
        shutil.which("node") or "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--throttling-method=simulate",
        f"--throttling.cpuSlowdownMultiplier={slowdown:g}",
        "--form-factor=mobile",
        f"--pauseAfterLoadMs={PAUSE_AFTER_LOAD_MS}",
        f"--chrome-flags={' '.join(chrome_flags())}",
        *mode,
    ]


def _run(command: list[str]) -> str:
    """Runs a Lighthouse command; returns what went wrong, or "" when it exited cleanly."""
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "no answer in 300 s"
    if proc.returncode:
        return proc.stderr.strip()[-2000:] or f"exit status {proc.returncode}"
    return ""


def _gather(url: str, saved: Path) -> dict | str:
    """Lighthouse's gather mode (`-G`) into `saved`: its artifacts, or what went wrong."""
    shutil.rmtree(saved, ignore_errors=True)
    error = _run(_lighthouse_command(url, MOBILE_SLOWDOWN, f"--gather-mode={saved}"))
    if error:
        return error
    if not (saved / "artifacts.json").exists():
        return f"no artifacts.json in {saved}"
    artifacts = json.loads((saved / "artifacts.json").read_text(encoding="utf-8"))
    if artifacts.get("PageLoadError"):  # gather mode exits cleanly with the page not loaded
        return f"the page did not load: {json.dumps(artifacts['PageLoadError'])[:500]}"
    if cpu_slowdown(artifacts.get("BenchmarkIndex")) is None:
        return f"host too slow to stand for the phone (index {artifacts['BenchmarkIndex']})"
    return artifacts


def lighthouse(url: str, report: Path) -> tuple[dict, dict]:
    """One Lighthouse run (mobile, simulated throttling): the page loaded once, audited twice.

    Lighthouse loads the page (`-G`, its gather mode, saves what it saw in a folder beside
    `report`) and simulates the phone from that load (`-A`): once at the slowdown calibrated to
    the host's benchmark index, measured in that same run (`cpu_slowdown`; the report, at
    `report`), and once at the profile's fixed 4x (`fixed_report(report)`, what the pages were
    first measured at). Returns the two reports, calibrated first; `{"error": ...}` for both
    when the run failed (the load is tried twice: a busy host makes Chromium give up at times).
    """
    saved = report.with_suffix("")  # the trace and artifacts, for a second look
    for _ in range(2):
        artifacts = _gather(url, saved)
        if isinstance(artifacts, dict):
            break
    else:
        failed = {"error": f"lighthouse failed on {url}: {artifacts}"}
        return failed, failed
    calibrated = cpu_slowdown(artifacts.get("BenchmarkIndex"))  # not None: `_gather` checked
    gathered = json.dumps(artifacts)
    results = {}
    # 4x last, so that the saved artifacts end as gathered.
    for slowdown, path in ((calibrated, report), (MOBILE_SLOWDOWN, fixed_report(report))):
        if slowdown in results:  # the calibrated slowdown was 4x
            shutil.copyfile(report, path)
            continue
        # Lighthouse audits only with the settings it gathered with, so the slowdown is set in
        # the saved artifacts too. The simulation takes its slowdown from the audit's settings;
        # the load does not depend on it but for one thing: Lighthouse caps what
        # requestIdleCallback's deadline reports (at 40 ms over the slowdown), which no script
        # of the site reads (far.js keeps its own budget).
        copy = json.loads(gathered)
        copy["settings"]["throttling"]["cpuSlowdownMultiplier"] = slowdown
        if slowdown != MOBILE_SLOWDOWN:  # its slow-host warning asks for this calibration
            copy["LighthouseRunWarnings"] = [
                w
                for w in copy.get("LighthouseRunWarnings", [])
                if "warningSlowHostCpu" not in json.dumps(w)
            ]
        (saved / "artifacts.json").write_text(json.dumps(copy), encoding="utf-8")
        path.unlink(missing_ok=True)
        mode = (f"--audit-mode={saved}", "--output=json", f"--output-path={path}")
        error = _run(_lighthouse_command(url, slowdown, *mode))
        if error or not path.exists():
            failed = {"error": f"lighthouse could not audit {url} at {slowdown:g}x: {error}"}
            return failed, failed
        results[slowdown] = json.loads(path.read_text(encoding="utf-8"))
    return results[calibrated], results[MOBILE_SLOWDOWN]


def fixed_report(report: Path) -> Path:
    """Where `lighthouse` writes the same load's report at the profile's fixed 4x."""
    return report.with_name(f"{report.stem}-4x{report.suffix}")


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


def rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def observed(result: dict) -> dict:
    """The browser's own timings in a report, before the simulation (`observedLoad`, ...)."""
    metrics = result.get("audits", {}).get("metrics", {}).get("details", {})
    return (metrics.get("items") or [{}])[0]


def check_page(base_url: str, kind: str, path: str, runs: int = RUNS) -> dict:
    """Lighthouse on one page: scores (performance as the median when it needs more runs)."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    pairs = [lighthouse(base_url + path, REPORTS / f"{kind}-1.json")]
    while len(pairs) < runs and scores(pairs[0][0])["performance"] < MINIMUM["performance"]:
        pairs.append(lighthouse(base_url + path, REPORTS / f"{kind}-{len(pairs) + 1}.json"))
    results = [calibrated for calibrated, _ in pairs]
    performance = [scores(r)["performance"] for r in results]
    order = sorted(range(len(results)), key=lambda i: performance[i])
    result = results[order[(len(order) - 1) // 2]]  # the median run (the lower of two middles)
    audits = result.get("audits", {})

    def figure(audit: str) -> float:
        return audits.get(audit, {}).get("numericValue") or 0

    browser = observed(result)

    return {
        "kind": kind,
        "path": path,
        "scores": scores(result),
        "performance_runs": performance,
        "performance_runs_at_4x": [scores(fixed)["performance"] for _, fixed in pairs],
        "cpu_slowdowns": [
            r.get("configSettings", {}).get("throttling", {}).get("cpuSlowdownMultiplier")
            for r in results
        ],
        "benchmark_indexes": [
            rounded(r.get("environment", {}).get("benchmarkIndex")) for r in results
        ],
        "weight_kib": round(figure("total-byte-weight") / 1024),
        "lcp_s": round(figure("largest-contentful-paint") / 1000, 2),
        "tbt_ms": round(figure("total-blocking-time")),
        "speed_index_s": round(figure("speed-index") / 1000, 2),
        # What the browser did, before the simulation: its first paint and load event (see the
        # module's docstring for why the first paint is worth watching).
        "observed_fcp_ms": rounded(browser.get("observedFirstContentfulPaint")),
        "observed_load_ms": rounded(browser.get("observedLoad")),
        "problems": {
            c: failing_audits(result, c) for c in CATEGORIES if scores(result)[c] < MINIMUM[c]
        },
    }


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lighthouse_results(site_dir: Path, request: pytest.FixtureRequest) -> list[dict]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does)")
    if not LIGHTHOUSE.exists():
        pytest.fail(f"{LIGHTHOUSE} is missing: run `npm ci` (`make test` does)")
    with serve(site_dir) as base_url:
        results = [check_page(base_url, k, p) for k, p in page_types(site_dir).items()]
    (REPORTS / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    # The figures in `make test`'s output, passed or not: each run's slowdown and its 4x score.
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in ["Lighthouse (tests/test_lighthouse.py):", *table(results)]:
                reporter.write_line(line)
    return results


def test_the_cpu_slowdown_follows_lighthouses_calculator() -> None:
    # The calculator's anchors (2x at 800, 3x at 1300, 4x at 1533), capped at the profile's 4x.
    indexes = (None, 0, 100, 150, 800, 1050, 1300, 1533, 2000)
    assert [cpu_slowdown(i) for i in indexes] == [4, 4, None, 1, 2, 2.5, 3, 4, 4]


def test_every_page_type_is_checked(site_dir: Path) -> None:
    assert set(PAGE_TYPES) <= set(page_types(site_dir)), "a page type is missing from the site"


@pytest.mark.parametrize("category", CATEGORIES)
def test_lighthouse_scores(lighthouse_results: list[dict], category: str) -> None:
    low = []
    for r in lighthouse_results:
        if (r["kind"], category) in KNOWN_SHORTFALLS:
            continue
        if r["scores"][category] < MINIMUM[category]:
            runs = f" ({_runs(r)})" if category == "performance" else ""
            audits = "".join(f"\n    {p}" for p in r["problems"].get(category, []))
            low.append(
                f"{r['kind']} ({r['path'] or 'home'}): {r['scores'][category]}{runs}{audits}"
            )
    assert not low, f"Lighthouse {category} below {MINIMUM[category]}:\n" + "\n".join(low)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def table(rows: list[dict]) -> list[str]:
    """`check_page`'s rows as lines of text: scores, weights and timings, each run's slowdown."""
    lines = [
        f"{'page':<28}{'perf':>6}{'a11y':>6}{'bp':>6}{'seo':>6}{'KiB':>7}{'LCP s':>7}{'TBT':>6}"
        f"{'SI s':>6}{'paint/load ms':>15}"
    ]
    for r in rows:
        s = r["scores"]
        lines.append(
            f"{r['kind'] + ' ' + (r['path'] or '/'):<28}{s['performance']:>6}"
            f"{s['accessibility']:>6}{s['best-practices']:>6}{s['seo']:>6}"
            f"{r['weight_kib']:>7}{r['lcp_s']:>7}{r['tbt_ms']:>6}{r['speed_index_s']:>6}"
            f"{_or_dash(r['observed_fcp_ms']) + '/' + _or_dash(r['observed_load_ms']):>15}"
            f"  {_runs(r)}"
        )
        for category, problems in r["problems"].items():
            lines += [f"    {category}: {problem}" for problem in problems]
    return lines


def _runs(row: dict) -> str:
    return (
        f"runs {row['performance_runs']} at CPU x{row['cpu_slowdowns']}"
        f" (host index {row['benchmark_indexes']}), at 4x {row['performance_runs_at_4x']}"
    )


def main(site: str) -> None:
    site_dir = Path(site)
    with serve(site_dir) as base_url:
        rows = [check_page(base_url, k, p, runs=RUNS) for k, p in page_types(site_dir).items()]
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "site")
