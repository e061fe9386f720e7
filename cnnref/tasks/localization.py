"""Localization: one object per image, its box (and its class).

- output: `(N, 4 + num_classes)`, the box and the class scores (`LocalizationHead`);
- activation: a sigmoid on the box, softmax on the classes;
- loss: L1 + generalised IoU on the box, cross-entropy on the class (`localization_loss`);
- metric: mean IoU of predicted and true box (`cnnref.metrics.mean_box_iou`), class accuracy.

Boxes are `(cx, cy, w, h)`, normalised to the image.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", task="localization", num_classes=3).eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape  # 4 box numbers, 3 class scores
    torch.Size([1, 7])
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import box_convert, generalized_box_iou_loss

from cnnref import metrics
from cnnref.models._common import check_positive
from cnnref.tasks.base import Task, check_features, register_task

__all__ = ["LocalizationHead", "localization_loss"]


class LocalizationHead(nn.Module):
    """One object per image: four box numbers, optionally with class scores.

    Output: `(N, 4 + num_classes)`: the logits of the box `(cx, cy, w, h)` (four neurons: the
    x, y, width and height of the bounding box), then the class logits if `num_classes` is
    given. Activation: a sigmoid on the box puts it inside the image, normalised to `[0, 1]`;
    softmax on the classes. Loss: `localization_loss`.

    Where the object is must survive the pooling, so the feature map is average-pooled to a
    fixed `pool x pool` grid (as VGG's and AlexNet's adaptive pooling before their classifiers)
    and flattened into a two-layer perceptron, not averaged to one vector.

    Args:
        in_features: Channels of the feature map.
        num_classes: Classes to score besides the box, or `None` for the box alone.
        hidden: Width of the hidden layer.
        pool: Side of the pooled grid.

    Example:
        >>> import torch
        >>> from cnnref.tasks.localization import LocalizationHead
        >>> head = LocalizationHead(16, num_classes=3)
        >>> out = head(torch.randn(2, 16, 3, 3))
        >>> out.shape
        torch.Size([2, 7])
        >>> head.predict(out)["boxes"].shape
        torch.Size([2, 4])
    """

    def __init__(
        self, in_features: int, num_classes: int | None = None, hidden: int = 256, pool: int = 4
    ) -> None:
        super().__init__()
        check_positive("LocalizationHead", in_features=in_features, hidden=hidden, pool=pool)
        if num_classes is not None:
            check_positive("LocalizationHead", num_classes=num_classes)
        self.in_features, self.num_classes = in_features, num_classes
        self.pool = nn.AdaptiveAvgPool2d(pool)
        self.fc1 = nn.Linear(in_features * pool * pool, hidden)
        self.fc2 = nn.Linear(hidden, 4 + (num_classes or 0))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """`(N, in_features, h, w)` to `(N, 4 + num_classes)`: box logits, class logits."""
        check_features(features, "LocalizationHead", self.in_features)
        x = torch.flatten(self.pool(features), 1)  # (N, C * pool * pool)
        return self.fc2(F.relu(self.fc1(x)))  # (N, 4 + num_classes)

    def activation(self, output: torch.Tensor) -> dict[str, torch.Tensor]:
        """`{"boxes": (N, 4) in [0, 1]}`, plus `"probs": (N, num_classes)` with classes."""
        out = {"boxes": output[:, :4].sigmoid()}
        if self.num_classes:
            out["probs"] = output[:, 4:].softmax(dim=1)
        return out

    def predict(self, output: torch.Tensor) -> dict[str, torch.Tensor]:
        """`{"boxes": (N, 4)}`, plus `"labels": (N,)` and `"scores": (N,)` with classes."""
        out = self.activation(output)
        if self.num_classes:
            out["scores"], out["labels"] = out.pop("probs").max(dim=1)
        return out


def localization_loss(
    output: torch.Tensor, boxes: torch.Tensor, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """L1 + generalised IoU loss on the box, plus cross-entropy on the class if scored.

    The L1 term pulls each number to its target; the generalised IoU term
    (`torchvision.ops.generalized_box_iou_loss`) rewards overlap directly, which is what the
    metric measures, and still has a gradient when the boxes do not overlap.

    Args:
        output: A `LocalizationHead`'s output `(N, 4 + num_classes)`.
        boxes: True boxes `(N, 4)`, `(cx, cy, w, h)` normalised to the image.
        labels: True classes `(N,)`, if the head scores classes.

    Returns:
        The mean loss.

    Example:
        >>> import torch
        >>> from cnnref.tasks.localization import localization_loss
        >>> box = torch.tensor([[0.5, 0.5, 0.5, 0.5]])
        >>> round(localization_loss(torch.logit(box), box).item(), 4)  # a perfect box
        0.0
    """
    if output.dim() != 2 or output.shape[1] < 4 or boxes.shape != (output.shape[0], 4):
        raise ValueError(
            f"localization_loss expects output (N, 4 + num_classes) and boxes (N, 4), got "
            f"{tuple(output.shape)} and {tuple(boxes.shape)}"
        )
    pred = output[:, :4].sigmoid()
    boxes = boxes.to(pred.dtype)
    loss = F.l1_loss(pred, boxes) + generalized_box_iou_loss(
        box_convert(pred, "cxcywh", "xyxy"), box_convert(boxes, "cxcywh", "xyxy"), reduction="mean"
    )
    if labels is not None:
        if output.shape[1] == 4:
            raise ValueError("localization_loss got labels, but the head scores no classes")
        loss = loss + F.cross_entropy(output[:, 4:], labels)
    return loss


def _boxes_and_labels(target: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    # The shapes' per-image lists, one object each: stacked to (N, 4) and (N,).
    return torch.cat(list(target["boxes"])), torch.cat(list(target["labels"]))


def _loss(output: torch.Tensor, target: dict[str, Any], head: nn.Module | None) -> torch.Tensor:
    boxes, labels = _boxes_and_labels(target)
    return localization_loss(output, boxes, labels if output.shape[1] > 4 else None)


def _evaluate(output: torch.Tensor, targets: list[dict], head: nn.Module | None) -> dict:
    pairs = [_boxes_and_labels(t) for t in targets]
    boxes, labels = torch.cat([b for b, _ in pairs]), torch.cat([lab for _, lab in pairs])
    result = {"box_iou": metrics.mean_box_iou(output[:, :4].sigmoid(), boxes)}
    if output.shape[1] > 4:
        right = output[:, 4:].argmax(dim=1) == labels
        result["class_accuracy"] = right.float().mean().item()
    return result


TASK = register_task(
    Task(
        name="localization",
        rank=4,
        output="`(N, 4 + num_classes)`",
        head=LocalizationHead,
        options=("num_classes", "hidden"),
        loss=_loss,
        evaluate=_evaluate,
    )
)
