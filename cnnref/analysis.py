"""Arithmetic the papers leave to the reader: shapes, costs and receptive fields at any input size.

`layer_graph` records a model's forward pass once, on the meta device, as a graph of
operations with their hyper-parameters (a convolution's kernel, stride and padding; a
concatenation's inputs; U-Net's crop to the size of the map it is concatenated with). Every
other function here follows that graph by arithmetic alone, so any input size costs nothing:

- `layer_table`: per layer, the output shape, parameters, multiply-adds (torchinfo's
  convention: a convolution's weights times its output positions, other layers their
  parameters once) and the receptive field;
- `receptive_field`: per layer, the receptive field size, the jump (the distance in input
  pixels between two adjacent units) and the start (the centre of the first unit's field),
  following branches; where branches merge, the widest field wins (Araujo, Norris & Sim,
  "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019);
- `memory`: the activations held by an inference pass (the peak of live tensors) and by a
  training step (every output, kept for the backward pass);
- `min_input_size`: the smallest square input every layer accepts.

The same graph, exported by `graph_json`, lets the site's explorer redo the arithmetic in the
browser (`docs/assets/javascripts/explorer.js` follows the same rules).

Example:
    >>> import cnnref
    >>> from cnnref import analysis
    >>> rf = analysis.receptive_field(cnnref.create_model("lenet5"), (32, 32))
    >>> rf.final
    (32, 32)
    >>> analysis.min_input_size("alexnet")  # a registered name: built on the meta device
    63
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from cnnref import registry
from cnnref.models.lenet import EuclideanRBF, Subsampling  # modules of LeNet's own

__all__ = [
    "PUBLISHED_FIELDS",
    "Field",
    "InputSizeError",
    "Layer",
    "LayerRow",
    "Memory",
    "PublishedField",
    "ReceptiveField",
    "graph_json",
    "layer_graph",
    "layer_table",
    "memory",
    "min_input_size",
    "receptive_field",
]


@dataclass(frozen=True)
class PublishedField:
    """A receptive field a reference computed for a network like one of ours.

    Attributes:
        size: The receptive field in pixels.
        stride: Its effective stride (our jump).
        padding: Its effective padding: how far the first unit's field reaches beyond the
            input's edge (`(size - 1) / 2 - start`).
        network: The reference's network (a TF-Slim model), which may differ from ours.
        differs: How it differs from ours, and whether that changes the figures.
        our_padding: Our network's effective padding, where it differs from `padding`.
    """

    size: int
    stride: int
    padding: int
    network: str
    differs: str
    our_padding: int | None = None


PUBLISHED_SOURCE = (
    'Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", '
    "Distill 2019 (table of github.com/google-research/receptive_field, TF-Slim models at "
    "their last convolutional end-point)"
)
_TF_SAME = (
    "TF-Slim pads 'SAME' convolutions asymmetrically where the stride is 2, which moves the "
    "start (effective padding) but not the size"
)
# Our model name -> the reference's figure for its network.
PUBLISHED_FIELDS: dict[str, PublishedField] = {
    "alexnet": PublishedField(
        195,
        32,
        64,
        "alexnet_v2",
        "the one-tower network of Krizhevsky 2014 ('One weird trick'), 64-192-384-384-256 "
        "kernels without LRN; the same kernel sizes, strides and pools as ours, but an "
        "unpadded conv1 where ours pads 2 pixels (55×55 maps at 224×224, as torchvision): "
        "the same size, a start 2 pixels further out",
        our_padding=66,
    ),
    "vgg16": PublishedField(212, 32, 90, "vgg_16", "the same network"),
    "resnet50": PublishedField(
        483,
        32,
        239,
        "resnet_v1_50",
        "downsamples in the last unit of a stage, on the 3×3 convolution; ours in the first "
        "unit, on the 1×1 (the paper): the same size. " + _TF_SAME,
        our_padding=241,
    ),
    "resnet101": PublishedField(
        1027, 32, 511, "resnet_v1_101", "as for resnet_v1_50. " + _TF_SAME, our_padding=513
    ),
    "resnet152": PublishedField(
        1507, 32, 751, "resnet_v1_152", "as for resnet_v1_50. " + _TF_SAME, our_padding=753
    ),
}


class InputSizeError(ValueError):
    """An input too small (or of the wrong size) for one layer: `layer` names it."""

    def __init__(self, layer: str, reason: str) -> None:
        super().__init__(f"{layer}: {reason}")
        self.layer = layer
        self.reason = reason


@dataclass(frozen=True)
class Layer:
    """One operation of a recorded forward pass.

    Attributes:
        name: The module's path (`"layer1.0.conv1"`), or for a function the path of the
            module that called it and the function (`"up1.cat"`).
        op: `"input"`, `"conv"`, `"convT"`, `"pool"`, `"adaptive"`, `"flatten"`, `"linear"`,
            `"same"` (shape-preserving: ReLU, batch norm, dropout, ...), `"merge"` (an
            element-wise sum or product of branches), `"scale"` (the first input times
            per-channel weights broadcast over its map, as in SENet's SE block; its receptive
            field is the map's: the weights see the whole input through a global pool, so
            every unit also depends on all of it, which a receptive field does not describe),
            `"cat"`, `"crop"` (centre crop to the size of `ref`) or `"resize"` (bilinear, to
            the size of `ref`).
        inputs: Indices of the layers it reads.
        params: Its parameters.
        conv_macs: Whether its multiply-adds are its parameters times its output positions
            (convolutions, as torchinfo counts) rather than its parameters once.
        args: Hyper-parameters, per axis `(h, w)` where they have two: `k`, `s`, `p`, `d`,
            `ceil`, `out` (channels or features), `in` (features), `size`, `ref`, `kind`,
            `g` (groups, where not 1).
        type: The module's class or the function's name, for display.
    """

    name: str
    op: str
    inputs: tuple[int, ...]
    params: int = 0
    conv_macs: bool = False
    args: dict = field(default_factory=dict)
    type: str = ""


@dataclass(frozen=True)
class Field:
    """The receptive field of one layer's units along both axes.

    Attributes:
        size: Receptive field `(h, w)` in input pixels; `None` for a layer whose units see
            the whole input (after global pooling or a fully connected layer).
        jump: Input pixels between two adjacent units `(h, w)` (the effective stride).
        start: Input coordinate `(h, w)` of the centre of the first unit's field (pixel
            centres at 0, 1, ...; negative where it lies in the padding).
    """

    size: tuple[float, float] | None
    jump: tuple[float, float] | None
    start: tuple[float, float] | None


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive fields of every layer, and the network's.

    Attributes:
        layers: `(name, Field)` per layer, in execution order.
        final: The largest receptive field `(h, w)` of any layer with spatial output: the
            last feature map's for a classifier, the output's for U-Net.
    """

    layers: list[tuple[str, Field]]
    final: tuple[int, int]


