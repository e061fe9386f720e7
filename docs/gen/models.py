"""Generators for the architecture pages, each over one family of the registry.

Every figure comes from the registry card (the paper's numbers, with sources) or is measured
on the code (parameters, mult-adds, shapes) on the meta device; torchvision's counts come from
instantiating torchvision's builder on the meta device too.
"""

from __future__ import annotations

import difflib
from collections import Counter

import torch
from torch import nn

import cnnref
from cnnref import tasks
from cnnref.models import _common
from gen import Out
from gen.common import (
    FAMILY,
    code,
    count_params,
    family_cards,
    giga,
    inference_params,
    meta_model,
    millions,
    mult_adds,
    no_models,
    paper_count,
    paper_link,
    percent,
    pyplot,
    summary_text,
    svg,
    table,
    tabs,
    thousands,
    torchvision_params,
)
from gen.diagram import model_diagram

SHORTCUT_NAMES = ("downsample", "shortcut", "skip", "proj")


def _cards_or_note(family: str) -> list[cnnref.ModelCard] | Out:
    cards = family_cards(family)
    return cards if cards else Out().add(no_models(family))


def _featured(family: str) -> cnnref.ModelCard:
    cards = family_cards(family)
    name = FAMILY[family].featured
    return cnnref.get_card(name) if name in cnnref.list_models(family) else cards[0]


def _names(cards: list[cnnref.ModelCard]) -> str:
    return ", ".join(f"`{c.name}`" for c in cards)


