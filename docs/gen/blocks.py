"""Block diagrams drawn from the code: the figure each paper is known for, laid out from a trace.

`cnnref.analysis.layer_graph` records the family's models; a *block* is a module class whose
own forward merges branches (a concatenation, a sum, a product): GoogLeNet's `Inception`,
ResNet's `BasicBlock` and `Bottleneck` (with an identity shortcut and with a projection),
U-Net's `Up` (crop and concatenate), the attention network's `AttentionModule` (trunk and soft
mask) and `SoftMaskBranch`. A network without such blocks (LeNet, AlexNet, VGG) is drawn
whole, and so is a network whose own graph is not a chain (U-Net's U). Inside a diagram every
child module that is not a container is one box (a convolution with its batch norm and ReLU
folded in, or a block of its own); the boxes are placed by their longest path from the input,
and encoder-decoders (U-Net, the soft mask) by their resolution, which draws the U.

The SVG is inline, drawn in `currentColor`, so it follows the light and dark palettes; it has a
`viewBox` and scales to the column.
"""

from __future__ import annotations

import functools
import html

import torch
from torch import nn

import cnnref
from cnnref import analysis
from gen import Out
from gen.common import FAMILY, family_cards

CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)


def _container(module: nn.Module | None) -> bool:
    """A plain container (not a subclass with a name of its own, such as U-Net's DoubleConv)."""
    return type(module) in CONTAINERS


FOLD = ("same",)  # shape-preserving layers: written into the box before them
MERGES = ("merge", "cat", "scale")  # steps that join two paths (SENet's scale too)

BOX_W, BOX_H, GAP_X, GAP_Y, FONT = 164, 46, 22, 24, 11
LEVEL_DX = 64  # horizontal step per resolution level in a U


# ---------------------------------------------------------------------------- the graph
class Box:
    """One box of a diagram: a run of layers shown as one."""

    def __init__(self, key: str, first: int) -> None:
        self.key = key
        self.layers: list[int] = [first]
        self.inputs: list[Box] = []
        self.rank = 0
        self.lane = 0.0
        self.groups = 1  # groups of its convolution
        self.towers = 1  # towers drawn through it (AlexNet: 2 from conv1 to pool5)
        self.exchange = False  # whether it reads every tower


def trace(
    model: nn.Module, size: tuple[int, int]
) -> tuple[nn.Module, list[analysis.Layer], list[tuple[int, ...]]]:
    """A model, its graph at input `size` and every layer's output shape."""
    layers = analysis.layer_graph(model, size)
    return model, layers, [r.shape for r in analysis.layer_table(layers, size)]


@functools.cache
def _traced(name: str) -> tuple[nn.Module, list[analysis.Layer], list[tuple[int, ...]]]:
    """The registered model on the meta device, traced at its default input size."""
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    return trace(model, cnnref.get_card(name).input_size[1:])


def _module_path(layer: analysis.Layer, modules: dict[str, nn.Module]) -> str:
    """The path of the module a layer belongs to (for a function: the module that called it)."""
    name = layer.name.split("#")[0]
    if name in modules and not list(modules[name].children()):
        return name
    return name.rsplit(".", 1)[0] if "." in name else ""


def _own_merges(path: str, layers: list[analysis.Layer], modules) -> bool:
    """Whether the module at `path` merges branches in its own forward."""
    return any(
        x.op in MERGES and x.name.split("#")[0].rsplit(".", 1)[0] == path
        for x in layers
        if "." in x.name
    ) or (path == "" and any(x.op in MERGES and "." not in x.name for x in layers))


def _box_key(path: str, block: str, modules: dict[str, nn.Module]) -> str:
    """The first module under `block` on `path` that is not a container: its box."""
    prefix = f"{block}." if block else ""
    rest = path[len(prefix) :].split(".") if path != block else []
    key = block
    for part in rest:
        key = f"{key}.{part}" if key else part
        if not _container(modules[key]):
            return key
    return key


