"""A warm build replays the caches (docs/hooks_cache.py and the generators') into the same site.

`site_dir` is the strict build `make test` made; a second build with the same caches, into a
temporary folder, replays the API blocks, search entries, generated content, typeset math and
executed notebooks from disk. Every page, the search index and the objects inventory must come
out byte for byte the same: a cache that replays something else is a bug the reader would see.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPARED = ("*.html", "search/search_index.json", "objects.inv")

pytestmark = pytest.mark.slow


def _files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for pattern in COMPARED
        for p in site.rglob(pattern)
    }


def test_warm_build_gives_the_same_site(site_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=True,
    )
    built, warm = _files(site_dir), _files(out)
    assert sorted(warm) == sorted(built)
    differ = [name for name in built if built[name] != warm[name]]
    assert not differ, f"a warm build changed {differ}"
