"""GoogLeNet / Inception v1 (Szegedy et al., CVPR 2015), and torchvision's batch-norm variant.

[Going Deeper with Convolutions](https://arxiv.org/abs/1409.4842). 22 layers with parameters,
most of them inside nine *inception modules*. Each module runs four branches side by side on
the same input and concatenates their outputs along the channels:

- a 1×1 convolution (`#1×1`);
- a 1×1 "reduce" convolution, then a 3×3 one (`#3×3 reduce`, `#3×3`);
- a 1×1 "reduce" convolution, then a 5×5 one (`#5×5 reduce`, `#5×5`);
- a 3×3/1 max-pool, then a 1×1 projection (`pool proj`).

The 1×1 reductions are what keep the network cheap: they shrink the channels before the
expensive 3×3 and 5×5 convolutions. Every convolution is followed by a ReLU. `TABLE_1` holds
the paper's Table 1 row by row; the stem before the modules follows Fig. 3: conv 7×7/2,
max-pool 3×3/2, LRN, conv 1×1, conv 3×3, LRN, max-pool 3×3/2. Two auxiliary classifiers on
inception (4a) and (4d) add their (discounted) losses during training only (§5).

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; what
separates torchvision's network from the paper's is the `Variant` dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from cnnref.models._common import LocalResponseNorm, check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "DIFFERS_FROM_PAPER",
    "PAPER_VARIANT",
    "TABLE_1",
    "TORCHVISION_KWARGS",
    "TORCHVISION_VARIANT",
    "ConvBlock",
    "GoogLeNet",
    "GoogLeNetOutputs",
    "Inception",
    "InceptionAux",
    "Variant",
    "googlenet",
    "googlenet_tv",
    "torchvision_key",
]

PAPER = Paper(
    title="Going Deeper with Convolutions",
    authors=(
        "C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, "
        "V. Vanhoucke, A. Rabinovich"
    ),
    venue="CVPR 2015 (arXiv:1409.4842, 2014)",
    year=2014,
    url="https://arxiv.org/abs/1409.4842",
)

FAMILY = register_family("googlenet", title="GoogLeNet", featured="googlenet")

# Table 1, the inception rows: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj.
# A module's output depth is #1×1 + #3×3 + #5×5 + pool proj (3a: 64 + 128 + 32 + 32 = 256).
TABLE_1: dict[str, tuple[int, int, int, int, int, int]] = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}

# The paper's count, the sum of Table 1's params column, without the auxiliary heads.
PAPER_PARAMS = 6_800_000

# How `googlenet` departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = (
    "The paper gives no LRN constants; these are the BVLC Caffe reference model's (size 5, "
    "α = 1e-4, β = 0.75, k = 1, with α divided by the size as in PyTorch).",
    "The final 7×7 average pool is global (adaptive): the same at 224×224, and other sizes work.",
    'Initialisation follows the Caffe reference model ("xavier" weights, convolution biases '
    "0.2); the paper trained with DistBelief and does not say.",
    "In training mode `forward` returns (logits, aux_logits2, aux_logits1), as torchvision "
    "does; weighting the auxiliary losses is the training loop's business.",
    "The auxiliary heads pool 5×5/3 only where that gives their 4×4 maps (inputs of 223 to "
    "270 pixels) and adaptively to 4×4 elsewhere, as torchvision's do.",
    f"The parameter count is above the paper's about {PAPER_PARAMS / 1e6:g}M, the sum of "
    "Table 1's params column, which is rounded row by row (see Parameters, measured on this "
    "code).",
)

# torchvision builds the network its published weights describe (6,624,904 parameters in its
# metadata) without the auxiliary classifiers and without re-initialising.
TORCHVISION_KWARGS = {"aux_logits": False, "init_weights": False}


@dataclass(frozen=True)
class Variant:
    """Everything that separates the paper's GoogLeNet from torchvision's.

    Attributes:
        batch_norm: Batch norm (eps 1e-3) after every convolution, whose bias it replaces.
        lrn: LRN after pool1 and after conv2 (the paper's Fig. 3).
        kernel_5x5: Kernel of the "5×5" branch: 5 in the paper, 3 in torchvision (a known
            torchvision bug, pytorch/vision#906, kept for its pre-trained weights).
        pool4_kernel: Max-pool after inception (4e): 3×3/2 in Table 1, 2×2/2 in torchvision.
        dropout: Dropout before the classifier: 40 % in Table 1, 20 % in torchvision.
        aux_pool_5x5: Auxiliary heads pool 5×5/3 (paper, 14×14 → 4×4) where that gives 4×4,
            rather than always adaptively to 4×4 (torchvision).
        min_input_size: Smallest `H = W` that `forward` takes in eval mode (the five stride-2
            stages must leave pool4 a map it can pool; the tests check that one less fails).
    """

    batch_norm: bool
    lrn: bool
    kernel_5x5: int
    pool4_kernel: int
    dropout: float
    aux_pool_5x5: bool
    min_input_size: int


PAPER_VARIANT = Variant(
    batch_norm=False,
    lrn=True,
    kernel_5x5=5,
    pool4_kernel=3,
    dropout=0.4,
    aux_pool_5x5=True,
    min_input_size=31,
)
TORCHVISION_VARIANT = Variant(
    batch_norm=True,
    lrn=False,
    kernel_5x5=3,
    pool4_kernel=2,
    dropout=0.2,
    aux_pool_5x5=False,
    min_input_size=15,  # torchvision's metadata says (15, 15) too
)


class GoogLeNetOutputs(NamedTuple):
    """What `GoogLeNet.forward` returns in training mode with auxiliary heads (as torchvision).

    Attributes:
        logits: The main classifier's logits `(N, num_classes)`.
        aux_logits2: The auxiliary classifier on inception (4d).
        aux_logits1: The auxiliary classifier on inception (4a).
    """

    logits: torch.Tensor
    aux_logits2: torch.Tensor
    aux_logits1: torch.Tensor


class ConvBlock(nn.Module):
    """Convolution, then (torchvision only) batch norm, then ReLU.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Square kernel side.
        stride: Stride.
        padding: Zero padding.
        batch_norm: Add batch norm (eps 1e-3, as torchvision) and drop the conv's bias.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride, padding, bias=not batch_norm
        )
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001) if batch_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in, H, W)` to `(N, out, H', W')`."""
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x, inplace=True)


class Inception(nn.Module):
    """An inception module: four branches concatenated along the channels (Fig. 2b).

    Args:
        in_channels: Input channels.
        n1x1: `#1×1` of Table 1.
        n3x3_reduce: `#3×3 reduce`.
        n3x3: `#3×3`.
        n5x5_reduce: `#5×5 reduce`.
        n5x5: `#5×5`.
        pool_proj: `pool proj`.
        variant: `PAPER_VARIANT` or `TORCHVISION_VARIANT` (batch norm, "5×5" kernel).
    """

    def __init__(
        self,
        in_channels: int,
        n1x1: int,
        n3x3_reduce: int,
        n3x3: int,
        n5x5_reduce: int,
        n5x5: int,
        pool_proj: int,
        variant: Variant = PAPER_VARIANT,
    ) -> None:
        super().__init__()
        bn, k5 = variant.batch_norm, variant.kernel_5x5
        self.out_channels = n1x1 + n3x3 + n5x5 + pool_proj
        self.conv1x1 = ConvBlock(in_channels, n1x1, 1, batch_norm=bn)
        self.conv3x3_reduce = ConvBlock(in_channels, n3x3_reduce, 1, batch_norm=bn)
        self.conv3x3 = ConvBlock(n3x3_reduce, n3x3, 3, padding=1, batch_norm=bn)
        self.conv5x5_reduce = ConvBlock(in_channels, n5x5_reduce, 1, batch_norm=bn)
        self.conv5x5 = ConvBlock(n5x5_reduce, n5x5, k5, padding=k5 // 2, batch_norm=bn)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True)
        self.pool_proj = ConvBlock(in_channels, pool_proj, 1, batch_norm=bn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in_channels, H, W)` to `(N, out_channels, H, W)`."""
        branches = [
            self.conv1x1(x),  # (N, #1×1, H, W)
            self.conv3x3(self.conv3x3_reduce(x)),  # (N, #3×3, H, W)
            self.conv5x5(self.conv5x5_reduce(x)),  # (N, #5×5, H, W)
            self.pool_proj(self.pool(x)),  # (N, pool proj, H, W)
        ]
        return torch.cat(branches, 1)


