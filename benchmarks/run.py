"""Run the committed benchmark suite: every network, with this device's default protocol.

    python benchmarks/run.py                  # CPU defaults   -> benchmarks/results/cpu.json
    python benchmarks/run.py --full           # issue protocol -> benchmarks/results/cpu-full.json
    python benchmarks/run.py --device cuda    # fp16 + bf16    -> benchmarks/results/cuda.json

Every other option of `python -m cnnref bench` passes through (`--repeats 5`, `--note "..."`);
`--out FILE` overrides the file. The site's Performance page reads every JSON in `results/`.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import torch

from cnnref import bench

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str]) -> int:
    device = "cpu"
    if "--device" in argv:
        device = argv[argv.index("--device") + 1]
    stem = torch.device(device).type + ("-full" if "--full" in argv else "")
    if torch.device(device).type != "cpu":
        stem = torch.device(device).type  # the full protocol is the default there
    path = RESULTS / f"{stem}.json"
    with contextlib.suppress(ValueError):  # recorded in the JSON: relative where possible
        path = path.relative_to(Path.cwd())
    out = [] if "--out" in argv else ["--out", str(path)]
    return bench.main(["all", *argv, *out])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