# ------------------------------------------------------------------------------------- card
def card(family: str) -> Out:
    """The paper, the year, the registered models."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    papers = list(dict.fromkeys(c.paper for c in cards))
    lines = [f"- **Paper ({p.year}):** {paper_link(p)}" for p in papers]
    lines.append(f"- **Models:** {_names(cards)} (build one with `cnnref.create_model(name)`)")
    sizes = sorted({(c.input_size, c.min_input_size) for c in cards})
    for size, smallest in sizes:
        lines.append(
            f"- **Input:** {'×'.join(map(str, size))} by default; the smallest input "
            f"`forward` accepts is {smallest}×{smallest}"
        )
    return Out().add("\n".join(lines))


# ----------------------------------------------------------------------------------- results
def results(family: str) -> Out:
    """The headline, then every other result, one row per model and setting.

    A result every model of the family shares (an ensemble's challenge entry) is shown once,
    above the table.
    """
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    featured = _featured(family)
    shared = [r for r in featured.results if all(r in c.results for c in cards)]
    out = Out()
    if featured.headline:
        h = featured.headline
        scope = "every model" if h in shared and len(cards) > 1 else f"`{featured.name}`"
        out.add(
            f"**Headline ({scope}): {percent(h.value)} {h.metric}**, {h.benchmark}; {h.setting} "
            f"({h.source})."
        )
    others = [r for r in shared if r != featured.headline]
    if others:
        out.add(
            "\n".join(
                f"- {percent(r.value)} {r.metric}, {r.benchmark}; {r.setting} ({r.source})"
                for r in others
            )
        )
    rows = []
    for c in cards:
        groups: dict[tuple[str, str, str], list[cnnref.Result]] = {}
        for r in c.results:
            if r not in shared:
                groups.setdefault((r.benchmark, r.setting, r.source), []).append(r)
        for (benchmark, setting, source), rs in groups.items():
            values = "<br>".join(f"{r.metric} {percent(r.value)}" for r in rs)
            rows.append([f"`{c.name}`", values, f"{benchmark}; {setting}", source])
    if rows:
        out.add(table(["model", "result", "benchmark and setting", "source"], rows))
    return out


# ------------------------------------------------------------------------------------- ideas
def ideas(family: str, kind: str = "key") -> Out:
    """The key ideas (`kind="key"`) or the drawbacks (`kind="drawbacks"`), as a list.

    The featured model's items come first; another model's item is added unless it is a
    near-copy of one already listed (VGG's drawbacks differ only in their numbers).
    """
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    field = {"key": "key_ideas", "drawbacks": "drawbacks"}[kind]
    featured = _featured(family)
    items: list[tuple[str, list[str]]] = []
    for c in [featured, *[c for c in cards if c is not featured]]:
        for text in getattr(c, field):
            match = next(
                (
                    item
                    for item in items
                    if difflib.SequenceMatcher(None, item[0], text).ratio() > 0.75
                ),
                None,
            )
            if match:
                if c.name not in match[1]:
                    match[1].append(c.name)
            else:
                items.append((text, [c.name]))
    lines = []
    for text, names in items:
        scope = (
            ""
            if len(names) == len(cards) or names[0] == featured.name
            else f" ({', '.join(f'`{n}`' for n in names)})"
        )
        lines.append(f"- {text}{scope}")
    return Out().add("\n".join(lines) if lines else "*None listed.*")


def differences(family: str) -> Out:
    """How each model departs from the paper and from torchvision, grouped by text."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    out = Out()
    for field, title in (
        ("differs_from_paper", "From the paper"),
        ("differs_from_torchvision", "From torchvision"),
    ):
        groups: dict[str, list[str]] = {}
        for c in cards:
            text = getattr(c, field).strip()
            if text:
                groups.setdefault(text, []).append(c.name)
        if not groups:
            continue
        lines = [
            f"- {', '.join(f'`{n}`' for n in names)}: {text}"
            if len(groups) > 1 or len(names) < len(cards)
            else f"- {text}"
            for text, names in groups.items()
        ]
        out.add(f"**{title}.**", "\n".join(lines))
    return out


# ------------------------------------------------------------------------------------ params
def params(family: str) -> Out:
    """Parameters of the paper, this code and torchvision; mult-adds; input sizes."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    rows, sources = [], []
    for c in cards:
        ours = inference_params(c.name)
        total = count_params(meta_model(c.name))
        ours_text = thousands(ours)
        if total != ours:
            ours_text += f" ({thousands(total)} with the training-only heads)"
        if c.torchvision:
            theirs = torchvision_params(c.torchvision)
            mark = " (same)" if theirs == ours else ""
            tv_text = f"{thousands(theirs)}{mark} `{c.torchvision}`"
        else:
            tv_text = "–"
        paper_madds = c.extra.get("paper_mult_adds")
        madds = giga(mult_adds(c.name))
        if paper_madds:
            madds += f" (paper {paper_madds / 1e9:g} G)"
        if c.paper_params_source and c.paper_params is not None:
            sources.append(c.paper_params_source)
        paper_text = paper_count(c.paper_params)
        if "release_params" in c.extra:  # the authors' own released model, counted
            paper_text += f" (authors' release: {thousands(c.extra['release_params'])})"
        for key in ("paper_mult_adds_source", "release_params_source"):
            if key in c.extra:
                sources.append(c.extra[key])
        rows.append(
            [
                f"`{c.name}`",
                str(c.weight_layers or "–"),
                paper_text,
                ours_text,
                tv_text,
                madds,
                "×".join(map(str, c.input_size[1:])),
                str(c.min_input_size),
            ]
        )
    out = Out().add(
        table(
            [
                "model",
                "weight layers",
                "paper",
                "this code",
                "torchvision",
                "mult-adds",
                "input",
                "min input",
            ],
            rows,
            "lrrrrrrr",
        )
    )
    note = (
        "*This code* and *torchvision* are counted by instantiating both on the meta device; "
        "*this code* counts the layers that run at inference. Mult-adds are for one image at "
        "the default input size (`torchinfo`)."
    )
    if sources:
        note += " Paper figures: " + "; ".join(dict.fromkeys(sources)) + "."
    return out.add(note)


def where(family: str, name: str = "") -> Out:
    """Where a model's parameters sit: per layer type, per layer, and a bar chart."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    c = cnnref.get_card(name) if name else _featured(family)
    model = meta_model(c.name)
    layers = [
        (n, m, sum(p.numel() for p in m.parameters(recurse=False)))
        for n, m in model.named_modules()
        if any(True for _ in m.parameters(recurse=False))
    ]
    total = sum(n for _, _, n in layers)
    by_type: Counter[str] = Counter()
    for _, m, n in layers:
        by_type[type(m).__name__] += n
    out = Out().add(
        table(
            ["layer type", "parameters", "share"],
            [[f"`{t}`", thousands(n), f"{100 * n / total:.1f} %"] for t, n in by_type.most_common()]
            + [["**all**", f"**{thousands(total)}**", "100 %"]],
            "lrr",
        )
    )
    if len(layers) <= 40:
        scale, unit = (1e6, "millions") if total >= 1e6 else (1e3, "thousands")
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7, 0.22 * len(layers) + 0.8))
        labels = [n for n, _, _ in layers][::-1]
        counts = [v for _, _, v in layers][::-1]
        colours = ["#2b8a3e" if isinstance(m, nn.Linear) else "#4c6ef5" for _, m, _ in layers]
        bars = ax.barh(labels, [v / scale for v in counts], color=colours[::-1])
        ax.bar_label(bars, labels=[f"{v:,}" for v in counts], padding=2, fontsize=7)
        ax.set_xlabel(f"parameters ({unit}); green: fully connected, blue: the rest")
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, max(counts) / scale * 1.22)
        biggest = max(layers, key=lambda x: x[2])
        out.figure(
            f"{family}/{c.name}-parameters.svg",
            svg(fig),
            f"Horizontal bar chart of the parameters of each layer of {c.title}, "
            f"{thousands(total)} in all; the largest is {biggest[0]} with {thousands(biggest[2])} "
            f"({100 * biggest[2] / total:.1f} %)",
        )
    return out


