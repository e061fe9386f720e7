"""SENet: Squeeze-and-Excitation Networks (Hu, Shen & Sun, CVPR 2018; ILSVRC 2017 winner).

[Squeeze-and-Excitation Networks](https://arxiv.org/abs/1709.01507) adds one small unit, the
*SE block*, to every residual block of a ResNet or ResNeXt. It recalibrates the channels of
the block's output `U` (shape `C × H × W`) by weights computed from `U` itself:

    z = mean over H, W of U                      (squeeze: one number per channel, C)
    s = sigmoid(W2 · relu(W1 · z + b1) + b2)     (excitation: C -> C/r -> C, r = 16)
    out = s ⊙ U                                  (scale: channel c multiplied by s_c)

`W1` and `W2` are the two fully connected layers of the paper's Fig. 3; the authors' released
Caffe files write them as 1×1 convolutions with bias (`conv*_1x1_down`, `conv*_1x1_up`), and so
does this code, which gives the same function and the same parameters. The block sits on the
residual branch, *before* the addition with the shortcut (the paper's Fig. 3; Caffe's `Axpy`
layer computes `s ⊙ U + shortcut` in one step):

    y = relu(SE(F(x)) + shortcut(x))

The networks are those of the authors' release (github.com/hujie-frank/SENet, `models/`),
layer for layer; where the release and the paper's text differ, this code follows the release:

- `se_resnet50`, `se_resnet101`, `se_resnet152`: ResNet-50/101/152 ([3, 4, 6, 3],
  [3, 4, 23, 3], [3, 8, 36, 3] blocks), the stride on the first 1×1 convolution (as in the
  ResNet authors' release), 1×1 projection shortcuts with BN.
- `se_resnext50_32x4d`, `se_resnext101_32x4d`: ResNeXt-50/101 with 32 groups of 4 channels
  in the 3×3 convolution, the stride on the 3×3, 1×1 projection shortcuts with BN.
- `senet154`: a modified SE-ResNeXt-152 with 64 groups, the stride on the 3×3.

SENet-154's modifications (the paper's Appendix): the first 1×1 convolution of each block has
half the channels of the grouped 3×3; the 7×7 stem is three 3×3 convolutions (64, 64, 128); the
down-sampling projection is a 3×3 convolution with stride 2; dropout 0.2 before the classifier.

Names follow torchvision's ResNet (`conv1`, `bn1`, `layer1..4`, `fc`; in a block `conv1..3`,
`bn1..3`, `downsample`), so that `SENet(..., se=False)` holds exactly torchvision's ResNeXt-50
keys; the SE block of a block is `se` (`fc1`, `fc2`).

Differs from the authors' release:
    - Max-pooling pads by 1 where Caffe pools unpadded in ceil mode; both give 56×56 from
      112×112. The final 7×7 average pool is adaptive, so other input sizes work.
    - Initialisation is torchvision's (Kaiming-normal, fan-out), not the release's.

Example:
    >>> from cnnref.models.senet import se_resnet50
    >>> import torch
    >>> model = se_resnet50(num_classes=10).eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape
    torch.Size([1, 10])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from cnnref.models._common import check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "CONFIGS",
    "RELEASE_COUNTS",
    "SEBlock",
    "SEBottleneck",
    "SENet",
    "SENetConfig",
    "se_resnet50",
    "se_resnet101",
    "se_resnet152",
    "se_resnext50_32x4d",
    "se_resnext101_32x4d",
    "senet154",
]

PAPER = Paper(
    title="Squeeze-and-Excitation Networks",
    authors="J. Hu, L. Shen, G. Sun",
    venue="CVPR 2018",
    year=2017,
    url="https://arxiv.org/abs/1709.01507",
)

FAMILY = register_family("senet", title="SENet", featured="se_resnet50")

AUTHORS_RELEASE = "J. Hu, github.com/hujie-frank/SENet, models/{file}.prototxt"
# The authors' released Caffe definitions, counted layer by layer (Convolution weights and
# biases with their groups, the learned scale and shift of each BatchNorm's Scale layer, the
# InnerProduct classifier with bias; BatchNorm's running mean and variance are statistics,
# not parameters, in Caffe as in PyTorch). The tests hold this code to these figures exactly.
RELEASE_COUNTS: dict[str, tuple[str, int, int, int]] = {
    # name: (release file, convolutions, batch norms, parameters)
    "se_resnet50": ("SE-ResNet-50", 85, 53, 28_088_024),
    "se_resnet101": ("SE-ResNet-101", 170, 104, 49_326_872),
    "se_resnet152": ("SE-ResNet-152", 255, 155, 66_821_848),
    "se_resnext50_32x4d": ("SE-ResNeXt-50", 85, 53, 27_559_896),
    "se_resnext101_32x4d": ("SE-ResNeXt-101", 170, 104, 48_955_416),
    "senet154": ("SENet-154", 257, 157, 115_088_984),
}


class SEBlock(nn.Module):
    """Squeeze (global average pool), excite (FC C→C/r, ReLU, FC C/r→C, sigmoid), scale.

    Args:
        channels: Channels `C` of the feature map it recalibrates.
        reduction: The reduction ratio `r` (the paper's and the release's 16).

    Example:
        >>> import torch
        >>> from cnnref.models.senet import SEBlock
        >>> se = SEBlock(64)
        >>> x = torch.randn(2, 64, 5, 5)
        >>> se(x).shape
        torch.Size([2, 64, 5, 5])
        >>> se.fc1.out_channels
        4
    """

    def __init__(self, channels: int, reduction: int = 16) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)  # W1, with bias
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)  # W2, with bias
        self.sigmoid = nn.Sigmoid()

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The channel weights `s`: `(N, C, H, W)` -> `(N, C, 1, 1)`, each in (0, 1)."""
        z = self.avgpool(x)  # (N, C, 1, 1) squeeze
        return self.sigmoid(self.fc2(self.relu(self.fc1(z))))  # (N, C, 1, 1) excitation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Rescale each channel of `x` by its weight: `(N, C, H, W)` -> `(N, C, H, W)`."""
        return x * self.weights(x)  # channel c times s_c


