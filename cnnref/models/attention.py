"""Residual Attention Network (Wang et al., CVPR 2017): Attention-56 and Attention-92.

[Residual Attention Network for Image Classification](https://arxiv.org/abs/1704.06904)
stacks *attention modules* between the stages of a pre-activation ResNet. Each module has two
branches on the same input `x`:

- the **trunk branch** `T(x)`: `t = 2` ordinary residual units;
- the **soft mask branch** `M(x)`: a bottom-up top-down encoder-decoder. It max-pools down to
  7×7 with `r = 1` residual unit after each pool, climbs back up by bilinear interpolation with
  skip connections at the levels in between, and ends in two 1×1 convolutions and a sigmoid, so
  `M(x)` has the shape of `T(x)` with values in (0, 1).

The module's output uses *attention residual learning*:

    H(x) = (1 + M(x)) · T(x)

A mask near 0 keeps the trunk's features instead of erasing them, which is what lets the paper
stack many modules (plain `M(x) · T(x)` degrades as modules are added). One residual unit before
the branches and one after (`p = 1`) complete the module.

Table 2 of the paper: conv1 7×7/2 with 64 channels, a 3×3/2 max-pool, then three stages at
56×56, 28×28 and 14×14, each a residual unit (256, 512, 1024 channels) followed by attention
modules (1-1-1 for Attention-56, 1-2-3 for Attention-92), three residual units with 2048
channels at 7×7, average pooling and a fully connected layer. The mask branch of stage 1 pools
three times (56 → 7) with two skip connections, stage 2 twice with one, stage 3 once with none.
Details the paper leaves open follow the authors' Caffe deploy files (`Attention-56-deploy`):
the mask branch starts from the output of the pre-processing unit, its coarsest level has
`2r` residual units, its head is BN-ReLU-1×1-BN-ReLU-1×1-sigmoid with bias-free convolutions,
and down-sampling residual units put the stride on their 3×3 convolution.

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; the
cards, and so the site, read it from there.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from cnnref.models._common import check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "DIFFERS_FROM_PAPER",
    "PAPER_PARAMS",
    "AttentionModule",
    "ResidualAttentionNet",
    "ResidualUnit",
    "SoftMaskBranch",
    "attention56",
    "attention92",
]

PAPER = Paper(
    title="Residual Attention Network for Image Classification",
    authors="F. Wang, M. Jiang, C. Qian, S. Yang, C. Li, H. Zhang, X. Wang, X. Tang",
    venue="CVPR 2017",
    year=2017,
    url="https://arxiv.org/abs/1704.06904",
)

FAMILY = register_family("attention", title="Residual Attention Network", featured="attention56")

# Table 2, as data: attention modules in stages 1, 2, 3 for each depth. The residual units of
# stages 1-4 have 256, 512, 1024, 2048 channels (bottlenecks a quarter of that), and the soft
# mask branch of stages 1, 2, 3 max-pools 3, 2, 1 times, so that every mask bottoms out at 7×7.
ATTENTION_MODULES = {56: (1, 1, 1), 92: (1, 2, 3)}

# The authors' released Caffe deploy files, counted layer by layer (convolutions without bias,
# BN scale and shift, the fc with bias): the figures the tests hold this code to exactly.
AUTHORS_RELEASE = (
    "F. Wang, github.com/fwang91/residual-attention-network, "
    "model/Attention-{depth}-deploy.prototxt"
)
RELEASE_COUNTS = {  # depth: (convolutions, batch norms, parameters)
    56: (110, 107, 31_810_728),
    92: (179, 176, 52_466_344),
}

# The paper's counts (Table 6): parameters and multiply-adds at 224×224.
PAPER_PARAMS = {56: 31_900_000, 92: 51_300_000}
PAPER_MULT_ADDS = {56: 6.2e9, 92: 10.4e9}


def _release_note() -> str:
    """How the authors' release and this code count, against the paper; figures from data."""
    (_, _, p56), (c92, b92, p92) = RELEASE_COUNTS[56], RELEASE_COUNTS[92]
    c56, b56 = RELEASE_COUNTS[56][:2]
    off = {d: 100 * (RELEASE_COUNTS[d][2] / PAPER_PARAMS[d] - 1) for d in (56, 92)}
    fc = 2048 * 1000 + 1000
    return (
        f"The parameters ({p56:,} for Attention-56, {p92:,} for Attention-92, BatchNorm scale "
        "and shift included) are exactly those of the authors' released Caffe deploy files, "
        f"whose {c56} and {c92} convolutions and {b56} and {b92} batch norms this code has with "
        f"the same shapes; the paper gives {PAPER_PARAMS[56] / 1e6:g}M ({off[56]:+.2f} % here) "
        f"and {PAPER_PARAMS[92] / 1e6:g}M ({off[92]:+.2f} % here). Leaving out the fc does not "
        f"reconcile Attention-92 with the paper: {p92 - fc:,} parameters. The three modules "
        f"Attention-92 adds cost {(p92 - p56) / 1e6:.2f}M parameters in the release and here, "
        f"{(PAPER_PARAMS[92] - PAPER_PARAMS[56]) / 1e6:.1f}M by the paper's figures."
    )


