"""ResNet: residual learning with identity shortcuts (He, Zhang, Ren & Sun, 2015).

[Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385), CVPR 2016.
Deeper plain networks train *worse* than shallower ones (the degradation problem). ResNet lets
a stack of layers learn a residual F(x) and adds its input back through a shortcut:

    y = relu(F(x) + x)

If the identity is what a block should compute, it only has to push F towards zero. The
shortcut is the identity wherever input and output have the same shape; where the shape
changes it is a 1×1 convolution with batch norm, the paper's "option B": in the first block
of conv3_x, conv4_x and conv5_x (stride 2, twice the channels) and, in the bottleneck
networks, also in the first block of conv2_x (64 to 256 channels at 56×56). Batch norm
follows every convolution, before the ReLU; there is no dropout; global average pooling and
one FC layer replace VGG's three FC layers.

The shortcut is not a clean identity path from the output back to the input: the ReLU after
each addition and the projections sit on it. The pre-activation ResNet (He et al., "Identity
Mappings in Deep Residual Networks", ECCV 2016) moves BN and ReLU into the residual branch to
get one; `cnnref.models.attention` is built from its units.

ResNet-18/34 stack `BasicBlock`s (two 3×3 convolutions), ResNet-50/101/152 `Bottleneck`s
(1×1 reduce, 3×3, 1×1 expand ×4). `DEPTHS` is the paper's Table 1 as data. The names map to
the table's rows:

| Table 1  | here      | output at 224 |
|----------|-----------|---------------|
| conv1    | `conv1`, `bn1`, `relu` | 112×112 |
| conv2_x  | `maxpool`, `layer1` | 56×56 |
| conv3_x  | `layer2`  | 28×28 |
| conv4_x  | `layer3`  | 14×14 |
| conv5_x  | `layer4`  | 7×7 |
|          | `avgpool`, `fc` | 1×1 |

These are torchvision's names too, so torchvision's weights load without renaming.

**The stride in the bottleneck.** The paper downsamples with "a stride of 2" in conv3_1,
conv4_1 and conv5_1, and its bottleneck puts that stride on the first 1×1 convolution (as the
authors' released Caffe models do): `resnet50`, `resnet101`, `resnet152`. torchvision moved it
to the 3×3 convolution ("ResNet v1.5", a little more accurate and a little more costly, since
the first 1×1 then runs at full resolution): `resnet50_tv`, `resnet101_tv`, `resnet152_tv`.
Both have the same weights and parameter count but compute different functions.

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; the
cards, and so the site, read it from there. `zero_init_residual=True` (off by default, not
in the paper) starts each block's last BN at zero, so that every block begins as the
identity (Goyal et al. 2017).

Example:
    >>> from cnnref.models.resnet import resnet18
    >>> import torch
    >>> model = resnet18(num_classes=10).eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape
    torch.Size([1, 10])
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from cnnref.models._common import check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "DEPTHS",
    "DIFFERS_FROM_PAPER",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet50_tv",
    "resnet101",
    "resnet101_tv",
    "resnet152",
    "resnet152_tv",
    "torchvision_key",
]

PAPER = Paper(
    title="Deep Residual Learning for Image Recognition",
    authors="K. He, X. Zhang, S. Ren, J. Sun",
    venue="CVPR 2016",
    year=2015,
    url="https://arxiv.org/abs/1512.03385",
)

FAMILY = register_family("resnet", title="ResNet", featured="resnet50")

# How this code departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = {
    "option_b": "Option B shortcuts (a 1×1 projection where the shape changes); the paper's "
    "Table 2 ResNet-18/34 use option A (identity with zero-padded extra channels, no "
    "parameters), its Table 3 ResNet-34 uses B (§4.1).",
    "init": "torchvision's initialisation (Kaiming-normal, fan-out, for the convolutions; "
    "PyTorch's default for fc); the paper cites He et al. 2015 (Kaiming-normal, fan-in) "
    "(§3.4).",
    "v1.5": "torchvision's v1.5 bottleneck: the stride is on the 3×3 convolution, the paper "
    "puts it on the first 1×1. Same parameters, different function, more multiply-adds.",
}


def _shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    """The paper's option B: a 1×1 projection with BN where the shape changes, else `None`."""
    if stride == 1 and in_channels == out_channels:
        return None  # the identity
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


