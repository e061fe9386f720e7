"""Run generator jobs: a JSON list on stdin of {key, name, args, out}; each result goes to `out`.

A failure prints one JSON line `{"key": ..., "error": ...}` on stdout and writes nothing, so
it is never cached. Timings go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

import torch

from gen import resolve


def main() -> int:
    # Small models and short runs: one thread is faster than two fighting over shared cores.
    torch.set_num_threads(int(os.environ.get("CNNREF_DOCS_THREADS", "1")))
    jobs = json.load(sys.stdin)
    for job in jobs:
        start = time.perf_counter()
        try:
            out = resolve(job["name"])(*job["args"])
            target = Path(job["out"])
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"markdown": out.markdown, "files": out.files, "pages": out.pages}),
                encoding="utf-8",
            )
            tmp.replace(target)
        except Exception:
            print(json.dumps({"key": job["key"], "error": traceback.format_exc()}), flush=True)
        took = time.perf_counter() - start
        print(
            f"gen {job['name']} {' '.join(job['args'])}: {took:.1f} s", file=sys.stderr, flush=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