def block_boxes(model: nn.Module, layers, shapes, block: str) -> list[Box]:
    """The boxes of the module at path `block` ("" for the whole model), in execution order."""
    modules = dict(model.named_modules())
    inside = [
        i
        for i, x in enumerate(layers)
        if x.op != "input" and (block == "" or x.name == block or x.name.startswith(block + "."))
    ]
    boxes: list[Box] = []
    by_layer: dict[int, Box] = {}
    sources: dict[int, Box] = {}
    for i in inside:
        layer = layers[i]
        path = _module_path(layer, modules)
        is_function = layer.name.split("#")[0] not in modules
        key = _box_key(path, block, modules)
        if is_function and path == block:
            key = layer.name  # a function in the block's own forward: a box of its own
        elif key == block:
            key = layer.name  # a leaf module of the block itself
        if layer.op in FOLD and layer.inputs and layer.inputs[0] in by_layer:
            prev = by_layer[layer.inputs[0]]
            if (
                prev.key == key
                or is_function
                or not isinstance(modules.get(key), nn.Module)
                or (key in modules and not list(modules[key].children()))
            ):
                prev.layers.append(i)
                by_layer[i] = prev
                continue
        box = next((b for b in boxes if b.key == key and key in modules), None)
        if box is None or (box.layers and layers[box.layers[0]].name == layer.name):
            box = Box(key, i)
            boxes.append(box)
        else:
            box.layers.append(i)
        by_layer[i] = box
        for j in layer.inputs:
            src = by_layer.get(j)
            if src is None:  # from outside the block: an input box
                src = sources.get(j)
                if src is None:
                    src = Box(f"input:{j}", j)
                    sources[j] = src
                    boxes.insert(0, src)
            if src is not box and src not in box.inputs:
                box.inputs.append(src)
    return boxes


