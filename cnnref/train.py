"""A plain training loop, on one machine or many.

`train(model, dataset, loss_fn, config)` is the whole story, readable top to bottom: pick a
device, build a `DataLoader`, and for every epoch run the batches through the model, the
loss, `backward` and the optimiser (AdamW, with a linear warm-up and a cosine decay of the
learning rate), then log the epoch, evaluate on held-out data and save a checkpoint.

- **Device**: `select_device()`: CUDA if there is one, else the CPU (or what you name).
- **Mixed precision** on CUDA: the forward pass runs under `torch.autocast` in float16 and a
  `GradScaler` keeps small gradients from vanishing; the loss is computed in float32.
- **Checkpoints**: after every epoch, `checkpoint_dir/checkpoint.pt` holds the model, the
  optimiser, the schedule, the random state (the CPU's and every GPU's) and the log;
  `resume=True` continues from it and gives the same weights as a run that never stopped.
- **Several processes**: launched by `torchrun --nproc_per_node=K`, each process trains on
  its own share of every epoch (`DistributedSampler`) and `DistributedDataParallel` averages
  the gradients, so all copies of the model stay equal. The backend is NCCL on GPUs and gloo
  on CPUs. `steps` and `batch_size` are per process: one step sees `K x batch_size` images.

Example:
    >>> from cnnref.train import TrainConfig, train
    >>> import torch
    >>> from torch import nn
    >>> from torch.utils.data import TensorDataset
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> data = TensorDataset(torch.randn(64, 3), torch.randn(64, 1))
    >>> config = TrainConfig(epochs=2, batch_size=16, lr=0.01, progress=False)
    >>> history = train(nn.Linear(3, 1), data, nn.functional.mse_loss, config, log=None)
    >>> [record["epoch"] for record in history], history[-1]["step"]
    ([1, 2], 8)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler

__all__ = [
    "TrainConfig",
    "cleanup_distributed",
    "is_distributed",
    "select_device",
    "setup_distributed",
    "to_device",
    "train",
]

CHECKPOINT = "checkpoint.pt"


@dataclass
class TrainConfig:
    """How to train: everything a run needs besides the model, the data and the loss.

    Attributes:
        epochs: Passes over the training data.
        steps: If given, stop after this many optimiser steps instead (the last epoch may be
            cut short); the learning-rate schedule spans exactly these steps.
        batch_size: Images per step (per process under `torchrun`).
        lr: Peak learning rate of AdamW.
        weight_decay: AdamW's decoupled weight decay.
        warmup: Fraction of the steps spent raising the learning rate linearly from 0.
        amp: Mixed precision (float16 autocast and gradient scaling); only ever used on CUDA.
        seed: Seed of the shuffling (the model's initial weights are the caller's business).
        checkpoint_dir: Where to save `checkpoint.pt` after each epoch (`None`: nowhere).
        resume: Continue from `checkpoint_dir/checkpoint.pt` if it exists.
        progress: Show a tqdm progress bar per epoch.
        find_unused_parameters: Tell DDP that some parameters get no gradient (say, a model
            whose auxiliary heads run only on some steps).
        num_workers: `DataLoader` worker processes (0: load in the training process).
    """

    epochs: int = 10
    steps: int | None = None
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup: float = 0.05
    amp: bool = True
    seed: int = 0
    checkpoint_dir: str | None = None
    resume: bool = False
    progress: bool = True
    find_unused_parameters: bool = False
    num_workers: int = 0


# --- device and processes ---------------------------------------------------------------


def is_distributed() -> bool:
    """Whether this process was started by `torchrun` with more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def select_device(device: str | torch.device | None = None) -> torch.device:
    """The device to train on: the one named, else CUDA if available, else the CPU.

    Under `torchrun` on GPUs, each process takes the GPU of its `LOCAL_RANK`.

    Args:
        device: `"cpu"`, `"cuda"`, `"cuda:1"`, `"mps"`, ... or `None` to choose.

    Returns:
        The device.

    Example:
        >>> from cnnref.train import select_device
        >>> select_device("cpu")
        device(type='cpu')
    """
    if device is not None:
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return torch.device("cpu")


def setup_distributed(device: torch.device) -> tuple[int, int]:
    """Join the process group when launched by `torchrun` (NCCL on CUDA, gloo otherwise).

    Args:
        device: This process's device; on CUDA it becomes the current device.

    Returns:
        `(rank, world_size)`; `(0, 1)` for a single process.
    """
    if not is_distributed():
        return 0, 1
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return dist.get_rank(), dist.get_world_size()


def cleanup_distributed() -> None:
    """Leave the process group, if this process joined one."""
    if dist.is_initialized():
        dist.destroy_process_group()


