"""Load torchvision's weights into cnnref models.

torchvision names its submodules differently from the papers (and from us), and for AlexNet,
GoogLeNet and ResNet-50/101/152 its network is not the paper's. `from_torchvision` maps each
torchvision builder to the cnnref model that computes the same function, renames the keys and
loads them strictly: a missing, unexpected or mis-shaped key is an error that names it.

Example:
    >>> import torch, torchvision, cnnref
    >>> tv = torchvision.models.resnet18(weights=None).eval()
    >>> ours = cnnref.from_torchvision("resnet18", tv.state_dict()).eval()
    >>> x = torch.randn(1, 3, 64, 64)
    >>> torch.allclose(ours(x), tv(x), atol=1e-5)
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import torch
from torch import nn

from cnnref.models import alexnet, googlenet, resnet, vgg
from cnnref.registry import get_card

__all__ = ["TORCHVISION_NAMES", "from_torchvision", "torchvision_variant"]

# torchvision builder -> (cnnref model computing the same function, key renaming).
_VARIANTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "alexnet": ("alexnet_tv", alexnet.torchvision_key),
    "googlenet": ("googlenet_tv", googlenet.torchvision_key),
    **{
        # torchvision's VGG numbers its layers per configuration, so the renaming needs the name.
        name: (name, partial(vgg.torchvision_key, model=name))
        for name in vgg.TORCHVISION_CONFIGS
    },
    "resnet18": ("resnet18", resnet.torchvision_key),
    "resnet34": ("resnet34", resnet.torchvision_key),
    "resnet50": ("resnet50_tv", resnet.torchvision_key),
    "resnet101": ("resnet101_tv", resnet.torchvision_key),
    "resnet152": ("resnet152_tv", resnet.torchvision_key),
}

TORCHVISION_NAMES: tuple[str, ...] = tuple(_VARIANTS)


def torchvision_variant(name: str) -> str:
    """Name of the cnnref model that computes the same function as torchvision's `name`.

    Args:
        name: A torchvision builder name from `TORCHVISION_NAMES`.

    Returns:
        A cnnref registry name (`"resnet50"` gives `"resnet50_tv"`, the v1.5 network).

    Raises:
        ValueError: If torchvision's `name` has no cnnref twin.
    """
    if name not in _VARIANTS:
        raise ValueError(
            f"from_torchvision: no cnnref twin for torchvision's {name!r}; "
            f"supported: {', '.join(TORCHVISION_NAMES)}"
        )
    return _VARIANTS[name][0]


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
    rename = _VARIANTS[name][1]
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
