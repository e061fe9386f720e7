"""Load torchvision's weights into cnnref models.

torchvision names its submodules differently from the papers (and from us), and for AlexNet,
GoogLeNet and ResNet-50/101/152 its network is not the paper's. Each family's module declares,
on the card of the model that computes torchvision's function (its *twin*), the torchvision
builder it matches and a `torchvision_key` that renames torchvision's keys. `from_torchvision`
finds the twin through the registry, renames the keys and loads them strictly: a missing,
unexpected or mis-shaped key is an error that names it.

Example:
    >>> import torch, torchvision, cnnref
    >>> tv = torchvision.models.resnet18(weights=None).eval()
    >>> ours = cnnref.from_torchvision("resnet18", tv.state_dict()).eval()
    >>> x = torch.randn(1, 3, 64, 64)
    >>> torch.allclose(ours(x), tv(x), atol=1e-5)
    True
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from cnnref import models  # noqa: F401  (importing the models registers every family)
from cnnref.registry import ModelCard, get_card, list_models

__all__ = ["TORCHVISION_NAMES", "from_torchvision", "torchvision_twins", "torchvision_variant"]


def torchvision_twins() -> dict[str, ModelCard]:
    """The twins: for each torchvision builder, the card of the model computing its function.

    Read from the registry: every card with a `torchvision_key`, in registry order.

    Returns:
        The twins by torchvision name (`"resnet50"` maps to `resnet50_tv`'s card).

    Raises:
        ValueError: If two registered models claim the same torchvision builder.

    Example:
        >>> import cnnref
        >>> cnnref.compat.torchvision_twins()["googlenet"].name
        'googlenet_tv'
    """
    twins: dict[str, ModelCard] = {}
    for name in list_models():
        card = get_card(name)
        if card.torchvision_key is None:
            continue
        if card.torchvision in twins:
            raise ValueError(
                f"torchvision's {card.torchvision!r} has two twins: "
                f"{twins[card.torchvision].name} and {card.name}"
            )
        twins[card.torchvision] = card
    return twins


# torchvision's builders that have a cnnref twin, in registry order.
TORCHVISION_NAMES: tuple[str, ...] = tuple(torchvision_twins())


def torchvision_variant(name: str) -> str:
    """Name of the cnnref model that computes the same function as torchvision's `name`.

    Args:
        name: A torchvision builder name from `TORCHVISION_NAMES`.

    Returns:
        A cnnref registry name (`"resnet50"` gives `"resnet50_tv"`, the v1.5 network).

    Raises:
        ValueError: If torchvision's `name` has no cnnref twin.
    """
    twins = torchvision_twins()
    if name not in twins:
        raise ValueError(
            f"from_torchvision: no cnnref twin for torchvision's {name!r}; "
            f"supported: {', '.join(twins)}"
        )
    return twins[name].name


def from_torchvision(
    name: str, state_dict: Mapping[str, torch.Tensor], **kwargs: object
) -> nn.Module:
    """Build the cnnref twin of torchvision's `name` and load torchvision's weights into it.

    Args:
        name: torchvision's builder name (`"vgg16_bn"`, `"googlenet"`, `"resnet50"`...).
        state_dict: `torchvision.models.<name>(...).state_dict()`. GoogLeNet's must include
            the auxiliary classifiers (torchvision's default when `weights=None`).
        **kwargs: Passed to the cnnref builder (`num_classes` is inferred from the weights).

    Returns:
        The cnnref model with the weights loaded, in training mode; call `.eval()` to compare.

    Raises:
        ValueError: If `name` is unsupported, or a key is missing, unexpected or mis-shaped.
    """
    variant = torchvision_variant(name)
    rename = get_card(variant).torchvision_key
    # Cloned, so that the returned model shares no storage with the torchvision model.
    renamed = {rename(k): v.detach().clone() for k, v in state_dict.items()}
    if "num_classes" not in kwargs:
        head = [v for k, v in renamed.items() if k.endswith("weight") and v.dim() == 2]
        if head:
            kwargs["num_classes"] = head[-1].shape[0]
    with torch.device("meta"):
        model = get_card(variant).builder(**kwargs)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(renamed))
    unexpected = sorted(set(renamed) - set(expected))
    misshaped = [
        f"{k}: expected {tuple(expected[k].shape)}, got {tuple(renamed[k].shape)}"
        for k in expected
        if k in renamed and expected[k].shape != renamed[k].shape
    ]
    problems = []
    if missing:
        problems.append(f"missing keys {missing}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected}")
    if misshaped:
        problems.append(f"mis-shaped keys {misshaped}")
    if problems:
        raise ValueError(
            f"from_torchvision({name!r}): the state_dict does not fit {variant}: "
            + "; ".join(problems)
            + " (keys after renaming to cnnref's names)"
        )
    model.load_state_dict(renamed, strict=True, assign=True)
    return model
