"""Benchmark cnnref against torchvision: throughput, peak memory and the matmul ceiling.

For every network torchvision shares with us, both implementations are built with the same
weights (`cnnref.from_torchvision`) and measured in the same process, interleaved (run by run,
alternating which goes first), after warm-up: images per second as the median of repeated runs,
for inference at each batch size and for a training step (forward, backward, SGD step), in three
modes: eager, `channels_last` and `torch.compile`. The networks only cnnref has (LeNet-5, the
paper's AlexNet and GoogLeNet, VGG A-LRN and C, Attention-56/92, U-Net) get their throughput and
the multiply-add rate they reach as a fraction of the machine's dense matmul rate, measured in
the same process: the practical ceiling for convolution-heavy work.

Measure your own machine:

    python -m cnnref bench resnet50                   # one pair, CPU defaults
    python -m cnnref bench all --device cuda --out my.json
    python -m cnnref bench cnnref:alexnet --full      # the paper's AlexNet, the full protocol

Results go where `--out` says (a JSON file; nothing is written without it). The site's
Performance page is rendered from the JSON committed in the repository's `benchmarks/results/`
(by `docs/gen/perf.py`); nothing is measured while the site builds.

Example:
    >>> from cnnref.bench import expand_names
    >>> expand_names(["resnet18", "cnnref:alexnet", "lenet5"])
    [('pair', 'resnet18'), ('cnnref', 'alexnet'), ('cnnref', 'lenet5')]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import datetime
import json
import math
import os
import platform
import re
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from cnnref.compat import TORCHVISION_NAMES, from_torchvision, torchvision_variant
from cnnref.factory import create_model
from cnnref.registry import get_card, list_models

__all__ = ["ONLY_CNNREF", "PAIRS", "Protocol", "expand_names", "machine", "main", "run"]

PAIRS: tuple[str, ...] = TORCHVISION_NAMES
"""torchvision's builders with a cnnref twin: measured side by side."""

ONLY_CNNREF: tuple[str, ...] = tuple(
    name for name in list_models() if name not in {torchvision_variant(n) for n in PAIRS}
)
"""The registered networks that are no torchvision twin (the paper's AlexNet and GoogLeNet,
VGG A-LRN and C, ResNet-50/101/152 v1, LeNet-5, U-Net, ...): measured against the matmul
ceiling."""

MODES: tuple[str, ...] = ("eager", "channels_last", "compile")


@dataclasses.dataclass
class Protocol:
    """What to measure and how often. `cpu_defaults()` and `full()` are the two presets.

    Attributes:
        device: `"cpu"` or `"cuda"` (any `torch.device` string).
        image_size: Height and width of the input; a network that refuses it gets its
            `min_input_size`, then its paper's size.
        batch_sizes: Inference batch sizes.
        train_batch: Batch size of the training step (0: no training step).
        modes: Among `eager`, `channels_last`, `compile`.
        dtypes: `float32`, or the autocast dtypes `float16` / `bfloat16`.
        compile_workloads: Workloads measured under `torch.compile` (`infer_b1`, `train`...);
            compiling takes tens of seconds per network and workload on a small CPU.
        compile_networks: The networks measured under `torch.compile` (empty: all).
        only_cnnref_modes: Modes for the networks without a torchvision twin.
        warmup: Untimed steps before the timed ones (the first one compiles).
        repeats: The fewest timed steps per implementation; the figure is their median.
        min_time_s: Fast steps are timed until each implementation has run this long.
        matmul_size: Side of the square matmul timed, a few times per workload, between
            the steps: the ceiling the multiply-add rates are compared with. It runs in the
            faster of `torch.matmul` and (CPU, float32) oneDNN, measured at the start.
        threads: `torch.set_num_threads` for the run (0: leave torch's default). On a
            machine other jobs share, 1 thread gives stable figures where several threads
            wait on each other at every OpenMP barrier.
        clock: `"wall"`, or `"cpu"`: the process's CPU time, which leaves out the time other
            jobs hold the core; with 1 thread, what one idle core would deliver (CPU only).
    """

    device: str = "cpu"
    image_size: int = 224
    batch_sizes: tuple[int, ...] = (1, 32)
    train_batch: int = 32
    modes: tuple[str, ...] = MODES
    dtypes: tuple[str, ...] = ("float32",)
    compile_workloads: tuple[str, ...] = ("infer_b1", "infer_b32", "train")
    compile_networks: tuple[str, ...] = ()
    only_cnnref_modes: tuple[str, ...] = MODES
    warmup: int = 3
    repeats: int = 10
    min_time_s: float = 2.0
    matmul_size: int = 4096
    threads: int = 0
    clock: str = "wall"

    @classmethod
    def full(cls, device: str = "cpu") -> Protocol:
        """The full protocol: 224x224, batch 1 and 32, every mode and workload.

        On the CPU in float32; elsewhere in float16 and bfloat16 autocast.
        """
        dtypes = ("float32",) if torch.device(device).type == "cpu" else ("float16", "bfloat16")
        return cls(device=device, dtypes=dtypes)

    @classmethod
    def cpu_defaults(cls) -> Protocol:
        """The preset for a small shared CPU (the committed CPU run's; its time is in the JSON).

        Smaller images (112x112, a quarter of the work of 224x224), a training batch of 8,
        at least 5 timed steps (1 s for fast ones), `torch.compile` at batch 1 only and for
        five networks, eager only for the networks without a twin.
        """
        return cls(
            device="cpu",
            image_size=112,
            batch_sizes=(1, 32),
            train_batch=8,
            compile_workloads=("infer_b1",),
            compile_networks=("alexnet", "vgg16_bn", "googlenet", "resnet18", "resnet50"),
            only_cnnref_modes=("eager",),
            warmup=1,
            repeats=5,
            min_time_s=1.0,
            matmul_size=1024,
        )