# How this code departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = (
    "Max-pools pad by 1 (PyTorch style) where Caffe pools unpadded in ceil mode: both give the "
    "paper's sizes at 224×224 (112 → 56 → 28 → 14 → 7), and padding keeps odd and tiny maps "
    "valid, so any input of at least `min_input_size` works.",
    "The mask's bilinear up-sampling goes to the exact size of the map it meets "
    "(align_corners=True, like Caffe's Interp layer), so non-power-of-2 inputs work.",
    "Average pooling is adaptive: a 7×7 window at 224×224, whatever it takes at other sizes.",
    "The mask ends in a sigmoid, as in the paper and the first release; a later revision of "
    "the released `model/` files uses TanH instead.",
    _release_note(),
)


def conv1x1(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    """1×1 convolution without bias, as every convolution in the authors' Caffe files."""
    return nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False)


def conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    """3×3 convolution with padding 1 and no bias."""
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)


class ResidualUnit(nn.Module):
    """Pre-activation bottleneck residual unit (He et al. 2016, "Identity Mappings").

    `BN-ReLU-conv1×1, BN-ReLU-conv3×3, BN-ReLU-conv1×1`, plus the input. When the shape changes
    a strided 1×1 projection of the *pre-activated* input replaces the identity shortcut, as in
    the paper's Caffe files; the stride sits on the 3×3 convolution.

    Args:
        in_channels: Input channels.
        out_channels: Output channels; the bottleneck has a quarter of them.
        stride: 2 to halve the spatial size.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        width = out_channels // 4
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = conv1x1(in_channels, width)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride)
        self.bn3 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = (
            conv1x1(in_channels, out_channels, stride)
            if stride != 1 or in_channels != out_channels
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes for the unit that opens stage 2: `(N, 256, 56, 56)` to `(N, 512, 28, 28)`."""
        out = self.relu(self.bn1(x))  # (N, 256, 56, 56) pre-activation
        shortcut = x if self.shortcut is None else self.shortcut(out)  # (N, 512, 28, 28)
        out = self.conv1(out)  # (N, 128, 56, 56)
        out = self.conv2(self.relu(self.bn2(out)))  # (N, 128, 28, 28)
        out = self.conv3(self.relu(self.bn3(out)))  # (N, 512, 28, 28)
        return out + shortcut  # (N, 512, 28, 28)


def residual_units(channels: int, count: int) -> nn.Sequential:
    """`count` shape-preserving residual units in a row."""
    return nn.Sequential(*(ResidualUnit(channels, channels) for _ in range(count)))


