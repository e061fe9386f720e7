"""Show a runnable example file from `docs/snippets/` with the output it printed at build time."""

from __future__ import annotations

import contextlib
import io
import runpy
from pathlib import Path

import torch

from gen import Out
from gen.common import code

DOCS = Path(__file__).resolve().parents[1]


def run_snippet(path: str) -> str:
    """Run `docs/<path>` as `__main__` in this interpreter; return what it printed."""
    buf = io.StringIO()
    torch.manual_seed(0)
    with contextlib.redirect_stdout(buf):
        runpy.run_path(str(DOCS / path), run_name="__main__")
    return buf.getvalue()


def snippet(path: str, *options: str) -> Out:
    """The file as a `python` block, then its output as a `text` block.

    Options: `quiet` shows the code only (it still runs, so a broken example fails the build).
    """
    source = (DOCS / path).read_text(encoding="utf-8")
    output = run_snippet(path)
    out = Out().add(code(source, f'python title="{Path(path).name}"'))
    if output.strip() and "quiet" not in options:
        out.add("Output:", code(output, "text"))
    return out