# ---------------------------------------------------------------------------- labels
def _dims(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def _layer_text(layer: analysis.Layer) -> str:
    a = layer.args
    if layer.op == "conv":
        k = f"{a['k'][0]}×{a['k'][1]}"
        text = f"conv {k}, {a['out']}"
        if a["s"] != (1, 1):
            text += f" /{a['s'][0]}"
        return text
    if layer.op == "convT":
        return f"up-conv {a['k'][0]}×{a['k'][1]}, {a['out']}"
    if layer.op == "pool":
        kind = {"max": "max-pool", "avg": "avg-pool", "sum": "sum-pool"}[a["kind"]]
        text = f"{kind} {a['k'][0]}×{a['k'][1]}"
        if a["s"] != (1, 1):
            text += f" /{a['s'][0]}"
        return text
    if layer.op == "linear":
        return f"{'RBF' if layer.type == 'EuclideanRBF' else 'fc'} {a['out']}"
    if layer.op == "adaptive":
        return f"avg-pool to {a['size'][0]}×{a['size'][1]}"
    if layer.op == "cat":
        return "concatenate"
    if layer.op == "merge":
        return {"mul": "multiply", "add": "add", "iadd": "add"}.get(layer.type, layer.type)
    if layer.op == "scale":
        return "scale each channel"
    if layer.op == "crop":
        return "crop (copy and crop)"
    if layer.op == "resize":
        return "bilinear up-sample"
    if layer.op == "flatten":
        return "flatten"
    if layer.op == "same" and layer.type in ("add", "radd", "mul", "rmul"):
        return "+ a constant" if "add" in layer.type else "× a constant"  # e.g. 1 + M(x)
    short = {
        "BatchNorm2d": "BN",
        "ReLU": "ReLU",
        "relu": "ReLU",
        "LocalResponseNorm": "LRN",
        "Dropout": "dropout",
        "Sigmoid": "sigmoid",
    }
    return short.get(layer.type, layer.type)


def box_lines(box: Box, layers, shapes, modules, block: str) -> tuple[str, str, str]:
    """Three lines: the name, what it does, its output shape."""
    first = layers[box.layers[0]]
    last = box.layers[-1]
    if box.key.startswith("input:"):
        return ("input", "", _dims(shapes[box.layers[0]]))
    prefix = f"{block}." if block else ""
    name = box.key[len(prefix) :] if box.key.startswith(prefix) else box.key
    module = modules.get(box.key)
    main = [layers[i] for i in box.layers if layers[i].op not in FOLD]
    if module is not None and list(module.children()):
        convs = [x for x in main if x.op == "conv"]
        if len(main) == 1 or (len(convs) == 1 and all(x.op in ("conv",) for x in main)):
            what = _layer_text(main[0])
        else:
            what = type(module).__name__
            inner = [c for c in module.children() if not _container(c)]
            if _container(module) and inner:
                what = f"{len(inner)} × {type(inner[0]).__name__}"
    else:
        what = _layer_text(main[0] if main else first)
    folded = [
        _layer_text(layers[i])
        for i in box.layers
        if layers[i].op in FOLD and not (module is not None and list(module.children()))
    ]
    if folded:
        what += " + " + " + ".join(dict.fromkeys(folded))
    after = [  # functions of the block's own forward applied to this box's output
        _layer_text(layers[i])
        for i in box.layers
        if layers[i].op in FOLD
        and module is not None
        and list(module.children())
        and layers[i].name.split("#")[0] not in modules
        and _module_path(layers[i], modules) == block
    ]
    if after:
        what += ", then " + ", ".join(after)
    if name.endswith(("." + first.type, first.type)) and first.name.split("#")[0] == box.key:
        name = name
    return (name.split("#")[0], what, _dims(shapes[last]))


# ---------------------------------------------------------------------------- layout
def _layout(boxes: list[Box], shapes, layers) -> str:
    """Ranks by longest path; lanes by branch, or by resolution for an encoder-decoder."""
    for box in boxes:
        box.rank = max((b.rank + 1 for b in box.inputs), default=0)
    sides = [shapes[b.layers[-1]][-1] if len(shapes[b.layers[-1]]) == 3 else 0 for b in boxes]
    spatial = [s for s in sides if s]
    u_shape = (
        len(spatial) > 4
        and min(spatial) < spatial[-1]
        and sides.index(min(spatial)) < len(sides) - 2
        and any(len(b.inputs) > 1 for b in boxes)
    )
    if u_shape:  # a level down where a box shrinks its main input, a level up where it grows
        side_of = dict(zip(boxes, sides, strict=True))
        for box in boxes:
            if not box.inputs:
                box.lane = 0
                continue
            main = box.inputs[0]
            before, after = side_of[main], side_of[box]
            step = 1 if after and after < 0.75 * before else -1 if after > 1.33 * before else 0
            box.lane = main.lane + step
        for i, box in enumerate(boxes):  # one row each: levels are closer than a box is wide
            box.rank = i
        return "levels"
    chain = all(len(b.inputs) <= 1 for b in boxes) and all(
        sum(1 for c in boxes if b in c.inputs) <= 1 for b in boxes
    )
    if chain:
        per_column = 8
        for i, box in enumerate(boxes):
            box.lane, box.rank = i // per_column, i % per_column
        return "chain"
    taken: dict[int, set[float]] = {}
    for box in boxes:
        used = taken.setdefault(box.rank, set())
        want = box.inputs[0].lane if box.inputs else 0.0
        siblings = [c for c in boxes if box.inputs and box.inputs[0] in c.inputs]
        if len(siblings) > 1 and box in siblings:
            want = box.inputs[0].lane + siblings.index(box) - (len(siblings) - 1) / 2
        lane = want
        step = 1
        while lane in used:  # the nearest free lane: +1, -1, +2, -2, ...
            lane = want + step
            step = -step if step > 0 else -step + 1
        box.lane = lane
        used.add(lane)
    return "branches"


def svg(boxes: list[Box], labels: dict[Box, tuple[str, str, str]], title: str, mode: str) -> str:
    """The diagram as inline SVG in `currentColor`."""
    lanes = sorted({b.lane for b in boxes})
    low = min(lanes)
    pos = {}
    for box in boxes:
        if mode == "levels":  # rank runs down, resolution level to the right: the U
            x = 12 + (box.lane - low) * LEVEL_DX
            y = box.rank * (BOX_H + GAP_Y)
        elif mode == "chain":
            x = (box.lane - low) * (BOX_W + GAP_X * 2)
            y = box.rank * (BOX_H + GAP_Y)
        else:
            x = (box.lane - low) * (BOX_W + GAP_X)
            y = box.rank * (BOX_H + GAP_Y)
        pos[box] = (x + 4, y + 4)
    width = max(x for x, _ in pos.values()) + BOX_W + 8
    height = max(y for _, y in pos.values()) + BOX_H + 8
    # On a phone a wide diagram keeps at least 90 % of its size and scrolls sideways.
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'style="min-width: {min(width, 760) * 0.9:.0f}px" role="img" '
        f'aria-label="{html.escape(title, quote=True)}" '
        f'font-family="sans-serif" font-size="{FONT}">',
        f"<title>{html.escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" '
        'fill="currentColor"/></marker></defs>',
    ]
    for box in boxes:
        x1, y1 = pos[box]
        for src in box.inputs:
            x0, y0 = pos[src]
            if mode == "levels" and src.rank + 1 < box.rank and abs(src.lane - box.lane) < 1:
                # a skip connection across the U: dashed, down the left of its level
                side = x0 - 8
                d = (
                    f"M{x0:.1f},{y0 + BOX_H / 2:.1f} L{side:.1f},{y0 + BOX_H / 2:.1f} "
                    f"L{side:.1f},{y1 + BOX_H / 2:.1f} L{x1:.1f},{y1 + BOX_H / 2:.1f}"
                )
                parts.append(
                    f'<path d="{d}" fill="none" stroke="currentColor" stroke-dasharray="4 3" '
                    'marker-end="url(#arrow)"/>'
                )
                continue
            if mode == "chain" and src.lane != box.lane:
                a = (x0 + BOX_W, y0 + BOX_H / 2)
                b = (x1, y1 + BOX_H / 2)
            elif max(src.towers, box.towers) > 1:  # towers: parallel, or crossing to exchange
                outs = _tower_xs(x0, src.towers)
                ins = _tower_xs(x1, box.towers)
                for ax in outs:
                    for bx in ins:
                        parallel = len(outs) == len(ins) and not box.exchange
                        if parallel and outs.index(ax) != ins.index(bx):
                            continue
                        parts.append(
                            f'<path d="M{ax:.1f},{y0 + BOX_H:.1f} L{bx:.1f},{y1:.1f}" '
                            'fill="none" stroke="currentColor" marker-end="url(#arrow)"/>'
                        )
                continue
            else:
                a = (x0 + BOX_W / 2, y0 + BOX_H)
                b = (x1 + BOX_W / 2, y1)
            parts.append(
                f'<path d="M{a[0]:.1f},{a[1]:.1f} L{b[0]:.1f},{b[1]:.1f}" fill="none" '
                'stroke="currentColor" marker-end="url(#arrow)"/>'
            )
    for box in boxes:
        x, y = pos[box]
        w = BOX_W
        name, what, shape = labels[box]
        merge = what in ("concatenate", "add", "multiply") or what.startswith(("add ", "add+"))
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{BOX_H}" '
            f'rx="{12 if merge else 4}" '
            'fill="none" stroke="currentColor"'
            + (' stroke-width="2"' if merge else "")
            + (' stroke-dasharray="3 2"' if name == "input" else "")
            + "/>"
        )
        lines = [name, what, shape]
        if box.groups > 1:
            lines[0] = f"{name} · {box.groups} groups"
        if box.towers > 1:
            for tx in _tower_xs(x, box.towers)[:-1]:
                divider = tx + BOX_W / box.towers / 2
                parts.append(
                    f'<line x1="{divider:.1f}" y1="{y + BOX_H - 5:.1f}" x2="{divider:.1f}" '
                    f'y2="{y + BOX_H:.1f}" stroke="currentColor"/>'
                )
        for k, text in enumerate(t for t in lines if t):
            weight = ' font-weight="bold"' if k == 0 else ""
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y + 14 + k * 13:.1f}" text-anchor="middle" '
                f'fill="currentColor"{weight}>{html.escape(_fit(text, w))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _tower_xs(x: float, groups: int) -> list[float]:
    """Where the arrows of each group (tower) of a box leave or enter it."""
    return [x + BOX_W * (g + 0.5) / groups for g in range(groups)]