def expand_names(names: list[str]) -> list[tuple[str, str]]:
    """Turn command-line names into `(kind, name)` jobs.

    Args:
        names: torchvision builder names (measured as a pair), `cnnref:NAME` or a cnnref name
            torchvision lacks (measured alone), or the groups `all`, `pairs`, `cnnref-only`.

    Returns:
        `("pair", torchvision_name)` or `("cnnref", registry_name)` for each network.

    Raises:
        ValueError: If a name is neither a torchvision twin nor a registered model.
    """
    jobs: list[tuple[str, str]] = []
    for name in names:
        if name in ("all", "pairs"):
            jobs += [("pair", n) for n in PAIRS]
        if name in ("all", "cnnref-only"):
            jobs += [("cnnref", n) for n in ONLY_CNNREF]
        if name in ("all", "pairs", "cnnref-only"):
            continue
        if name in PAIRS:
            jobs.append(("pair", name))
        elif name.removeprefix("cnnref:") in list_models():
            jobs.append(("cnnref", name.removeprefix("cnnref:")))
        else:
            raise ValueError(
                f"bench: unknown network {name!r}; expected a torchvision name "
                f"({', '.join(PAIRS)}), cnnref:NAME with NAME from `python -m cnnref list`, "
                "or all / pairs / cnnref-only"
            )
    return jobs


# --- measuring -------------------------------------------------------------------------------


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(step: Callable[[], None], device: torch.device) -> tuple[float, float]:
    """Seconds one call takes: `(wall clock, CPU time of this process)`."""
    _sync(device)
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    _sync(device)
    return time.perf_counter() - wall, time.process_time() - cpu


def _proc_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(re.search(rf"^{field}:\s+(\d+)", f.read(), re.MULTILINE).group(1))