def to_device(batch: Any, device: torch.device) -> Any:
    """Move tensors, and tensors inside lists, tuples and dicts, to `device`."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {key: to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(value, device) for value in batch)
    return batch


# --- the loop ---------------------------------------------------------------------------


def _schedule(total_steps: int, warmup: float) -> Callable[[int], float]:
    """Learning-rate factor per step: linear warm-up, then cosine decay to 0."""
    warmup_steps = max(1, round(warmup * total_steps))

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def _cuda_rng() -> dict[str, list[torch.Tensor]]:
    """The random state of every GPU, for the checkpoint (nothing without CUDA)."""
    if not torch.cuda.is_available():
        return {}
    return {"cuda_rng": torch.cuda.get_rng_state_all()}


def _format(record: dict[str, float], epochs: int) -> str:
    parts = [f"epoch {record['epoch']}/{epochs}", f"step {record['step']}"]
    for key, value in record.items():
        if key not in ("epoch", "step", "seconds"):
            parts.append(f"{key} {value:.4g}")
    return "  ".join(parts) + f"  ({record['seconds']:.1f} s)"


def _progress(batches: Any, description: str, show: bool) -> Any:
    """A tqdm bar over `batches` (disabled unless `show`).

    tqdm is imported here, not at the top: in a Jupyter kernel without ipywidgets, importing
    `tqdm.auto` warns (naming the machine's paths) even when no bar is ever shown.
    """
    if not show:
        from tqdm import tqdm  # the plain bar, disabled: nothing printed, no warning
    else:
        from tqdm.auto import tqdm
    return tqdm(batches, desc=description, disable=not show, leave=False)


def train(
    model: nn.Module,
    dataset: Dataset,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    config: TrainConfig | None = None,
    *,
    collate_fn: Callable | None = None,
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
    device: str | torch.device | None = None,
    log: Callable[[str], None] | None = print,
) -> list[dict[str, float]]:
    """Train `model` on `dataset`, logging (and evaluating) after every epoch.

    Args:
        model: The network; moved to the device and trained in place.
        dataset: Items `(input, target)`; `target` may be anything `loss_fn` understands.
        loss_fn: `loss_fn(output, target) -> 0-d tensor`, with the model's output as float32.
        config: How to train (`TrainConfig()` if not given).
        collate_fn: How to batch the items (the `DataLoader`'s default if not given).
        evaluate: Called with the model (in eval mode, without gradients) after each epoch;
            the metrics it returns join the epoch's record.
        device: Where to train (`select_device(device)`).
        log: Called with one line per epoch on the first process (`None`: silent).

    Returns:
        The log: one dict per epoch with `epoch`, `step`, the mean training `loss`, `lr`,
        the evaluation metrics and `seconds`. The model is left in eval mode.

    Raises:
        ValueError: If the dataset has fewer items than one batch per process.
    """
    config = config or TrainConfig()
    device = select_device(device)
    rank, world_size = setup_distributed(device)
    model.to(device)
    net = model
    if world_size > 1:
        ids = [device.index] if device.type == "cuda" else None
        net = DistributedDataParallel(
            model, device_ids=ids, find_unused_parameters=config.find_unused_parameters
        )

    if len(dataset) < config.batch_size * world_size:
        raise ValueError(
            f"train: {len(dataset)} items are fewer than one batch of {config.batch_size} "
            f"for each of {world_size} process(es)"
        )
    sampler = (
        DistributedSampler(dataset, world_size, rank, shuffle=True, seed=config.seed)
        if world_size > 1
        else None
    )
    shuffle_rng = torch.Generator()
    loader = DataLoader(
        dataset,
        batch_size=config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        generator=shuffle_rng,
        collate_fn=collate_fn,
        drop_last=True,  # equal batches: no tiny last batch for batch norm to choke on
        num_workers=config.num_workers,
        pin_memory=device.type == "cuda",
    )
    total_steps = config.steps or config.epochs * len(loader)
    epochs = math.ceil(total_steps / len(loader))

    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(total_steps, config.warmup))
    use_amp = config.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler(device.type, enabled=use_amp)

    start_epoch, step, history = 0, 0, []
    path = Path(config.checkpoint_dir) / CHECKPOINT if config.checkpoint_dir else None
    if path is not None and config.resume and path.exists():
        state = torch.load(path, map_location=device, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        torch.set_rng_state(state["rng"].cpu())
        if torch.cuda.is_available():  # dropout on the GPU draws from these
            for index, rng in enumerate(state.get("cuda_rng", [])[: torch.cuda.device_count()]):
                torch.cuda.set_rng_state(rng.cpu(), index)
        start_epoch, step, history = state["epoch"], state["step"], state["history"]
        if log and rank == 0:
            log(f"resumed from {path} after epoch {start_epoch}, step {step}")

    for epoch in range(start_epoch, epochs):
        if step >= total_steps:
            break
        started = time.perf_counter()
        net.train()
        shuffle_rng.manual_seed(config.seed + epoch)  # the same order after a resume
        if sampler is not None:
            sampler.set_epoch(epoch)
        loss_sum = torch.zeros((), device=device)
        seen = torch.zeros((), device=device)
        bar = _progress(loader, f"epoch {epoch + 1}/{epochs}", config.progress and rank == 0)
        for images, targets in bar:
            images, targets = to_device(images, device), to_device(targets, device)
            with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
                output = net(images)
            if isinstance(output, torch.Tensor):
                output = output.float()  # the loss in float32, whatever autocast did
            loss = loss_fn(output, targets)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            step += 1
            loss_sum += loss.detach() * len(images)
            seen += len(images)
            if step % 10 == 0 and not bar.disable:  # .item() waits for the GPU: only if shown
                bar.set_postfix(loss=f"{loss.item():.4f}")
            if step >= total_steps:
                break
        if world_size > 1:  # the mean loss over all processes
            dist.all_reduce(loss_sum)
            dist.all_reduce(seen)
        record = {
            "epoch": epoch + 1,
            "step": step,
            "loss": (loss_sum / seen).item(),
            "lr": optimizer.param_groups[0]["lr"],
        }
        if evaluate is not None:
            model.eval()
            with torch.no_grad():
                record.update(evaluate(model))
        record["seconds"] = time.perf_counter() - started
        history.append(record)
        if log and rank == 0:
            log(_format(record, epochs))
        if path is not None:
            if rank == 0:
                path.parent.mkdir(parents=True, exist_ok=True)
                state = {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "scaler": scaler.state_dict(),
                    "rng": torch.get_rng_state(),
                    **_cuda_rng(),
                    "epoch": epoch + 1,
                    "step": step,
                    "history": history,
                    "config": asdict(config),
                }
                torch.save(state, path)
            if world_size > 1:
                dist.barrier()  # nobody reads a half-written checkpoint
    model.eval()
    return history