# --------------------------------------------------------------------------------- summaries
def summaries(family: str, *names: str) -> Out:
    """torchinfo summaries of the family's models (default: all), one tab each (meta device)."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    items = []
    for c in [cnnref.get_card(n) for n in names] if names else cards:
        depth = 3
        text = summary_text(c.name, depth)
        while depth > 1 and text.count("\n") > 160:
            depth -= 1
            text = summary_text(c.name, depth)
        size = "×".join(map(str, c.input_size))
        items.append(
            (c.name, f"`torchinfo.summary` at input 1×{size}, depth {depth}:\n\n{code(text)}")
        )
    return Out().add(tabs(items))


def diagrams(family: str, *names: str) -> Out:
    """Architecture diagrams drawn from the code, one tab per model."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    chosen = [cnnref.get_card(n) for n in names] if names else cards
    out = Out()
    items = []
    for c in chosen:
        svg_text, alt = model_diagram(c.name)
        sub = Out().figure(f"{family}/{c.name}-diagram.svg", svg_text, alt)
        out.files.update(sub.files)
        items.append((c.name, sub.markdown))
    return out.add(tabs(items) if len(items) > 1 else items[0][1])


# ------------------------------------------------------------------------------ config tables
def _conv(m: nn.Conv2d | nn.ConvTranspose2d) -> str:
    k = m.kernel_size
    stride = f"/{m.stride[0]}" if m.stride[0] > 1 else ""
    kind = "up-conv " if isinstance(m, nn.ConvTranspose2d) else ""
    return f"{kind}{k[0]}×{k[1]}{stride}, {m.out_channels}"


def _convs(module: nn.Module) -> list[str]:
    """The convolutions inside a block, in definition order, shortcut projections left out."""
    return [
        _conv(m)
        for n, m in module.named_modules()
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d)
        and not any(part in n.split(".")[-2:] or part in n for part in SHORTCUT_NAMES)
    ]