def _mallopt(mmap_threshold: int, trim: bool = False) -> None:
    """Set glibc's mmap and trim thresholds (a no-op where the C library is not glibc).

    With `trim`, also hand the heap's free memory back to the OS now (`malloc_trim`).
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 2 * mmap_threshold)  # M_TRIM_THRESHOLD
        if trim:
            libc.malloc_trim(0)


def _peak_memory_mb(step: Callable[[], None], device: torch.device) -> float | None:
    """Memory a step needs above what is already allocated (weights, input, optimizer state).

    CUDA: `max_memory_allocated`. CPU: the growth of the resident set (Linux's VmHWM, reset
    through `/proc/self/clear_refs`); `None` where the OS offers neither. For that step glibc
    gives every block over 64 KiB its own mapping, returned at once, so that the resident set
    follows live memory; afterwards the thresholds are 32 MiB (mmap) and 64 MiB (trim), where
    glibc's own sliding threshold settles, so the timed steps do not pay for page faults.
    """
    if device.type == "cuda":
        _sync(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        _sync(device)
        return (torch.cuda.max_memory_allocated(device) - base) / 2**20
    _mallopt(64 * 2**10, trim=True)
    try:
        base = _proc_kib("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak resident set size (VmHWM)
        step()
        return (_proc_kib("VmHWM") - base) / 1024
    except (OSError, AttributeError):
        step()
        return None
    finally:
        _mallopt(32 * 2**20)


def _loss(output: torch.Tensor | tuple | dict) -> torch.Tensor:
    """Cross-entropy against class 0 (per pixel for segmentation); auxiliary heads weigh 0.3."""
    if isinstance(output, dict):
        output = tuple(output.values())
    outputs = output if isinstance(output, (tuple, list)) else (output,)
    total = 0.0
    for i, logits in enumerate(outputs):
        target = torch.zeros(
            (logits.shape[0], *logits.shape[2:]), dtype=torch.long, device=logits.device
        )
        total = total + (1.0 if i == 0 else 0.3) * F.cross_entropy(logits.float(), target)
    return total


def _autocast(device: torch.device, dtype: str) -> contextlib.AbstractContextManager:
    if dtype == "float32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=getattr(torch, dtype))


def _make_step(
    model: nn.Module, x: torch.Tensor, train: bool, device: torch.device, dtype: str
) -> Callable[[], None]:
    """One inference batch, or one training step (forward, backward, SGD with momentum)."""
    if not train:

        def infer() -> None:
            with torch.inference_mode(), _autocast(device, dtype):
                model(x)

        return infer

    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    scaler = torch.amp.GradScaler(device.type) if dtype == "float16" else None

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with _autocast(device, dtype):
            loss = _loss(model(x))
        if scaler is None:
            loss.backward()
            optimizer.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

    return train_step


def _compare(
    steps: dict[str, Callable[[], None]],
    batch: int,
    proto: Protocol,
    device: torch.device,
    matmul: Callable[[], None],
) -> tuple[dict[str, dict], float]:
    """Warm up, then time the implementations step by step, alternating between them.

    Alternating single steps (A B B A A B ...) gives both the same share of whatever else
    the machine is doing; the median step time ignores the bursts. `matmul` is timed five
    times spread over the same loop, so the ceiling is measured under the same load.

    Returns:
        The figures per implementation, and the median matmul time in seconds.
    """
    clock = 1 if proto.clock == "cpu" else 0  # which of `_timed`'s two figures counts
    out: dict[str, dict] = {}
    step_times = []
    for name, step in steps.items():
        first = _timed(step, device)[0]  # includes compilation under torch.compile
        for _ in range(proto.warmup - 1):
            step()
        start = time.perf_counter()
        peak = _peak_memory_mb(step, device)  # also the step that sets the number of samples
        out[name] = {"first_call_s": round(first, 4), "peak_memory_mb": peak}
        step_times.append(time.perf_counter() - start)
    step_s = statistics.mean(step_times)
    samples = max(proto.repeats, min(500, math.ceil(proto.min_time_s / max(step_s, 1e-6))))
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    order = list(steps)
    matmul()  # warm
    matmul_times = []
    for k in range(samples):
        for name in order if k % 2 == 0 else order[::-1]:
            times[name].append(_timed(steps[name], device))
        if k % math.ceil(samples / 5) == 0:
            matmul_times.append(_timed(matmul, device)[clock])
    for name, pairs in times.items():
        ts = [t[clock] for t in pairs]
        q1, median, q3 = statistics.quantiles(ts, n=4) if len(ts) > 1 else ts * 3
        out[name].update(
            images_per_s=round(batch / median, 3),
            wall_images_per_s=round(batch / statistics.median(t[0] for t in pairs), 3),
            steps=len(ts),
            step_s={"min": min(ts), "q1": q1, "median": median, "q3": q3, "max": max(ts)},
        )
        out[name]["step_s"] = {k: round(v, 6) for k, v in out[name]["step_s"].items()}
    return out, statistics.median(matmul_times)


def _matmul_step(
    device: torch.device, dtype: str, size: int, library: str = "torch.matmul"
) -> Callable[[], None]:
    """One dense `size`x`size` matmul in `dtype`: `size**3` multiply-adds.

    `library="oneDNN"` runs it as oneDNN's inner product, the library PyTorch's CPU
    convolutions use; `torch.matmul` goes to MKL or OpenBLAS, which on some CPUs (AMD's
    with MKL) reach half of what the same cores do in oneDNN.
    """
    a = torch.randn(size, size, device=device, dtype=getattr(torch, dtype))
    b = torch.randn(size, size, device=device, dtype=getattr(torch, dtype))
    if library == "oneDNN":
        a, b = a.to_mkldnn(), b.to_mkldnn()
        return lambda: torch._C._nn.mkldnn_linear(a, b)
    return lambda: a @ b


def _matmul_rate(device: torch.device, dtype: str, size: int, clock: str, repeats: int = 7) -> dict:
    """The fastest dense matmul on the device: the median rate of each library, and the best."""
    libraries = ["torch.matmul"]
    if device.type == "cpu" and dtype == "float32" and torch.backends.mkldnn.is_available():
        libraries.append("oneDNN")
    rates = {}
    for library in libraries:
        try:
            step = _matmul_step(device, dtype, size, library)
            for _ in range(2):
                step()
        except (RuntimeError, AttributeError):  # a PyTorch without that oneDNN entry point
            continue
        seconds = statistics.median(_timed(step, device)[clock == "cpu"] for _ in range(repeats))
        rates[library] = round(size**3 / seconds)
    best = max(rates, key=rates.__getitem__)
    return {
        "size": size,
        "dtype": dtype,
        "library": best,
        "macs_per_s": rates[best],
        "macs_per_s_by_library": rates,
    }


# --- building --------------------------------------------------------------------------------


def _input_size(name: str, preferred: int) -> tuple[int, int, int]:
    """`(C, H, W)`: `preferred` if the model accepts it, else its minimum, else its paper's."""
    card = get_card(name)
    channels, native = card.input_size[0], card.input_size[1]
    for size in (preferred, card.min_input_size, native):
        with torch.device("meta"):
            model = create_model(name).eval()
            try:
                model(torch.empty(1, channels, size, size))
            except (ValueError, RuntimeError, NotImplementedError):
                continue
        return channels, size, size
    return card.input_size