class SEBottleneck(nn.Module):
    """1×1 reduce, 3×3 (grouped), 1×1 expand, SE block, plus the shortcut.

    Args:
        in_channels: Channels coming in.
        reduce_channels: Output channels of the first 1×1 convolution.
        mid_channels: Output channels of the 3×3 convolution.
        out_channels: Output channels of the block.
        groups: Groups of the 3×3 convolution (1 for ResNet, 32 or 64 for ResNeXt/SENet-154).
        stride: 2 in the first block of stages 3, 4 and 5, else 1.
        stride_on_3x3: Put the stride on the 3×3 convolution (ResNeXt, SENet-154) rather than
            on the first 1×1 (ResNet).
        shortcut_kernel: Kernel of the projection shortcut where the shape changes (1, or 3
            for SENet-154's strided projections).
        reduction: The SE block's `r`; `None` leaves the SE block out (the base network).

    Example:
        >>> import torch
        >>> from cnnref.models.senet import SEBottleneck
        >>> block = SEBottleneck(256, 128, 128, 512, groups=32, stride=2, stride_on_3x3=True)
        >>> block(torch.randn(1, 256, 8, 8)).shape
        torch.Size([1, 512, 4, 4])
    """

    def __init__(
        self,
        in_channels: int,
        reduce_channels: int,
        mid_channels: int,
        out_channels: int,
        groups: int = 1,
        stride: int = 1,
        stride_on_3x3: bool = False,
        shortcut_kernel: int = 1,
        reduction: int | None = 16,
    ) -> None:
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if stride_on_3x3 else (stride, 1)
        self.conv1 = nn.Conv2d(in_channels, reduce_channels, 1, stride=stride_1x1, bias=False)
        self.bn1 = nn.BatchNorm2d(reduce_channels)
        self.conv2 = nn.Conv2d(
            reduce_channels, mid_channels, 3, stride_3x3, padding=1, groups=groups, bias=False
        )
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.conv3 = nn.Conv2d(mid_channels, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.se = SEBlock(out_channels, reduction) if reduction else None
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            k = shortcut_kernel if stride != 1 else 1  # SENet-154's stage 2 projects by 1×1
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, k, stride, padding=k // 2, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in_channels, H, W)` -> `(N, out_channels, H / stride, W / stride)`."""
        out = self.relu(self.bn1(self.conv1(x)))  # (N, reduce, H/s or H, W/s or W)
        out = self.relu(self.bn2(self.conv2(out)))  # (N, mid, H/s, W/s)
        out = self.bn3(self.conv3(out))  # (N, out, H/s, W/s), the residual U
        if self.se is not None:
            out = self.se(out)  # (N, out, H/s, W/s), recalibrated before the addition
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)  # (N, out, H/s, W/s)


