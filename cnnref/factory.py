"""`create_model`: a registered network, with torchvision's weights or a task's head if asked.

The factory sits above the registry (names and cards), the models, `cnnref.compat` (the
torchvision twins) and `cnnref.tasks` (the heads), and is the only module that joins them.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", num_classes=10).eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape
    torch.Size([1, 10])
"""

from __future__ import annotations

import enum
from typing import Any

from torch import nn

from cnnref.compat import TORCHVISION_NAMES, from_torchvision, torchvision_variant
from cnnref.registry import ModelCard, get_card
from cnnref.tasks import TaskModel, get_task, list_tasks

__all__ = ["create_model", "create_task_model"]


def create_model(
    name: str, task: str | None = None, *, weights: Any = None, **kwargs: Any
) -> nn.Module:
    """Build a registered model: as published, with torchvision's weights, or with a task head.

    - `task=None` (or the card's own task) builds the network as published, with
      `num_classes`, `in_channels` and the builder's other options.
    - `task="regression"`, `"segmentation"`, `"localization"`, `"detection"` (any name from
      `cnnref.tasks.list_tasks()`) puts that task's head on the network's features: a
      `cnnref.tasks.TaskModel`. So does the network's own task with an option only a head has
      (`task="classification", multi_label=True` gives `ClassificationHead`: global average
      pooling and one linear layer, scored with a sigmoid per class).
    - `weights="IMAGENET1K_V1"` (any name of torchvision's `Weights` enum for that network,
      `"DEFAULT"`, or the enum member itself) downloads torchvision's weights through
      torchvision (into torch's cache, once) and loads them with `cnnref.from_torchvision`.
      Only the torchvision twins have them (`alexnet_tv`, `googlenet_tv`, `vgg16`,
      `resnet50_tv`, ...: `cnnref.TORCHVISION_NAMES`); with a `task`, they go to the backbone.
      The images they expect are torchvision's: `torchvision.models.get_weight(
      "ResNet50_Weights.IMAGENET1K_V2").transforms()` gives the preprocessing. torchvision's
      GoogLeNet weights also expect its `transform_input` (a rescaling of the normalised
      image to `[-1, 1]`), which `googlenet_tv` leaves to the caller.

    Args:
        name: A name from `list_models()`, e.g. `"resnet50"`.
        task: `None`, or a task's name (see above).
        weights: `None` (random initialisation) or torchvision's weights (see above).
        **kwargs: Passed to the builder (`num_classes=...`), or to the task's head (its options,
            `cnnref.tasks.get_task(task).options`) and the `TaskModel` (`input_padding`).

    Returns:
        The model, in training mode, on the default device.

    Raises:
        ValueError: If the name or task is unknown, an argument is refused, the network has no
            published weights (the message names its twin that has them), or
            `pretrained=True` is given (timm's spelling: the message says what to write
            instead; `pretrained=False` is accepted, as timm does).

    Example:
        >>> import torch, cnnref
        >>> model = cnnref.create_model("resnet18", task="regression", num_outputs=2).eval()
        >>> model(torch.randn(1, 3, 64, 64)).shape
        torch.Size([1, 2])
    """
    card = get_card(name)
    if kwargs.pop("pretrained", False):
        raise ValueError(
            f"create_model({name!r}): `pretrained` is timm's spelling; cnnref takes "
            f"torchvision's weights by name: create_model({_twin_with_weights(card)!r}, "
            "weights='DEFAULT') (or weights='IMAGENET1K_V1'); weights=None, the default, "
            "starts from random weights"
        )
    if weights is not None:
        tv_name = _torchvision_name(card)
        weights = _resolve_weights(name, tv_name, weights)
    head_only = {k for t in list_tasks() for k in get_task(t).options} - {"num_classes"}
    head_only.add("input_padding")
    if (task is None or task == card.task) and not head_only & set(kwargs):
        if weights is None:
            return card.builder(**kwargs)
        return from_torchvision(tv_name, weights.get_state_dict(progress=True), **kwargs)
    model = create_task_model(name, task or card.task, **kwargs)
    if weights is not None:
        pretrained = from_torchvision(tv_name, weights.get_state_dict(progress=True))
        model.load_backbone(pretrained.state_dict())
    return model