def _mult_adds(model_fn: Callable[[], nn.Module], size: tuple[int, int, int]) -> int:
    import torchinfo

    with torch.device("meta"):
        model = model_fn().eval()
    stats = torchinfo.summary(model, input_size=(1, *size), device="meta", verbose=0)
    return int(stats.total_mult_adds)


def _build(kind: str, name: str, device: torch.device) -> dict[str, nn.Module]:
    """The models to compare: cnnref's twin with torchvision's weights, and torchvision's."""
    torch.manual_seed(0)
    if kind == "cnnref":
        return {"cnnref": create_model(name).to(device)}
    import torchvision

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GoogLeNet's note about its default initialisation
        tv = getattr(torchvision.models, name)(weights=None)
    return {
        "cnnref": from_torchvision(name, tv.state_dict()).to(device),
        "torchvision": tv.to(device),
    }


# --- the run ---------------------------------------------------------------------------------


def _workloads(proto: Protocol) -> list[tuple[str, int, bool]]:
    loads = [(f"infer_b{b}", b, False) for b in proto.batch_sizes]
    if proto.train_batch:
        loads.append(("train", proto.train_batch, True))
    return loads


def _bench_network(
    kind: str, name: str, proto: Protocol, device: torch.device, matmul: dict, log: Callable
) -> list[dict]:
    cnnref_name = torchvision_variant(name) if kind == "pair" else name
    size = _input_size(cnnref_name, proto.image_size)
    models = _build(kind, name, device)
    macs = _mult_adds(lambda: create_model(cnnref_name), size)
    common = {
        "network": name,
        "kind": kind,
        "cnnref_model": cnnref_name,
        "torchvision_model": name if kind == "pair" else None,
        "params": {k: sum(p.numel() for p in m.parameters()) for k, m in models.items()},
        "input_size": list(size),
        "mult_adds_per_image": macs,
    }
    modes = proto.modes if kind == "pair" else proto.only_cnnref_modes
    records = []
    for mode in modes:
        for m in models.values():
            fmt = torch.channels_last if mode == "channels_last" else torch.contiguous_format
            m.to(memory_format=fmt)
        for dtype in proto.dtypes:
            for workload, batch, train in _workloads(proto):
                if mode == "compile" and (
                    workload not in proto.compile_workloads
                    or (proto.compile_networks and name not in proto.compile_networks)
                ):
                    continue
                record = {
                    **common,
                    "mode": mode,
                    "dtype": dtype,
                    "workload": workload,
                    "batch": batch,
                }
                library = matmul[dtype]["library"]
                record.update(
                    _measure(models, mode, dtype, batch, train, size, proto, device, library)
                )
                _add_ceiling(record, train)
                records.append(record)
                log(_format_record(record))
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return records


