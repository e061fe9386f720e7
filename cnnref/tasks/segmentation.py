"""Segmentation: a class for every pixel.

- output: `(N, num_classes, H, W)`, scores for every pixel (`SegmentationHead`);
- activation: a sigmoid (one class: foreground) or softmax over the classes;
- loss: binary cross-entropy + Dice, or cross-entropy + Dice (`segmentation_loss`);
- metric: IoU and Dice (`cnnref.metrics.MaskOverlap`).

U-Net (`unet`) is the native segmentation network; the other backbones get the simple
fully-convolutional decoder `SegmentationHead`.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", task="segmentation").eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape  # one score map, at the input's size
    torch.Size([1, 1, 64, 64])
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from cnnref import metrics
from cnnref.models._common import check_positive
from cnnref.tasks.base import Task, check_features, register_task

__all__ = ["SegmentationHead", "dice_loss", "segmentation_loss"]


class SegmentationHead(nn.Module):
    """A simple fully-convolutional decoder: two 1x1 convs to class scores, then upsampling.

    Output: `(N, num_classes, H, W)` scores for every pixel at the input's resolution `H x W`
    (bilinear upsampling of the coarse score map, as FCN-32s does). One class means binary
    segmentation: activation sigmoid, loss BCE + Dice; several classes: softmax, loss
    cross-entropy + Dice (`segmentation_loss`). Without skip connections the edges stay as
    coarse as the feature map; U-Net's skips are what fixes that.

    Args:
        in_features: Channels of the feature map.
        num_classes: Score maps to produce (1 for foreground vs background).
        hidden: Channels of the hidden 1x1 conv.

    Example:
        >>> import torch
        >>> from cnnref.tasks.segmentation import SegmentationHead
        >>> head = SegmentationHead(16, num_classes=1)
        >>> head(torch.randn(2, 16, 4, 4), size=(32, 32)).shape
        torch.Size([2, 1, 32, 32])
    """

    takes_input_size = True  # `TaskModel` passes the image's (H, W) to `forward`

    def __init__(self, in_features: int, num_classes: int = 1, hidden: int = 128) -> None:
        super().__init__()
        check_positive("SegmentationHead", in_features=in_features, num_classes=num_classes)
        check_positive("SegmentationHead", hidden=hidden)
        self.in_features, self.num_classes = in_features, num_classes
        self.conv = nn.Conv2d(in_features, hidden, kernel_size=1)
        self.score = nn.Conv2d(hidden, num_classes, kernel_size=1)

    def forward(self, features: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        """`(N, in_features, h, w)` to scores `(N, num_classes, *size)`, `size` = `(H, W)`."""
        check_features(features, "SegmentationHead", self.in_features)
        x = F.relu(self.conv(features))  # (N, hidden, h, w)
        x = self.score(x)  # (N, num_classes, h, w)
        return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)

    def activation(self, output: torch.Tensor) -> torch.Tensor:
        """Per-pixel probabilities: sigmoid for one class, softmax over classes otherwise."""
        return output.sigmoid() if self.num_classes == 1 else output.softmax(dim=1)

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """A boolean foreground mask `(N, H, W)`, or class indices `(N, H, W)`."""
        return output[:, 0] > 0 if self.num_classes == 1 else output.argmax(dim=1)


def dice_loss(probs: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """Soft Dice loss `1 - (2 Σ p t + ε) / (Σ p + Σ t + ε)`, over all pixels of the batch.

    Args:
        probs: Foreground probabilities, any shape.
        target: 0/1 foreground, the same shape.
        eps: Smoothing; keeps the loss defined (and 0) for empty masks.

    Returns:
        The loss in `[0, 1)`.

    Example:
        >>> import torch
        >>> from cnnref.tasks.segmentation import dice_loss
        >>> dice_loss(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 0.0]))
        tensor(0.)
    """
    target = target.to(probs.dtype)
    inter = (probs * target).sum()
    return 1 - (2 * inter + eps) / (probs.sum() + target.sum() + eps)


def segmentation_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Pixel-wise cross-entropy plus Dice loss.

    One output map (binary segmentation): binary cross-entropy of the sigmoid + Dice of the
    foreground. Several maps: cross-entropy of the softmax + the mean Dice of every class.
    The Dice term weighs a small object as much as the background around it.

    Args:
        logits: `(N, num_classes, H, W)`.
        target: Class index per pixel `(N, H, W)`; for one map, 0/1 (or boolean) foreground.

    Returns:
        The mean loss.

    Raises:
        ValueError: If the sizes differ (a `"valid"` U-Net's output is smaller than its input:
            crop the target to the output first).

    Example:
        >>> import torch
        >>> from cnnref.tasks.segmentation import segmentation_loss
        >>> loss = segmentation_loss(torch.full((1, 1, 2, 2), 20.0), torch.ones(1, 2, 2))
        >>> round(loss.item(), 4)  # confident and right
        0.0
    """
    if logits.dim() != 4 or target.shape != (logits.shape[0], *logits.shape[2:]):
        raise ValueError(
            f"segmentation_loss expects logits (N, C, H, W) and a target (N, H, W) of the same "
            f"N, H, W, got {tuple(logits.shape)} and {tuple(target.shape)} (a 'valid' U-Net's "
            "output is smaller than its input: crop the target to the output's size)"
        )
    if logits.shape[1] == 1:
        fg = target.to(logits.dtype)
        bce = F.binary_cross_entropy_with_logits(logits[:, 0], fg)
        return bce + dice_loss(logits[:, 0].sigmoid(), fg)
    probs = logits.softmax(dim=1)
    one_hot = F.one_hot(target.long(), logits.shape[1]).permute(0, 3, 1, 2)
    dice = torch.stack([dice_loss(probs[:, c], one_hot[:, c]) for c in range(logits.shape[1])])
    return F.cross_entropy(logits, target.long()) + dice.mean()


def _mask(target: Any, binary: bool) -> torch.Tensor:
    # The shapes' `mask` (0 background, else the shape's class + 1): foreground for one map.
    mask = target["mask"] if isinstance(target, dict) else target
    return mask > 0 if binary else mask


def _binary(output: torch.Tensor) -> bool:
    return output.shape[1] == 1


def _loss(output: torch.Tensor, target: Any, head: nn.Module | None) -> torch.Tensor:
    return segmentation_loss(output, _mask(target, _binary(output)))


def _evaluate(output: torch.Tensor, targets: list[Any], head: nn.Module | None) -> dict:
    mask = torch.cat([_mask(t, _binary(output)) for t in targets])
    pred = output[:, 0] > 0 if _binary(output) else output.argmax(dim=1)
    meter = metrics.MaskOverlap()
    meter.update(pred, mask)
    return meter.compute()


TASK = register_task(
    Task(
        name="segmentation",
        rank=3,
        output="`(N, num_classes, H, W)`",
        head=SegmentationHead,
        options=("num_classes", "hidden"),
        loss=_loss,
        evaluate=_evaluate,
    )
)
