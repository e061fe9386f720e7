"""Regression: real numbers per image (a count of objects, an age, an angle).

- output: `(N, num_outputs)` (`RegressionHead`);
- activation: none, the outputs are real numbers;
- loss: mean squared error, or L1 (`regression_loss`);
- metric: mean absolute error (`cnnref.metrics.mean_absolute_error`).

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", task="regression", num_outputs=1).eval()
    >>> model(torch.randn(2, 3, 32, 32)).shape
    torch.Size([2, 1])
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from cnnref import metrics
from cnnref.models._common import check_positive
from cnnref.tasks.base import Task, check_features, register_task

__all__ = ["RegressionHead", "regression_loss"]


class RegressionHead(nn.Module):
    """Global average pooling and a two-layer perceptron giving real numbers.

    Output: `(N, num_outputs)`, no activation (a count of objects is any real number; round it
    to report a count). Train with MSE or L1, `regression_loss`.

    Args:
        in_features: Channels of the feature map.
        num_outputs: How many numbers to predict per image.
        hidden: Width of the hidden layer.

    Example:
        >>> import torch
        >>> from cnnref.tasks.regression import RegressionHead
        >>> head = RegressionHead(16, num_outputs=1)
        >>> head(torch.randn(2, 16, 3, 3)).shape
        torch.Size([2, 1])
    """

    def __init__(self, in_features: int, num_outputs: int = 1, hidden: int = 256) -> None:
        super().__init__()
        check_positive("RegressionHead", in_features=in_features, num_outputs=num_outputs)
        check_positive("RegressionHead", hidden=hidden)
        self.in_features, self.num_outputs = in_features, num_outputs
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, num_outputs)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """`(N, in_features, h, w)` to `(N, num_outputs)` real numbers."""
        check_features(features, "RegressionHead", self.in_features)
        x = features.mean(dim=(2, 3))  # (N, C)
        return self.fc2(F.relu(self.fc1(x)))  # (N, num_outputs)

    def activation(self, output: torch.Tensor) -> torch.Tensor:
        """The identity: regression outputs are the answer."""
        return output

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """The identity: regression outputs are the answer."""
        return output


def regression_loss(pred: torch.Tensor, target: torch.Tensor, kind: str = "mse") -> torch.Tensor:
    """Mean squared error (`"mse"`), mean absolute error (`"l1"`) or `"smooth_l1"`.

    Args:
        pred: Predictions `(N, num_outputs)`.
        target: True values, `(N, num_outputs)` or `(N,)` for one output.
        kind: Which loss.

    Returns:
        The mean loss.

    Example:
        >>> import torch
        >>> from cnnref.tasks.regression import regression_loss
        >>> regression_loss(torch.tensor([[2.0], [4.0]]), torch.tensor([3.0, 4.0]))
        tensor(0.5000)
    """
    if target.dim() == 1 and pred.dim() == 2 and pred.shape[1] == 1:
        target = target[:, None]
    if pred.shape != target.shape:
        raise ValueError(
            f"regression_loss: pred {tuple(pred.shape)} and target {tuple(target.shape)} differ"
        )
    losses = {"mse": F.mse_loss, "l1": F.l1_loss, "smooth_l1": F.smooth_l1_loss}
    if kind not in losses:
        raise ValueError(f"regression_loss: kind must be one of {', '.join(losses)}, got {kind!r}")
    return losses[kind](pred, target.to(pred.dtype))


def _values(target: Any) -> torch.Tensor:
    # The shapes' `count` (objects per picture), or the values themselves.
    return target["count"] if isinstance(target, dict) else target


def _loss(output: torch.Tensor, target: Any, head: nn.Module | None) -> torch.Tensor:
    return regression_loss(output, _values(target), kind="mse")


def _evaluate(output: torch.Tensor, targets: list[Any], head: nn.Module | None) -> dict:
    count = torch.cat([_values(t) for t in targets])
    return {
        "mae": metrics.mean_absolute_error(output[:, 0], count),
        "count_accuracy": (output[:, 0].round() == count).float().mean().item(),
    }


TASK = register_task(
    Task(
        name="regression",
        rank=2,
        output="`(N, num_outputs)`",
        head=RegressionHead,
        options=("num_outputs", "hidden"),
        loss=_loss,
        evaluate=_evaluate,
    )
)
