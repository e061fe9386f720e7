"""U-Net (Ronneberger, Fischer & Brox, MICCAI 2015).

[U-Net: Convolutional Networks for Biomedical Image Segmentation](https://arxiv.org/abs/1505.04597)
is an encoder-decoder for segmentation that labels every pixel. The *contracting path* repeats
two 3×3 convolutions with ReLU and a 2×2 max-pool four times, doubling the channels
(64 → 1024). The *expansive path* repeats a 2×2 up-convolution that halves the channels, a
concatenation with the matching feature map of the contracting path, and two 3×3 convolutions;
a 1×1 convolution maps the last 64 channels to the classes. That makes 23 convolutional layers
(Fig. 1 of the paper).

The paper's convolutions are unpadded (`padding="valid"`): every 3×3 convolution takes a pixel
off each border, so a 572×572 tile gives a 388×388 map, and the skip connections must be
cropped to the size of the up-sampled map before concatenation. Large images are segmented
tile by tile (the overlap-tile strategy). A tile must meet an even size at each of the four
max-pools, which holds for 16k + 124 pixels (k ≥ 4: 188, 204, ..., 572, ...).
`padding="same"` (padding 1) keeps the input size instead and needs sides divisible by 16.

The parts follow milesial's Pytorch-UNet: `DoubleConv`, `Down`, `Up`, wired as `inc`,
`down1..down4`, `up1..up4`, `outc`.

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; the
card, and so the site, read it from there.

Example:
    >>> from cnnref.models.unet import UNet
    >>> import torch
    >>> with torch.device("meta"):  # shapes only: no memory, no arithmetic
    ...     model = UNet(in_channels=1, num_classes=2)
    >>> model(torch.empty(1, 1, 572, 572, device="meta")).shape
    torch.Size([1, 2, 388, 388])
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from cnnref.models._common import check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = ["DIFFERS_FROM_PAPER", "DoubleConv", "Down", "UNet", "Up", "unet"]

PAPER = Paper(
    title="U-Net: Convolutional Networks for Biomedical Image Segmentation",
    authors="O. Ronneberger, P. Fischer, T. Brox",
    venue="MICCAI 2015",
    year=2015,
    url="https://arxiv.org/abs/1505.04597",
)

FAMILY = register_family("unet", title="U-Net", featured="unet")

# How this code departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = (
    "The paper places drop-out layers 'at the end of the contracting path' without giving a "
    "rate (§3.1); we put p = 0.5 on the outputs of down3 and down4.",
    "padding='same' (padded 3×3 convolutions, output size = input size) is an option the paper "
    "does not have.",
)

# Channels of the five levels of Fig. 1, from the 572×572 input tile down to the bottom.
CHANNELS = (64, 128, 256, 512, 1024)
PADDINGS = {"valid": 0, "same": 1}


class DoubleConv(nn.Sequential):
    """Two 3×3 convolutions, each followed by a ReLU (one box-to-box step of Fig. 1).

    Args:
        in_channels: Input channels.
        out_channels: Output channels of both convolutions.
        padding: 0 for the paper's unpadded convolutions (2 pixels lost per side), 1 to keep
            the size.
    """

    def __init__(self, in_channels: int, out_channels: int, padding: int) -> None:
        super().__init__(
            OrderedDict(
                conv1=nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=padding),
                relu1=nn.ReLU(inplace=True),
                conv2=nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=padding),
                relu2=nn.ReLU(inplace=True),
            )
        )


class Down(nn.Sequential):
    """A 2×2 max-pool with stride 2, then a `DoubleConv` that doubles the channels."""

    def __init__(self, in_channels: int, out_channels: int, padding: int) -> None:
        super().__init__(
            OrderedDict(
                pool=nn.MaxPool2d(kernel_size=2, stride=2),
                conv=DoubleConv(in_channels, out_channels, padding),
            )
        )


class Up(nn.Module):
    """A 2×2 up-convolution halving the channels, crop-and-concat of the skip, a `DoubleConv`.

    Args:
        in_channels: Channels of the map from below (twice those of the skip).
        out_channels: Output channels.
        padding: Padding of the 3×3 convolutions (0 in the paper).
    """

    def __init__(self, in_channels: int, out_channels: int, padding: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels, padding)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        """Shapes for `up1` on a 572×572 tile: `x` `(N, 1024, 28, 28)`, skip `(N, 512, 64, 64)`."""
        x = self.up(x)  # (N, 512, 56, 56)
        h, w = x.shape[-2:]
        top = (skip.shape[-2] - h) // 2  # 4: the skip lost fewer border pixels than x
        left = (skip.shape[-1] - w) // 2
        skip = skip[..., top : top + h, left : left + w]  # (N, 512, 56, 56)
        return self.conv(torch.cat([skip, x], dim=1))  # (N, 1024, 56, 56) -> (N, 512, 52, 52)


def _output_side(size: int, padding: str) -> int | None:
    """Follow one side of a tile through the network.

    Returns:
        The side of the output map, or `None` if a max-pool would meet an odd size or a map
        would vanish.
    """
    lost = 4 if padding == "valid" else 0  # pixels two unpadded 3×3 convolutions take off
    for _ in range(len(CHANNELS) - 1):  # contracting path: DoubleConv, then a 2×2 max-pool
        size -= lost
        if size < 2 or size % 2:
            return None
        size //= 2
    size -= lost  # the bottom DoubleConv
    for _ in range(len(CHANNELS) - 1):  # expansive path: 2×2 up-convolution, then DoubleConv
        if size < 1:
            return None
        size = 2 * size - lost
    return size if size >= 1 else None


def _smallest_tile(padding: str) -> int:
    return next(s for s in range(1, 1000) if _output_side(s, padding) is not None)


class UNet(nn.Module):
    """U-Net for semantic segmentation (Fig. 1 of the paper).

    Args:
        in_channels: Channels of the input images (1 for the paper's grey-scale microscopy).
        num_classes: Output maps, one per class (2 in the paper: cell and background).
        padding: `"valid"` (the paper: unpadded 3×3 convolutions, 572×572 → 388×388) or
            `"same"` (padding 1: the output has the input's size, sides divisible by 16).
        dropout: Drop-out probability at the end of the contracting path.

    Attributes:
        in_channels: Channels of the input images.
        num_classes: Output maps.
        padding: `"valid"` or `"same"`.
        num_features: Channels of the `forward_features` map (64).
        head_modules: Submodules that only `forward_head` runs (a `TaskModel` drops them).
        min_input_size: Smallest tile side: 188 for `"valid"`, 16 for `"same"`.

    Raises:
        ValueError: If `padding` is unknown or a count is not positive.
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 2,
        padding: str = "valid",
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        check_positive("UNet", in_channels=in_channels, num_classes=num_classes)
        if padding not in PADDINGS:
            raise ValueError(
                f"UNet: padding must be 'valid' (the paper's unpadded 3x3 convolutions) "
                f"or 'same' (padding 1, output size = input size), got {padding!r}"
            )
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.padding = padding
        self.num_features = CHANNELS[0]
        self.head_modules = ("outc",)  # forward_features never runs these
        self.min_input_size = _smallest_tile(padding)
        pad = PADDINGS[padding]
        c1, c2, c3, c4, c5 = CHANNELS

        self.inc = DoubleConv(in_channels, c1, pad)
        self.down1 = Down(c1, c2, pad)
        self.down2 = Down(c2, c3, pad)
        self.down3 = Down(c3, c4, pad)
        self.down4 = Down(c4, c5, pad)
        self.dropout = nn.Dropout(dropout)
        self.up1 = Up(c5, c4, pad)
        self.up2 = Up(c4, c3, pad)
        self.up3 = Up(c3, c2, pad)
        self.up4 = Up(c2, c1, pad)
        self.outc = nn.Conv2d(c1, num_classes, kernel_size=1)

        # The paper draws initial weights from a Gaussian with standard deviation sqrt(2 / N),
        # N = incoming nodes of one neuron (e.g. 9 · 64 for a 3×3 convolution on 64 channels).
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(module.bias)

    def output_size(self, input_size: int) -> int:
        """Side of the output map for a square tile of side `input_size`.

        Args:
            input_size: Tile side in pixels.

        Returns:
            `input_size - 184` for `"valid"` (572 gives 388), `input_size` for `"same"`.

        Raises:
            ValueError: If the tile does not fit; the message names the nearest sizes that do.

        Example:
            >>> from cnnref.models.unet import UNet
            >>> import torch
            >>> with torch.device("meta"):
            ...     model = UNet()
            >>> model.output_size(572)
            388
        """
        self._check_tile(input_size, input_size)
        return _output_side(input_size, self.padding)

    @staticmethod
    def valid_input_sizes(lo: int, hi: int, padding: str = "valid") -> list[int]:
        """Tile sides in `[lo, hi]` that go through the network.

        Args:
            lo: Smallest side to consider.
            hi: Largest side to consider.
            padding: `"valid"` or `"same"`.

        Returns:
            The sides, ascending.

        Example:
            >>> from cnnref.models.unet import UNet
            >>> UNet.valid_input_sizes(500, 600)
            [508, 524, 540, 556, 572, 588]
            >>> UNet.valid_input_sizes(100, 130, padding="same")
            [112, 128]
        """
        if padding not in PADDINGS:
            raise ValueError(f"UNet: padding must be 'valid' or 'same', got {padding!r}")
        return [s for s in range(lo, hi + 1) if _output_side(s, padding) is not None]

    def _check_tile(self, height: int, width: int) -> None:
        for side in (height, width):
            if _output_side(side, self.padding) is None:
                works = [s for s in range(1, side + 17) if _output_side(s, self.padding)]
                below = [s for s in works if s < side]
                above = [s for s in works if s > side]
                nearest = (
                    f"the nearest sizes that work are {below[-1]} and {above[0]}"
                    if below
                    else f"the smallest size that works is {self.min_input_size}"
                )
                rule = (
                    "16k + 124 pixels (k >= 4)"
                    if self.padding == "valid"
                    else "a multiple of 16 pixels"
                )
                raise ValueError(
                    f"UNet(padding={self.padding!r}) cannot take a {height}x{width} tile: "
                    f"each side must be {rule} so that all four 2x2 max-pools meet an even "
                    f"size; for a side of {side} {nearest}"
                )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Run the contracting and expansive paths up to the last 64-channel map.

        Args:
            x: Tiles `(N, in_channels, H, W)`; each side `16k + 124` with `k >= 4` for
                `"valid"`, a multiple of 16 for `"same"`.

        Returns:
            `(N, 64, H - 184, W - 184)` for `"valid"`, `(N, 64, H, W)` for `"same"`.

        Raises:
            TypeError: If `x` is not a floating-point tensor.
            ValueError: If `x` has the wrong rank or channel count, or a side does not fit.
        """
        check_input(x, "UNet", self.in_channels, self.min_input_size)
        self._check_tile(x.shape[-2], x.shape[-1])
        x1 = self.inc(x)  # (N, 64, 568, 568)          shapes for a 572×572 "valid" tile
        x2 = self.down1(x1)  # (N, 128, 280, 280)
        x3 = self.down2(x2)  # (N, 256, 136, 136)
        x4 = self.dropout(self.down3(x3))  # (N, 512, 64, 64)
        x5 = self.dropout(self.down4(x4))  # (N, 1024, 28, 28)
        x = self.up1(x5, x4)  # (N, 512, 52, 52)
        x = self.up2(x, x3)  # (N, 256, 100, 100)
        x = self.up3(x, x2)  # (N, 128, 196, 196)
        return self.up4(x, x1)  # (N, 64, 388, 388)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """Map the 64-channel features to class scores: `(N, 64, h, w)` to `(N, classes, h, w)`."""
        return self.outc(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Per-pixel class scores `(N, num_classes, h, w)`; softmax over dim 1 gives the map."""
        return self.forward_head(self.forward_features(x))


# The paper's input tile (Fig. 1) and the output map it gives, computed.
_TILE = 572
_OUT = _output_side(_TILE, "valid")


@register(
    title="U-Net",
    family="unet",
    paper=PAPER,
    results=(
        Result(
            "ISBI 2015 cell tracking challenge, PhC-U373",
            "IOU",
            92.03,
            "segmentation, challenge evaluation",
            "Ronneberger et al. 2015, Table 2",
        ),
        Result(
            "ISBI 2015 cell tracking challenge, DIC-HeLa",
            "IOU",
            77.56,
            "segmentation, challenge evaluation",
            "Ronneberger et al. 2015, Table 2",
        ),
    ),
    paper_params=None,
    input_size=(1, 572, 572),
    min_input_size=188,
    weight_layers=23,
    key_ideas=(
        "An encoder-decoder that labels every pixel: a contracting path (3×3 convolutions, "
        "2×2 max-pools, channels doubling to 1024) and a symmetric expansive path (2×2 "
        "up-convolutions halving the channels) (§2, Fig. 1).",
        "Skip connections concatenate each contracting level with the expansive level of the "
        "same resolution, so the decoder gets back the fine localisation the pools threw away "
        "(§1, §2).",
        f"Unpadded convolutions: a {_TILE}×{_TILE} tile gives a {_OUT}×{_OUT} map in which every "
        "pixel saw its full context; large images are segmented tile by tile (overlap-tile "
        "strategy, §1, Fig. 2).",
        "Binary segmentation is done with two output maps (cell, background) and a per-pixel "
        "softmax, not a single sigmoid output (§3, Fig. 1).",
        "Ranked 1st in the ISBI 2012 EM segmentation challenge (Table 1); trained from very few "
        "annotated images with heavy data augmentation (§1, §3.1).",
    ),
    drawbacks=(
        f"Unpadded convolutions make the output smaller than the input ({_TILE} → {_OUT}): "
        "images must be tiled with overlap and their borders mirrored (§1, Fig. 2).",
        "Tile sizes are constrained: every 2×2 max-pool must meet an even size (16k + 124 "
        "pixels per side in the paper's setting; `UNet.valid_input_sizes` lists them) (§2).",
    ),
    differs_from_paper=" ".join(DIFFERS_FROM_PAPER),
    task="segmentation",
    extra={"isbi2012_rank": 1, "isbi2012_source": "Ronneberger et al. 2015, Table 1"},
)
def unet(
    in_channels: int = 1, num_classes: int = 2, padding: str = "valid", **kwargs: float
) -> UNet:
    """U-Net as in the paper: 1 input channel, 2 classes, unpadded convolutions.

    Args:
        in_channels: Channels of the input images.
        num_classes: Output maps, one per class.
        padding: `"valid"` (the paper) or `"same"`.
        **kwargs: Passed to `UNet` (`dropout`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.unet import unet
        >>> import torch
        >>> model = unet(in_channels=3, num_classes=5, padding="same").eval()
        >>> model(torch.randn(1, 3, 32, 48)).shape
        torch.Size([1, 5, 32, 48])
    """
    return UNet(in_channels=in_channels, num_classes=num_classes, padding=padding, **kwargs)
