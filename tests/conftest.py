"""Shared fixtures: the built site, built once per test session."""

from __future__ import annotations

import importlib.util
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


@pytest.fixture(scope="session")
def load_benchmark():
    """Loads a script of benchmarks/ (a folder, not a package) as a module, by its name."""

    def load(name: str):
        path = ROOT / "benchmarks" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `cuda` skip where there is no CUDA GPU (`make gpu-check` runs them)."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)
