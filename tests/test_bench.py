"""Smoke test of the benchmark harness: tiny inputs, one timed step, no torch.compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from cnnref import bench

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

    loaded = bench.load_results(tmp_path)
    assert list(loaded["runs"]) == ["cpu"]
    table = bench.ratio_table_markdown(loaded)
    assert table.splitlines()[0].startswith("| network | eager b1 | eager train b2 |")
    assert "| resnet18 |" in table
    assert "lenet5" in bench.ceiling_table_markdown(loaded)
    svg = bench.throughput_plot_svg(loaded)
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert svg == bench.throughput_plot_svg(loaded)  # reproducible


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
    assert "error" in bench.ratio_table_markdown(data)


def test_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown network 'resnet19'"):
        bench.expand_names(["resnet19"])
    assert bench.expand_names(["cnnref:alexnet"]) == [("cnnref", "alexnet")]
    assert len(bench.expand_names(["all"])) == len(bench.PAIRS) + len(bench.ONLY_CNNREF)


def test_committed_results_load() -> None:
    results = bench.load_results()
    assert results["results"], "benchmarks/results/ holds no measurements"
    assert "| resnet50 |" in bench.ratio_table_markdown(results)