def _measure(
    models: dict[str, nn.Module],
    mode: str,
    dtype: str,
    batch: int,
    train: bool,
    size: tuple[int, int, int],
    proto: Protocol,
    device: torch.device,
    matmul_library: str,
) -> dict:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(batch, *size, generator=generator).to(device)
    if mode == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    if mode == "compile":
        torch._dynamo.reset()  # a fresh cache: no recompilation limit reached by earlier work
    try:
        steps = {}
        for impl, model in models.items():
            model.train(train)
            if mode == "compile":
                model = torch.compile(model, dynamic=False)
            steps[impl] = _make_step(model, x, train, device, dtype)
        matmul = _matmul_step(device, dtype, proto.matmul_size, matmul_library)
        result, matmul_s = _compare(steps, batch, proto, device, matmul)
    except Exception as err:  # recorded in the JSON; the run goes on
        torch._dynamo.reset()
        return {"error": f"{type(err).__name__}: {str(err).strip()[:600]}"}
    result["matmul_macs_per_s"] = round(proto.matmul_size**3 / matmul_s)
    if "torchvision" in result:
        result["ratio"] = round(
            result["cnnref"]["images_per_s"] / result["torchvision"]["images_per_s"], 4
        )
    return result


def _add_ceiling(record: dict, train: bool) -> None:
    """Achieved multiply-adds per second over the matmul rate (a training step counts 3x)."""
    for impl in ("cnnref", "torchvision"):
        if isinstance(record.get(impl), dict):
            rate = (
                record[impl]["images_per_s"] * record["mult_adds_per_image"] * (3 if train else 1)
            )
            record[impl]["matmul_fraction"] = round(rate / record["matmul_macs_per_s"], 4)


def _format_record(r: dict) -> str:
    head = f"{r['network']:12s} {r['kind']:6s} {r['mode']:13s} {r['dtype']:8s} {r['workload']:9s}"
    if "error" in r:
        return f"{head} error: {r['error'][:120]}"
    text = f"{head} cnnref {r['cnnref']['images_per_s']:9.2f} img/s"
    if "torchvision" in r:
        text += (
            f"  torchvision {r['torchvision']['images_per_s']:9.2f} img/s  ratio {r['ratio']:.3f}"
        )
    else:
        text += f"  {r['cnnref']['matmul_fraction']:.1%} of matmul"
    return text


def _cpu_name() -> str:
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            match = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.MULTILINE)
        if match:
            return match.group(1).strip()
    return platform.processor() or platform.machine()


