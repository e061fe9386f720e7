"""Shared fixtures: the built site, built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The strictly built site.

    `make test` builds it once into `site/` and sets `CNNREF_SITE_DIR`; run alone, the tests
    build it into a temporary folder.
    """
    given = os.environ.get("CNNREF_SITE_DIR")
    if given:
        path = Path(given)
        if not (path / "index.html").exists():
            pytest.fail(f"CNNREF_SITE_DIR={given} holds no built site")
        return path
    path = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(path)],
        cwd=ROOT,
        check=True,
    )
    return path


def pytest_configure(config: pytest.Config) -> None:
    """Declare the `cuda` marker here too, so that the contract tests run without pyproject's."""
    config.addinivalue_line("markers", "cuda: needs a CUDA device (skipped without one)")