@dataclass(frozen=True)
class LayerRow:
    """One row of `layer_table`.

    Attributes:
        name: The layer's name.
        type: Its module class or function.
        shape: Output shape without the batch: `(C, H, W)` or `(F,)`.
        params: Parameters.
        macs: Multiply-adds for one image.
        field: Its receptive field.
    """

    name: str
    type: str
    shape: tuple[int, ...]
    params: int
    macs: int
    field: Field


@dataclass(frozen=True)
class Memory:
    """Activation memory for one image, in bytes.

    Attributes:
        inference: The most activation memory live at once in a forward pass without
            gradients (a tensor is freed after the last layer that reads it).
        training: Every layer's output plus the input, all kept for the backward pass (an
            upper bound: in-place layers and layers that save nothing count in full).
    """

    inference: int
    training: int


# ---------------------------------------------------------------------------- recording
def _pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _module_layer(module: nn.Module, name: str, inputs: tuple[int, ...], same: bool) -> Layer:
    """The `Layer` for a module without children, from its hyper-parameters."""
    kind = type(module).__name__
    params = sum(p.numel() for p in module.parameters())
    conv_macs = "Conv" in kind  # torchinfo's rule for multiply-adds
    if isinstance(module, nn.ConvTranspose2d):
        args = {
            "k": _pair(module.kernel_size),
            "s": _pair(module.stride),
            "p": _pair(module.padding),
            "d": _pair(module.dilation),
            "op": _pair(module.output_padding),
            "out": module.out_channels,
        }
        return Layer(name, "convT", inputs, params, conv_macs, args, kind)
    if hasattr(module, "kernel_size") and hasattr(module, "out_channels"):  # Conv2d, LeNet's C3
        args = {
            "k": _pair(module.kernel_size),
            "s": _pair(getattr(module, "stride", 1)),
            "p": _pair(getattr(module, "padding", 0)),
            "d": _pair(getattr(module, "dilation", 1)),
            "out": module.out_channels,
        }
        if getattr(module, "groups", 1) != 1:  # AlexNet's two towers: drawn, not computed
            args["g"] = module.groups
        if isinstance(args["p"][0], str):
            raise ValueError(f"{name}: string padding is not supported")
        return Layer(name, "conv", inputs, params, conv_macs, args, kind)
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        args = {
            "k": _pair(module.kernel_size),
            "s": _pair(module.stride or module.kernel_size),
            "p": _pair(module.padding),
            "d": _pair(getattr(module, "dilation", 1)),
            "ceil": bool(module.ceil_mode),
            "kind": "max" if isinstance(module, nn.MaxPool2d) else "avg",
        }
        return Layer(name, "pool", inputs, params, conv_macs, args, kind)
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return Layer(
            name, "adaptive", inputs, params, conv_macs, {"size": _pair(module.output_size)}, kind
        )
    if isinstance(module, nn.Linear):
        args = {"in": module.in_features, "out": module.out_features}
        return Layer(name, "linear", inputs, params, conv_macs, args, kind)
    if isinstance(module, Subsampling):  # a 2×2 sum pooling with a weight and bias per map
        args = {"k": (2, 2), "s": (2, 2), "p": (0, 0), "d": (1, 1), "ceil": False, "kind": "sum"}
        return Layer(name, "pool", inputs, params, conv_macs, args, kind)
    if isinstance(module, EuclideanRBF):
        args = {"in": module.codes.shape[1], "out": module.codes.shape[0]}
        return Layer(name, "linear", inputs, params, conv_macs, args, kind)
    if same:
        return Layer(name, "same", inputs, params, conv_macs, {}, kind)
    raise ValueError(f"{name}: no shape rule for module {kind}")