def machine(device: torch.device) -> dict:
    """Describe the machine: CPU, threads, versions, GPU."""
    import torchvision

    info = {
        "cpu": _cpu_name(),
        "logical_cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "os": platform.platform(),
        "gpu": None,
        "cuda": None,
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
        info["cuda"] = torch.version.cuda
    with contextlib.suppress(OSError):
        info["load_average_at_start"] = [round(v, 2) for v in os.getloadavg()]
    return info


def run(jobs: list[tuple[str, str]], proto: Protocol, log: Callable[[str], None] = print) -> dict:
    """Measure every job and return the JSON-ready results.

    Args:
        jobs: From `expand_names`.
        proto: What to measure.
        log: Called with one line per measurement.

    Returns:
        `{"machine", "protocol", "matmul", "results", "duration_s", ...}`.
    """
    device = torch.device(proto.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    else:
        _mallopt(32 * 2**20)  # from the start, the thresholds every timed step runs with
    threads = torch.get_num_threads()
    if proto.threads:
        torch.set_num_threads(proto.threads)
    try:
        started = time.perf_counter()
        info = machine(device)
        matmul = {d: _matmul_rate(device, d, proto.matmul_size, proto.clock) for d in proto.dtypes}
        for d, m in matmul.items():
            rates = ", ".join(f"{k} {v / 1e9:.1f}" for k, v in m["macs_per_s_by_library"].items())
            log(f"matmul {d}, G multiply-adds/s: {rates}; the ceiling: {m['library']}")
        results = []
        for kind, name in jobs:
            results += _bench_network(kind, name, proto, device, matmul, log)
    finally:
        torch.set_num_threads(threads)
    with contextlib.suppress(OSError):
        info["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    return {
        "schema": 1,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": info,
        "protocol": dataclasses.asdict(proto),
        "matmul": matmul,
        "duration_s": round(time.perf_counter() - started, 1),
        "results": results,
    }


# --- the command line ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m cnnref bench",
        description="Measure cnnref against torchvision (throughput, peak memory).",
    )
    p.add_argument(
        "names", nargs="+", help="torchvision names, cnnref:NAME, all, pairs, cnnref-only"
    )
    p.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    p.add_argument("--full", action="store_true", help="the full protocol (224x224, every mode)")
    p.add_argument("--image-size", type=int)
    p.add_argument("--batch-sizes", type=int, nargs="+")
    p.add_argument("--train-batch", type=int, help="0: no training step")
    p.add_argument("--modes", nargs="+", choices=MODES)
    p.add_argument("--dtypes", nargs="+", choices=("float32", "float16", "bfloat16"))
    p.add_argument("--compile-workloads", nargs="+", help="infer_b1, infer_b32, train ...")
    p.add_argument("--compile-networks", nargs="*", help="empty: every network")
    p.add_argument("--warmup", type=int)
    p.add_argument("--repeats", type=int)
    p.add_argument("--min-time-s", type=float)
    p.add_argument("--matmul-size", type=int)
    p.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    p.add_argument("--clock", choices=("wall", "cpu"), help="cpu: process CPU time (1 thread)")
    p.add_argument("--out", type=Path, help="write the JSON here (nothing is written without it)")
    p.add_argument("--note", default="", help="text stored with the results")
    return p


def protocol_from_args(args: argparse.Namespace) -> Protocol:
    """The preset for the device (`--full` or the defaults), with the options applied."""
    device = torch.device(args.device)
    if args.full or device.type != "cpu":
        proto = Protocol.full(args.device)
    else:
        proto = Protocol.cpu_defaults()
    if args.modes:
        proto.only_cnnref_modes = tuple(args.modes)
    for field in dataclasses.fields(Protocol):
        value = getattr(args, field.name, None)
        if value is not None:
            setattr(proto, field.name, tuple(value) if isinstance(value, list) else value)
    return proto


def main(argv: list[str]) -> int:
    """Run `python -m cnnref bench NAME... [--device cuda] [--full] [--out FILE]`.

    Args:
        argv: The arguments after `bench`.

    Returns:
        The exit status: 0, or 1 if a measurement failed (it is recorded in the JSON).
    """
    args = _parser().parse_args(argv)
    jobs = expand_names(args.names)
    proto = protocol_from_args(args)
    if torch.device(proto.device).type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"bench: --device {proto.device} asked for, but CUDA is not available")
    if proto.clock == "cpu" and (torch.device(proto.device).type != "cpu" or proto.threads != 1):
        raise ValueError("bench: --clock cpu measures one CPU thread: add --threads 1 (CPU only)")
    data = run(jobs, proto, log=lambda line: print(line, flush=True))
    data["command"] = shlex.join(["python", "-m", "cnnref", "bench", *argv])
    data["note"] = args.note
    ratios = sorted(r["ratio"] for r in data["results"] if "ratio" in r)
    if ratios:
        print(
            f"\ncnnref / torchvision throughput over {len(ratios)} measurements: "
            f"min {ratios[0]:.3f}, median {statistics.median(ratios):.3f}, max {ratios[-1]:.3f}"
        )
    print(f"\n{len(data['results'])} measurements in {data['duration_s'] / 60:.1f} min")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {args.out}")
    return 1 if any("error" in r for r in data["results"]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
