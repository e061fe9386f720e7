"""Helpers the generators share: the family table, number formats, meta-device summaries, plots."""

from __future__ import annotations

import functools
import io
import re

import torch
import torchinfo
from torch import nn

import cnnref

# The architecture pages, in the order of the site's navigation: the families the model files
# declare (`cnnref.register_family`), by year.
FAMILIES: tuple[cnnref.Family, ...] = tuple(cnnref.list_families())
FAMILY = {f.name: f for f in FAMILIES}

# torchvision builders' arguments that give the network its published weights describe
# (GoogLeNet's published count is without the auxiliary classifiers), from the cards.
TORCHVISION_KWARGS: dict[str, dict] = {
    card.torchvision: dict(card.torchvision_kwargs)
    for card in map(cnnref.get_card, cnnref.list_models())
    if card.torchvision and card.torchvision_kwargs
}

SUMMARY_COLUMNS = ("output_size", "num_params", "mult_adds")


def family_cards(family: str) -> list[cnnref.ModelCard]:
    """The family's cards in registry order."""
    if family not in FAMILY:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILY)}")
    return [cnnref.get_card(n) for n in cnnref.list_models(family)]


def no_models(family: str) -> str:
    """The note a family page shows while no model of the family is registered."""
    return (
        f'!!! note "No {FAMILY[family].title} model is registered yet"\n\n'
        f"    `cnnref.list_models({family!r})` is empty; this section fills in when it is not."
    )


def thousands(n: float | int) -> str:
    """`138357544` -> `138,357,544`."""
    return f"{int(n):,}"


def millions(n: float | int, digits: int = 2) -> str:
    """`138357544` -> `138.36 M`."""
    return f"{n / 1e6:.{digits}f} M"


def paper_count(n: int | None) -> str:
    """A paper's parameter count as it gives it: `133 M` for 133,000,000, else all digits."""
    if n is None:
        return "–"
    return f"{n / 1e6:g} M" if n % 100_000 == 0 and n >= 1_000_000 else thousands(n)


def giga(n: float | int, digits: int = 2) -> str:
    """`15483821032` -> `15.48 G`."""
    return f"{n / 1e9:.{digits}f} G"


def percent(value: float) -> str:
    """A figure in percent as the papers print it (`6.67` -> `6.67 %`, `27.0` -> `27.0 %`)."""
    return f"{value} %"


def table(headers: list[str], rows: list[list[str]], align: str = "") -> str:
    """A Markdown table; `align` has one letter per column (`l`, `r`, `c`; default left)."""
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    align = align.ljust(len(headers), "l")
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def indent(text: str, spaces: int = 4) -> str:
    """Indent every non-empty line (content of a tab or an admonition)."""
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def tabs(items: list[tuple[str, str]]) -> str:
    """Content tabs (pymdownx.tabbed): one per (label, Markdown)."""
    return "\n\n".join(f'=== "{label}"\n\n{indent(body)}' for label, body in items)


def code(text: str, language: str = "text") -> str:
    """A fenced code block."""
    fence = "````" if "```" in text else "```"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def meta_model(name: str) -> nn.Module:
    """The registered model `name`, built on the meta device (no memory, no time), in eval mode."""
    with torch.device("meta"):
        return cnnref.create_model(name).eval()


def meta_torchvision(name: str) -> nn.Module:
    """torchvision's builder `name` with `weights=None`, on the meta device, in eval mode."""
    import torchvision

    with torch.device("meta"):
        builder = getattr(torchvision.models, name)
        return builder(weights=None, **TORCHVISION_KWARGS.get(name, {})).eval()


@functools.cache
def summary(name: str, depth: int = 3) -> torchinfo.ModelStatistics:
    """torchinfo's summary of model `name` at its default input size, on the meta device."""
    card = cnnref.get_card(name)
    return torchinfo.summary(
        meta_model(name),
        input_size=(1, *card.input_size),
        device="meta",
        depth=depth,
        col_names=SUMMARY_COLUMNS,
        row_settings=("var_names",),
        verbose=0,
    )


def summary_text(name: str, depth: int = 3) -> str:
    """The summary as printed, without the memory lines (meaningless on the meta device)."""
    lines = []
    for line in str(summary(name, depth)).splitlines():
        if re.match(r"(Input size|Forward/backward|Params size|Estimated Total)", line):
            continue
        if lines and line.startswith("===") and lines[-1].startswith("==="):
            continue  # the rule that closed the removed block
        # torchinfo 1.8 prints the enum on Python 3.11+: "Total mult-adds (Units.GIGABYTES)"
        line = re.sub(r"\(Units\.(\w)\w*BYTES\)", r"(\1)", line)
        lines.append(line)
    return "\n".join(lines).strip()


def count_params(model: nn.Module) -> int:
    """All parameters of a model."""
    return sum(p.numel() for p in model.parameters())


@functools.cache
def inference_params(name: str) -> int:
    """Parameters of the modules that run in an eval-mode forward pass.

    This leaves out training-only parts such as GoogLeNet's auxiliary classifiers, which is
    how the papers and torchvision count.
    """
    model = meta_model(name)
    ran: set[int] = set()
    hooks = [m.register_forward_hook(lambda m, i, o: ran.add(id(m))) for m in model.modules()]
    card = cnnref.get_card(name)
    with torch.no_grad():
        model(torch.zeros(1, *card.input_size, device="meta"))
    for h in hooks:
        h.remove()
    return sum(
        p.numel() for m in model.modules() if id(m) in ran for p in m.parameters(recurse=False)
    )


@functools.cache
def torchvision_params(name: str) -> int:
    """Parameters of torchvision's builder `name` (as its weights' metadata counts them)."""
    return count_params(meta_torchvision(name))


def mult_adds(name: str) -> int:
    """Multiply-adds of one forward pass at the model's default input size."""
    return int(summary(name).total_mult_adds)  # the page's cached summary: same total


def paper_link(paper: cnnref.Paper) -> str:
    """`[Title](url)` with authors, venue."""
    return f"{paper.authors}. [*{paper.title}*]({paper.url}). {paper.venue}."


# ---------------------------------------------------------------------------- matplotlib
def pyplot():
    """matplotlib's pyplot with the site's style: SVG text as text, no dates, fixed ids."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "cnnref",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.dpi": 100,
            # Pictures (digits, shapes, filters) go into the SVG at their own pixels, drawn
            # pixelated, not resampled to the figure's size: a fifth of the bytes or less (the
            # Tasks page's figures were 850 KB, most of the page's weight), and the reader
            # sees the pixels the network saw.
            "image.interpolation": "none",
        }
    )
    return plt


def bare(ax) -> None:
    """No ticks, grid or frame: for axes that show a picture."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def svg(fig) -> str:
    """A matplotlib figure as SVG text (deterministic), then closed."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    pyplot().close(fig)
    return buf.getvalue()