@dataclass(frozen=True)
class SENetConfig:
    """One network of the authors' release, as data.

    Attributes:
        title: Display name (also the name in error messages).
        blocks: Blocks in stages 2, 3, 4, 5 (conv2_x ... conv5_x).
        reduce_widths: Output channels of each stage's first 1×1 convolution.
        mid_widths: Output channels of each stage's 3×3 convolution.
        groups: Groups of the 3×3 convolutions.
        stride_on_3x3: Where the down-sampling stride sits.
        deep_stem: Three 3×3 convolutions (64, 64, 128) instead of one 7×7 (64).
        shortcut_kernel: Kernel of the strided projection shortcuts.
        dropout: Dropout before the classifier (0 for none).
    """

    title: str
    blocks: tuple[int, int, int, int]
    reduce_widths: tuple[int, int, int, int]
    mid_widths: tuple[int, int, int, int]
    groups: int = 1
    stride_on_3x3: bool = False
    deep_stem: bool = False
    shortcut_kernel: int = 1
    dropout: float = 0.0


_RESNET = (64, 128, 256, 512)
_RESNEXT_32X4D = (128, 256, 512, 1024)  # 32 groups × 4 channels, doubled each stage
CONFIGS: dict[str, SENetConfig] = {
    "se_resnet50": SENetConfig("SE-ResNet-50", (3, 4, 6, 3), _RESNET, _RESNET),
    "se_resnet101": SENetConfig("SE-ResNet-101", (3, 4, 23, 3), _RESNET, _RESNET),
    "se_resnet152": SENetConfig("SE-ResNet-152", (3, 8, 36, 3), _RESNET, _RESNET),
    "se_resnext50_32x4d": SENetConfig(
        "SE-ResNeXt-50 (32×4d)", (3, 4, 6, 3), _RESNEXT_32X4D, _RESNEXT_32X4D, 32, True
    ),
    "se_resnext101_32x4d": SENetConfig(
        "SE-ResNeXt-101 (32×4d)", (3, 4, 23, 3), _RESNEXT_32X4D, _RESNEXT_32X4D, 32, True
    ),
    "senet154": SENetConfig(
        "SENet-154",
        (3, 8, 36, 3),
        reduce_widths=(128, 256, 512, 1024),  # half of the 3×3's width
        mid_widths=(256, 512, 1024, 2048),  # 64 groups × 4 channels, doubled each stage
        groups=64,
        stride_on_3x3=True,
        deep_stem=True,
        shortcut_kernel=3,
        dropout=0.2,
    ),
}
OUT_WIDTHS = (256, 512, 1024, 2048)  # every network's block outputs, stages 2 to 5