def _fit(text: str, width: float) -> str:
    """Shorten a line that would overflow its box (about 0.58 em a character)."""
    most = int(width / (FONT * 0.58))
    return text if len(text) <= most else text[: most - 1] + "…"


# ---------------------------------------------------------------------------- choosing
def blocks_of(family: str) -> list[tuple[str, str]]:
    """The `(model, block path)` pairs to draw for a family; `""` is the whole network.

    Per distinct block (its class, and whether it projects its shortcut or not), the first
    instance in the family's models; the whole featured network if it has no blocks or its
    own graph is not a chain.
    """
    featured = FAMILY[family].featured
    out: list[tuple[str, str]] = []
    seen: set[tuple] = set()
    for card in [cnnref.get_card(featured), *family_cards(family)]:
        model, layers, shapes = _traced(card.name)
        modules = dict(model.named_modules())
        for path, module in modules.items():
            if not path or _container(module) or not _own_merges(path, layers, modules):
                continue
            boxes = block_boxes(model, layers, shapes, path)
            signature = (type(module).__name__, len(boxes))
            if signature in seen:
                continue
            seen.add(signature)
            out.append((card.name, path))
    model, layers, shapes = _traced(featured)
    root = block_boxes(model, layers, shapes, "")
    if not out or _layout(root, shapes, layers) in ("levels",):
        out.insert(0, (featured, ""))
    return out[:5]