def _describe(module: nn.Module) -> str:
    """One table cell for a top-level stage of a network."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        return _conv(module)
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        kind = "max" if isinstance(module, nn.MaxPool2d) else "average"
        k, s = module.kernel_size, module.stride
        k = k if isinstance(k, int) else k[0]
        s = s if isinstance(s, int) else s[0]
        return f"{k}×{k} {kind} pool, stride {s}"
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return (
            "global average pool"
            if module.output_size in (1, (1, 1))
            else f"average pool to {module.output_size}"
        )
    if isinstance(module, nn.Linear):
        return f"{module.out_features}-d fc"
    if isinstance(module, nn.LocalResponseNorm):
        return "LRN"
    if isinstance(module, nn.Dropout):
        return f"dropout {module.p:g}"
    if isinstance(module, nn.Sequential | nn.ModuleList) and len(module) > 0:
        kinds = {type(m) for m in module}
        if len(kinds) == 1 and _convs(module[0]):
            inner = "<br>".join(_convs(module[0]))
            return f"[{inner}] × {len(module)}"
        runs: list[list] = []  # [description, count]
        for m in module:
            if isinstance(m, nn.ReLU | nn.BatchNorm2d | nn.Identity):
                continue
            text = _describe(m)
            if runs and runs[-1][0] == text:
                runs[-1][1] += 1
            else:
                runs.append([text, 1])
        return "<br>".join(text if n == 1 else f"{text} × {n}" for text, n in runs)
    convs = _convs(module)
    if convs and len(convs) <= 4:
        return f"{type(module).__name__} [{' · '.join(convs)}]"
    return type(module).__name__


def _stage_shapes(model: nn.Module, input_size: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Output shape (without batch) of each top-level child that runs, by name, in call order."""
    shapes: dict[str, tuple[int, ...]] = {}

    def record(name: str):
        def hook(module, args, output) -> None:
            if isinstance(output, torch.Tensor):
                shapes.setdefault(name, tuple(output.shape[1:]))

        return hook

    hooks = [m.register_forward_hook(record(n)) for n, m in model.named_children()]
    with torch.no_grad():
        model(torch.zeros(1, *input_size, device="meta"))
    for h in hooks:
        h.remove()
    return shapes


def _mult_adds_of(model: nn.Module, input_size: tuple[int, ...]) -> dict[str, int]:
    """Mult-adds of each top-level child (convolutions and linear layers), by name."""
    per_leaf: dict[int, int] = {}

    def hook(m, i, o):
        if isinstance(m, nn.Conv2d):
            per_leaf[id(m)] = (
                per_leaf.get(id(m), 0)
                + o.numel() * m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
            )
        elif isinstance(m, nn.ConvTranspose2d):
            per_leaf[id(m)] = (
                per_leaf.get(id(m), 0)
                + i[0].numel() * m.out_channels * m.kernel_size[0] * m.kernel_size[1]
            )
        elif isinstance(m, nn.Linear):
            per_leaf[id(m)] = per_leaf.get(id(m), 0) + o.numel() * m.in_features

    hooks = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear)
    ]
    with torch.no_grad():
        model(torch.zeros(1, *input_size, device="meta"))
    for h in hooks:
        h.remove()
    return {
        n: sum(per_leaf.get(id(m), 0) for m in child.modules())
        for n, child in model.named_children()
    }


def blocks_table(family: str, *names: str) -> Out:
    """The family's stage-by-stage table (like ResNet's Table 1), read off the module tree.

    One row per top-level module that runs (activations and batch norm left out), one column
    per model: convolutions as "k×k, channels", repeated blocks as "[...] × n". The last rows
    are the parameters and mult-adds each model measures.
    """
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    chosen = [cnnref.get_card(n) for n in names] if names else cards
    columns = []
    for c in chosen:
        model = meta_model(c.name)
        shapes = _stage_shapes(model, c.input_size)
        children = dict(model.named_children())
        cells = {
            n: _describe(children[n])
            for n in shapes
            if not isinstance(children[n], nn.ReLU | nn.BatchNorm2d | nn.Identity | nn.Flatten)
        }
        columns.append((c, shapes, cells))
    order = list(dict.fromkeys(n for _, _, cells in columns for n in cells))
    first_shapes = columns[0][1]
    rows = []
    for n in order:
        shape = first_shapes.get(n)
        size = (
            "×".join(map(str, shape[1:]))
            if shape and len(shape) == 3
            else (str(shape[0]) if shape else "")
        )
        rows.append([f"`{n}`", size, *[cells.get(n, "") for _, _, cells in columns]])
    rows.append(["parameters", "", *[millions(inference_params(c.name)) for c, _, _ in columns]])
    rows.append(["mult-adds", "", *[giga(mult_adds(c.name)) for c, _, _ in columns]])
    headers = ["layer", f"output ({chosen[0].name})", *[f"`{c.name}`" for c in chosen]]
    return Out().add(table(headers, rows, "ll"))