def create_task_model(name: str, task: str, *, input_padding: int = 0, **kwargs: Any) -> TaskModel:
    """Put a task's head on a registered backbone (what `create_model(name, task=...)` does).

    Args:
        name: A registered model name (`"resnet18"`).
        task: A name from `cnnref.tasks.list_tasks()`.
        input_padding: Zeros added around the input (see `TaskModel`; 14 for LeNet-5).
        **kwargs: The task head's options (`get_task(task).options`: `num_classes`,
            `num_outputs`, `multi_label`, `boxes_per_cell`, `hidden`; each head's defaults
            otherwise), and the rest for the backbone's builder (`in_channels=1`, say); the
            backbone's own `num_classes` stays at the builder's default.

    Returns:
        A `TaskModel`.

    Raises:
        ValueError: For an unknown model or task, `num_classes=0` or another non-positive
            size, or an option that belongs to another task.

    Example:
        >>> from cnnref.factory import create_task_model
        >>> import torch
        >>> model = create_task_model("resnet18", "segmentation", num_classes=3).eval()
        >>> model(torch.randn(1, 3, 64, 64)).shape
        torch.Size([1, 3, 64, 64])
    """
    card = get_card(name)
    spec = get_task(task)
    head_options = {k: kwargs.pop(k) for k in spec.options if k in kwargs}
    for arg in kwargs:  # another task's option: say whose it is
        owners = [t for t in list_tasks() if arg in get_task(t).options]
        if owners:
            raise ValueError(
                f"{name}: {arg} is an option of task={' or '.join(map(repr, owners))}, not of "
                f"task={task!r} (whose head takes {', '.join(spec.options)})"
            )
    if isinstance(input_padding, bool) or not isinstance(input_padding, int) or input_padding < 0:
        raise ValueError(f"{name}: input_padding must be an int >= 0, got {input_padding!r}")
    backbone = card.builder(**kwargs)
    if not hasattr(backbone, "forward_features") or not hasattr(backbone, "num_features"):
        raise ValueError(
            f"{name} has no forward_features/num_features, so it cannot carry a {task} head"
        )
    head = spec.head(backbone.num_features, **head_options)
    return TaskModel(backbone, head, task, name, input_padding)


# --- torchvision's weights -----------------------------------------------------------------


def _twins() -> dict[str, str]:
    """Map each cnnref twin to its torchvision builder (the networks with torchvision weights)."""
    return {torchvision_variant(tv): tv for tv in TORCHVISION_NAMES}


def _torchvision_of(card: ModelCard) -> str | None:
    """The torchvision builder of `card`'s network (a twin of it, or itself), if any."""
    if card.torchvision in TORCHVISION_NAMES:
        return card.torchvision
    return card.name if card.name in TORCHVISION_NAMES else None  # resnet50: v1 and v1.5


def _twin_with_weights(card: ModelCard) -> str:
    """The name to use with `weights=`: the card's own if it is a twin, else its twin's."""
    if card.name in _twins():
        return card.name
    tv_name = _torchvision_of(card)
    return torchvision_variant(tv_name) if tv_name else "resnet50_tv"  # an example


def _torchvision_name(card: ModelCard) -> str:
    """The torchvision builder whose weights fit `card`'s network, or an error naming the twin."""
    twins = _twins()
    if card.name in twins:
        return twins[card.name]
    tv_name = _torchvision_of(card)
    if tv_name:
        twin = torchvision_variant(tv_name)
        raise ValueError(
            f"create_model({card.name!r}, weights=...): torchvision has no weights for "
            f"{card.title} as published; its {tv_name} has them, and cnnref's {twin!r} is that "
            f"network: create_model({twin!r}, weights='DEFAULT')"
        )
    raise ValueError(
        f"create_model({card.name!r}, weights=...): torchvision has no weights for "
        f"{card.title}, nor a network of the same kind to take them from; the networks that "
        f"have them: {', '.join(twins)}"
    )


def _resolve_weights(name: str, tv_name: str, weights: Any) -> Any:
    """The member of torchvision's `Weights` enum for `tv_name`, from a name or a member."""
    import torchvision

    enum_class = torchvision.models.get_model_weights(tv_name)
    members = ", ".join(["DEFAULT", *enum_class.__members__])
    if isinstance(weights, enum.Enum):
        if not isinstance(weights, enum_class):
            raise ValueError(
                f"create_model({name!r}): {weights} are not weights of torchvision's {tv_name} "
                f"({enum_class.__name__}: {members})"
            )
        return weights
    if isinstance(weights, str):
        key = weights.removeprefix(f"{enum_class.__name__}.")
        if key == "DEFAULT":
            return enum_class.DEFAULT
        if key in enum_class.__members__:
            return enum_class[key]
    raise ValueError(
        f"create_model({name!r}): unknown weights {weights!r} for torchvision's {tv_name}; "
        f"choose one of {members} (or a {enum_class.__name__} member)"
    )
