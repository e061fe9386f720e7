"""Architecture diagrams drawn from the code: one SVG row per layer, placed by resolution.

The layers are found by running the model once on the meta device with hooks on every module:
the top-level modules in call order, with `nn.Sequential`/`nn.ModuleList` containers opened up
and shape-keeping helpers (activations, batch norm, dropout) left out. Runs of identical layers
collapse into one row with a count ("Bottleneck x35"). Each row's box is indented by how often
the input has been halved, so a classifier draws as a staircase and U-Net as a "V"; the box's
width grows with the channel count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import torch
from torch import nn

import cnnref
from gen.common import meta_model

SHAPE_KEEPING = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.GELU,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softmax,
    nn.LogSoftmax,
    nn.Dropout,
    nn.Dropout2d,
    nn.Flatten,
    nn.Identity,
    nn.BatchNorm1d,
    nn.BatchNorm2d,
)
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
COLOURS = {  # fill, stroke
    "conv": ("#dbe4ff", "#3b5bdb"),
    "pool": ("#ffe3e3", "#c92a2a"),
    "fc": ("#d3f9d8", "#2b8a3e"),
    "norm": ("#f1f3f5", "#868e96"),
    "block": ("#f3d9fa", "#862e9c"),
}


@dataclass
class Row:
    """One drawn layer (or a run of identical ones)."""

    name: str
    label: str
    kind: str
    shape: tuple[int, ...]  # output without the batch dimension
    count: int = 1
    last_name: str = ""


def _label(module: nn.Module) -> tuple[str, str]:
    """A short paper-style label and a colour kind."""
    if isinstance(module, nn.Conv2d):
        k = module.kernel_size
        size = f"{k[0]}" if k[0] == k[1] else f"{k[0]}x{k[1]}"
        stride = f"/{module.stride[0]}" if module.stride[0] > 1 else ""
        return f"conv{size}-{module.out_channels}{stride}", "conv"
    if isinstance(module, nn.ConvTranspose2d):
        return f"up-conv{module.kernel_size[0]}-{module.out_channels}", "conv"
    if isinstance(module, nn.MaxPool2d):
        return f"maxpool{_pair(module.kernel_size)}/{_pair(module.stride)}", "pool"
    if isinstance(module, nn.AvgPool2d):
        return f"avgpool{_pair(module.kernel_size)}/{_pair(module.stride)}", "pool"
    if isinstance(module, nn.AdaptiveAvgPool2d | nn.AdaptiveMaxPool2d):
        return "global pool" if module.output_size in (1, (1, 1)) else "adaptive pool", "pool"
    if isinstance(module, nn.Upsample):
        return "upsample", "pool"
    if isinstance(module, nn.Linear):
        return f"FC-{module.out_features}", "fc"
    if isinstance(module, nn.LocalResponseNorm):
        return "LRN", "norm"
    inner = [m for m in module.modules() if m is not module and not list(m.children())]
    convs = [m for m in inner if isinstance(m, nn.Conv2d)]
    if len(convs) == 1 and all(isinstance(m, (nn.Conv2d, *SHAPE_KEEPING)) for m in inner):
        return _label(convs[0])  # a conv wrapped with its norm and activation
    return type(module).__name__, "block"


def _pair(value: int | tuple[int, ...]) -> int:
    return value if isinstance(value, int) else value[0]


def _units(model: nn.Module, name: str = "") -> list[tuple[str, nn.Module]]:
    """The modules to draw: children, with containers opened up recursively."""
    found = []
    for child_name, child in model.named_children():
        full = f"{name}.{child_name}" if name else child_name
        if isinstance(child, CONTAINERS):
            found += _units(child, full)
        else:
            found.append((full, child))
    return found


def layer_rows(model: nn.Module, input_shape: tuple[int, ...]) -> list[Row]:
    """Rows for the diagram of `model` (on the meta device) at input `(C, H, W)`."""
    units = _units(model)
    if len(units) < 4:  # one big custom module: open it once more
        units = [(f"{n}.{c}", m) for n, mod in units for c, m in (_units(mod) or [("", mod)])]
        units = [(n.rstrip("."), m) for n, m in units]
    order: dict[int, int] = {}
    shapes: dict[int, tuple[int, ...]] = {}

    def pre(module, args):
        order.setdefault(id(module), len(order))

    def post(module, args, output):
        if isinstance(output, torch.Tensor):
            shapes[id(module)] = tuple(output.shape[1:])

    hooks = []
    for _, module in units:
        hooks.append(module.register_forward_pre_hook(pre))
        hooks.append(module.register_forward_hook(post))
    with torch.no_grad():
        model(torch.zeros(1, *input_shape, device="meta"))
    for h in hooks:
        h.remove()

    rows: list[Row] = []
    ran = sorted((u for u in units if id(u[1]) in shapes), key=lambda u: order[id(u[1])])
    for name, module in ran:
        if isinstance(module, SHAPE_KEEPING):
            continue
        label, kind = _label(module)
        shape = shapes[id(module)]
        if rows and rows[-1].label == label and rows[-1].shape == shape:
            rows[-1].count += 1
            rows[-1].last_name = name
        else:
            rows.append(Row(name, label, kind, shape))
    return rows


def _shape_text(shape: tuple[int, ...]) -> str:
    return "\u00d7".join(str(s) for s in shape)


def model_diagram(model_name: str) -> tuple[str, str]:
    """The diagram of a registered model at its default input size: SVG text and alt text."""
    card = cnnref.get_card(model_name)
    return diagram_svg(card.title, meta_model(model_name), tuple(card.input_size))


def diagram_svg(title: str, model: nn.Module, input_shape: tuple[int, ...]) -> tuple[str, str]:
    """The diagram of `model` (on the meta device) as SVG text, and its alt text."""
    rows = layer_rows(model, input_shape)
    size = input_shape[1]
    row_h, top, name_w, step = 24, 52, 190, 34

    def level(shape: tuple[int, ...]) -> float:
        if len(shape) < 3 or shape[1] <= 0:
            return max_level + 1
        return max(0.0, math.log2(size / shape[1]))

    max_level = max(
        (math.log2(size / r.shape[1]) for r in rows if len(r.shape) == 3 and r.shape[1] > 0),
        default=0,
    )

    def width(shape: tuple[int, ...], label: str = "") -> float:
        return max(46 + 11 * math.log2(max(shape[0], 1)), 12 + 6.6 * len(label))

    diagram_w = (
        name_w + step * (max_level + 2) + max(width(r.shape, _row_label(r)) for r in rows) + 110
    )
    height = top + row_h * (len(rows) + 1) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {diagram_w:.0f} {height}" '
        f'width="{diagram_w:.0f}" height="{height}" '
        'font-family="system-ui, sans-serif" font-size="11">',
        '<rect width="100%" height="100%" rx="6" fill="#ffffff"/>',
        _svg_text(10, 20, title, 'font-size="13" font-weight="bold" fill="#212529"'),
        _svg_text(
            10,
            38,
            f"input {_shape_text(input_shape)} \u2192 one row per layer, indented once per "
            "halving of the resolution",
        ),
    ]
    y = top
    w = width(input_shape)
    parts += [
        _svg_text(10, y + 16, "input"),
        _svg_rect(name_w, y + 3, w, row_h - 6, "#fff9db", "#e67700"),
        _svg_text(name_w + w + 8, y + 16, _shape_text(input_shape)),
    ]
    for row in rows:
        y += row_h
        fill, stroke = COLOURS[row.kind]
        x = name_w + step * level(row.shape)
        label = _row_label(row)
        w = width(row.shape, label)
        name = row.name if row.count == 1 else f"{row.name} \u2026 {row.last_name.split('.')[-1]}"
        parts += [
            _svg_text(10, y + 16, name, 'fill="#495057" font-family="ui-monospace, monospace"'),
            _svg_rect(x, y + 3, w, row_h - 6, fill, stroke),
            _svg_text(x + 6, y + 16, label, 'fill="#212529"'),
            _svg_text(x + w + 8, y + 16, _shape_text(row.shape)),
        ]
    parts.append("</svg>")
    return "\n".join(parts), _alt(title, rows, input_shape)


def _svg_text(x: float, y: float, text: str, attrs: str = 'fill="#495057"') -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" {attrs}>{escape(text)}</text>'


def _svg_rect(x: float, y: float, w: float, h: float, fill: str, stroke: str) -> str:
    return (
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="3" '
        f'fill="{fill}" stroke="{stroke}"/>'
    )


def _row_label(row: Row) -> str:
    return row.label + (f" \u00d7{row.count}" if row.count > 1 else "")


def _alt(title: str, rows: list[Row], input_shape: tuple[int, ...]) -> str:
    sequence = ", ".join(r.label + (f" x{r.count}" if r.count > 1 else "") for r in rows)
    return (
        f"Block diagram of {title}, drawn from the code: from a "
        f"{'x'.join(map(str, input_shape))} input through {sequence} to an output of shape "
        f"{'x'.join(map(str, rows[-1].shape))}"
    )