def diagram(name: str, block: str, traced=None) -> tuple[str, str]:
    """The SVG of the module at path `block` of model `name`, and a caption.

    Args:
        name: The model's name (for the caption, and to trace it when `traced` is None).
        block: The module's path (`"layer1.0"`), `""` for the whole network.
        traced: `trace(model, size)` of any model, to draw a model that is not registered.
    """
    model, layers, shapes = traced or _traced(name)
    modules = dict(model.named_modules())
    boxes = block_boxes(model, layers, shapes, block)
    mode = _layout(boxes, shapes, layers)
    labels = {b: box_lines(b, layers, shapes, modules, block) for b in boxes}
    for b in boxes:  # a convolution in groups (AlexNet's two towers) is drawn split
        convs = [layers[i] for i in b.layers if layers[i].op == "conv"]
        b.groups = convs[0].args.get("g", 1) if len(convs) == 1 else 1
    towers = max(b.groups for b in boxes)
    if towers > 1:  # towers run through every feature map; a full layer reads both
        flat = False
        for b in boxes:
            main = layers[b.layers[0]]
            flat = flat or main.op in ("flatten", "linear")
            if b.key.startswith("input:") or flat:
                continue
            b.towers = towers
            b.exchange = main.op == "conv" and b.groups == 1
    kind = type(modules[block]).__name__ if block else type(model).__name__
    where = f"<code>{block}</code> of <code>{name}</code>" if block else f"<code>{name}</code>"
    where = f"{where}, traced from the code"
    plain = f"{block} of {name}" if block else name
    title = f"{kind} ({plain}) drawn from the code: " + "; ".join(
        f"{labels[b][0]}: {labels[b][1]} to {labels[b][2]}".replace(": :", ":")
        + (f" (from {', '.join(labels[s][0] for s in b.inputs)})" if len(b.inputs) > 1 else "")
        for b in boxes
    )
    return svg(boxes, labels, title, mode), f"{kind}, {where}"


def block(family: str) -> Out:
    """The family's block diagrams, drawn from a trace of its models."""
    if family not in FAMILY:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILY)}")
    if not family_cards(family):
        return Out()
    out = Out()
    drawn = []
    for name, path in blocks_of(family):
        drawing, caption = diagram(name, path)
        drawn.append(drawing)
        out.add(
            f'<figure class="cnnref-block">\n{drawing}\n<figcaption>{caption}</figcaption>\n'
            "</figure>"
        )
    legend = [
        "Drawn from the code: each box is a module of the network (its batch norm and ReLU "
        "written after it), each arrow a tensor, as `cnnref.analysis.layer_graph` traces them; "
        "shapes are at the default input size, without the batch."
    ]
    if any('rx="12"' in d for d in drawn):
        legend.append("Bold rounded boxes merge branches.")
    if any('stroke-dasharray="4 3"' in d for d in drawn):
        legend.append("Dashed arrows are the connections across the U (copy and crop).")
    if any(" groups</text>" in d for d in drawn):
        legend.append(
            "Layers in groups (the paper's two GPUs) are drawn as two towers: parallel arrows "
            "stay in their tower, crossing arrows are where the towers exchange (a layer that "
            "reads all channels)."
        )
    return out.add(" ".join(legend))