class SoftMaskBranch(nn.Module):
    """The soft mask branch `M(x)`: bottom-up top-down, then 1×1 convolutions and a sigmoid.

    Going down, level `i` max-pools (3×3, stride 2) and runs `r` residual units (`down[i]`);
    every level but the coarsest also feeds a skip connection (`skip[i]`, one residual unit).
    Going up, level `i` runs `r` residual units (`up[i]`), is interpolated bilinearly to the size
    of the level above, and there adds that level's skip connection. So the coarsest level runs
    `2r` units, and the branch holds `depth` pools, `depth - 1` skips and `depth` bilinear
    up-samplings. `out` maps the result to `(0, 1)`.

    Args:
        channels: Channels in and out (the mask has the shape of its input).
        depth: Number of max-pools (3, 2, 1 in stages 1, 2, 3).
        r: Residual units between adjacent pooling layers (the paper's `r = 1`).
    """

    def __init__(self, channels: int, depth: int, r: int = 1) -> None:
        super().__init__()
        self.down = nn.ModuleList(
            nn.Sequential(
                OrderedDict(
                    pool=nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                    units=residual_units(channels, r),
                )
            )
            for _ in range(depth)
        )
        self.skip = nn.ModuleList(ResidualUnit(channels, channels) for _ in range(depth - 1))
        self.up = nn.ModuleList(residual_units(channels, r) for _ in range(depth))
        self.out = nn.Sequential(
            OrderedDict(
                bn1=nn.BatchNorm2d(channels),
                relu1=nn.ReLU(inplace=True),
                conv1=conv1x1(channels, channels),
                bn2=nn.BatchNorm2d(channels),
                relu2=nn.ReLU(inplace=True),
                conv2=conv1x1(channels, channels),
                sigmoid=nn.Sigmoid(),
            )
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes for stage 1 at 224×224: `(N, 256, 56, 56)` in, a mask of the same shape out."""
        sizes, skips = [], []
        for i, down in enumerate(self.down):  # bottom-up: 56 -> 28 -> 14 -> 7
            sizes.append(x.shape[-2:])
            x = down(x)  # (N, 256, 28, 28), then 14×14, then 7×7
            if i < len(self.skip):
                skips.append(self.skip[i](x))  # (N, 256, 28, 28), then 14×14
        for i in reversed(range(len(self.up))):  # top-down: 7 -> 14 -> 28 -> 56
            x = self.up[i](x)  # (N, 256, 7, 7), then 14×14, then 28×28
            x = F.interpolate(x, size=sizes[i], mode="bilinear", align_corners=True)
            if i > 0:
                x = x + skips[i - 1]  # (N, 256, 14, 14), then 28×28
        return self.out(x)  # (N, 256, 56, 56), values in (0, 1)


class AttentionModule(nn.Module):
    """An attention module: `post((1 + M(x)) · T(x))` with `x = pre(input)`.

    Args:
        channels: Channels in and out.
        depth: Max-pools in the soft mask branch (3, 2, 1 in stages 1, 2, 3).
        p: Residual units before and after the two branches (the paper's `p = 1`).
        t: Residual units in the trunk branch (the paper's `t = 2`).
        r: Residual units between adjacent pooling layers of the mask (the paper's `r = 1`).
    """

    def __init__(self, channels: int, depth: int, p: int = 1, t: int = 2, r: int = 1) -> None:
        super().__init__()
        self.pre = residual_units(channels, p)
        self.trunk = residual_units(channels, t)
        self.mask = SoftMaskBranch(channels, depth, r)
        self.post = residual_units(channels, p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes for stage 1 at 224×224; the module keeps the shape of its input."""
        x = self.pre(x)  # (N, 256, 56, 56)
        trunk = self.trunk(x)  # (N, 256, 56, 56)  T(x)
        mask = self.mask(x)  # (N, 256, 56, 56)  M(x) in (0, 1)
        return self.post((1 + mask) * trunk)  # (N, 256, 56, 56)  attention residual learning


def attention_stage(
    in_channels: int, out_channels: int, stride: int, modules: int, mask_depth: int
) -> nn.Sequential:
    """One row group of Table 2: a residual unit, then `modules` attention modules.

    Args:
        in_channels: Channels coming in.
        out_channels: Channels of the stage.
        stride: Stride of the opening residual unit (2 halves the size).
        modules: Number of attention modules (`attention1`, `attention2`, ...).
        mask_depth: Max-pools in their soft mask branches.
    """
    layers = OrderedDict(residual=ResidualUnit(in_channels, out_channels, stride))
    for m in range(1, modules + 1):
        layers[f"attention{m}"] = AttentionModule(out_channels, mask_depth)
    return nn.Sequential(layers)


class ResidualAttentionNet(nn.Module):
    """Residual Attention Network for ImageNet (Table 2 of the paper).

    Args:
        depth: 56 or 92 (layers with weights along the trunk, as the paper counts them).
        num_classes: Size of the output layer.
        in_channels: Channels of the input images.

    Attributes:
        in_channels: Channels of the input images.
        num_classes: Size of the output layer.
        num_features: Channels of the `forward_features` map (2048).
        head_modules: Submodules that only `forward_head` runs (a `TaskModel` drops them).
        min_input_size: Smallest input side (1: every layer is padded).

    Raises:
        ValueError: If `depth` is not 56 or 92, or a count is not positive.
    """

    def __init__(self, depth: int = 56, num_classes: int = 1000, in_channels: int = 3) -> None:
        super().__init__()
        if depth not in ATTENTION_MODULES:
            raise ValueError(
                f"ResidualAttentionNet: depth must be one of {sorted(ATTENTION_MODULES)}, "
                f"got {depth!r}"
            )
        self.name = f"Attention-{depth}"
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.depth = depth
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 2048
        self.head_modules = ("avgpool", "fc")  # forward_features never runs these
        # conv1 and pool1 halve the input, so do the first units of stages 2, 3, 4: the last
        # map is 1/32 of the input, and so is the coarsest level of every mask branch
        # (stage 1 pools 3 more times from 1/4). Every layer is padded, so like ResNet's
        # (torchvision's metadata says 1×1) the network runs on any input of at least 1×1
        # (`cnnref.analysis.min_input_size` derives it); below 32 pixels its maps are 1×1.
        self.min_input_size = 1

        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.pool1 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        n1, n2, n3 = ATTENTION_MODULES[depth]
        self.stage1 = attention_stage(64, 256, stride=1, modules=n1, mask_depth=3)  # 56×56
        self.stage2 = attention_stage(256, 512, stride=2, modules=n2, mask_depth=2)  # 28×28
        self.stage3 = attention_stage(512, 1024, stride=2, modules=n3, mask_depth=1)  # 14×14
        self.stage4 = nn.Sequential(  # three residual units at 7×7
            OrderedDict(
                residual1=ResidualUnit(1024, self.num_features, stride=2),
                residual2=ResidualUnit(self.num_features, self.num_features),
                residual3=ResidualUnit(self.num_features, self.num_features),
            )
        )
        self.bn_final = nn.BatchNorm2d(self.num_features)  # the last pre-activation
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(self.num_features, num_classes)

        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Compute the last feature map, after the final BN-ReLU.

        Args:
            x: Images `(N, in_channels, H, W)` with `H, W >= 32`.

        Returns:
            `(N, 2048, ceil(H / 32), ceil(W / 32))`: `(N, 2048, 7, 7)` at 224×224.

        Raises:
            TypeError: If `x` is not a floating-point tensor.
            ValueError: If `x` has the wrong rank, channel count or is too small.
        """
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.relu(self.bn1(self.conv1(x)))  # (N, 64, 112, 112)
        x = self.pool1(x)  # (N, 64, 56, 56)
        x = self.stage1(x)  # (N, 256, 56, 56)
        x = self.stage2(x)  # (N, 512, 28, 28)
        x = self.stage3(x)  # (N, 1024, 14, 14)
        x = self.stage4(x)  # (N, 2048, 7, 7)
        return self.relu(self.bn_final(x))  # (N, 2048, 7, 7)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """Average-pool the feature map and classify: `(N, 2048, h, w)` to `(N, num_classes)`."""
        x = torch.flatten(self.avgpool(features), 1)  # (N, 2048)
        return self.fc(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, num_classes)` for images `(N, in_channels, H, W)`."""
        return self.forward_head(self.forward_features(x))


_KEY_IDEAS = (
    "Attention residual learning: each module outputs H(x) = (1 + M(x)) · T(x), so a mask "
    "near 0 keeps the trunk's features instead of erasing them and modules can be stacked.",
    "Each attention module has a trunk branch (t = 2 residual units) and a soft mask branch: "
    "a bottom-up top-down encoder-decoder (max-pool down, bilinear interpolation up, skip "
    "connections) ending in two 1×1 convolutions and a sigmoid.",
    "Mixed attention: the sigmoid weights every channel at every position, with no spatial or "
    "channel constraint.",
    "Built from pre-activation bottleneck residual units; in every stage the mask branch "
    "pools down to 7×7 (three pools in stage 1, two in stage 2, one in stage 3).",
)
_DRAWBACKS = (
    "Each attention module adds a soft mask branch, a whole encoder-decoder, beside its trunk; "
    "yet the network is not heavier than the ResNet it is compared with: Attention-56 has "
    f"{PAPER_PARAMS[56] / 1e6:g}M parameters and {PAPER_MULT_ADDS[56] / 1e9:g}G multiply-adds "
    "against ResNet-152's 60.2M and 11.3G, and a lower single-crop error (Wang et al. 2017, "
    "Table 6).",
)


@register(
    title="Attention-56",
    family="attention",
    paper=PAPER,
    results=(
        Result(
            "ImageNet (ILSVRC 2012) validation",
            "top-1 error",
            21.76,
            "single model, single 224×224 crop",
            "Wang et al. 2017, Table 6",
        ),
        Result(
            "ImageNet (ILSVRC 2012) validation",
            "top-5 error",
            5.9,
            "single model, single 224×224 crop",
            "Wang et al. 2017, Table 6",
        ),
    ),
    paper_params=PAPER_PARAMS[56],
    paper_params_source="Wang et al. 2017, Tables 2 and 6",
    input_size=(3, 224, 224),
    min_input_size=1,
    weight_layers=56,
    key_ideas=_KEY_IDEAS,
    drawbacks=_DRAWBACKS,
    differs_from_paper=" ".join(DIFFERS_FROM_PAPER),
    extra={
        "paper_mult_adds": PAPER_MULT_ADDS[56],
        "paper_mult_adds_source": "Wang et al. 2017, Table 6",
        "release_params": RELEASE_COUNTS[56][2],
        "release_params_source": AUTHORS_RELEASE.format(depth=56),
    },
)
def attention56(num_classes: int = 1000, **kwargs: int) -> ResidualAttentionNet:
    """Attention-56: one attention module in each of stages 1, 2 and 3.

    Args:
        num_classes: Size of the output layer.
        **kwargs: Passed to `ResidualAttentionNet` (`in_channels`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.attention import attention56
        >>> import torch
        >>> model = attention56(num_classes=10).eval()
        >>> model(torch.randn(1, 3, 40, 40)).shape
        torch.Size([1, 10])
    """
    return ResidualAttentionNet(56, num_classes=num_classes, **kwargs)


@register(
    title="Attention-92",
    family="attention",
    paper=PAPER,
    results=(
        Result(
            "ImageNet (ILSVRC 2012) validation",
            "top-1 error",
            19.5,
            "single model, single 320×320 crop",
            "Wang et al. 2017, Table 6",
        ),
        Result(
            "ImageNet (ILSVRC 2012) validation",
            "top-5 error",
            4.8,
            "single model, single 320×320 crop",
            "Wang et al. 2017, Table 6",
        ),
    ),
    paper_params=PAPER_PARAMS[92],
    paper_params_source="Wang et al. 2017, Tables 2 and 6",
    input_size=(3, 224, 224),
    min_input_size=1,
    weight_layers=92,
    key_ideas=_KEY_IDEAS,
    drawbacks=_DRAWBACKS,
    differs_from_paper=" ".join(DIFFERS_FROM_PAPER),
    extra={
        "paper_mult_adds": PAPER_MULT_ADDS[92],
        "paper_mult_adds_source": "Wang et al. 2017, Table 6",
        "release_params": RELEASE_COUNTS[92][2],
        "release_params_source": AUTHORS_RELEASE.format(depth=92),
    },
)
def attention92(num_classes: int = 1000, **kwargs: int) -> ResidualAttentionNet:
    """Attention-92: one, two and three attention modules in stages 1, 2 and 3.

    Args:
        num_classes: Size of the output layer.
        **kwargs: Passed to `ResidualAttentionNet` (`in_channels`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.attention import attention92
        >>> import torch
        >>> with torch.device("meta"):
        ...     model = attention92()
        >>> model(torch.empty(2, 3, 224, 224, device="meta")).shape
        torch.Size([2, 1000])
    """
    return ResidualAttentionNet(92, num_classes=num_classes, **kwargs)