class _Recorder(TorchFunctionMode):
    """Records leaf modules (through hooks) and the functions called between them."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.layers: list[Layer] = []
        self.node: dict[int, int] = {}  # id(tensor) -> layer index
        self.keep: list[torch.Tensor] = []  # keep recorded tensors alive: ids stay unique
        self.shapes: list[tuple[int, ...]] = []
        self.stack: list[str] = []
        self.leaf_depth = 0
        self.pending: list[int] = []  # crops and resizes whose reference is still unknown
        self.consumers: dict[int, list[int]] = {}
        self.names = {m: n for n, m in model.named_modules()}
        self.hooks = []
        for module in model.modules():
            leaf = not list(module.children())
            self.hooks.append(module.register_forward_pre_hook(self._pre(module, leaf)))
            self.hooks.append(module.register_forward_hook(self._post(module, leaf)))

    def add(self, layer: Layer, out: torch.Tensor) -> None:
        if layer.op not in ("input",) and layer.name in {x.name for x in self.layers[-50:]}:
            n = sum(1 for x in self.layers if x.name.split("#")[0] == layer.name)
            layer = Layer(
                f"{layer.name}#{n + 1}",
                layer.op,
                layer.inputs,
                layer.params,
                layer.conv_macs,
                layer.args,
                layer.type,
            )
        index = len(self.layers)
        for i in layer.inputs:
            self.consumers.setdefault(i, []).append(index)
        self.layers.append(layer)
        self.shapes.append(tuple(out.shape[1:]))
        self.node[id(out)] = index
        self.keep.append(out)

    def _pre(self, module: nn.Module, leaf: bool):
        def hook(mod, args):
            self.stack.append(self.names[mod])
            if leaf:
                self.leaf_depth += 1

        return hook

    def _post(self, module: nn.Module, leaf: bool):
        def hook(mod, args, out):
            name = self.stack.pop()
            if leaf:
                self.leaf_depth -= 1
                tensors = [a for a in args if isinstance(a, torch.Tensor)]
                inputs = tuple(self.node[id(t)] for t in tensors if id(t) in self.node)
                if not inputs or not isinstance(out, torch.Tensor):
                    return
                same = out.shape == tensors[0].shape
                self.add(_module_layer(mod, name or type(mod).__name__, inputs, same), out)

        return hook

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if self.leaf_depth or not isinstance(out, torch.Tensor):
            return out
        flat = []
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, (list, tuple)):
                flat += [t for t in a if isinstance(t, torch.Tensor)]
            elif isinstance(a, torch.Tensor):
                flat.append(a)
        inputs = tuple(self.node[id(t)] for t in flat if id(t) in self.node)
        if not inputs:
            return out
        fname = getattr(func, "__name__", str(func)).strip("_")
        where = self.stack[-1] if self.stack else ""
        name = f"{where}.{fname}" if where else fname
        shape = tuple(out.shape[1:])
        first = self.shapes[inputs[0]]
        if fname == "cat":
            layer = Layer(name, "cat", inputs, type="cat")
        elif len(shape) == 1 and len(first) == 3:
            layer = Layer(name, "flatten", inputs[:1], type=fname)
        elif fname == "adaptive_avg_pool2d":
            layer = Layer(name, "adaptive", inputs[:1], args={"size": shape[1:]}, type=fname)
        elif fname == "interpolate":
            layer = Layer(name, "resize", inputs[:1], args={"ref": None}, type="interpolate")
        elif fname == "getitem" and len(shape) == 3 and shape[0] == first[0] and shape != first:
            layer = Layer(name, "crop", inputs[:1], args={"ref": None}, type="crop")
        elif all(self.shapes[i] == shape for i in inputs):
            op = "same" if len(inputs) == 1 else "merge"
            layer = Layer(name, op, inputs, type=fname)
        elif (
            fname == "mul"
            and first == shape
            and all(self.shapes[i] == (shape[0], 1, 1) for i in inputs[1:])
        ):
            layer = Layer(name, "scale", inputs, type=fname)
        else:
            raise ValueError(f"{name}: no shape rule for {fname} {first} -> {shape}")
        if layer.op in ("crop", "resize"):
            self.pending.append(len(self.layers))
        self.add(layer, out)
        return out

    def close(self) -> None:
        for h in self.hooks:
            h.remove()


def _resolve_refs(layers: list[Layer], consumers: dict[int, list[int]]) -> list[Layer]:
    """Give each crop or resize its reference: the other branch of the merge it flows into.

    U-Net crops a skip connection to the size of the map it is concatenated with; the
    attention module's mask resizes a map to the size of the one it is added to (or, last,
    of the trunk it multiplies). Following the crop's output through shape-preserving layers
    to the first merge finds that map.
    """
    out = list(layers)
    for i, layer in enumerate(layers):
        if layer.op not in ("crop", "resize"):
            continue
        path, node = {i}, i
        while True:
            nxt = consumers.get(node, [])
            if not nxt:
                raise ValueError(f"{layer.name}: the {layer.op} flows into no merge")
            node = nxt[0]
            path.add(node)
            if layers[node].op in ("merge", "cat"):
                others = [j for j in layers[node].inputs if j not in path]
                break
            if layers[node].op not in ("same",) and not (
                layers[node].op == "conv" and layers[node].args["k"] == (1, 1)
            ):
                raise ValueError(f"{layer.name}: the {layer.op} flows into {layers[node].name}")
        if len(others) != 1:
            raise ValueError(f"{layer.name}: the {layer.op} merges with {len(others)} maps")
        out[i] = Layer(
            layer.name,
            layer.op,
            layer.inputs,
            layer.params,
            layer.conv_macs,
            {**layer.args, "ref": others[0]},
            layer.type,
        )
    return out


def layer_graph(
    model: nn.Module | str, input_size: int | tuple[int, int] | None = None
) -> list[Layer]:
    """Record the model's forward pass as a graph of layers (on the meta device).

    Args:
        model: A registered model's name, or any model whose leaf modules and functions
            have a rule here (every registered model does). A model is copied to the meta
            device in eval mode; the original is left as it is.
        input_size: `(H, W)` to record at; any size the model accepts gives the same graph.
            Default: the card's input size for a name; for a model, the first of the
            registered default sizes its forward accepts.

    Returns:
        The layers in execution order; `layers[0]` is the input.

    Raises:
        ValueError: If an operation has no rule (the message names it), or no size fits.

    Example:
        >>> import cnnref
        >>> from cnnref.analysis import layer_graph
        >>> [(x.name, x.op) for x in layer_graph(cnnref.create_model("lenet5_modern"))][:4]
        [('input', 'input'), ('c1', 'conv'), ('relu', 'same'), ('s2', 'pool')]
    """
    if isinstance(model, str):
        card = registry.get_card(model)
        with torch.device("meta"):
            model = registry.get_card(model).builder()
        input_size = input_size or card.input_size[1:]
    meta = _meta_copy(model)
    channels = int(getattr(meta, "in_channels", 3))
    if input_size is not None:
        return _record(meta, channels, _pair(input_size))
    sizes = dict.fromkeys(registry.get_card(n).input_size[1:] for n in registry.list_models())
    errors = []
    for size in sizes:
        try:
            return _record(meta, channels, size)
        except (ValueError, RuntimeError) as e:
            errors.append(f"{size[0]}×{size[1]}: {e}")
    raise ValueError("no default input size fits the model; " + "; ".join(errors))


def _record(meta: nn.Module, channels: int, size: tuple[int, int]) -> list[Layer]:
    rec = _Recorder(meta)
    x = torch.zeros(1, channels, *size, device="meta")
    rec.add(Layer("input", "input", (), args={"out": channels}, type="input"), x)
    try:
        with rec, torch.no_grad():
            meta(x)
    finally:
        rec.close()
    return _resolve_refs(rec.layers, rec.consumers)


def _meta_copy(model: nn.Module) -> nn.Module:
    import copy

    if any(p.device.type != "meta" for p in model.parameters()):
        model = copy.deepcopy(model).to("meta")
    return model.eval()


# ---------------------------------------------------------------------------- propagation
def _conv_side(i: int, k: int, s: int, p: int, d: int, ceil: bool = False) -> int:
    span = i + 2 * p - d * (k - 1) - 1  # PyTorch's formula; in ceil mode a window may
    out = (-(-span // s) if ceil else span // s) + 1  # start in the input and end beyond it
    if ceil and (out - 1) * s >= i + p:
        out -= 1
    return max(out, 0)


def _walk(layers: list[Layer], size: tuple[int, int]):
    """Shapes and receptive fields of every layer at input `size`; raises `InputSizeError`."""
    shapes: list[tuple[int, ...]] = []
    fields: list[Field] = []
    h, w = _pair(size)
    for layer in layers:
        a = layer.args
        ins = [shapes[i] for i in layer.inputs]
        rfs = [fields[i] for i in layer.inputs]
        op = layer.op
        if op == "input":
            if h < 1 or w < 1:
                raise InputSizeError("input", f"the input must be at least 1×1, got {h}×{w}")
            shapes.append((a["out"], h, w))
            fields.append(Field((1, 1), (1, 1), (0, 0)))
            continue
        x = ins[0]
        f = rfs[0]
        if op in ("conv", "pool", "convT") and len(x) != 3:
            raise InputSizeError(layer.name, f"expects a feature map, gets a vector of {x[0]}")
        if op in ("conv", "pool"):
            ceil = a.get("ceil", False)
            sides = []
            for ax in (0, 1):
                k, s, p, d = a["k"][ax], a["s"][ax], a["p"][ax], a["d"][ax]
                side = _conv_side(x[1 + ax], k, s, p, d, ceil)
                if side < 1:
                    ke = d * (k - 1) + 1
                    kk = f"{a['k'][0]}×{a['k'][1]}"
                    raise InputSizeError(
                        layer.name,
                        f"a {kk} {'kernel' if op == 'conv' else 'window'} (padding "
                        f"{a['p'][0]}×{a['p'][1]}) needs at least {max(ke - 2 * p, 1)} pixels "
                        f"per side, gets {x[1]}×{x[2]}",
                    )
                sides.append(side)
            shapes.append((a["out"] if op == "conv" else x[0], *sides))
            fields.append(_rf_window(f, a["k"], a["s"], a["p"], a["d"]))
        elif op == "convT":
            sides = [
                (x[1 + ax] - 1) * a["s"][ax]
                - 2 * a["p"][ax]
                + a["d"][ax] * (a["k"][ax] - 1)
                + a["op"][ax]
                + 1
                for ax in (0, 1)
            ]
            shapes.append((a["out"], *sides))
            fields.append(_rf_transposed(f, a["k"], a["s"], a["p"]))
        elif op == "adaptive":
            if len(x) != 3:
                raise InputSizeError(layer.name, f"expects a feature map, gets a vector of {x[0]}")
            out = a["size"]
            shapes.append((x[0], *out))
            fields.append(_rf_adaptive(f, x[1:], out))
        elif op == "flatten":
            shapes.append((math.prod(x),))
            fields.append(Field(None, None, None))
        elif op == "linear":
            n = math.prod(x)
            if n != a["in"]:
                got = f"a {x[0]}×{x[1]}×{x[2]} map" if len(x) == 3 else "a vector"
                raise InputSizeError(
                    layer.name,
                    f"expects {a['in']:,} input features, gets {n:,} ({got})",
                )
            shapes.append((a["out"],))
            fields.append(Field(None, None, None))
        elif op == "same":
            shapes.append(x)
            fields.append(f)
        elif op == "scale":  # the map, times one weight per channel computed from all of it
            if any(s != (x[0], 1, 1) for s in ins[1:]):
                shown = ", ".join("×".join(map(str, s)) for s in ins)
                raise InputSizeError(layer.name, f"its inputs do not match: {shown}")
            shapes.append(x)
            fields.append(f)
        elif op in ("merge", "cat"):
            spatial = {s[1:] for s in ins}
            if len(spatial) != 1 or (op == "merge" and len(set(ins)) != 1):
                shown = ", ".join("×".join(map(str, s)) for s in ins)
                raise InputSizeError(layer.name, f"its inputs do not match: {shown}")
            c = sum(s[0] for s in ins) if op == "cat" else x[0]
            shapes.append((c, *x[1:]))
            fields.append(_rf_merge(rfs))
        elif op == "crop":
            ref = shapes[a["ref"]]
            if x[1] < ref[1] or x[2] < ref[2]:
                raise InputSizeError(
                    layer.name,
                    f"cannot crop {x[1]}×{x[2]} to the {ref[1]}×{ref[2]} of the map it is "
                    "concatenated with",
                )
            shapes.append((x[0], *ref[1:]))
            top, left = (x[1] - ref[1]) // 2, (x[2] - ref[2]) // 2
            fields.append(
                Field(f.size, f.jump, (f.start[0] + top * f.jump[0], f.start[1] + left * f.jump[1]))
            )
        elif op == "resize":
            ref = shapes[a["ref"]]
            shapes.append((x[0], *ref[1:]))
            fields.append(_rf_resize(f, x[1:], ref[1:]))
        else:  # pragma: no cover - _module_layer and _Recorder make only the ops above
            raise ValueError(f"{layer.name}: unknown op {op}")
    return shapes, fields


def _rf_window(f: Field, k, s, p, d) -> Field:
    if f.size is None:
        return f
    size, jump, start = [], [], []
    for ax in (0, 1):
        ke = d[ax] * (k[ax] - 1) + 1
        size.append(f.size[ax] + (ke - 1) * f.jump[ax])
        start.append(f.start[ax] + ((ke - 1) / 2 - p[ax]) * f.jump[ax])
        jump.append(f.jump[ax] * s[ax])
    return Field(tuple(size), tuple(jump), tuple(start))


def _rf_transposed(f: Field, k, s, p) -> Field:
    """An up-convolution: each output reads `ceil(k / s)` inputs at most."""
    if f.size is None:
        return f
    size = tuple(f.size[ax] + (-(-k[ax] // s[ax]) - 1) * f.jump[ax] for ax in (0, 1))
    jump = tuple(f.jump[ax] / s[ax] for ax in (0, 1))
    start = tuple(f.start[ax] + (p[ax] - (k[ax] - 1) / 2) / s[ax] * f.jump[ax] for ax in (0, 1))
    return Field(size, jump, start)


def _rf_adaptive(f: Field, sides, out) -> Field:
    if f.size is None or tuple(out) == (1, 1):
        return Field(None, None, None)
    size, jump, start = [], [], []
    for ax in (0, 1):
        i, o = sides[ax], out[ax]
        widest = max(-(-(j + 1) * i // o) - (j * i // o) for j in range(o))
        size.append(f.size[ax] + (widest - 1) * f.jump[ax])
        jump.append(f.jump[ax] * i / o)
        start.append(f.start[ax] + (widest - 1) / 2 * f.jump[ax])
    return Field(tuple(size), tuple(jump), tuple(start))


def _rf_resize(f: Field, sides, out) -> Field:
    """Bilinear with aligned corners: each output reads (at most) two neighbours per axis."""
    if f.size is None:
        return f
    size, jump = [], []
    for ax in (0, 1):
        i, o = sides[ax], out[ax]
        size.append(f.size[ax] + (f.jump[ax] if i > 1 and o > 1 else 0))
        jump.append(f.jump[ax] * (i - 1) / (o - 1) if o > 1 else f.jump[ax])
    return Field(tuple(size), tuple(jump), f.start)


def _rf_merge(fields: list[Field]) -> Field:
    """Branches that merge: the widest field wins (its jump and start come with it)."""
    known = [f for f in fields if f.size is not None]
    if len(known) < len(fields):
        return Field(None, None, None)
    return max(known, key=lambda f: f.size[0] * f.size[1])


def _round(v):
    if v is None:
        return None
    return tuple(int(x) if float(x).is_integer() else round(x, 4) for x in v)


# ---------------------------------------------------------------------------- public API
def _graph(model: nn.Module | str | list[Layer]) -> list[Layer]:
    return model if isinstance(model, list) else layer_graph(model)


def layer_table(
    model: nn.Module | str | list[Layer], input_size: int | tuple[int, int] = (224, 224)
) -> list[LayerRow]:
    """Per layer: output shape, parameters, multiply-adds and receptive field at `input_size`.

    Args:
        model: A model, a registered model's name, or a `layer_graph`.
        input_size: `(H, W)` (or one int for both).

    Returns:
        One row per layer, the input first.

    Raises:
        InputSizeError: If a layer refuses the size; `layer` names it and the message says why.

    Example:
        >>> from cnnref.analysis import layer_table
        >>> rows = layer_table("resnet50", (320, 320))
        >>> rows[-1].shape, sum(r.params for r in rows)
        ((1000,), 25557032)
    """
    layers = _graph(model)
    shapes, fields = _walk(layers, _pair(input_size))
    rows = []
    for layer, shape, f in zip(layers, shapes, fields, strict=True):
        positions = math.prod(shape[1:]) if layer.conv_macs and len(shape) == 3 else 1
        rows.append(
            LayerRow(
                layer.name,
                layer.type,
                shape,
                layer.params,
                layer.params * positions,
                Field(_round(f.size), _round(f.jump), _round(f.start)),
            )
        )
    return rows


def receptive_field(
    model: nn.Module | str | list[Layer], input_size: int | tuple[int, int] = (224, 224)
) -> ReceptiveField:
    """Receptive field size, jump and start of every layer, and the network's largest.

    Args:
        model: A model, a registered model's name, or a `layer_graph`.
        input_size: `(H, W)` (or one int): only layers whose windows depend on the size
            (adaptive pooling, interpolation) change with it.

    Returns:
        A `ReceptiveField`.

    Raises:
        InputSizeError: If a layer refuses the size.

    Example:
        >>> from cnnref.analysis import receptive_field
        >>> rf = receptive_field("alexnet", 224)
        >>> rf.final, rf.layers[1]
        ((195, 195), ('conv1', Field(size=(11, 11), jump=(4, 4), start=(3, 3))))
    """
    rows = layer_table(model, input_size)
    sizes = [r.field.size for r in rows if r.field.size is not None and len(r.shape) == 3]
    final = (max(math.ceil(s[0]) for s in sizes), max(math.ceil(s[1]) for s in sizes))
    return ReceptiveField([(r.name, r.field) for r in rows], final)


def memory(
    model: nn.Module | str | list[Layer],
    input_size: int | tuple[int, int] = (224, 224),
    bytes_per_element: int = 4,
) -> Memory:
    """Activation memory of one image for inference and for a training step.

    Args:
        model: A model, a registered model's name, or a `layer_graph`.
        input_size: `(H, W)` (or one int).
        bytes_per_element: 4 for float32, 2 for float16/bfloat16.

    Returns:
        A `Memory` in bytes (multiply by the batch size for a batch).

    Example:
        >>> from cnnref.analysis import memory
        >>> m = memory("lenet5", 32)
        >>> m.inference < m.training
        True
    """
    layers = _graph(model)
    shapes, _ = _walk(layers, _pair(input_size))
    sizes = [math.prod(s) * bytes_per_element for s in shapes]
    last_use = {i: i for i in range(len(layers))}
    for j, layer in enumerate(layers):
        for i in layer.inputs:
            last_use[i] = max(last_use[i], j)
        for key in ("ref",):
            if layer.args.get(key) is not None:
                last_use[layer.args[key]] = max(last_use[layer.args[key]], j)
    live, peak = 0, 0
    for j in range(len(layers)):
        live += sizes[j]
        peak = max(peak, live)
        live -= sum(sizes[i] for i in range(j + 1) if last_use[i] == j and i != len(layers) - 1)
    return Memory(inference=peak, training=sum(sizes))


def min_input_size(model: nn.Module | str | list[Layer], limit: int = 4096) -> int:
    """The smallest square input every layer accepts, found by following the sizes.

    Args:
        model: A model, a registered model's name, or a `layer_graph`.
        limit: The largest side to try.

    Returns:
        The smallest side `s` for which an `s×s` input passes every layer.

    Raises:
        ValueError: If no side up to `limit` passes.

    Example:
        >>> from cnnref.analysis import min_input_size
        >>> min_input_size("unet")
        188
    """
    layers = _graph(model)
    for side in range(1, limit + 1):
        try:
            _walk(layers, (side, side))
        except InputSizeError:
            continue
        return side
    raise ValueError(f"no square input up to {limit}×{limit} passes every layer")


def graph_json(layers: list[Layer]) -> list[list]:
    """The graph as compact JSON-ready lists for the site's explorer.

    Each layer becomes `[name, type, op, inputs, params, conv_macs, args]`, with `args`
    holding only what the op needs.

    Args:
        layers: A `layer_graph`.

    Returns:
        One list per layer.
    """
    out = []
    for layer in layers:
        args = {k: list(v) if isinstance(v, tuple) else v for k, v in layer.args.items()}
        out.append(
            [
                layer.name,
                layer.type,
                layer.op,
                list(layer.inputs),
                layer.params,
                int(layer.conv_macs),
                args,
            ]
        )
    return out