def config_table(family: str) -> Out:
    """The paper's own configuration table, rendered from the family module's data.

    Only the families whose paper has a table worth rendering from their module's own data
    have one (`blocks-table` reads any family's module tree instead).
    """
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    renderers = {"vgg": _vgg_tables, "lenet": _lenet_table, "googlenet": _googlenet_table}
    if family not in renderers:
        raise ValueError(f"no configuration table for {family!r}; use blocks-table")
    return renderers[family](cards)


def _vgg_tables(cards: list[cnnref.ModelCard]) -> Out:
    from cnnref.models import vgg

    rows = vgg.table1()
    names = list(rows[0])
    # The paper prints in bold what each column adds to the largest earlier column it contains.
    entries = {c: Counter(vgg.CONFIGS[c]) for c in names}
    bases: dict[str, str | None] = {}
    for i, c in enumerate(names):
        contained = [b for b in names[:i] if not entries[b] - entries[c]]
        bases[c] = max(contained, key=lambda b: sum(entries[b].values()), default=None)
    body_start = 3
    cells_by_col: dict[str, list[str]] = {c: [] for c in names}
    for row in rows[body_start:]:
        for c, cell in zip(names, row, strict=True):
            cells_by_col[c].append(cell)
    md_rows = [[f"{r}" for r in rows[1]], [f"{r}" for r in rows[2]]]
    for k in range(len(rows) - body_start):
        md_row = []
        for c in names:
            cell = cells_by_col[c][k]
            layers = cell.split("\n")
            base = bases[c]
            base_layers = cells_by_col[base][k].split("\n") if base else layers
            extra = Counter(layers) - Counter(base_layers)
            shown = []
            for layer in reversed(layers):
                if extra[layer] > 0:
                    extra[layer] -= 1
                    shown.append(f"**{layer}**")
                else:
                    shown.append(layer)
            md_row.append("<br>".join(reversed(shown)))
        md_rows.append(md_row)
    out = Out().add(
        "**Table 1** (ConvNet configurations), rendered by `cnnref.models.vgg.table1()` from "
        "`CONFIGS`; in bold, the layers a column adds to the configuration it extends:",
        table(names, md_rows, "c" * len(names)),
    )
    # Table 2: parameters per configuration, the paper's against the code's.
    by_config: dict[str, list[cnnref.ModelCard]] = {}
    for c in cards:
        model = meta_model(c.name)
        if getattr(model, "config", None) in names and not any(
            isinstance(m, nn.BatchNorm2d) for m in model.modules()
        ):
            by_config.setdefault(model.config, []).append(c)
    paper = [paper_count(by_config[n][0].paper_params) if n in by_config else "–" for n in names]
    ours = [
        millions(inference_params(by_config[n][0].name), 1) if n in by_config else "–"
        for n in names
    ]
    source = next((c.paper_params_source for c in cards if c.paper_params_source), "")
    out.add(
        f"**Table 2** (number of parameters), the paper's ({source}) against this code's:",
        table(["", *names], [["paper", *paper], ["this code", *ours]], "l" + "r" * len(names)),
    )
    return out


def _lenet_table(cards: list[cnnref.ModelCard]) -> Out:
    from cnnref.models import lenet

    rows = [
        [str(i), *["X" if ch == "X" else "" for ch in row]] for i, row in enumerate(lenet.TABLE_I)
    ]
    width = len(lenet.TABLE_I[0])
    reads = [len(c) for c in lenet.C3_CONNECTIONS]
    return Out().add(
        "**Table I**: which S2 maps (rows) each C3 map (columns) reads, from "
        "`cnnref.models.lenet.TABLE_I`:",
        table(["S2 \\ C3", *map(str, range(width))], rows, "c" * (width + 1)),
        f"C3 maps read {', '.join(f'{n} ({reads.count(n)} maps)' for n in sorted(set(reads)))} of "
        f"the six S2 maps; a full connection would read all six everywhere.",
    )


