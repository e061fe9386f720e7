"""The author's loop: how long a warm `mkdocs build` takes, and how long an edit to a page's
prose takes to show under `mkdocs serve`.

    python benchmarks/site_loop.py            # or: make site-loop

- **Warm build**: `mkdocs build --strict` into a temporary folder, once to fill the caches
  (generated content, typeset math), then `--repeats` times; prints each time (wall clock and
  the process's CPU time, which a shared machine disturbs less) and the median.
- **Live reload**: starts `mkdocs serve` on a free port, waits for it to serve, appends a unique
  word to a page (`--page`, restored afterwards) and polls the served page until the word is
  there; prints the time from the edit to the page showing it (median of `--repeats` edits).

Targets (issue 14): both at most 2 s on the development machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs"]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1",  # as the Makefile sets it
        "PYTHONPATH": str(ROOT),
    }


def warm_build(repeats: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each warm build."""
    times = []
    with tempfile.TemporaryDirectory() as out:
        command = [*MKDOCS, "build", "--strict", "-q", "-d", out]
        subprocess.run(command, cwd=ROOT, env=_env(), check=True)  # fills the caches
        for _ in range(repeats):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=_env(), check=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            times.append((wall, cpu))
    return times


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def live_reload(page: str, repeats: int, dirty: bool, timeout: float = 120) -> list[float]:
    """Seconds from an edit of `docs/<page>` to `mkdocs serve` serving the edited page."""
    port = _free_port()
    source = ROOT / "docs" / page
    original = source.read_bytes()
    url = (
        f"http://127.0.0.1:{port}/cnnref/"
        + page.removesuffix(".md").removesuffix("index")
        + ("" if page.endswith("index.md") else "/")
    )
    server = subprocess.Popen(
        [*MKDOCS, "serve", "-a", f"127.0.0.1:{port}", *(["--dirty"] * dirty)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    try:
        deadline = time.monotonic() + timeout
        while _get(url) is None:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"mkdocs serve did not serve {url}")
            time.sleep(0.2)
        time.sleep(2)  # let the watcher settle after the first build
        for i in range(repeats):
            word = f"cnnrefreloadprobe{i}x{int(time.time())}"
            start = time.perf_counter()
            source.write_bytes(original + f"\n\n{word}\n".encode())
            while word not in (_get(url) or ""):
                if time.perf_counter() - start > timeout:
                    raise RuntimeError(f"the edit did not show within {timeout} s")
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
            source.write_bytes(original)
            time.sleep(3)  # the rebuild for the restore
    finally:
        source.write_bytes(original)
        server.terminate()
        server.wait(timeout=30)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--page", default="vgg.md", help="the page to edit (under docs/)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument(
        "--dirty", action="store_true", help="serve with --dirty (rebuild the edited page only)"
    )
    args = parser.parse_args()
    if not args.skip_build:
        times = warm_build(args.repeats)
        shown = ", ".join(f"{w:.2f} s (CPU {c:.2f} s)" for w, c in times)
        median = statistics.median(w for w, _ in times)
        median_cpu = statistics.median(c for _, c in times)
        print(f"warm mkdocs build: {shown}; median {median:.2f} s (CPU {median_cpu:.2f} s)")
    if not args.skip_serve:
        times = live_reload(args.page, args.repeats, args.dirty)
        shown = ", ".join(f"{t:.2f} s" for t in times)
        mode = "mkdocs serve --dirty" if args.dirty else "mkdocs serve"
        print(
            f"live reload, {mode} ({args.page}): {shown}; median {statistics.median(times):.2f} s"
        )


if __name__ == "__main__":
    main()
