"""A warm build replays the caches (docs/hooks_cache.py and the generators') into the same site.

The reference is a build with hooks_cache's replays off (`CNNREF_DOCS_REPLAY=0`: it computes
the API blocks, Markdown conversions, cross-references, rendered pages, search entries and the
theme's file list); the generators', notebooks' and typeset math's caches count for both. The
warm build replays everything from disk, into a copy of `site_dir` (the strict build `make
test` made) left as a reader's `site/` may be after earlier builds: files no build writes,
static files changed since they were copied, a folder where the build writes a file and the
reverse, links. docs/hooks_cache.py brings such a folder up to date instead of emptying it; it
must end as MkDocs's emptying leaves it. Every file must come out byte for byte the same: a
cache that replays something else is a bug the reader would see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The sitemap dates each page by the build: the same date for both builds.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}

pytestmark = pytest.mark.slow


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _build(out: Path, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env={**ENV, **env},
        check=True,
    )


def _leave_as_earlier_builds_may(out: Path, outside: Path) -> None:
    """Files no build writes, changed copies, a folder and a file where the other must be,
    links (MkDocs's emptying removes a link, and leaves a top-level link to a folder)."""
    (out / "gone" / "deeper").mkdir(parents=True)
    (out / "gone" / "deeper" / "page.html").write_text("<p>a page since removed</p>")
    (out / "assets" / "stale.js").write_text("// a script since removed")
    (out / "assets" / ".hidden").write_text("hidden, but not at the top: emptied")
    scripts = out / "assets" / "javascripts"
    for name, when in (("sortable.js", None), ("far.js", (0, 0))):  # newer, older than source
        (scripts / name).write_bytes(b"/" * (scripts / name).stat().st_size)
        if when:
            os.utime(scripts / name, when)
    (scripts / "theme.js").unlink()
    (scripts / "theme.js" / "inside").mkdir(parents=True)  # a folder where a file must be
    (out / "objects.inv").unlink()
    (out / "objects.inv").mkdir()  # where mkdocstrings writes
    shutil.rmtree(out / "figures" / "vgg")
    (out / "figures" / "vgg").write_text("a file where a folder must be")
    (outside / "folder").mkdir(parents=True)
    for name in ("linked.js", "hard.js", "folder/kept.txt"):
        (outside / name).write_text(f"outside: {name}")
    (out / "assets" / "link.js").symlink_to(outside / "linked.js")
    (outside / "lazy.js").write_bytes((scripts / "lazy.js").read_bytes())
    (scripts / "lazy.js").unlink()
    (scripts / "lazy.js").symlink_to(outside / "lazy.js")  # a link to the right bytes
    os.link(outside / "hard.js", out / "assets" / "hard.js")
    (scripts / "explorer.js").unlink()
    os.link(outside / "hard.js", scripts / "explorer.js")  # a hard link where a copy goes
    (out / "linked").symlink_to(outside / "folder")
    (out / ".hidden").write_text("a hidden top-level file")


def _replayed_entries() -> int:
    cache = Path(os.environ.get("CNNREF_DOCS_CACHE", ROOT / ".cache" / "docs"))
    return sum(len(list((cache / name).glob("*"))) for name in ("rendered", "autorefs"))


def test_warm_build_gives_the_same_site(site_dir: Path, tmp_path: Path) -> None:
    reference, out, outside = tmp_path / "reference", tmp_path / "site", tmp_path / "outside"
    _build(reference, CNNREF_DOCS_REPLAY="0")
    top_hidden = shutil.ignore_patterns(*(p.name for p in site_dir.glob(".*")))
    shutil.copytree(site_dir, out, symlinks=True, ignore=top_hidden)
    _leave_as_earlier_builds_may(out, outside)
    entries = _replayed_entries()
    _build(out)
    assert _replayed_entries() == entries, "the warm build computed pages it should replay"
    built, warm = _files(reference), _files(out)
    assert sorted(set(warm) - set(built)) == [".hidden"]  # as MkDocs leaves it
    assert sorted(set(built) - set(warm)) == []
    differ = [name for name in built if built[name] != warm[name]]
    assert not differ, f"a warm build changed {differ}"
    assert not (out / "assets" / "javascripts" / "lazy.js").is_symlink()
    assert (out / "linked").is_symlink() and not (out / "gone").exists()
    for name in ("linked.js", "hard.js", "folder/kept.txt"):  # nothing written through a link
        assert (outside / name).read_text() == f"outside: {name}"