def _googlenet_table(cards: list[cnnref.ModelCard]) -> Out:
    """Table 1 of the GoogLeNet paper, measured on the paper variant's modules."""
    from cnnref.models import googlenet

    c = _featured(cards[0].family)  # the paper's network
    model = meta_model(c.name)
    shapes = _stage_shapes(model, c.input_size)
    madds = _mult_adds_of(model, c.input_size)
    children = dict(model.named_children())
    rows = []
    for n, shape in shapes.items():
        m = children[n]
        params = sum(p.numel() for p in m.parameters())
        size = "×".join(map(str, shape[1:])) + f"×{shape[0]}" if len(shape) == 3 else str(shape[0])
        cols = [""] * 6
        if isinstance(m, googlenet.Inception):
            kind, patch, depth = "inception", "", "2"
            cols = [
                str(m.conv1x1.conv.out_channels),
                str(m.conv3x3_reduce.conv.out_channels),
                str(m.conv3x3.conv.out_channels),
                str(m.conv5x5_reduce.conv.out_channels),
                str(m.conv5x5.conv.out_channels),
                str(m.pool_proj.conv.out_channels),
            ]
        elif isinstance(m, googlenet.ConvBlock):
            conv = m.conv
            kind, depth = "convolution", "1"
            patch = f"{conv.kernel_size[0]}×{conv.kernel_size[1]}/{conv.stride[0]}"
        elif isinstance(m, nn.MaxPool2d | nn.AvgPool2d | nn.AdaptiveAvgPool2d):
            kind, depth = ("max pool" if isinstance(m, nn.MaxPool2d) else "avg pool"), "0"
            k = getattr(m, "kernel_size", None)
            patch = f"{k}×{k}/{m.stride}" if isinstance(k, int) else "global"
        elif isinstance(m, nn.Linear):
            kind, patch, depth = "linear", "", "1"
        elif isinstance(m, nn.Dropout):
            kind, patch, depth = f"dropout ({100 * m.p:g} %)", "", "0"
        elif isinstance(m, nn.LocalResponseNorm):
            kind, patch, depth = "LRN", "", "0"
        else:
            kind, patch, depth = type(m).__name__, "", ""
        rows.append(
            [
                f"`{n}`",
                kind,
                patch,
                size,
                depth,
                *cols,
                f"{params / 1e3:,.0f} K" if params else "",
                f"{madds.get(n, 0) / 1e6:,.0f} M" if madds.get(n) else "",
            ]
        )
    total = inference_params(c.name)
    return Out().add(
        f"**Table 1**, measured on `{c.name}` (eval mode, so the auxiliary classifiers do not "
        "appear): output size, the branch widths of each inception module, and each row's "
        "parameters and mult-adds.",
        table(
            [
                "layer",
                "type",
                "patch/stride",
                "output",
                "depth",
                "#1×1",
                "#3×3 reduce",
                "#3×3",
                "#5×5 reduce",
                "#5×5",
                "pool proj",
                "params",
                "ops",
            ],
            rows,
            "llllrrrrrrrrr",
        ),
        f"In all {thousands(total)} parameters and {giga(mult_adds(c.name))} mult-adds, "
        f"against the paper's {paper_count(c.paper_params)} ({c.paper_params_source}).",
    )


