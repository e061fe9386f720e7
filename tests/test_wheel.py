"""The built wheel works without the repository: installed into a clean folder, run elsewhere.

The wheel is built from a copy of the package's sources, installed with `pip install --target`
into a temporary folder, and run by this interpreter with only that folder on `PYTHONPATH`, from
a directory outside the repository, so the editable install is not what gets imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# `bench` at its quickest: one tiny step per implementation, eager only, no training step.
QUICK_BENCH = [
    *("--image-size", "32", "--batch-sizes", "1", "--train-batch", "0", "--modes", "eager"),
    *("--warmup", "1", "--repeats", "1", "--min-time-s", "0", "--matmul-size", "64"),
    *("--threads", "1"),
]


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed wheel (and nothing else of cnnref)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "cnnref", source / "cnnref", ignore=shutil.ignore_patterns("__pycache__")
    )
    # Without build isolation where setuptools is at hand: no download needed.
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    _pip("wheel", "--no-deps", *isolation, "-w", str(tmp / "dist"), str(source), cwd=tmp)
    (wheel,) = (tmp / "dist").glob("cnnref-*.whl")
    _pip("install", "--no-deps", "--target", str(tmp / "site"), str(wheel), cwd=tmp)
    return tmp / "site"


def _run(installed: Path, *args: str) -> str:
    outside = installed.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(installed), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, *args], cwd=outside, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{args}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.mark.slow
def test_the_wheel_runs_from_outside_the_repository(installed: Path) -> None:
    where = _run(installed, "-c", "import cnnref; print(cnnref.__file__)").strip()
    assert Path(where).is_relative_to(installed), where  # not the editable install
    files = {p.relative_to(installed).as_posix() for p in installed.rglob("*.py")}
    assert {"cnnref/factory.py", "cnnref/tasks/detection.py", "cnnref/models/vgg.py"} <= files

    assert "resnet152_tv" in _run(installed, "-m", "cnnref", "list")
    assert "25,557,032" in _run(installed, "-m", "cnnref", "params", "resnet")
    assert "25,557,032" in _run(
        installed, "-m", "cnnref", "summary", "resnet50", "--device", "meta"
    )
    out = installed.parent / "bench.json"
    _run(installed, "-m", "cnnref", "bench", "resnet18", *QUICK_BENCH, "--out", str(out))
    (record,) = json.loads(out.read_text())["results"]
    assert record["network"] == "resnet18" and record["ratio"] > 0