class SENet(nn.Module):
    """A squeeze-and-excitation network of the authors' release (or its base, `se=False`).

    Args:
        config: A key of `CONFIGS` (`"se_resnet50"`, ..., `"senet154"`) or a `SENetConfig`.
        num_classes: Outputs of `fc`.
        in_channels: Channels of the input image.
        se: `False` builds the base network without SE blocks (ResNet-50 with the stride on
            the first 1×1, torchvision's ResNeXt-50 32×4d, ...): same names, fewer parameters.
        reduction: The SE blocks' `r` (16 in the paper and the release).

    Raises:
        ValueError: If `config` is unknown or a count is not positive.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import SENet
        >>> with torch.device("meta"):
        ...     model = SENet("senet154")
        >>> [len(model.layer1), len(model.layer2), len(model.layer3), len(model.layer4)]
        [3, 8, 36, 3]
        >>> model.layer2[0].downsample[0].kernel_size, model.layer2[0].conv2.groups
        ((3, 3), 64)
    """

    def __init__(
        self,
        config: str | SENetConfig = "se_resnet50",
        num_classes: int = 1000,
        in_channels: int = 3,
        se: bool = True,
        reduction: int = 16,
    ) -> None:
        super().__init__()
        if isinstance(config, str):
            if config not in CONFIGS:
                raise ValueError(
                    f"SENet: unknown configuration {config!r}; the authors' release has "
                    f"{', '.join(CONFIGS)}"
                )
            config = CONFIGS[config]
        self.config = config
        self.name = config.title if se else f"{config.title} without SE blocks"
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        check_positive(self.name, reduction=reduction)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = OUT_WIDTHS[-1]
        self.head_modules = ("avgpool", "dropout", "fc")  # forward_features never runs these
        # Every stride and padding keeps a 1×1 map 1×1, as in ResNet, so any size runs.
        self.min_input_size = 1

        if config.deep_stem:  # SENet-154: three 3×3 convolutions instead of one 7×7
            stem_out = 128
            self.conv1 = nn.Sequential(
                nn.Conv2d(in_channels, 64, 3, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(64),
                nn.ReLU(inplace=True),
                nn.Conv2d(64, 64, 3, padding=1, bias=False),
                nn.BatchNorm2d(64),
                nn.ReLU(inplace=True),
                nn.Conv2d(64, stem_out, 3, padding=1, bias=False),
            )
        else:
            stem_out = 64
            self.conv1 = nn.Conv2d(in_channels, stem_out, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem_out)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        channels = stem_out
        stages = []
        for i, blocks in enumerate(config.blocks):
            layer = []
            for b in range(blocks):
                stride = 2 if i > 0 and b == 0 else 1
                layer.append(
                    SEBottleneck(
                        channels,
                        config.reduce_widths[i],
                        config.mid_widths[i],
                        OUT_WIDTHS[i],
                        config.groups,
                        stride,
                        config.stride_on_3x3,
                        config.shortcut_kernel,
                        reduction if se else None,
                    )
                )
                channels = OUT_WIDTHS[i]
            stages.append(nn.Sequential(*layer))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(config.dropout) if config.dropout else nn.Identity()
        self.fc = nn.Linear(self.num_features, num_classes)

        # torchvision's initialisation (the release ships trained weights, not an init).
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Run the stem and the four stages: `(N, C, H, W)` -> `(N, 2048, H / 32, W / 32)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.relu(self.bn1(self.conv1(x)))  # (N, 64 or 128, H/2, W/2), conv1
        x = self.maxpool(x)  # (N, 64 or 128, H/4, W/4)
        x = self.layer1(x)  # (N, 256, H/4, W/4), conv2_x
        x = self.layer2(x)  # (N, 512, H/8, W/8), conv3_x
        x = self.layer3(x)  # (N, 1024, H/16, W/16), conv4_x
        return self.layer4(x)  # (N, 2048, H/32, W/32), conv5_x

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        """Global average pooling, dropout (SENet-154) and `fc`: -> `(N, num_classes)`."""
        x = torch.flatten(self.avgpool(x), 1)  # (N, 2048)
        return self.fc(self.dropout(x))  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute class logits: `(N, C, H, W)` -> `(N, num_classes)`."""
        return self.forward_head(self.forward_features(x))


# ----------------------------------------------------------------------------- the cards
_HEADLINE = Result(
    benchmark="ILSVRC 2017 classification",
    metric="top-5 error",
    value=2.251,
    setting="test set, ensemble of SENets (team WMW); 1st place",
    source="Hu et al. 2018, abstract",
)
_TABLE2_SETTING = (
    "validation set, single model, single 224×224 centre crop; the paper's training "
    "(batch 1024, learning rate 0.6)"
)
_RELEASE_SETTING = (
    "validation set, single 224×224 centre crop of the image resized to 256; the released "
    "weights, retrained with batch 256 and learning rate 0.1 for more epochs"
)


# SENet-154's figures are in the paper's comparison with other networks (not its Table 3, the
# mobile networks'); named by its caption, as its number is not checked here.
_SOTA_TABLE = "the table of single-crop error rates of state-of-the-art CNNs"


def _paper(top1: float, top5: float, table: str = "Table 2", setting: str = "") -> tuple:
    """The paper's single-crop validation errors of one network."""
    setting = setting or _TABLE2_SETTING
    return tuple(
        Result("ILSVRC 2012 classification", metric, value, setting, f"Hu et al. 2018, {table}")
        for metric, value in (("top-1 error", top1), ("top-5 error", top5))
    )


def _release(top1: float, top5: float) -> tuple:
    """The released weights' single-crop validation errors (the release's README, Table 1)."""
    return tuple(
        Result(
            "ILSVRC 2012 classification",
            metric,
            value,
            _RELEASE_SETTING,
            "github.com/hujie-frank/SENet, README, Table 1",
        )
        for metric, value in (("top-1 error", top1), ("top-5 error", top5))
    )


_KEY_IDEAS = (
    "Squeeze: global average pooling turns each channel of a block's output into one number, "
    "a descriptor of the whole image that every later step can use.",
    "Excitation: two fully connected layers (C → C/16 → C) with a ReLU between and a sigmoid "
    "after give one weight in (0, 1) per channel, computed from the image itself.",
    "Scale: each channel of the residual is multiplied by its weight before the shortcut is "
    "added, so the block can emphasise some channels and damp others: attention over channels.",
    "Cheap: the SE blocks add about a tenth to ResNet-50's parameters and well under one per "
    "cent to its multiply-adds (measured on this page), and slot into any architecture.",
)
_DRAWBACKS = (
    "The global pooling and the two small FC layers are cheap in multiply-adds but are extra, "
    "sequential, memory-bound steps in every block, so the measured time grows more than the "
    "multiply-adds do.",
    "The weights depend on the channel only, not on the position: where in the image a "
    "feature matters is left to the convolutions (the Residual Attention Network's mask "
    "weighs every position).",
)
_DIFFERS = (
    "Max-pooling pads by 1 where Caffe pools unpadded in ceil mode (both give 56×56 from "
    "112×112); the final average pool is adaptive; torchvision's initialisation. The SE "
    "block's FC layers are 1×1 convolutions with bias, as in the release."
)
_COMMON: dict[str, Any] = {
    "family": "senet",
    "paper": PAPER,
    "input_size": (3, 224, 224),
    "min_input_size": 1,
    "drawbacks": _DRAWBACKS,
    "differs_from_paper": _DIFFERS,
    "torchvision": None,
}


def _extra(name: str, paper_gflops: float | None, base: str) -> dict[str, Any]:
    release_file, _, _, params = RELEASE_COUNTS[name]
    extra: dict[str, Any] = {
        "release_params": params,
        "release_params_source": AUTHORS_RELEASE.format(file=release_file),
        "base": base,  # the SE-less network this one adds SE blocks to
    }
    if paper_gflops is not None:
        extra["paper_mult_adds"] = paper_gflops * 1e9
        extra["paper_mult_adds_source"] = "Hu et al. 2018, Table 2 (GFLOPs)"
    return extra


def _tv_note(base: str) -> str:
    return (
        f"torchvision has no SE network. Its `{base}` is this network's base: "
        f"`SENet({{name!r}}, se=False)` has the same parameter names and shapes."
    )


@register(
    title="SE-ResNet-50",
    results=(_HEADLINE, *_paper(23.29, 6.62), *_release(22.37, 6.36)),
    weight_layers=50,
    key_ideas=_KEY_IDEAS,
    differs_from_torchvision=(
        "torchvision has no SE network. `SENet('se_resnet50', se=False)` is the paper's "
        "ResNet-50 (stride on the first 1×1, cnnref's `resnet50`), with its names; "
        "torchvision's `resnet50` puts the stride on the 3×3 (v1.5) but has the same "
        "parameter names and shapes."
    ),
    extra=_extra("se_resnet50", 3.87, "resnet50"),
    **_COMMON,
)
def se_resnet50(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> SENet:
    """SE-ResNet-50: ResNet-50 (stride on the first 1×1) with an SE block in every block.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import se_resnet50
        >>> with torch.device("meta"):
        ...     model = se_resnet50()
        >>> sum(p.numel() for p in model.parameters())
        28088024
    """
    return SENet("se_resnet50", num_classes, in_channels, **kwargs)


@register(
    title="SE-ResNet-101",
    results=(_HEADLINE, *_paper(22.38, 6.07), *_release(21.75, 5.72)),
    weight_layers=101,
    key_ideas=_KEY_IDEAS,
    differs_from_torchvision=_tv_note("resnet101").replace("{name!r}", "'se_resnet101'"),
    extra=_extra("se_resnet101", 7.60, "resnet101"),
    **_COMMON,
)
def se_resnet101(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> SENet:
    """SE-ResNet-101: [3, 4, 23, 3] SE bottlenecks.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import se_resnet101
        >>> with torch.device("meta"):
        ...     model = se_resnet101()
        >>> len(model.layer3)
        23
    """
    return SENet("se_resnet101", num_classes, in_channels, **kwargs)


@register(
    title="SE-ResNet-152",
    results=(_HEADLINE, *_paper(21.57, 5.73), *_release(21.34, 5.54)),
    weight_layers=152,
    key_ideas=_KEY_IDEAS,
    differs_from_torchvision=_tv_note("resnet152").replace("{name!r}", "'se_resnet152'"),
    extra=_extra("se_resnet152", 11.32, "resnet152"),
    **_COMMON,
)
def se_resnet152(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> SENet:
    """SE-ResNet-152: [3, 8, 36, 3] SE bottlenecks.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import se_resnet152
        >>> with torch.device("meta"):
        ...     model = se_resnet152()
        >>> len(model.layer3)
        36
    """
    return SENet("se_resnet152", num_classes, in_channels, **kwargs)


@register(
    title="SE-ResNeXt-50 (32×4d)",
    results=(_HEADLINE, *_paper(21.10, 5.49), *_release(20.97, 5.54)),
    weight_layers=50,
    key_ideas=_KEY_IDEAS,
    differs_from_torchvision=(
        "torchvision has no SE network. `SENet('se_resnext50_32x4d', se=False)` is exactly "
        "torchvision's `resnext50_32x4d`: same names and shapes, the same logits once its "
        "weights are loaded (tested)."
    ),
    extra=_extra("se_resnext50_32x4d", 4.25, "resnext50_32x4d"),
    **_COMMON,
)
def se_resnext50_32x4d(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> SENet:
    """SE-ResNeXt-50 (32×4d): ResNeXt-50 with 32 groups of 4 channels, and SE blocks.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import se_resnext50_32x4d
        >>> with torch.device("meta"):
        ...     model = se_resnext50_32x4d()
        >>> model.layer1[0].conv2.groups, model.layer1[0].conv2.out_channels
        (32, 128)
    """
    return SENet("se_resnext50_32x4d", num_classes, in_channels, **kwargs)


@register(
    title="SE-ResNeXt-101 (32×4d)",
    results=(_HEADLINE, *_paper(20.70, 5.01), *_release(19.81, 4.96)),
    weight_layers=101,
    key_ideas=_KEY_IDEAS,
    differs_from_torchvision=(
        "torchvision has no SE network, and its `resnext101_32x8d` is twice as wide "
        "(8 channels per group); `SENet('se_resnext101_32x4d', se=False)` is ResNeXt-101 32×4d."
    ),
    extra=_extra("se_resnext101_32x4d", 8.00, "resnext101_32x4d"),
    **_COMMON,
)
def se_resnext101_32x4d(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> SENet:
    """SE-ResNeXt-101 (32×4d): [3, 4, 23, 3] grouped SE bottlenecks.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import se_resnext101_32x4d
        >>> with torch.device("meta"):
        ...     model = se_resnext101_32x4d()
        >>> len(model.layer3), model.layer3[0].conv2.groups
        (23, 32)
    """
    return SENet("se_resnext101_32x4d", num_classes, in_channels, **kwargs)


@register(
    title="SENet-154",
    results=(
        _HEADLINE,
        *_paper(
            18.68,
            4.47,
            _SOTA_TABLE,
            "validation set, single model, single 224×224 centre crop",
        ),
        *_paper(
            17.28,
            3.79,
            _SOTA_TABLE,
            "validation set, single model, single 320×320 crop",
        ),
        *_release(18.68, 4.47),
    ),
    weight_layers=154,
    key_ideas=(
        *_KEY_IDEAS,
        "SENet-154, the core of the winning entry: an SE-ResNeXt-152 (64×4d) with a stem of "
        "three 3×3 convolutions, 3×3 projection shortcuts and dropout 0.2 before the classifier.",
    ),
    differs_from_torchvision="torchvision has no SE network and no base of SENet-154.",
    extra=_extra("senet154", None, ""),
    **_COMMON,
)
def senet154(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> SENet:
    """SENet-154: the modified SE-ResNeXt-152 (64×4d) of the winning ILSVRC 2017 entry.

    Example:
        >>> import torch
        >>> from cnnref.models.senet import senet154
        >>> with torch.device("meta"):
        ...     model = senet154()
        >>> sum(p.numel() for p in model.parameters())
        115088984
    """
    return SENet("senet154", num_classes, in_channels, **kwargs)
