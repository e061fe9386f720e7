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


def run_snippet(path: str) -> tuple[str, dict]:
    """Run `docs/<path>` as `__main__` in this interpreter (seeded).

    Returns:
        What it printed, and its global variables.
    """
    buf = io.StringIO()
    torch.manual_seed(0)
    with contextlib.redirect_stdout(buf):
        scope = runpy.run_path(str(DOCS / path), run_name="__main__")
    return buf.getvalue(), scope


def snippet(path: str, *options: str, scope: dict | None = None) -> Out:
    """The file as a `python` block, then its output as a `text` block.

    Options: `quiet` shows the code only (it still runs, so a broken example fails the build).
    `scope`, if given, receives the snippet's global variables (for generators that plot them).
    """
    source = (DOCS / path).read_text(encoding="utf-8")
    output, variables = run_snippet(path)
    if scope is not None:
        scope.update(variables)
    out = Out().add(code(source, f'python title="{Path(path).name}"'))
    if output.strip() and "quiet" not in options:
        out.add("Output:", code(output, "text"))
    return out