class InceptionAux(nn.Module):
    """Auxiliary classifier (§5): avg-pool 5×5/3, 1×1 conv 128, FC 1024, dropout 0.7, FC.

    The paper's 5×5/3 pool turns the 14×14 maps of a 224×224 input into the 4×4 that fc1
    expects; it does so for 14×14 to 16×16 maps only. At other sizes (and always in the
    torchvision variant) the head pools adaptively to 4×4 instead, as torchvision does.

    Args:
        in_channels: Channels of the inception output it reads (512 for 4a, 528 for 4d).
        num_classes: Size of its output layer.
        variant: `PAPER_VARIANT` (5×5/3 average pool, no batch norm) or `TORCHVISION_VARIANT`
            (adaptive average pool to 4×4, batch norm).
    """

    def __init__(self, in_channels: int, num_classes: int, variant: Variant = PAPER_VARIANT):
        super().__init__()
        self.pool = nn.AvgPool2d(5, stride=3) if variant.aux_pool_5x5 else None
        self.conv = ConvBlock(in_channels, 128, 1, batch_norm=variant.batch_norm)
        self.fc1 = nn.Linear(128 * 4 * 4, 1024)
        self.dropout = nn.Dropout(0.7)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in_channels, 14, 14)` to logits `(N, num_classes)`."""
        if self.pool is not None and x.shape[-2] in (14, 15, 16) and x.shape[-1] in (14, 15, 16):
            x = self.pool(x)  # (N, in_channels, 4, 4): the paper's 5×5/3 average pool
        else:
            x = F.adaptive_avg_pool2d(x, 4)  # (N, in_channels, 4, 4)
        x = self.conv(x)  # (N, 128, 4, 4)
        x = F.relu(self.fc1(torch.flatten(x, 1)), inplace=True)  # (N, 1024)
        return self.fc2(self.dropout(x))  # (N, num_classes)


class GoogLeNet(nn.Module):
    """GoogLeNet: Table 1 row by row, in the paper's or torchvision's variant.

    In training mode with `aux_logits`, `forward` returns `GoogLeNetOutputs(logits,
    aux_logits2, aux_logits1)`; otherwise (and always in eval mode) only the logits.

    Args:
        num_classes: Size of the output layers.
        in_channels: Channels of the input image.
        aux_logits: Build the two auxiliary classifiers.
        variant: `PAPER_VARIANT` (the default) or `TORCHVISION_VARIANT`.

    Raises:
        ValueError: If `num_classes` or `in_channels` is not positive.
    """

    def __init__(
        self,
        num_classes: int = 1000,
        in_channels: int = 3,
        aux_logits: bool = True,
        variant: Variant = PAPER_VARIANT,
    ) -> None:
        super().__init__()
        self.name = "GoogLeNet" if variant == PAPER_VARIANT else "GoogLeNetTV"
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 1024
        self.head_modules = (
            "aux1",
            "aux2",
            "avgpool",
            "dropout",
            "fc",
        )  # forward_features never runs these
        self.aux_logits = aux_logits
        self.min_input_size = variant.min_input_size
        bn = variant.batch_norm
        self.conv1 = ConvBlock(in_channels, 64, 7, stride=2, padding=3, batch_norm=bn)
        self.pool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.norm1 = LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0) if variant.lrn else None
        self.conv2_reduce = ConvBlock(64, 64, 1, batch_norm=bn)
        self.conv2 = ConvBlock(64, 192, 3, padding=1, batch_norm=bn)
        self.norm2 = LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0) if variant.lrn else None
        self.pool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(192, *TABLE_1["3a"], variant=variant)
        self.inception3b = Inception(256, *TABLE_1["3b"], variant=variant)
        self.pool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(480, *TABLE_1["4a"], variant=variant)
        self.inception4b = Inception(512, *TABLE_1["4b"], variant=variant)
        self.inception4c = Inception(512, *TABLE_1["4c"], variant=variant)
        self.inception4d = Inception(512, *TABLE_1["4d"], variant=variant)
        self.inception4e = Inception(528, *TABLE_1["4e"], variant=variant)
        self.pool4 = nn.MaxPool2d(variant.pool4_kernel, stride=2, ceil_mode=True)
        self.inception5a = Inception(832, *TABLE_1["5a"], variant=variant)
        self.inception5b = Inception(832, *TABLE_1["5b"], variant=variant)
        self.aux1 = InceptionAux(512, num_classes, variant) if aux_logits else None
        self.aux2 = InceptionAux(528, num_classes, variant) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(variant.dropout)
        self.fc = nn.Linear(1024, num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)) and variant.batch_norm:
                nn.init.trunc_normal_(m.weight, std=0.01, a=-2, b=2)  # torchvision's init
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                # Caffe's "xavier": uniform with variance 1 / fan_in; conv biases 0.2.
                nn.init.kaiming_uniform_(m.weight, mode="fan_in", nonlinearity="linear")
                nn.init.constant_(m.bias, 0.2 if isinstance(m, nn.Conv2d) else 0.0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _trunk(
        self, x: torch.Tensor, aux: bool
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """conv1 to inception (5b), plus the auxiliary logits when `aux` is true."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.pool1(self.conv1(x))  # (N, 64, 56, 56)
        if self.norm1 is not None:
            x = self.norm1(x)
        x = self.conv2(self.conv2_reduce(x))  # (N, 192, 56, 56)
        if self.norm2 is not None:
            x = self.norm2(x)
        x = self.pool2(x)  # (N, 192, 28, 28)
        x = self.inception3a(x)  # (N, 256, 28, 28)
        x = self.inception3b(x)  # (N, 480, 28, 28)
        x = self.pool3(x)  # (N, 480, 14, 14)
        x = self.inception4a(x)  # (N, 512, 14, 14)
        aux1 = self.aux1(x) if aux else None  # (N, num_classes)
        x = self.inception4b(x)  # (N, 512, 14, 14)
        x = self.inception4c(x)  # (N, 512, 14, 14)
        x = self.inception4d(x)  # (N, 528, 14, 14)
        aux2 = self.aux2(x) if aux else None  # (N, num_classes)
        x = self.inception4e(x)  # (N, 832, 14, 14)
        x = self.pool4(x)  # (N, 832, 7, 7)
        x = self.inception5a(x)  # (N, 832, 7, 7)
        x = self.inception5b(x)  # (N, 1024, 7, 7)
        return x, aux2, aux1

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """conv1 to inception (5b): `(N, in_channels, 224, 224)` to `(N, 1024, 7, 7)`."""
        return self._trunk(x, aux=False)[0]

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """Average pool, dropout, linear: `(N, 1024, h, w)` to logits `(N, num_classes)`."""
        x = torch.flatten(self.avgpool(features), 1)  # (N, 1024)
        return self.fc(self.dropout(x))  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor | GoogLeNetOutputs:
        """Logits `(N, num_classes)`; in training with aux heads, `GoogLeNetOutputs`."""
        aux = self.training and self.aux_logits
        features, aux2, aux1 = self._trunk(x, aux)
        logits = self.forward_head(features)
        return GoogLeNetOutputs(logits, aux2, aux1) if aux else logits


# torchvision's names -> ours: the stem convs (its conv2/conv3 are Table 1's conv2 reduce and
# conv2) and the inception branches (branch<k>.<i> -> the paper's column names).
_TORCHVISION_STEM = {"conv2.": "conv2_reduce.", "conv3.": "conv2."}
_TORCHVISION_BRANCHES = {
    "branch1.": "conv1x1.",
    "branch2.0.": "conv3x3_reduce.",
    "branch2.1.": "conv3x3.",
    "branch3.0.": "conv5x5_reduce.",
    "branch3.1.": "conv5x5.",
    "branch4.1.": "pool_proj.",
}


def torchvision_key(key: str) -> str:
    """Rename a key of torchvision's `googlenet` state dict to `googlenet_tv`'s name for it.

    Args:
        key: A torchvision key, e.g. `"inception3a.branch2.1.bn.weight"`.

    Returns:
        Our key (`"inception3a.conv3x3.bn.weight"`); an unknown key is returned unchanged.

    Example:
        >>> from cnnref.models.googlenet import torchvision_key
        >>> torchvision_key("conv3.conv.weight")
        'conv2.conv.weight'
        >>> torchvision_key("inception4e.branch4.1.conv.weight")
        'inception4e.pool_proj.conv.weight'
    """
    for old, new in _TORCHVISION_STEM.items():
        if key.startswith(old):
            return new + key[len(old) :]
    module, _, rest = key.partition(".")
    for old, new in _TORCHVISION_BRANCHES.items():
        if rest.startswith(old):
            return f"{module}.{new}{rest[len(old) :]}"
    return key


# The paper's budget: "1.5 billion multiply-adds at inference time" (§1).
PAPER_MULT_ADDS = 1.5e9

_KEY_IDEAS = (
    "Inception modules: 1×1, 3×3 and 5×5 convolutions and a max-pool side by side, their "
    "outputs concatenated, so each module sees several scales at once (§4, Fig. 2).",
    "1×1 convolutions reduce the channels before the expensive 3×3 and 5×5 convolutions "
    f"(§4): a budget of {PAPER_MULT_ADDS / 1e9:g} billion multiply-adds at inference, and 12 "
    "times fewer parameters than AlexNet (§1).",
    "Global average pooling instead of large fully connected layers at the end (§5).",
    "Two auxiliary classifiers on intermediate layers push gradient into the lower layers "
    "during training; they are dropped at inference (§5).",
)
_DRAWBACKS = (
    "The lecture outline says it needs 'a lot of time to reach a good quality'; the paper "
    "trained it on CPUs (DistBelief) and estimates that a few high-end GPUs would train it to "
    "convergence within a week, memory being the main limit (Szegedy et al. 2015, §6).",
    "The hand-designed module table is hard to change: scaled up naively, the network loses "
    "much of its computational gain (Szegedy et al., 'Rethinking the Inception Architecture "
    "for Computer Vision', CVPR 2016, §1).",
)
_TRAINING = (
    "On CPUs with DistBelief; a few high-end GPUs would take about a week, by the authors' "
    "rough estimate (Szegedy et al. 2015, §6)."
)
_ENSEMBLE = Result(
    "ILSVRC 2014 classification",
    "top-5 error",
    6.67,
    "test set, 7 models, 144 crops each",
    "Szegedy et al. 2015, Tables 2 and 3",
)
# How torchvision's `googlenet` (which `googlenet_tv` builds) departs from the paper.
TORCHVISION_DIFFERS = (
    "torchvision adds batch norm after every convolution (dropping the conv biases), its "
    '"5×5" branch is really 3×3 (pytorch/vision#906), it has no LRN, pools 2×2/2 after '
    "inception (4e), pools the auxiliary heads adaptively to 4×4 and uses dropout 0.2."
)


@register(
    title="GoogLeNet (Inception v1)",
    family="googlenet",
    paper=PAPER,
    results=(
        _ENSEMBLE,
        Result(
            "ILSVRC 2014 classification",
            "top-5 error",
            10.07,
            "validation set, a single model, 1 crop",
            "Szegedy et al. 2015, Table 3",
        ),
    ),
    paper_params=PAPER_PARAMS,
    paper_params_source="Szegedy et al. 2015, Table 1 (params column, without auxiliary heads)",
    input_size=(3, 224, 224),
    min_input_size=PAPER_VARIANT.min_input_size,
    weight_layers=22,
    key_ideas=_KEY_IDEAS,
    drawbacks=_DRAWBACKS,
    training=_TRAINING,
    differs_from_paper=" ".join(DIFFERS_FROM_PAPER),
    torchvision="googlenet",
    torchvision_kwargs=TORCHVISION_KWARGS,
    differs_from_torchvision=TORCHVISION_DIFFERS + " `googlenet_tv` builds it.",
    extra={"paper_mult_adds": PAPER_MULT_ADDS, "paper_mult_adds_source": "Szegedy et al. 2015, §1"},
)
def googlenet(num_classes: int = 1000, **kwargs: object) -> GoogLeNet:
    """GoogLeNet as in the paper: true 5×5 branches, LRN, no batch norm, two auxiliary heads.

    Args:
        num_classes: Size of the output layers.
        **kwargs: Passed to `GoogLeNet` (`in_channels`, `aux_logits`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.googlenet import googlenet
        >>> import torch
        >>> model = googlenet(num_classes=10).eval()
        >>> model(torch.randn(1, 3, 64, 64)).shape
        torch.Size([1, 10])
    """
    return GoogLeNet(num_classes=num_classes, variant=PAPER_VARIANT, **kwargs)


@register(
    title="GoogLeNet (torchvision variant)",
    family="googlenet",
    paper=PAPER,
    results=(
        Result(
            "ImageNet-1k validation",
            "top-1 accuracy",
            69.778,
            "torchvision's IMAGENET1K_V1 weights, single 224×224 crop",
            "torchvision GoogLeNet_Weights.IMAGENET1K_V1 metadata",
        ),
        Result(
            "ImageNet-1k validation",
            "top-5 accuracy",
            89.53,
            "torchvision's IMAGENET1K_V1 weights, single 224×224 crop",
            "torchvision GoogLeNet_Weights.IMAGENET1K_V1 metadata",
        ),
        _ENSEMBLE,
    ),
    input_size=(3, 224, 224),
    min_input_size=TORCHVISION_VARIANT.min_input_size,
    weight_layers=22,
    key_ideas=(
        *_KEY_IDEAS,
        "Batch norm after every convolution (added by torchvision, not in the paper).",
    ),
    drawbacks=_DRAWBACKS,
    training=_TRAINING,
    differs_from_paper=TORCHVISION_DIFFERS,
    torchvision="googlenet",
    torchvision_key=torchvision_key,
    torchvision_kwargs=TORCHVISION_KWARGS,
    extra={"torchvision_params": 6_624_904},  # GoogLeNet_Weights.IMAGENET1K_V1 metadata
    differs_from_torchvision=(
        "Same network and function (with transform_input=False); layers renamed after "
        "Table 1 (conv2_reduce, conv2, conv1x1 ... pool_proj)."
    ),
)
def googlenet_tv(num_classes: int = 1000, **kwargs: object) -> GoogLeNet:
    """The GoogLeNet torchvision ships (batch norm, 3×3 "5×5" branch), with our layer names.

    Args:
        num_classes: Size of the output layers.
        **kwargs: Passed to `GoogLeNet` (`in_channels`, `aux_logits`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.googlenet import googlenet_tv
        >>> import torch
        >>> with torch.device("meta"):
        ...     model = googlenet_tv(aux_logits=False)
        >>> sum(p.numel() for p in model.parameters())
        6624904
    """
    return GoogLeNet(num_classes=num_classes, variant=TORCHVISION_VARIANT, **kwargs)
