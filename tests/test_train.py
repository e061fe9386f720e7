"""The training loop: it learns, stops where told, resumes exactly, and runs on two processes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from cnnref import train as training
from cnnref.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]


def regression_problem(n: int = 96) -> TensorDataset:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=gen)
    return TensorDataset(x, x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]))


def small_net(dropout: float = 0.2) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 1))


def test_loss_goes_down_and_the_log_has_one_record_per_epoch() -> None:
    model = small_net(dropout=0.0)
    lines: list[str] = []
    config = TrainConfig(epochs=6, batch_size=16, lr=0.05, progress=False)
    history = train(
        model,
        regression_problem(),
        F.mse_loss,
        config,
        evaluate=lambda m: {"weight_norm": m[0].weight.norm().item()},
        log=lines.append,
    )
    assert [r["epoch"] for r in history] == [1, 2, 3, 4, 5, 6]
    assert history[-1]["step"] == 6 * 6
    assert history[-1]["loss"] < 0.2 * history[0]["loss"]
    assert {"loss", "lr", "weight_norm", "seconds"} <= set(history[0])
    assert len(lines) == 6 and lines[0].startswith("epoch 1/6  step 6  loss ")
    assert not model.training  # left in eval mode


def test_steps_stop_mid_epoch() -> None:
    config = TrainConfig(steps=8, batch_size=16, progress=False)
    history = train(small_net(), regression_problem(), F.mse_loss, config, log=None)
    assert [r["step"] for r in history] == [6, 8]


def test_too_small_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="fewer than one batch of 64"):
        train(small_net(), regression_problem(10), F.mse_loss, TrainConfig(), log=None)


def _mse_interrupted_after(steps: int):
    """Mean squared error that raises KeyboardInterrupt on call `steps + 1`, as Ctrl-C would."""
    calls = 0

    def loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        nonlocal calls
        calls += 1
        if calls > steps:
            raise KeyboardInterrupt
        return F.mse_loss(output, target)

    return loss


def test_resume_gives_the_same_weights_as_an_unbroken_run(tmp_path: Path) -> None:
    data = regression_problem()
    config = TrainConfig(epochs=3, batch_size=16, lr=0.01, progress=False)
    unbroken = small_net()
    expected = train(unbroken, data, F.mse_loss, config, log=None)

    crashing_loss = _mse_interrupted_after(6)  # at the first step of the second epoch

    saving = TrainConfig(**{**config.__dict__, "checkpoint_dir": str(tmp_path)})
    with pytest.raises(KeyboardInterrupt):
        train(small_net(), data, crashing_loss, saving, log=None)
    assert (tmp_path / "checkpoint.pt").exists()

    lines: list[str] = []
    resumed = small_net()
    resuming = TrainConfig(**{**saving.__dict__, "resume": True})
    history = train(resumed, data, F.mse_loss, resuming, log=lines.append)
    assert lines[0].startswith("resumed from") and "after epoch 1, step 6" in lines[0]
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert history[-1]["loss"] == pytest.approx(expected[-1]["loss"])
    for a, b in zip(unbroken.parameters(), resumed.parameters(), strict=True):
        assert torch.allclose(a, b)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.cuda)])
def test_resume_restores_the_random_state_of_dropout(tmp_path: Path, device: str) -> None:
    # Dropout draws from the CPU's generator, or on a GPU from CUDA's: both are checkpointed.
    data = regression_problem()
    config = TrainConfig(epochs=2, batch_size=16, lr=0.01, progress=False, amp=False)
    unbroken = small_net(dropout=0.5)
    train(unbroken, data, F.mse_loss, config, device=device, log=None)

    crashing_loss = _mse_interrupted_after(6)  # at the first step of the second epoch

    saving = TrainConfig(**{**config.__dict__, "checkpoint_dir": str(tmp_path)})
    with pytest.raises(KeyboardInterrupt):
        train(small_net(dropout=0.5), data, crashing_loss, saving, device=device, log=None)
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert ("cuda_rng" in state) == torch.cuda.is_available()

    resumed = small_net(dropout=0.5)  # seeds every generator again: only the resume restores
    resuming = TrainConfig(**{**saving.__dict__, "resume": True})
    train(resumed, data, F.mse_loss, resuming, device=device, log=None)
    for a, b in zip(unbroken.parameters(), resumed.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_schedule_warms_up_then_decays() -> None:
    factor = training._schedule(total_steps=100, warmup=0.1)
    assert factor(0) == pytest.approx(0.1) and factor(9) == pytest.approx(1.0)
    assert factor(55) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))
    assert factor(99) < 0.01


def test_to_device_and_select_device() -> None:
    batch = (torch.zeros(2), {"a": [torch.ones(1)], "b": 3})
    moved = training.to_device(batch, torch.device("cpu"))
    assert isinstance(moved, tuple) and moved[1]["b"] == 3
    assert torch.equal(moved[1]["a"][0], torch.ones(1))
    assert training.select_device("cpu") == torch.device("cpu")
    assert not training.is_distributed()
    assert training.setup_distributed(torch.device("cpu")) == (0, 1)


DDP_SCRIPT = """
import json, os, sys
from cnnref import recipes
from cnnref.train import cleanup_distributed

out, checkpoints = sys.argv[1], sys.argv[2]
result = recipes.run("digits", quick=True, steps=8, device="cpu", checkpoint_dir=checkpoints)
rank = int(os.environ["RANK"])
record = {
    "world": int(os.environ["WORLD_SIZE"]),
    "metrics": result.metrics,
    "loss": result.history[-1]["loss"],
    "step": result.history[-1]["step"],
    "checksum": sum(p.double().sum().item() for p in result.model.parameters()),
}
with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
    json.dump(record, f)
cleanup_distributed()
"""


def test_two_cpu_processes_with_torchrun_agree(tmp_path: Path) -> None:
    script = tmp_path / "ddp_digits.py"
    script.write_text(textwrap.dedent(DDP_SCRIPT))
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        str(script),
        str(tmp_path),
        str(tmp_path / "checkpoints"),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["world"] == ranks[1]["world"] == 2
    assert ranks[0]["step"] == ranks[1]["step"] == 8
    assert ranks[0]["checksum"] == ranks[1]["checksum"]  # DDP kept the copies equal
    assert ranks[0]["metrics"] == ranks[1]["metrics"]
    assert ranks[0]["loss"] == ranks[1]["loss"]  # the mean over both processes
    assert (tmp_path / "checkpoints" / "checkpoint.pt").exists()
