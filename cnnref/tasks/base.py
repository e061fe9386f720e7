"""What every task shares: the `Task` record, the task registry and `TaskModel`.

A task module (`cnnref/tasks/<task>.py`) declares its head, its loss, its evaluation and how
its output is decoded, and registers them once with `register_task`; `cnnref.create_model`,
the recipes and the site find the tasks through `list_tasks()` and `get_task()`.

Example:
    >>> from cnnref.tasks import get_task
    >>> get_task("regression").options
    ('num_outputs', 'hidden')
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Task", "TaskModel", "check_features", "get_task", "list_tasks", "register_task"]


@dataclass(frozen=True)
class Task:
    """One task: what a network's output is, and everything that goes with it.

    Attributes:
        name: The task's name (`"detection"`), its module's name.
        rank: Where the task comes in `list_tasks()`: the site presents the simplest output
            first (classification 1, ..., detection 5).
        output: The head's output, as the site's table prints it (`"(N, num_classes)"`).
        head: The head's class: `head(in_features, **options)` on a backbone's feature map.
            Its `activation(output)` gives the quantities (probabilities, a box in `[0, 1]`),
            its `predict(output)` the answer (a class, a mask, boxes).
        options: The keyword arguments of `create_model(name, task=...)` that go to the head.
        loss: `loss(output, target, head)`: the training loss of a batch, where `target` is
            what the recipes' data give for the batch (`cnnref.data`) and `head` the task
            model's head (`None` for a published network's own classifier).
        evaluate: `evaluate(output, targets, head)`: held-out metrics from the outputs of
            every batch, concatenated, and the list of the batches' targets.
    """

    name: str
    rank: int
    output: str
    head: type[nn.Module]
    options: tuple[str, ...]
    loss: Callable[[Any, Any, nn.Module | None], torch.Tensor]
    evaluate: Callable[[torch.Tensor, list[Any], nn.Module | None], dict[str, float]]


_TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    """Register a task; its module calls this once.

    Args:
        task: The task.

    Returns:
        The task, unchanged.

    Raises:
        ValueError: If a task of that name is registered already.
    """
    if task.name in _TASKS:
        raise ValueError(f"task {task.name!r} is registered twice")
    _TASKS[task.name] = task
    return task


def list_tasks() -> list[str]:
    """The registered tasks' names, in the order the site presents them (`Task.rank`).

    Returns:
        Task names.

    Example:
        >>> from cnnref.tasks import list_tasks
        >>> list_tasks()
        ['classification', 'regression', 'segmentation', 'localization', 'detection']
    """
    return [t.name for t in sorted(_TASKS.values(), key=lambda t: (t.rank, t.name))]


def get_task(name: str) -> Task:
    """Return the registered `Task` of that name.

    Args:
        name: A name from `list_tasks()`.

    Returns:
        The task.

    Raises:
        ValueError: If no task has that name.
    """
    if name not in _TASKS:
        raise ValueError(f"unknown task {name!r}: choose one of {', '.join(list_tasks())}")
    return _TASKS[name]


def check_features(features: torch.Tensor, head: str, in_features: int) -> None:
    """Refuse anything but a feature map `(N, in_features, h, w)`, naming the head."""
    if features.dim() != 4 or features.shape[1] != in_features:
        raise ValueError(
            f"{head} expects a feature map (N, {in_features}, h, w), got {tuple(features.shape)}"
        )


def _without_classifier(backbone: nn.Module) -> nn.Module:
    """A copy of `backbone`'s structure without its classifier, sharing every other layer.

    The copy has its own table of submodules, so setting the classifier's entries to `None`
    leaves the module the caller passed as it was; its other layers (and their weights) are
    the same objects, as in `nn.Sequential(*list(model.children())[:-1])`.
    """
    trunk = copy.copy(backbone)
    trunk._modules = dict(backbone._modules)
    trunk._parameters = dict(backbone._parameters)
    trunk._buffers = dict(backbone._buffers)
    for module in getattr(backbone, "head_modules", ()):
        setattr(trunk, module, None)  # the classifier: forward never runs it
    return trunk


class TaskModel(nn.Module):
    """A registered backbone's feature extractor with a task head on top.

    `backbone` is the registered network without its classifier: the submodules it lists in
    `head_modules` (VGG-16's fc6-fc8, most of its parameters) are left out, and `forward` runs
    only `backbone.forward_features`, which checks the input, and then `head`. Every parameter
    left gets a gradient, so DDP needs no `find_unused_parameters`. The module passed in is not
    changed: the task model shares its other layers (so a backbone trained on, or loaded with
    weights, keeps them). To start from a classification checkpoint of the backbone, use
    `load_backbone`.

    `input_padding` zero-pads the image on every side before the backbone. A backbone with
    unpadded convolutions (LeNet-5) otherwise maps only the image's centre: on a 64x64 picture
    LeNet-5's 9x9 C5 map has its cells centred on pixels 16, 20, ..., 48, and a cell cannot
    tell where it is. Padding by `(receptive field - stride) / 2` pixels (LeNet-5: `(32 - 4) / 2
    = 14`) centres cell `j` on pixel `4j + 2`, so the map tiles the whole picture (16x16 cells
    of 4x4 pixels), as a padded network's map does.

    Args:
        backbone: A model following the contract (`forward_features`, `num_features`).
        head: A task's head (`cnnref.tasks.get_task(task).head`).
        task: The task's name, one of `list_tasks()`.
        name: The backbone's registry name (for messages and the site).
        input_padding: Pixels of zeros added on each side of the input.
    """

    def __init__(
        self,
        backbone: nn.Module,
        head: nn.Module,
        task: str,
        name: str = "",
        input_padding: int = 0,
    ) -> None:
        super().__init__()
        self.backbone, self.head = _without_classifier(backbone), head
        self.task, self.name, self.input_padding = task, name, input_padding
        self.in_channels = backbone.in_channels
        self.min_input_size = max(1, backbone.min_input_size - 2 * input_padding)

    def forward(self, x: torch.Tensor) -> Any:
        """Images `(N, in_channels, H, W)` to the head's output (see its docstring)."""
        size = tuple(x.shape[-2:])
        if self.input_padding:
            x = F.pad(x, [self.input_padding] * 4)  # (N, C, H + 2p, W + 2p)
        features = self.backbone.forward_features(x)  # (N, num_features, h, w)
        if getattr(self.head, "takes_input_size", False):  # a per-pixel head: (H, W) out
            return self.head(features, size=size)
        return self.head(features)

    def load_backbone(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Load the weights of a whole classification backbone, leaving out its classifier.

        Args:
            state_dict: The backbone's own `state_dict()`, classifier included: from
                `cnnref.create_model(name)`, a checkpoint of it, or `cnnref.from_torchvision`.

        Raises:
            RuntimeError: If any other key is missing or unexpected, or a shape differs
                (PyTorch's strict loading, which names the keys).

        Example:
            >>> import cnnref
            >>> classifier = cnnref.create_model("resnet18")
            >>> model = cnnref.create_model("resnet18", task="regression")
            >>> model.load_backbone(classifier.state_dict())
            >>> bool((model.backbone.conv1.weight == classifier.conv1.weight).all())
            True
        """
        dropped = tuple(f"{name}." for name in getattr(self.backbone, "head_modules", ()))
        kept = {k: v for k, v in state_dict.items() if not k.startswith(dropped)}
        self.backbone.load_state_dict(kept)

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> Any:
        """The head's answer for a batch of images (in whatever mode the model is)."""
        return self.head.predict(self(x))
