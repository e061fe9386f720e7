"""Classification: one class per image (softmax), or any number of them (a sigmoid per class).

- output: `(N, num_classes)` logits;
- activation: softmax, or a sigmoid per class if multi-label (`activation`, `predict`);
- loss: cross-entropy, or binary cross-entropy per class (`classification_loss`);
- metric: top-1 and top-5 error, accuracy (`cnnref.metrics.TopKError`).

For a classification backbone, `create_model(name)` is the published network with its own
classifier, and its logits are this task's output. `ClassificationHead` (global average
pooling, dropout, one fully connected layer) is the head a backbone gets under `task=
"classification"` when a head option is given (`multi_label=True`), or for U-Net.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", task="classification", multi_label=True,
    ...                             num_classes=3).eval()
    >>> model.predict(torch.randn(2, 3, 64, 64)).shape  # a yes/no per class
    torch.Size([2, 3])
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from cnnref import metrics
from cnnref.models._common import check_positive
from cnnref.tasks.base import Task, check_features, register_task

__all__ = ["ClassificationHead", "activation", "classification_loss", "predict"]


def activation(logits: torch.Tensor, multi_label: bool = False) -> torch.Tensor:
    """Class probabilities from classification logits.

    Single-label (one class per image): softmax, `σ(z)_i = e^{z_i} / Σ_k e^{z_k}`, the
    probabilities sum to 1. Multi-label (any number of classes per image): a sigmoid
    `σ(z) = 1 / (1 + e^{-z})` per class, each in `[0, 1]` on its own.

    Args:
        logits: `(N, num_classes)`.
        multi_label: Sigmoid instead of softmax.

    Returns:
        Probabilities, the shape of `logits`.

    Example:
        >>> import torch
        >>> from cnnref.tasks.classification import activation
        >>> activation(torch.tensor([[0.0, 0.0]]))
        tensor([[0.5000, 0.5000]])
        >>> activation(torch.tensor([[0.0, 0.0]]), multi_label=True)
        tensor([[0.5000, 0.5000]])
    """
    return logits.sigmoid() if multi_label else logits.softmax(dim=1)


def predict(
    logits: torch.Tensor, multi_label: bool = False, threshold: float = 0.5
) -> torch.Tensor:
    """The predicted class of each image, or the set of classes if `multi_label`.

    Args:
        logits: `(N, num_classes)`.
        multi_label: Return a boolean `(N, num_classes)` of the classes whose sigmoid probability
            exceeds `threshold`, instead of the best class index `(N,)`.
        threshold: The probability above which a class counts as present (multi-label only).

    Returns:
        `(N,)` class indices, or `(N, num_classes)` booleans.

    Example:
        >>> import torch
        >>> from cnnref.tasks.classification import predict
        >>> predict(torch.tensor([[0.1, 2.0, -1.0]]))
        tensor([1])
        >>> predict(torch.tensor([[0.1, 2.0, -1.0]]), multi_label=True)
        tensor([[ True,  True, False]])
    """
    if multi_label:
        return activation(logits, multi_label=True) > threshold
    return logits.argmax(dim=1)


class ClassificationHead(nn.Module):
    """Global average pooling, dropout and one fully connected layer.

    Output: `(N, num_classes)` logits, one neuron per class. Activation: softmax, or a sigmoid
    per class with `multi_label=True` (train with cross-entropy or binary cross-entropy,
    `classification_loss`).

    Args:
        in_features: Channels of the feature map (the backbone's `num_features`).
        num_classes: Number of classes.
        multi_label: Whether an image may carry several classes at once.
        dropout: Dropout probability before the fully connected layer.

    Example:
        >>> import torch
        >>> from cnnref.tasks.classification import ClassificationHead
        >>> head = ClassificationHead(16, num_classes=5)
        >>> head(torch.randn(2, 16, 3, 3)).shape
        torch.Size([2, 5])
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int = 1000,
        multi_label: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_positive("ClassificationHead", in_features=in_features, num_classes=num_classes)
        self.in_features, self.num_classes, self.multi_label = in_features, num_classes, multi_label
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """`(N, in_features, h, w)` to logits `(N, num_classes)`."""
        check_features(features, "ClassificationHead", self.in_features)
        x = features.mean(dim=(2, 3))  # (N, C): global average pooling
        return self.fc(self.dropout(x))  # (N, num_classes)

    def activation(self, output: torch.Tensor) -> torch.Tensor:
        """Softmax or sigmoid probabilities `(N, num_classes)`."""
        return activation(output, self.multi_label)

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """Class indices `(N,)`, or booleans `(N, num_classes)` if multi-label."""
        return predict(output, self.multi_label)


def classification_loss(
    logits: torch.Tensor, target: torch.Tensor, multi_label: bool = False
) -> torch.Tensor:
    """Cross-entropy of softmax probabilities, or binary cross-entropy of a sigmoid per class.

    Args:
        logits: `(N, num_classes)`.
        target: Class indices `(N,)`, or for `multi_label` 0/1 floats `(N, num_classes)`.
        multi_label: Whether an image may carry several classes.

    Returns:
        The mean loss.

    Example:
        >>> import torch
        >>> from cnnref.tasks.classification import classification_loss
        >>> round(classification_loss(torch.zeros(1, 4), torch.tensor([2])).item(), 4)  # ln 4
        1.3863
        >>> classification_loss(torch.zeros(1, 2), torch.tensor([[1.0, 0.0]]), multi_label=True)
        tensor(0.6931)
    """
    if multi_label:
        if target.shape != logits.shape:
            raise ValueError(
                f"classification_loss(multi_label=True) expects targets of the logits' shape "
                f"{tuple(logits.shape)} (0/1 per class), got {tuple(target.shape)}"
            )
        return F.binary_cross_entropy_with_logits(logits, target.to(logits.dtype))
    return F.cross_entropy(logits, target)


def _labels(target: Any) -> torch.Tensor:
    # Class indices (the digits), or the shapes' `classes`: 1.0 for each class present.
    return target["classes"] if isinstance(target, dict) else target


def _loss(output: torch.Tensor, target: Any, head: nn.Module | None) -> torch.Tensor:
    multi_label = getattr(head, "multi_label", False)
    return classification_loss(output, _labels(target), multi_label)


def _evaluate(output: torch.Tensor, targets: list[Any], head: nn.Module | None) -> dict:
    multi_label = getattr(head, "multi_label", False)
    labels = torch.cat([_labels(t) for t in targets])
    if multi_label:
        right = predict(output, multi_label=True) == (labels > 0.5)
        return {
            "exact_match": right.all(dim=1).float().mean().item(),
            "label_accuracy": right.float().mean().item(),
        }
    meter = metrics.TopKError((1, 5))
    meter.update(output, labels)
    errors = meter.compute()
    return {"accuracy": 1.0 - errors["top1_error"], **errors}  # metrics.accuracy's sum


TASK = register_task(
    Task(
        name="classification",
        rank=1,
        output="`(N, num_classes)`",
        head=ClassificationHead,
        options=("num_classes", "multi_label"),
        loss=_loss,
        evaluate=_evaluate,
    )
)
