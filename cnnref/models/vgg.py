"""VGG: very deep networks built from nothing but 3×3 convolutions (Simonyan & Zisserman, 2014).

[Very Deep Convolutional Networks for Large-Scale Image Recognition](https://arxiv.org/abs/1409.1556),
ICLR 2015. The paper fixes everything but depth: every convolution is 3×3 with stride 1 and
padding 1 (so it keeps the spatial size), five 2×2 max-pools halve it, and the channel count
doubles after each pool from 64 to 512. Two stacked 3×3 layers see a 5×5 window and three see
a 7×7 one, with fewer weights than one large kernel (3·3²C² = 27C² against 7²C² = 49C²) and a
ReLU between each. Table 1 of the paper lists six configurations, A to E, of 11 to 19 weight
layers; `CONFIGS` below is that table as data, and `table1()` renders it.

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; the
cards, and so the site, read it from there.

Example:
    >>> from cnnref.models.vgg import vgg11
    >>> import torch
    >>> model = vgg11(num_classes=10).eval()
    >>> model(torch.randn(1, 3, 32, 32)).shape
    torch.Size([1, 10])
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any

import torch
from torch import nn

from cnnref.models._common import LocalResponseNorm, check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "CLASSIFIER",
    "CONFIGS",
    "DIFFERS_FROM_PAPER",
    "TORCHVISION_CONFIGS",
    "VGG",
    "config_params",
    "parameter_breakdown",
    "table1",
    "torchvision_key",
    "vgg11",
    "vgg11_bn",
    "vgg11_lrn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg16c",
    "vgg19",
    "vgg19_bn",
    "weight_layers",
]

PAPER = Paper(
    title="Very Deep Convolutional Networks for Large-Scale Image Recognition",
    authors="K. Simonyan, A. Zisserman",
    venue="ICLR 2015",
    year=2014,
    url="https://arxiv.org/abs/1409.1556",
)

FAMILY = register_family("vgg", title="VGG", featured="vgg16")

# How this code departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = {
    "avgpool": "AdaptiveAvgPool2d((7, 7)) before fc6, as in torchvision: the identity at the "
    "paper's 224×224 (the feature map is 7×7 there), it lets other input sizes reach the same "
    "fc6. The paper instead evaluates densely, turning fc6 into a 7×7 convolution and fc7, "
    "fc8 into 1×1 convolutions and averaging the class score map (§3.2).",
    "init": "torchvision's initialisation (Kaiming-normal convolutions, linear weights with "
    "standard deviation 0.01). The paper trained net A from N(0, 10⁻²) and initialised the "
    "first four convolutional and the last three fully connected layers of the deeper nets "
    "from it, the layers in between at random (§3.1).",
    "batch_norm": "Not in the paper: torchvision's variant with a BatchNorm2d after every "
    "convolution (before its ReLU); the paper predates batch normalisation.",
}

# The paper's Table 1, column by column: the convolutional part of each configuration.
# "convK-C" is a K×K convolution with C output channels (stride 1, padding K // 2), each
# followed by a ReLU; "LRN" is local response normalisation; "maxpool" is 2×2 with stride 2.
# One line per block, so that each line is one cell of the table.
# fmt: off
CONFIGS: dict[str, list[str]] = {
    "A": [
        "conv3-64", "maxpool",
        "conv3-128", "maxpool",
        "conv3-256", "conv3-256", "maxpool",
        "conv3-512", "conv3-512", "maxpool",
        "conv3-512", "conv3-512", "maxpool",
    ],
    "A-LRN": [
        "conv3-64", "LRN", "maxpool",
        "conv3-128", "maxpool",
        "conv3-256", "conv3-256", "maxpool",
        "conv3-512", "conv3-512", "maxpool",
        "conv3-512", "conv3-512", "maxpool",
    ],
    "B": [
        "conv3-64", "conv3-64", "maxpool",
        "conv3-128", "conv3-128", "maxpool",
        "conv3-256", "conv3-256", "maxpool",
        "conv3-512", "conv3-512", "maxpool",
        "conv3-512", "conv3-512", "maxpool",
    ],
    "C": [
        "conv3-64", "conv3-64", "maxpool",
        "conv3-128", "conv3-128", "maxpool",
        "conv3-256", "conv3-256", "conv1-256", "maxpool",
        "conv3-512", "conv3-512", "conv1-512", "maxpool",
        "conv3-512", "conv3-512", "conv1-512", "maxpool",
    ],
    "D": [
        "conv3-64", "conv3-64", "maxpool",
        "conv3-128", "conv3-128", "maxpool",
        "conv3-256", "conv3-256", "conv3-256", "maxpool",
        "conv3-512", "conv3-512", "conv3-512", "maxpool",
        "conv3-512", "conv3-512", "conv3-512", "maxpool",
    ],
    "E": [
        "conv3-64", "conv3-64", "maxpool",
        "conv3-128", "conv3-128", "maxpool",
        "conv3-256", "conv3-256", "conv3-256", "conv3-256", "maxpool",
        "conv3-512", "conv3-512", "conv3-512", "conv3-512", "maxpool",
        "conv3-512", "conv3-512", "conv3-512", "conv3-512", "maxpool",
    ],
}
# fmt: on

# The bottom of Table 1, the same in every column. FC-1000 becomes FC-num_classes.
CLASSIFIER: list[str] = ["FC-4096", "FC-4096", "FC-1000", "soft-max"]

# Local response normalisation "as in Krizhevsky et al. (2012)": k=2, n=5, α=1e-4, β=0.75 in
#   b = a / (k + α · Σ a²)^β.
# PyTorch's LocalResponseNorm divides α by n (b = a / (k + α/n · Σ a²)^β), so α is given as
# 1e-4 · 5 to compute the paper's formula.
LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K = 5, 1e-4 * 5, 0.75, 2.0


def weight_layers(config: str) -> int:
    """Count the weight layers of a configuration as Table 1 does (convolutions plus 3 FC).

    Args:
        config: A key of `CONFIGS`.

    Returns:
        The depth in the table's header: 11, 11, 13, 16, 16 or 19.

    Example:
        >>> from cnnref.models.vgg import weight_layers, CONFIGS
        >>> [weight_layers(c) for c in CONFIGS]
        [11, 11, 13, 16, 16, 19]
    """
    return sum(entry.startswith("conv") for entry in CONFIGS[config]) + 3


def config_params(config: str, batch_norm: bool = False) -> dict[str, int]:
    """Count the parameters of a configuration from `CONFIGS` alone, without building it.

    This is the arithmetic behind the paper's Table 2, for 3 input channels and 1000 classes:
    a convK-C layer on Cin channels has K·K·Cin·C weights and C biases (and 2·C batch-norm
    weights in the `_bn` variants); the classifier is FC-4096, FC-4096, FC-1000 on the
    512×7×7 map.

    Args:
        config: A key of `CONFIGS`.
        batch_norm: Count the batch norms of the `_bn` variants.

    Returns:
        `{"conv": ..., "fc6": ..., "fc": ..., "total": ...}`: the convolutional part
        (batch norms included), fc6 alone, the three FC layers, and all.

    Example:
        >>> from cnnref.models.vgg import config_params
        >>> config_params("D")
        {'conv': 14714688, 'fc6': 102764544, 'fc': 123642856, 'total': 138357544}
    """
    conv, channels = 0, 3
    for entry in CONFIGS[config]:
        if entry.startswith("conv"):
            kernel, width = (int(v) for v in entry.removeprefix("conv").split("-"))
            conv += kernel * kernel * channels * width + width + (2 * width if batch_norm else 0)
            channels = width
    fc6 = 512 * 7 * 7 * 4096 + 4096
    fc = fc6 + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    return {"conv": conv, "fc6": fc6, "fc": fc, "total": conv + fc}


def table1() -> list[tuple[str, ...]]:
    r"""Render the paper's Table 1 from `CONFIGS`, one tuple per row, one string per column.

    Each block of convolutions between two max-pools is one cell, its layers joined by
    newlines, as the paper prints them.

    Returns:
        Rows: the configuration names, the weight-layer counts, the input, then the blocks
        and max-pools, then `CLASSIFIER`.

    Example:
        >>> from cnnref.models.vgg import table1
        >>> rows = table1()
        >>> rows[0]
        ('A', 'A-LRN', 'B', 'C', 'D', 'E')
        >>> rows[1][3]
        '16 weight layers'
        >>> rows[3][1].split("\n")
        ['conv3-64', 'LRN']
        >>> [row[0] for row in rows[-5:]]
        ['maxpool', 'FC-4096', 'FC-4096', 'FC-1000', 'soft-max']
    """
    names = tuple(CONFIGS)
    rows = [names, tuple(f"{weight_layers(c)} weight layers" for c in names)]
    rows.append(("input (224 × 224 RGB image)",) * len(names))
    blocks = []
    for config in CONFIGS.values():
        cells, cell = [], []
        for entry in config:
            if entry == "maxpool":
                cells.append("\n".join(cell))
                cell = []
            else:
                cell.append(entry)
        blocks.append(cells)
    for cells in zip(*blocks, strict=True):
        rows.append(cells)
        rows.append(("maxpool",) * len(names))
    rows.extend((entry,) * len(names) for entry in CLASSIFIER)
    return rows


def _make_features(config: list[str], batch_norm: bool, in_channels: int) -> nn.Sequential:
    """Build the convolutional part from a `CONFIGS` column, with Caffe/paper-style names.

    Layers are named `conv{block}_{index}` (`conv3_2` is the second conv of the third block),
    `bn{block}_{index}`, `relu{block}_{index}`, `lrn{block}` and `pool{block}`. For the
    configurations torchvision has, the order of the layers is exactly torchvision's.
    """
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    block, index, channels = 1, 1, in_channels
    for entry in config:
        if entry == "maxpool":
            layers[f"pool{block}"] = nn.MaxPool2d(kernel_size=2, stride=2)
            block, index = block + 1, 1
        elif entry == "LRN":
            layers[f"lrn{block}"] = LocalResponseNorm(LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K)
        else:
            kernel, width = entry.removeprefix("conv").split("-")  # "conv3-64" -> "3", "64"
            k, out = int(kernel), int(width)
            layers[f"conv{block}_{index}"] = nn.Conv2d(channels, out, k, padding=k // 2)
            if batch_norm:
                layers[f"bn{block}_{index}"] = nn.BatchNorm2d(out)
            layers[f"relu{block}_{index}"] = nn.ReLU(inplace=True)
            index, channels = index + 1, out
    return nn.Sequential(layers)


class VGG(nn.Module):
    """A VGG network: one column of the paper's Table 1, then the three FC layers.

    Args:
        config: A key of `CONFIGS`: `"A"`, `"A-LRN"`, `"B"`, `"C"`, `"D"` or `"E"`.
        num_classes: Outputs of `fc8` (the paper's FC-1000).
        in_channels: Channels of the input image.
        batch_norm: Put a `BatchNorm2d` after every convolution (torchvision's `_bn` variants,
            not in the paper).
        dropout: Dropout probability before `fc7` and `fc8` (the paper's 0.5).

    Raises:
        ValueError: If `config` is not in `CONFIGS`, or a count is not positive.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import VGG
        >>> with torch.device("meta"):
        ...     model = VGG("C", num_classes=10)
        >>> model.features.conv3_3
        Conv2d(256, 256, kernel_size=(1, 1), stride=(1, 1))
    """

    def __init__(
        self,
        config: str = "D",
        num_classes: int = 1000,
        in_channels: int = 3,
        batch_norm: bool = False,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        if config not in CONFIGS:
            raise ValueError(
                f"VGG: unknown configuration {config!r}; the paper's Table 1 has "
                f"{', '.join(repr(c) for c in CONFIGS)}"
            )
        bn = "-BN" if batch_norm else ""
        self.name = f"VGG-{weight_layers(config)}{bn} (config {config})"
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.config = config
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 512
        self.head_modules = ("avgpool", "classifier")  # forward_features never runs these
        self.min_input_size = 32  # five 2×2 max-pools: 32 -> 1; at 31 the last pool gets 0.

        self.features = _make_features(CONFIGS[config], batch_norm, in_channels)
        # The identity at 224×224 (the feature map is 7×7 there); see the module docstring.
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            OrderedDict(
                fc6=nn.Linear(512 * 7 * 7, 4096),
                relu6=nn.ReLU(inplace=True),
                drop6=nn.Dropout(dropout),
                fc7=nn.Linear(4096, 4096),
                relu7=nn.ReLU(inplace=True),
                drop7=nn.Dropout(dropout),
                fc8=nn.Linear(4096, num_classes),
            )
        )

        # torchvision's initialisation (the paper's differs; see the module docstring).
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Run the convolutional part: `(N, C, H, W)` -> `(N, 512, H / 32, W / 32)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        return self.features(x)  # (N, 512, H/32, W/32); 7×7 at 224

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        """Classify features: `(N, 512, h, w)` -> `(N, num_classes)` logits (no soft-max)."""
        x = self.avgpool(x)  # (N, 512, 7, 7)
        x = torch.flatten(x, 1)  # (N, 25088)
        return self.classifier(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute class logits: `(N, C, H, W)` -> `(N, num_classes)`."""
        return self.forward_head(self.forward_features(x))


def parameter_breakdown(model: VGG) -> dict[str, int]:
    """Count the parameters of each layer that has any, in network order.

    This answers "where do VGG's parameters sit?": `fc6` alone, a 25088 × 4096 matrix,
    holds 102.8M of VGG-16's 138.4M.

    Args:
        model: A `VGG` (on any device, `meta` included).

    Returns:
        Layer name (`"conv1_1"`, `"bn1_1"`, ..., `"fc6"`, `"fc7"`, `"fc8"`) -> parameter count.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import parameter_breakdown, vgg16
        >>> with torch.device("meta"):
        ...     counts = parameter_breakdown(vgg16())
        >>> counts["conv1_1"], counts["fc6"], sum(counts.values())
        (1792, 102764544, 138357544)
        >>> sum(n for name, n in counts.items() if name.startswith("fc"))
        123642856
    """
    counts = {}
    for part in (model.features, model.classifier):
        for name, layer in part.named_children():
            n = sum(p.numel() for p in layer.parameters())
            if n:
                counts[name] = n
    return counts


# torchvision builder -> (configuration, batch norm); compat.py maps each to its twin here.
TORCHVISION_CONFIGS = {
    f"vgg{depth}{bn}": (config, bool(bn))
    for depth, config in ((11, "A"), (13, "B"), (16, "D"), (19, "E"))
    for bn in ("", "_bn")
}


def torchvision_key(key: str, model: str) -> str:
    """Map a key of torchvision's VGG `state_dict` to ours.

    torchvision numbers its layers (`features.7.weight`), and the same number is a different
    layer in each configuration (`features.17` is `conv4_2` in vgg13 but `conv4_1` in vgg16),
    so the mapping needs the model's name.

    Args:
        key: A torchvision key, e.g. `"features.28.weight"` or `"classifier.6.bias"`.
        model: torchvision's builder name, e.g. `"vgg16"` or `"vgg16_bn"`.

    Returns:
        Our key, e.g. `"features.conv5_3.weight"` or `"classifier.fc8.bias"`.

    Raises:
        ValueError: If `model` is not one of torchvision's eight VGG builders.

    Example:
        >>> from cnnref.models.vgg import torchvision_key
        >>> torchvision_key("features.28.weight", "vgg16")
        'features.conv5_3.weight'
        >>> torchvision_key("features.1.running_var", "vgg16_bn")
        'features.bn1_1.running_var'
        >>> torchvision_key("classifier.6.bias", "vgg16")
        'classifier.fc8.bias'
    """
    if model not in TORCHVISION_CONFIGS:
        raise ValueError(
            f"torchvision_key: {model!r} is not a torchvision VGG; expected one of "
            f"{', '.join(TORCHVISION_CONFIGS)}"
        )
    part, index, rest = key.split(".", 2)
    return f"{part}.{_layer_names(*TORCHVISION_CONFIGS[model])[part][int(index)]}.{rest}"


@functools.cache
def _layer_names(config: str, batch_norm: bool) -> dict[str, tuple[str, ...]]:
    """Our names of `features` and `classifier` in order: torchvision's order, numbered."""
    with torch.device("meta"):  # built once per configuration, not once per key
        model = VGG(config, batch_norm=batch_norm)
    return {
        part: tuple(name for name, _ in getattr(model, part).named_children())
        for part in ("features", "classifier")
    }


def _drawbacks(config: str, batch_norm: bool) -> tuple[str, ...]:
    """The two drawbacks the lecture outline names, checked; counts from `config_params`."""
    counts = config_params(config, batch_norm)
    return (
        "Most parameters sit in the fully connected layers at the end: fc6 alone, a "
        f"25088 × 4096 matrix, holds {counts['fc6'] / 1e6:.1f}M of the "
        f"{counts['total'] / 1e6:.1f}M parameters; all the convolutional layers together hold "
        f"{counts['conv'] / 1e6:.1f}M.",
        "The lecture outline's 'vanishing gradients': the paper warns that a bad "
        "initialisation 'can stall learning due to the instability of gradient in deep nets', "
        "so it trained the shallow net A first and initialised only the first four "
        "convolutional and the last three fully connected layers of the deeper nets from it, "
        "the layers in between at random; it adds that Glorot & Bengio's random "
        "initialisation works without this pre-training (Simonyan & Zisserman 2015, §3.1).",
    )


_HEADLINE = Result(
    benchmark="ILSVRC 2014 classification",
    metric="top-5 error",
    value=7.3,
    setting="test set, ensemble (the ILSVRC submission); 2nd place in classification, "
    "1st in localisation",
    source="Simonyan & Zisserman 2015, §4.5",
)


# The paper's Table 3: single-scale validation top-1 and top-5 error (%) per configuration.
TABLE_3: dict[str, tuple[float, float]] = {
    "A": (29.6, 10.4),
    "A-LRN": (29.7, 10.5),
    "B": (28.7, 9.9),
    "C": (28.1, 9.4),
    "D": (27.0, 8.8),
    "E": (27.3, 9.0),
}


def _table3(config: str) -> tuple[Result, Result]:
    """The single-scale validation errors of one configuration (Table 3)."""
    top1, top5 = TABLE_3[config]
    setting = "validation set, single model, single test scale (trained and tested at 256)"
    source = "Simonyan & Zisserman 2015, Table 3"
    return (
        Result("ILSVRC 2012 classification", "top-1 error", top1, setting, source),
        Result("ILSVRC 2012 classification", "top-5 error", top5, setting, source),
    )


def _torchvision_result(name: str, top1: float, top5: float) -> tuple[Result, Result]:
    """The published accuracy of torchvision's `_bn` weights (the paper has no BN nets)."""
    setting = "validation set, torchvision's IMAGENET1K_V1 weights, single 224 crop"
    source = f"torchvision {name} weights metadata"
    return (
        Result("ImageNet-1K", "top-1 accuracy", top1, setting, source),
        Result("ImageNet-1K", "top-5 accuracy", top5, setting, source),
    )


_KEY_IDEAS = (
    "Only 3×3 convolutions (stride 1, padding 1): two stacked see 5×5, three see 7×7, with "
    "fewer weights than one large kernel (27C² against 49C²) and more non-linearities (§2.3).",
    "Depth is the only variable: configurations A to E grow from 11 to 19 weight layers; the "
    "error falls with depth and, in the paper's words, saturates at 19 layers (§2.2, §4.1).",
    "Five 2×2 max-pools halve the resolution; the width doubles after each, 64 to 512 (§2.1, "
    "§2.2).",
    "Three fully connected layers, 4096, 4096 and 1000, with dropout 0.5 before the last two "
    "(§2.1, §3.1).",
)
_BN_NOTE = DIFFERS_FROM_PAPER["batch_norm"]
_COMMON: dict[str, Any] = {
    "family": "vgg",
    "paper": PAPER,
    "input_size": (3, 224, 224),
    "min_input_size": 32,
    "paper_params_source": "Simonyan & Zisserman 2015, Table 2",
}
_DIFFERS = f"{DIFFERS_FROM_PAPER['avgpool']} {DIFFERS_FROM_PAPER['init']}"


def _vgg(config: str, batch_norm: bool, num_classes: int, in_channels: int, **kwargs: Any) -> VGG:
    return VGG(config, num_classes, in_channels, batch_norm=batch_norm, **kwargs)


@register(
    title="VGG-11 (config A)",
    results=(_HEADLINE, *_table3("A")),
    paper_params=133_000_000,
    weight_layers=11,
    key_ideas=_KEY_IDEAS,
    drawbacks=_drawbacks("A", False),
    differs_from_paper=_DIFFERS,
    torchvision="vgg11",
    torchvision_key=functools.partial(torchvision_key, model="vgg11"),
    extra={"torchvision_params": 132_863_336},
    **_COMMON,
)
def vgg11(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration A: 8 convolutions and 3 FC layers, 11 weight layers.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg11
        >>> with torch.device("meta"):
        ...     model = vgg11()
        >>> sum(p.numel() for p in model.parameters())
        132863336
        >>> model(torch.empty(1, 3, 224, 224, device="meta")).shape
        torch.Size([1, 1000])
    """
    return _vgg("A", False, num_classes, in_channels, **kwargs)


@register(
    title="VGG-11-LRN (config A-LRN)",
    results=(_HEADLINE, *_table3("A-LRN")),
    paper_params=133_000_000,
    weight_layers=11,
    key_ideas=(
        *_KEY_IDEAS,
        "A-LRN adds AlexNet's local response normalisation after the first layer: it does not "
        f"improve on A ({TABLE_3['A-LRN'][0]} against {TABLE_3['A'][0]} top-1 error, Table 3), "
        "so the deeper configurations drop it (§4.1).",
    ),
    drawbacks=_drawbacks("A-LRN", False),
    differs_from_paper=_DIFFERS,
    torchvision=None,
    differs_from_torchvision="torchvision has no A-LRN configuration.",
    **_COMMON,
)
def vgg11_lrn(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration A-LRN: A with local response normalisation after `conv1_1`.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg11_lrn
        >>> with torch.device("meta"):
        ...     model = vgg11_lrn()
        >>> model.features.lrn1
        LocalResponseNorm(5, alpha=0.0005, beta=0.75, k=2.0)
    """
    return _vgg("A-LRN", False, num_classes, in_channels, **kwargs)


@register(
    title="VGG-13 (config B)",
    results=(_HEADLINE, *_table3("B")),
    paper_params=133_000_000,
    weight_layers=13,
    key_ideas=_KEY_IDEAS,
    drawbacks=_drawbacks("B", False),
    differs_from_paper=_DIFFERS,
    torchvision="vgg13",
    torchvision_key=functools.partial(torchvision_key, model="vgg13"),
    extra={"torchvision_params": 133_047_848},
    **_COMMON,
)
def vgg13(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration B: two 3×3 convolutions per block, 13 weight layers.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg13
        >>> with torch.device("meta"):
        ...     model = vgg13()
        >>> sum(p.numel() for p in model.parameters())
        133047848
    """
    return _vgg("B", False, num_classes, in_channels, **kwargs)


@register(
    title="VGG-16 (config C, with 1×1 convolutions)",
    results=(_HEADLINE, *_table3("C")),
    paper_params=134_000_000,
    weight_layers=16,
    key_ideas=(
        *_KEY_IDEAS,
        "C ends blocks 3 to 5 with a 1×1 convolution: more non-linearity without a larger "
        f"receptive field. It beats B ({TABLE_3['C'][0]} against {TABLE_3['B'][0]} top-1 "
        f"error) but loses to D's 3×3 ({TABLE_3['D'][0]}), so spatial context matters "
        "(§4.1, Table 3).",
    ),
    drawbacks=_drawbacks("C", False),
    differs_from_paper=_DIFFERS,
    torchvision=None,
    differs_from_torchvision="torchvision has no C configuration.",
    **_COMMON,
)
def vgg16c(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration C: B plus a 1×1 convolution ending blocks 3, 4 and 5.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg16c
        >>> with torch.device("meta"):
        ...     model = vgg16c()
        >>> sum(p.numel() for p in model.parameters())
        133638952
    """
    return _vgg("C", False, num_classes, in_channels, **kwargs)


@register(
    title="VGG-16 (config D)",
    results=(_HEADLINE, *_table3("D")),
    paper_params=138_000_000,
    weight_layers=16,
    key_ideas=_KEY_IDEAS,
    drawbacks=_drawbacks("D", False),
    differs_from_paper=_DIFFERS,
    torchvision="vgg16",
    torchvision_key=functools.partial(torchvision_key, model="vgg16"),
    extra={"torchvision_params": 138_357_544},
    **_COMMON,
)
def vgg16(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration D, the "VGG-16": three 3×3 convolutions in blocks 3 to 5.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg16
        >>> with torch.device("meta"):
        ...     model = vgg16()
        >>> sum(p.numel() for p in model.parameters())
        138357544
    """
    return _vgg("D", False, num_classes, in_channels, **kwargs)


@register(
    title="VGG-19 (config E)",
    results=(_HEADLINE, *_table3("E")),
    paper_params=144_000_000,
    weight_layers=19,
    key_ideas=_KEY_IDEAS,
    drawbacks=_drawbacks("E", False),
    differs_from_paper=_DIFFERS,
    torchvision="vgg19",
    torchvision_key=functools.partial(torchvision_key, model="vgg19"),
    extra={"torchvision_params": 143_667_240},
    **_COMMON,
)
def vgg19(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration E, the "VGG-19": four 3×3 convolutions in blocks 3 to 5.

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg19
        >>> with torch.device("meta"):
        ...     model = vgg19()
        >>> sum(p.numel() for p in model.parameters())
        143667240
    """
    return _vgg("E", False, num_classes, in_channels, **kwargs)


@register(
    title="VGG-11-BN (config A, batch norm)",
    results=(_HEADLINE, *_torchvision_result("VGG11_BN", 70.370, 89.810)),
    weight_layers=11,
    key_ideas=(*_KEY_IDEAS, _BN_NOTE),
    drawbacks=_drawbacks("A", True),
    differs_from_paper=f"{_BN_NOTE} {_DIFFERS}",
    torchvision="vgg11_bn",
    torchvision_key=functools.partial(torchvision_key, model="vgg11_bn"),
    extra={"torchvision_params": 132_868_840},
    **_COMMON,
)
def vgg11_bn(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration A with batch norm after every convolution (torchvision's, not the paper's).

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg11_bn
        >>> with torch.device("meta"):
        ...     model = vgg11_bn()
        >>> sum(p.numel() for p in model.parameters())
        132868840
    """
    return _vgg("A", True, num_classes, in_channels, **kwargs)


@register(
    title="VGG-13-BN (config B, batch norm)",
    results=(_HEADLINE, *_torchvision_result("VGG13_BN", 71.586, 90.374)),
    weight_layers=13,
    key_ideas=(*_KEY_IDEAS, _BN_NOTE),
    drawbacks=_drawbacks("B", True),
    differs_from_paper=f"{_BN_NOTE} {_DIFFERS}",
    torchvision="vgg13_bn",
    torchvision_key=functools.partial(torchvision_key, model="vgg13_bn"),
    extra={"torchvision_params": 133_053_736},
    **_COMMON,
)
def vgg13_bn(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration B with batch norm after every convolution (torchvision's, not the paper's).

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg13_bn
        >>> with torch.device("meta"):
        ...     model = vgg13_bn()
        >>> sum(p.numel() for p in model.parameters())
        133053736
    """
    return _vgg("B", True, num_classes, in_channels, **kwargs)


@register(
    title="VGG-16-BN (config D, batch norm)",
    results=(_HEADLINE, *_torchvision_result("VGG16_BN", 73.360, 91.516)),
    weight_layers=16,
    key_ideas=(*_KEY_IDEAS, _BN_NOTE),
    drawbacks=_drawbacks("D", True),
    differs_from_paper=f"{_BN_NOTE} {_DIFFERS}",
    torchvision="vgg16_bn",
    torchvision_key=functools.partial(torchvision_key, model="vgg16_bn"),
    extra={"torchvision_params": 138_365_992},
    **_COMMON,
)
def vgg16_bn(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration D with batch norm after every convolution (torchvision's, not the paper's).

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg16_bn
        >>> with torch.device("meta"):
        ...     model = vgg16_bn()
        >>> sum(p.numel() for p in model.parameters())
        138365992
    """
    return _vgg("D", True, num_classes, in_channels, **kwargs)


@register(
    title="VGG-19-BN (config E, batch norm)",
    results=(_HEADLINE, *_torchvision_result("VGG19_BN", 74.218, 91.842)),
    weight_layers=19,
    key_ideas=(*_KEY_IDEAS, _BN_NOTE),
    drawbacks=_drawbacks("E", True),
    differs_from_paper=f"{_BN_NOTE} {_DIFFERS}",
    torchvision="vgg19_bn",
    torchvision_key=functools.partial(torchvision_key, model="vgg19_bn"),
    extra={"torchvision_params": 143_678_248},
    **_COMMON,
)
def vgg19_bn(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> VGG:
    """VGG configuration E with batch norm after every convolution (torchvision's, not the paper's).

    Example:
        >>> import torch
        >>> from cnnref.models.vgg import vgg19_bn
        >>> with torch.device("meta"):
        ...     model = vgg19_bn()
        >>> sum(p.numel() for p in model.parameters())
        143678248
    """
    return _vgg("E", True, num_classes, in_channels, **kwargs)
