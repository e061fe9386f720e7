"""Run the committed benchmark suite: every network, with this device's default protocol.

    python benchmarks/run.py                  # CPU defaults   -> benchmarks/results/cpu.json
    python benchmarks/run.py --full           # full protocol  -> benchmarks/results/cpu-full.json
    python benchmarks/run.py --device cuda    # fp16 + bf16    -> benchmarks/results/cuda.json

Every other option of `python -m cnnref bench` passes through (`--repeats 5`, `--note "..."`);
`--out FILE` overrides the file. The site's Performance page reads every JSON in `results/`
(`docs/gen/perf.py`; `python benchmarks/table.py` prints its tables).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import torch

from cnnref import bench

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str]) -> int:
    args = bench._parser().parse_args(["all", *argv])  # `--device=cuda`, `--out=x.json` too
    kind = torch.device(args.device).type
    stem = f"{kind}-full" if kind == "cpu" and args.full else kind  # full is the GPU default
    path = RESULTS / f"{stem}.json"
    with contextlib.suppress(ValueError):  # recorded in the JSON: relative where possible
        path = path.relative_to(Path.cwd())
    out = [] if args.out else ["--out", str(path)]
    return bench.main(["all", *argv, *out])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