class BasicBlock(nn.Module):
    """Two 3×3 convolutions and a shortcut (ResNet-18/34); the first conv carries the stride.

    Args:
        in_channels: Channels coming in.
        planes: Channels of both convolutions (and of the output: `expansion` is 1).
        stride: 2 in the first block of conv3_x, conv4_x and conv5_x, else 1.
        stride_on_3x3: No effect: both convolutions are 3×3, and the paper and torchvision
            both put the stride on the first. Accepted so that both blocks are built alike.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import BasicBlock
        >>> block = BasicBlock(64, 128, stride=2)
        >>> block(torch.randn(1, 64, 8, 8)).shape
        torch.Size([1, 128, 4, 4])
    """

    expansion = 1

    def __init__(
        self, in_channels: int, planes: int, stride: int = 1, stride_on_3x3: bool = False
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = _shortcut(in_channels, planes, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in_channels, H, W)` -> `(N, planes, H / stride, W / stride)`."""
        out = self.relu(self.bn1(self.conv1(x)))  # (N, planes, H/s, W/s)
        out = self.bn2(self.conv2(out))  # (N, planes, H/s, W/s)
        identity = x if self.downsample is None else self.downsample(x)
        out += identity  # F(x) + x, in place
        return self.relu(out)


class Bottleneck(nn.Module):
    """1×1 reduce, 3×3, 1×1 expand (×4) and a shortcut (ResNet-50/101/152).

    Args:
        in_channels: Channels coming in.
        planes: Channels of the 1×1 and 3×3 convolutions; the output has `4 * planes`.
        stride: 2 in the first block of conv3_x, conv4_x and conv5_x, else 1.
        stride_on_3x3: Put the stride on the 3×3 convolution (torchvision's "v1.5") instead of
            the first 1×1 (the paper). Same parameters, different function.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import Bottleneck
        >>> block = Bottleneck(256, 128, stride=2)
        >>> block(torch.randn(1, 256, 8, 8)).shape
        torch.Size([1, 512, 4, 4])
    """

    expansion = 4

    def __init__(
        self, in_channels: int, planes: int, stride: int = 1, stride_on_3x3: bool = False
    ) -> None:
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if stride_on_3x3 else (stride, 1)
        out_channels = planes * self.expansion
        self.conv1 = nn.Conv2d(in_channels, planes, 1, stride=stride_1x1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride_3x3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _shortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in_channels, H, W)` -> `(N, 4 * planes, H / stride, W / stride)`."""
        out = self.relu(self.bn1(self.conv1(x)))  # (N, planes, H/s, W/s); v1.5: (H, W)
        out = self.relu(self.bn2(self.conv2(out)))  # (N, planes, H/s, W/s)
        out = self.bn3(self.conv3(out))  # (N, 4 * planes, H/s, W/s)
        identity = x if self.downsample is None else self.downsample(x)
        out += identity  # F(x) + x, in place
        return self.relu(out)


# The paper's Table 1: depth -> (block, blocks in conv2_x, conv3_x, conv4_x, conv5_x).
DEPTHS: dict[int, tuple[type[BasicBlock | Bottleneck], list[int]]] = {
    18: (BasicBlock, [2, 2, 2, 2]),
    34: (BasicBlock, [3, 4, 6, 3]),
    50: (Bottleneck, [3, 4, 6, 3]),
    101: (Bottleneck, [3, 4, 23, 3]),
    152: (Bottleneck, [3, 8, 36, 3]),
}


class ResNet(nn.Module):
    """A residual network of the paper's Table 1.

    Args:
        depth: 18, 34, 50, 101 or 152 (a key of `DEPTHS`).
        num_classes: Outputs of `fc`.
        in_channels: Channels of the input image.
        stride_on_3x3: In bottlenecks, put the stride on the 3×3 convolution (torchvision's
            "v1.5") rather than the first 1×1 (the paper). No effect for depth 18 and 34.
        zero_init_residual: Start the last BN of each block at zero (not in the paper).

    Raises:
        ValueError: If `depth` is not in `DEPTHS`, or a count is not positive.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import ResNet
        >>> with torch.device("meta"):
        ...     model = ResNet(50)
        >>> [len(model.layer1), len(model.layer2), len(model.layer3), len(model.layer4)]
        [3, 4, 6, 3]
        >>> model.layer2[0].conv1.stride, model.layer2[0].conv2.stride
        ((2, 2), (1, 1))
    """

    def __init__(
        self,
        depth: int = 50,
        num_classes: int = 1000,
        in_channels: int = 3,
        stride_on_3x3: bool = False,
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        if depth not in DEPTHS:
            raise ValueError(
                f"ResNet: unknown depth {depth!r}; the paper's Table 1 has "
                f"{', '.join(str(d) for d in DEPTHS)}"
            )
        v15 = " (torchvision v1.5)" if stride_on_3x3 and depth >= 50 else ""
        self.name = f"ResNet-{depth}{v15}"
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        block, counts = DEPTHS[depth]
        self.depth = depth
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 512 * block.expansion
        self.head_modules = ("avgpool", "fc")  # forward_features never runs these
        # Every stride and padding keeps a 1×1 map 1×1, so any size runs (torchvision's
        # min_size is 1×1 too); 32×32 is the smallest that the five halvings do not clip.
        self.min_input_size = 1

        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        channels = 64
        stages = []
        for planes, blocks, stride in zip((64, 128, 256, 512), counts, (1, 2, 2, 2), strict=True):
            layer = []
            for i in range(blocks):
                layer.append(block(channels, planes, stride if i == 0 else 1, stride_on_3x3))
                channels = planes * block.expansion
            stages.append(nn.Sequential(*layer))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(self.num_features, num_classes)

        # torchvision's initialisation (the paper's differs; see the module docstring).
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn3.weight)
                elif isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Run conv1 to conv5_x: `(N, C, H, W)` -> `(N, num_features, H / 32, W / 32)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.relu(self.bn1(self.conv1(x)))  # (N, 64, H/2, W/2), conv1
        x = self.maxpool(x)  # (N, 64, H/4, W/4)
        x = self.layer1(x)  # (N, 64 or 256, H/4, W/4), conv2_x
        x = self.layer2(x)  # (N, 128 or 512, H/8, W/8), conv3_x
        x = self.layer3(x)  # (N, 256 or 1024, H/16, W/16), conv4_x
        return self.layer4(x)  # (N, 512 or 2048, H/32, W/32), conv5_x

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        """Global average pooling and `fc`: `(N, num_features, h, w)` -> `(N, num_classes)`."""
        x = self.avgpool(x)  # (N, num_features, 1, 1)
        x = torch.flatten(x, 1)  # (N, num_features)
        return self.fc(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute class logits: `(N, C, H, W)` -> `(N, num_classes)`."""
        return self.forward_head(self.forward_features(x))


def torchvision_key(key: str) -> str:
    """Map a key of torchvision's ResNet `state_dict` to ours: the names are the same.

    Example:
        >>> from cnnref.models.resnet import torchvision_key
        >>> torchvision_key("layer3.0.downsample.1.running_mean")
        'layer3.0.downsample.1.running_mean'
    """
    return key


_HEADLINE = Result(
    benchmark="ILSVRC 2015 classification",
    metric="top-5 error",
    value=3.57,
    setting="test set, ensemble of ResNets of different depths; 1st place",
    source="He et al. 2016, Table 5",
)


def _val_top1(value: float, table: str, shortcuts: str) -> Result:
    """The paper's single-model 10-crop validation top-1 error of one depth."""
    return Result(
        benchmark="ILSVRC 2012 classification",
        metric="top-1 error",
        value=value,
        setting=f"validation set, single model, 10-crop testing, {shortcuts} shortcuts",
        source=f"He et al. 2016, {table}",
    )


def _torchvision_top1(name: str, value: float) -> Result:
    """The published accuracy of torchvision's v1.5 network."""
    return Result(
        benchmark="ImageNet-1K",
        metric="top-1 accuracy",
        value=value,
        setting="validation set, torchvision's IMAGENET1K_V1 weights, single 224 crop",
        source=f"torchvision {name} weights metadata",
    )


_KEY_IDEAS = (
    "Residual learning: a block computes y = relu(F(x) + x), so it only has to learn the "
    "residual F; an identity block is F = 0, easy to reach (§3.1, §3.2).",
    "Shortcuts are parameter-free identities wherever a block keeps the shape of its input; a "
    "1×1 projection with batch norm (option B) wherever the shape changes, as in the first "
    "block of conv3_x, conv4_x and conv5_x, which halves the resolution and doubles the "
    "channels (§3.3, §4.1).",
    "Batch norm after every convolution, no dropout, global average pooling and a single FC "
    "layer instead of VGG's three (§3.3, §3.4).",
)
_BOTTLENECK_IDEA = (
    "Bottleneck blocks (1×1 reduce, 3×3, 1×1 expand ×4) make 50 to 152 layers affordable: "
    "ResNet-152 costs fewer multiply-adds than VGG-16/19 (§4.1, Table 1). The first block of "
    "conv2_x also projects its shortcut, 64 to 256 channels at 56×56."
)
_DRAWBACKS = (
    "Depth stops paying off: on CIFAR-10 the paper's 1202-layer network trains as well as its "
    "110-layer one but tests worse (7.93 % against 6.43 % error), which the authors put down "
    "to over-fitting (He et al. 2016, §4.2, Table 6).",
)
_COMMON: dict[str, Any] = {
    "family": "resnet",
    "paper": PAPER,
    "input_size": (3, 224, 224),
    "min_input_size": 1,
    "drawbacks": _DRAWBACKS,
}
_DIFFERS_INIT = DIFFERS_FROM_PAPER["init"]
_DIFFERS_18_34 = f"{DIFFERS_FROM_PAPER['option_b']} {_DIFFERS_INIT}"
_DIFFERS_V15 = f"{DIFFERS_FROM_PAPER['v1.5']} {_DIFFERS_INIT}"
_SAME_AS_TORCHVISION = "None: the same network as torchvision's."
_PAPER_VS_TORCHVISION = (
    "torchvision's network puts the stride on the 3×3 convolution of the bottleneck (v1.5); "
    "this one puts it on the first 1×1 like the paper. Its twin is `{}_tv`."
)


@register(
    title="ResNet-18",
    results=(_HEADLINE, _val_top1(27.88, "Table 2", "option A")),
    weight_layers=18,
    key_ideas=_KEY_IDEAS,
    differs_from_paper=_DIFFERS_18_34,
    torchvision="resnet18",
    torchvision_key=torchvision_key,
    differs_from_torchvision=_SAME_AS_TORCHVISION,
    extra={"paper_mult_adds": 1.8e9, "torchvision_params": 11_689_512, "torchvision_gflops": 1.814},
    **_COMMON,
)
def resnet18(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-18: basic blocks, [2, 2, 2, 2] per stage.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet18
        >>> model = resnet18(num_classes=10).eval()
        >>> model(torch.randn(2, 3, 32, 32)).shape
        torch.Size([2, 10])
    """
    return ResNet(18, num_classes, in_channels, **kwargs)


@register(
    title="ResNet-34",
    results=(_HEADLINE, _val_top1(24.52, "Table 3", "option B")),
    weight_layers=34,
    key_ideas=_KEY_IDEAS,
    differs_from_paper=_DIFFERS_INIT,
    torchvision="resnet34",
    torchvision_key=torchvision_key,
    differs_from_torchvision=_SAME_AS_TORCHVISION,
    extra={"paper_mult_adds": 3.6e9, "torchvision_params": 21_797_672, "torchvision_gflops": 3.664},
    **_COMMON,
)
def resnet34(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-34: basic blocks, [3, 4, 6, 3] per stage.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet34
        >>> with torch.device("meta"):
        ...     model = resnet34()
        >>> sum(p.numel() for p in model.parameters())
        21797672
    """
    return ResNet(34, num_classes, in_channels, **kwargs)


@register(
    title="ResNet-50",
    results=(_HEADLINE, _val_top1(22.85, "Table 3", "option B")),
    weight_layers=50,
    key_ideas=(*_KEY_IDEAS, _BOTTLENECK_IDEA),
    differs_from_paper=_DIFFERS_INIT,
    torchvision="resnet50",
    differs_from_torchvision=_PAPER_VS_TORCHVISION.format("resnet50"),
    extra={"paper_mult_adds": 3.8e9, "torchvision_params": 25_557_032},
    **_COMMON,
)
def resnet50(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-50 as in the paper: bottlenecks, [3, 4, 6, 3], stride on the first 1×1.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet50
        >>> with torch.device("meta"):
        ...     model = resnet50()
        >>> model.layer2[0].conv1.stride, model.layer2[0].conv2.stride
        ((2, 2), (1, 1))
        >>> model(torch.empty(1, 3, 224, 224, device="meta")).shape
        torch.Size([1, 1000])
    """
    return ResNet(50, num_classes, in_channels, **kwargs)


@register(
    title="ResNet-101",
    results=(_HEADLINE, _val_top1(21.75, "Table 3", "option B")),
    weight_layers=101,
    key_ideas=(*_KEY_IDEAS, _BOTTLENECK_IDEA),
    differs_from_paper=_DIFFERS_INIT,
    torchvision="resnet101",
    differs_from_torchvision=_PAPER_VS_TORCHVISION.format("resnet101"),
    extra={"paper_mult_adds": 7.6e9, "torchvision_params": 44_549_160},
    **_COMMON,
)
def resnet101(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-101 as in the paper: bottlenecks, [3, 4, 23, 3], stride on the first 1×1.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet101
        >>> with torch.device("meta"):
        ...     model = resnet101()
        >>> sum(p.numel() for p in model.parameters())
        44549160
    """
    return ResNet(101, num_classes, in_channels, **kwargs)


@register(
    title="ResNet-152",
    results=(_HEADLINE, _val_top1(21.43, "Table 3", "option B")),
    weight_layers=152,
    key_ideas=(*_KEY_IDEAS, _BOTTLENECK_IDEA),
    differs_from_paper=_DIFFERS_INIT,
    torchvision="resnet152",
    differs_from_torchvision=_PAPER_VS_TORCHVISION.format("resnet152"),
    extra={"paper_mult_adds": 11.3e9, "torchvision_params": 60_192_808},
    **_COMMON,
)
def resnet152(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-152 as in the paper: bottlenecks, [3, 8, 36, 3], stride on the first 1×1.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet152
        >>> with torch.device("meta"):
        ...     model = resnet152()
        >>> sum(p.numel() for p in model.parameters())
        60192808
    """
    return ResNet(152, num_classes, in_channels, **kwargs)


@register(
    title="ResNet-50 (torchvision v1.5)",
    results=(_HEADLINE, _torchvision_top1("ResNet50", 76.130)),
    weight_layers=50,
    key_ideas=(*_KEY_IDEAS, _BOTTLENECK_IDEA),
    differs_from_paper=_DIFFERS_V15,
    torchvision="resnet50",
    torchvision_key=torchvision_key,
    differs_from_torchvision=_SAME_AS_TORCHVISION,
    extra={"torchvision_params": 25_557_032, "torchvision_gflops": 4.089},
    **_COMMON,
)
def resnet50_tv(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-50 as in torchvision ("v1.5"): the stride on the bottleneck's 3×3 convolution.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet50_tv
        >>> with torch.device("meta"):
        ...     model = resnet50_tv()
        >>> model.layer2[0].conv1.stride, model.layer2[0].conv2.stride
        ((1, 1), (2, 2))
    """
    return ResNet(50, num_classes, in_channels, stride_on_3x3=True, **kwargs)


@register(
    title="ResNet-101 (torchvision v1.5)",
    results=(_HEADLINE, _torchvision_top1("ResNet101", 77.374)),
    weight_layers=101,
    key_ideas=(*_KEY_IDEAS, _BOTTLENECK_IDEA),
    differs_from_paper=_DIFFERS_V15,
    torchvision="resnet101",
    torchvision_key=torchvision_key,
    differs_from_torchvision=_SAME_AS_TORCHVISION,
    extra={"torchvision_params": 44_549_160, "torchvision_gflops": 7.801},
    **_COMMON,
)
def resnet101_tv(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-101 as in torchvision ("v1.5"): the stride on the bottleneck's 3×3 convolution.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet101_tv
        >>> with torch.device("meta"):
        ...     model = resnet101_tv()
        >>> model.layer3[0].conv2.stride
        (2, 2)
    """
    return ResNet(101, num_classes, in_channels, stride_on_3x3=True, **kwargs)


@register(
    title="ResNet-152 (torchvision v1.5)",
    results=(_HEADLINE, _torchvision_top1("ResNet152", 78.312)),
    weight_layers=152,
    key_ideas=(*_KEY_IDEAS, _BOTTLENECK_IDEA),
    differs_from_paper=_DIFFERS_V15,
    torchvision="resnet152",
    torchvision_key=torchvision_key,
    differs_from_torchvision=_SAME_AS_TORCHVISION,
    extra={"torchvision_params": 60_192_808, "torchvision_gflops": 11.514},
    **_COMMON,
)
def resnet152_tv(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-152 as in torchvision ("v1.5"): the stride on the bottleneck's 3×3 convolution.

    Example:
        >>> import torch
        >>> from cnnref.models.resnet import resnet152_tv
        >>> with torch.device("meta"):
        ...     model = resnet152_tv()
        >>> model.layer4[0].conv2.stride
        (2, 2)
    """
    return ResNet(152, num_classes, in_channels, stride_on_3x3=True, **kwargs)
