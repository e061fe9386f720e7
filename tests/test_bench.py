"""Smoke test of the benchmark harness: tiny inputs, one timed step, no torch.compile.

Measuring is the package's (`cnnref.bench`); reading the results, the tables and the plot are
the site's (`docs/gen/perf.py`).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest
import torch

import cnnref
from cnnref import bench

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
from gen import perf  # noqa: E402  (the site's generators live in docs/)

TINY = ["--image-size", "32", "--batch-sizes", "1", "--train-batch", "2"]
# One thread: with two, a machine busy with other work makes every OpenMP barrier wait.
FAST = ["--warmup", "1", "--repeats", "1", "--min-time-s", "0", "--matmul-size", "64"]
FAST += ["--threads", "1"]


def test_pair_and_cnnref_only_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "cpu.json"
    before = torch.get_num_threads()
    argv = ["resnet18", "lenet5", *TINY, *FAST, "--modes", "eager", "channels_last"]
    assert bench.main([*argv, "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["machine"]["torch"] == torch.__version__
    assert data["protocol"]["image_size"] == 32
    assert data["machine"]["torch_threads"] == 1
    assert torch.get_num_threads() == before  # restored after the run
    pair = [r for r in data["results"] if r["kind"] == "pair"]
    assert {(r["mode"], r["workload"]) for r in pair} == {
        (m, w) for m in ("eager", "channels_last") for w in ("infer_b1", "train")
    }
    for r in pair:
        assert r["params"]["cnnref"] == r["params"]["torchvision"] == 11_689_512
        assert r["ratio"] > 0
        assert r["cnnref"]["matmul_fraction"] > 0
    lenet = [r for r in data["results"] if r["network"] == "lenet5"]
    assert lenet and all("torchvision" not in r for r in lenet)
    assert lenet[0]["input_size"] == [1, 32, 32]

    loaded = perf.load_results(tmp_path)
    assert list(loaded["runs"]) == ["cpu"]
    table = perf.ratio_table_markdown(loaded)
    assert table.splitlines()[0].startswith("| network | eager b1 | eager train b2 |")
    assert "| resnet18 |" in table
    assert "lenet5" in perf.ceiling_table_markdown(loaded)
    svg = perf.throughput_plot_svg(loaded)
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert svg == perf.throughput_plot_svg(loaded)  # reproducible


def test_nothing_is_written_without_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["lenet5", *TINY, *FAST, "--modes", "eager", "--train-batch", "0"]
    assert bench.main(argv) == 0
    assert list(tmp_path.iterdir()) == []


def test_compile_failure_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(torch, "compile", broken)
    proto = bench.Protocol.cpu_defaults()
    proto.image_size, proto.batch_sizes, proto.train_batch = 32, (1,), 0
    proto.modes, proto.compile_networks, proto.repeats, proto.min_time_s = ("compile",), (), 1, 0
    proto.matmul_size, proto.threads = 64, 1
    data = bench.run([("pair", "resnet18")], proto, log=lambda line: None)
    (record,) = data["results"]
    assert record["error"] == "RuntimeError: no compiler here"
    assert "error" in perf.ratio_table_markdown(data)


def test_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown network 'resnet19'"):
        bench.expand_names(["resnet19"])
    assert bench.expand_names(["cnnref:alexnet"]) == [("cnnref", "alexnet")]
    assert len(bench.expand_names(["all"])) == len(bench.PAIRS) + len(bench.ONLY_CNNREF)


def test_the_networks_come_from_the_registry() -> None:
    assert bench.PAIRS == cnnref.TORCHVISION_NAMES
    twins = {cnnref.torchvision_variant(n) for n in bench.PAIRS}
    assert set(bench.ONLY_CNNREF) == set(cnnref.list_models()) - twins
    assert {"alexnet", "googlenet", "vgg11_lrn", "unet"} <= set(bench.ONLY_CNNREF)


def test_no_path_in_the_package_points_into_the_repository() -> None:
    # An installed wheel has no benchmarks/ or docs/ beside it.
    for path in (ROOT / "cnnref").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "benchmarks" not in node.value.split("/")[:1], path
            if isinstance(node, ast.Attribute) and node.attr == "parents":
                pytest.fail(f"{path.name} climbs out of the package with Path.parents")


def test_committed_results_load() -> None:
    results = perf.load_results()
    assert results["results"], "benchmarks/results/ holds no measurements"
    assert "| resnet50 |" in perf.ratio_table_markdown(results)
