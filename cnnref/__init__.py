"""cnnref: the executable reference for the history of convolutional networks.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("lenet5").eval()
    >>> model(torch.randn(1, 1, 32, 32)).shape
    torch.Size([1, 10])
"""

from cnnref import models, tasks
from cnnref.compat import TORCHVISION_NAMES, from_torchvision, torchvision_variant
from cnnref.factory import create_model
from cnnref.registry import (
    Family,
    ModelCard,
    Paper,
    Result,
    get_card,
    get_family,
    list_families,
    list_models,
)

__version__ = "0.1.0"

__all__ = [
    "TORCHVISION_NAMES",
    "Family",
    "ModelCard",
    "Paper",
    "Result",
    "__version__",
    "create_model",
    "from_torchvision",
    "get_card",
    "get_family",
    "list_families",
    "list_models",
    "models",
    "tasks",
    "torchvision_variant",
]