# ------------------------------------------------------------------------------ torchvision
def torchvision(family: str) -> Out:
    """How to load torchvision's weights, as a runnable snippet, for each torchvision twin."""
    cards = _cards_or_note(family)
    if isinstance(cards, Out):
        return cards
    pairs = [(c.torchvision, c) for c in cards if c.torchvision]
    pairs = list(dict((tv, (tv, c)) for tv, c in pairs).values())
    if not pairs:
        return Out().add(
            f"torchvision has no {FAMILY[family].title}, so there are no weights to load; "
            "`cnnref.from_torchvision` covers "
            + ", ".join(f"`{n}`" for n in cnnref.TORCHVISION_NAMES)
            + "."
        )
    featured = _featured(family)
    tv_name, twin = next(((tv, c) for tv, c in pairs if c.name == featured.name), pairs[0])
    variant = cnnref.torchvision_variant(tv_name)
    side = max(twin.min_input_size, 64)
    channels = twin.input_size[0]
    snippet = f'''import torch
import torchvision

import cnnref

# weights=None keeps this offline; use weights="IMAGENET1K_V1" for the trained weights.
theirs = torchvision.models.{tv_name}(weights=None).eval()
ours = cnnref.from_torchvision("{tv_name}", theirs.state_dict()).eval()

x = torch.randn(2, {channels}, {side}, {side})
with torch.no_grad():
    print(torch.allclose(ours(x), theirs(x), atol=1e-4))  # the same function: True'''
    others = [tv for tv, _ in pairs if tv != tv_name]
    out = Out().add(
        f'`cnnref.from_torchvision("{tv_name}", state_dict)` builds `{variant}` and loads '
        "torchvision's weights into it (the keys are renamed; a missing, unexpected or "
        "mis-shaped key is an error that names it):",
        code(snippet, "python"),
    )
    if others:
        out.add("The same works for " + ", ".join(f"`{n}`" for n in others) + ".")
    for tv, _ in pairs:
        v = cnnref.torchvision_variant(tv)
        if v != tv:
            about = cnnref.get_card(tv if tv in cnnref.list_models() else v)
            out.add(
                f"torchvision's `{tv}` is not cnnref's `{tv}`: `from_torchvision` loads it into "
                f"`{v}`. {about.differs_from_torchvision}"
            )
    return out


def _api_page(module: str) -> str:
    """A module's API page: the module's name as its title, then its docstring and members."""
    # The page's title names the module, so mkdocstrings' own heading for it would repeat it.
    return f"# `{module}`\n\n::: {module}\n    options:\n      show_root_heading: false\n"


def api_model_pages() -> dict[str, str]:
    """The Models API's pages and the module each documents: `api/models/<family>.md` for each
    family in the registry's order, then `api/models/common.md` for the layers they share.
    The generator writes these pages; the tests run their examples."""
    pages = {f"api/models/{f.name}.md": f"cnnref.models.{f.name}" for f in cnnref.list_families()}
    pages["api/models/common.md"] = _common.__name__
    return pages


def api_modules(kind: str) -> Out:
    """An API page's modules, found in the registries.

    `models`: one page per family's module (`api/models/<family>.md`, plus one for the layers
    they share), and the table that links them; `tasks`: the `::: module` lines of the tasks'
    modules. A new family's or task's module appears on the API pages by itself.
    """
    if kind == "tasks":
        modules = ["cnnref.tasks", *(tasks.get_task(t).head.__module__ for t in tasks.list_tasks())]
        modules.append("cnnref.tasks.base")
        return Out().add(*(f"::: {m}" for m in modules))
    if kind != "models":
        raise ValueError(f"api-modules: unknown kind {kind!r}; known: models, tasks")
    # A page per module, as torchvision's documentation has a page per model: one page holding
    # every module was 13,000 elements, which a phone restyles several times as it loads.
    out = Out()
    rows = ["| module | family | builders |", "|---|---|---|"]
    families = {f"cnnref.models.{family.name}": family for family in cnnref.list_families()}
    for path, module in api_model_pages().items():
        out.page(path, _api_page(module))
        link = f"[`{module}`]({path.removeprefix('api/')})"
        if module == _common.__name__:  # the layers the families share
            rows.append(f"| {link} | {_common.__doc__.splitlines()[0]} | |")
            continue
        family = families[module]
        builders = [n for n in cnnref.list_models() if cnnref.get_card(n).family == family.name]
        rows.append(
            f"| {link} | [{family.title}](../{family.page}) | "
            + ", ".join(f"[`{n}`][{module}.{n}]" for n in builders)
            + " |"
        )
    return out.add("\n".join(rows))
