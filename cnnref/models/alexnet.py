"""AlexNet (Krizhevsky, Sutskever, Hinton, NIPS 2012), and torchvision's single-tower variant.

[ImageNet Classification with Deep Convolutional Neural Networks](https://papers.nips.cc/paper_files/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html).
Eight learned layers: five convolutions and three fully connected layers (4096-4096-1000).
The network was split over two GTX 580 GPUs: conv2, conv4 and conv5 only read the kernels on
their own GPU, so here they are grouped convolutions (`groups=2`); conv3 and the fully connected
layers read both halves (§3.5, Fig. 2).

| layer | kernels | output at 224×224 | then |
|---|---|---|---|
| conv1 | 96 × 11×11×3, stride 4 | 96@55×55 | ReLU, LRN, max-pool 3/2 |
| conv2 | 256 × 5×5×48 (2 groups) | 256@27×27 | ReLU, LRN, max-pool 3/2 |
| conv3 | 384 × 3×3×256 | 384@13×13 | ReLU |
| conv4 | 384 × 3×3×192 (2 groups) | 384@13×13 | ReLU |
| conv5 | 256 × 3×3×192 (2 groups) | 256@13×13 | ReLU, max-pool 3/2 → 6×6 |
| fc6, fc7 | 4096 | 4096 | ReLU, dropout 0.5 |
| fc8 | 1000 | 1000 | softmax (in the loss) |

Local response normalisation (§3.3) divides each activity by
`(k + α Σ_j a_j²)^β` over `n = 5` adjacent kernel maps, with `k = 2, α = 1e-4, β = 0.75`.
Pooling is *overlapping*: 3×3 windows at stride 2 (§3.4).

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; the
cards, and so the site, read it from there.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cnnref.models._common import LocalResponseNorm, check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "DIFFERS_FROM_PAPER",
    "TORCHVISION_DIFFERS",
    "AlexNet",
    "AlexNetTV",
    "alexnet",
    "alexnet_tv",
    "torchvision_key",
]

PAPER = Paper(
    title="ImageNet Classification with Deep Convolutional Neural Networks",
    authors="A. Krizhevsky, I. Sutskever, G. E. Hinton",
    venue="NIPS 2012",
    year=2012,
    url="https://papers.nips.cc/paper_files/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html",
)

FAMILY = register_family("alexnet", title="AlexNet", featured="alexnet")

# How `alexnet` departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = (
    "conv1 pads by 2, as torchvision does: the paper says 224×224 inputs, but its 55×55 maps "
    "need 227×227 without padding; with padding 2 a 224×224 input gives 55×55.",
    "An adaptive average pool to 6×6 precedes fc6: the identity at 224×224, it lets other "
    "input sizes through (as in torchvision).",
    "Both towers run on one device, as grouped convolutions (`groups=2`), which compute the "
    "same function.",
)
# How torchvision's `alexnet` (which `alexnet_tv` builds) departs from the paper. Its kernel
# counts come from Krizhevsky's cuda-convnet2 one-GPU configuration, not from the 2014 "One
# weird trick" paper, whose one-column network has 64-192-384-384-256 (pytorch/vision#704).
TORCHVISION_DIFFERS = (
    "One tower of 64-192-384-256-256 kernels instead of two of 96-256-384-384-256 in all, and "
    "no grouped convolutions: torchvision's choice, taken from Krizhevsky's cuda-convnet2 "
    "one-GPU configuration; the one-column network of Krizhevsky's 2014 'One weird trick' "
    "paper has 64-192-384-384-256 (pytorch/vision#704).",
    "No local response normalisation, and dropout before fc6 and fc7 instead of after them: "
    "torchvision's choices too, kept for its published weights (pytorch/vision#704, #549).",
)

# §3.3: b = a / (k + α Σ a²)^β over n = 5 maps. PyTorch's LocalResponseNorm divides its
# `alpha` by `size`, so it gets α·n to compute the paper's formula exactly.
LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K = 5, 1e-4, 0.75, 2.0


class AlexNet(nn.Module):
    """AlexNet as in the paper: two towers as grouped convolutions, LRN, dropout in fc6, fc7.

    Initialisation as §5: weights from N(0, 0.01²); biases 1 in conv2, conv4, conv5, fc6 and
    fc7 (to give the ReLUs positive inputs early on), 0 elsewhere.

    Args:
        num_classes: Size of the output layer.
        in_channels: Channels of the input image.
        dropout: Dropout probability on the outputs of fc6 and fc7.

    Raises:
        ValueError: If `num_classes` or `in_channels` is not positive.
    """

    name = "AlexNet"

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> None:
        super().__init__()
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 256
        self.head_modules = (
            "avgpool",
            "fc6",
            "drop6",
            "fc7",
            "drop7",
            "fc8",
        )  # forward_features never runs these
        self.min_input_size = 63  # pool5 needs a 3×3 map: conv1 15×15, pool1 7×7, pool2 3×3
        self.conv1 = nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=2)
        self.norm1 = LocalResponseNorm(LRN_SIZE, LRN_ALPHA * LRN_SIZE, LRN_BETA, LRN_K)
        self.pool1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.conv2 = nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2)
        self.norm2 = LocalResponseNorm(LRN_SIZE, LRN_ALPHA * LRN_SIZE, LRN_BETA, LRN_K)
        self.pool2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.conv3 = nn.Conv2d(256, 384, kernel_size=3, padding=1)  # reads both towers
        self.conv4 = nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=2)
        self.conv5 = nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=2)
        self.pool5 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.fc6 = nn.Linear(256 * 6 * 6, 4096)
        self.drop6 = nn.Dropout(dropout)
        self.fc7 = nn.Linear(4096, 4096)
        self.drop7 = nn.Dropout(dropout)
        self.fc8 = nn.Linear(4096, num_classes)
        for layer in (self.conv1, self.conv2, self.conv3, self.conv4, self.conv5):
            nn.init.normal_(layer.weight, std=0.01)
        for layer in (self.fc6, self.fc7, self.fc8):
            nn.init.normal_(layer.weight, std=0.01)
        for layer in (self.conv2, self.conv4, self.conv5, self.fc6, self.fc7):
            nn.init.ones_(layer.bias)
        for layer in (self.conv1, self.conv3, self.fc8):
            nn.init.zeros_(layer.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """conv1 to pool5: `(N, in_channels, 224, 224)` to `(N, 256, 6, 6)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.pool1(self.norm1(F.relu(self.conv1(x), inplace=True)))  # (N, 96, 27, 27)
        x = self.pool2(self.norm2(F.relu(self.conv2(x), inplace=True)))  # (N, 256, 13, 13)
        x = F.relu(self.conv3(x), inplace=True)  # (N, 384, 13, 13)
        x = F.relu(self.conv4(x), inplace=True)  # (N, 384, 13, 13)
        return self.pool5(F.relu(self.conv5(x), inplace=True))  # (N, 256, 6, 6)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """fc6 to fc8: `(N, 256, h, w)` to logits `(N, num_classes)`."""
        x = torch.flatten(self.avgpool(features), 1)  # (N, 9216)
        x = self.drop6(F.relu(self.fc6(x), inplace=True))  # (N, 4096)
        x = self.drop7(F.relu(self.fc7(x), inplace=True))  # (N, 4096)
        return self.fc8(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, num_classes)` for images `(N, in_channels, H, W)`."""
        return self.forward_head(self.forward_features(x))


class AlexNetTV(nn.Module):
    """torchvision's AlexNet: one tower, 64-192-384-256-256 kernels, no LRN.

    torchvision cites Krizhevsky's 2014 "One weird trick for parallelizing convolutional
    neural networks" (arXiv:1404.5997) for it, but that paper's one-column network has
    64-192-384-384-256 kernels; torchvision's counts come from Krizhevsky's cuda-convnet2
    one-GPU configuration, and dropping LRN and putting dropout before fc6 and fc7 are its
    own choices (`TORCHVISION_DIFFERS`). `torchvision_key` maps torchvision's keys to these
    names, so `cnnref.from_torchvision("alexnet", ...)` loads its weights.

    Args:
        num_classes: Size of the output layer.
        in_channels: Channels of the input image.
        dropout: Dropout probability on the inputs of fc6 and fc7.

    Raises:
        ValueError: If `num_classes` or `in_channels` is not positive.
    """

    name = "AlexNetTV"

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> None:
        super().__init__()
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.head_modules = (
            "avgpool",
            "drop6",
            "fc6",
            "drop7",
            "fc7",
            "fc8",
        )  # forward_features never runs these
        self.num_features = 256
        self.min_input_size = 63  # pool5 needs a 3×3 map: conv1 15×15, pool1 7×7, pool2 3×3
        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2)
        self.pool1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.conv2 = nn.Conv2d(64, 192, kernel_size=5, padding=2)
        self.pool2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.conv3 = nn.Conv2d(192, 384, kernel_size=3, padding=1)
        self.conv4 = nn.Conv2d(384, 256, kernel_size=3, padding=1)
        self.conv5 = nn.Conv2d(256, 256, kernel_size=3, padding=1)
        self.pool5 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.drop6 = nn.Dropout(dropout)
        self.fc6 = nn.Linear(256 * 6 * 6, 4096)
        self.drop7 = nn.Dropout(dropout)
        self.fc7 = nn.Linear(4096, 4096)
        self.fc8 = nn.Linear(4096, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """conv1 to pool5: `(N, in_channels, 224, 224)` to `(N, 256, 6, 6)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.pool1(F.relu(self.conv1(x), inplace=True))  # (N, 64, 27, 27)
        x = self.pool2(F.relu(self.conv2(x), inplace=True))  # (N, 192, 13, 13)
        x = F.relu(self.conv3(x), inplace=True)  # (N, 384, 13, 13)
        x = F.relu(self.conv4(x), inplace=True)  # (N, 256, 13, 13)
        return self.pool5(F.relu(self.conv5(x), inplace=True))  # (N, 256, 6, 6)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """fc6 to fc8: `(N, 256, h, w)` to logits `(N, num_classes)`."""
        x = torch.flatten(self.avgpool(features), 1)  # (N, 9216)
        x = F.relu(self.fc6(self.drop6(x)), inplace=True)  # (N, 4096)
        x = F.relu(self.fc7(self.drop7(x)), inplace=True)  # (N, 4096)
        return self.fc8(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, num_classes)` for images `(N, in_channels, H, W)`."""
        return self.forward_head(self.forward_features(x))


# torchvision's `features.<i>` / `classifier.<i>` indices -> our layer names.
_TORCHVISION_NAMES = {
    "features.0.": "conv1.",
    "features.3.": "conv2.",
    "features.6.": "conv3.",
    "features.8.": "conv4.",
    "features.10.": "conv5.",
    "classifier.1.": "fc6.",
    "classifier.4.": "fc7.",
    "classifier.6.": "fc8.",
}


def torchvision_key(key: str) -> str:
    """Rename a key of torchvision's `alexnet` state dict to `AlexNetTV`'s name for it.

    Args:
        key: A torchvision key, e.g. `"features.3.weight"`.

    Returns:
        Our key (`"conv2.weight"`); an unknown key is returned unchanged.

    Example:
        >>> from cnnref.models.alexnet import torchvision_key
        >>> torchvision_key("classifier.6.bias")
        'fc8.bias'
    """
    for old, new in _TORCHVISION_NAMES.items():
        if key.startswith(old):
            return new + key[len(old) :]
    return key


_KEY_IDEAS = (
    "ReLU non-linearities: several times faster to train than tanh units (§3.1).",
    "Trained on two GPUs: half the kernels on each, talking only at certain layers (§3.2); "
    "here grouped convolutions.",
    "Local response normalisation after conv1 and conv2 (§3.3), and overlapping 3×3/2 "
    "max-pooling (§3.4).",
    "Dropout 0.5 in fc6 and fc7 and data augmentation (crops, flips, PCA colour noise) "
    "against over-fitting of its 60 million parameters (§4).",
)
_DRAWBACKS = (
    "The lecture outline's 'huge convolutions with a lot of weights': only conv1 is large "
    "(96 kernels of 11×11 at stride 4, §3.5), and most of the weights sit in the three fully "
    "connected layers, not in the convolutions (see Parameters, measured on this code).",
)
_TRAINING = (
    "Five to six days on two GTX 580 3 GB GPUs, about 90 passes through the 1.2 million "
    "training images (Krizhevsky et al. 2012, §1 and §5)."
)
_ENSEMBLE = Result(
    "ILSVRC 2012 classification",
    "top-5 error",
    15.3,
    "test set, 7 CNNs averaged, 2 of them pre-trained on the ImageNet Fall 2011 release",
    "Krizhevsky et al. 2012, Table 2",
)


@register(
    title="AlexNet",
    family="alexnet",
    paper=PAPER,
    results=(
        _ENSEMBLE,
        Result(
            "ILSVRC 2012 classification",
            "top-5 error",
            16.4,
            "test set, 5 CNNs averaged, no extra training data",
            "Krizhevsky et al. 2012, Table 2",
        ),
        Result(
            "ILSVRC 2012 classification",
            "top-1 error",
            40.7,
            "validation set, a single CNN",
            "Krizhevsky et al. 2012, Table 2",
        ),
        Result(
            "ILSVRC 2012 classification",
            "top-5 error",
            18.2,
            "validation set, a single CNN",
            "Krizhevsky et al. 2012, Table 2",
        ),
    ),
    paper_params=60_000_000,
    paper_params_source='Krizhevsky et al. 2012, abstract ("60 million parameters")',
    input_size=(3, 224, 224),
    min_input_size=63,
    weight_layers=8,
    key_ideas=_KEY_IDEAS,
    drawbacks=_DRAWBACKS,
    training=_TRAINING,
    differs_from_paper=" ".join(DIFFERS_FROM_PAPER),
    torchvision="alexnet",
    differs_from_torchvision=" ".join(TORCHVISION_DIFFERS) + " `alexnet_tv` builds it.",
)
def alexnet(num_classes: int = 1000, **kwargs: object) -> AlexNet:
    """AlexNet as in the paper (two towers as `groups=2`, LRN).

    Args:
        num_classes: Size of the output layer.
        **kwargs: Passed to `AlexNet` (`in_channels`, `dropout`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.alexnet import alexnet
        >>> import torch
        >>> with torch.device("meta"):
        ...     model = alexnet()
        >>> sum(p.numel() for p in model.parameters())
        60965224
        >>> model(torch.empty(2, 3, 224, 224, device="meta")).shape
        torch.Size([2, 1000])
    """
    return AlexNet(num_classes=num_classes, **kwargs)


@register(
    title="AlexNet (torchvision variant)",
    family="alexnet",
    paper=PAPER,
    results=(
        Result(
            "ImageNet-1k validation",
            "top-1 accuracy",
            56.522,
            "torchvision's IMAGENET1K_V1 weights, single 224×224 crop",
            "torchvision AlexNet_Weights.IMAGENET1K_V1 metadata",
        ),
        Result(
            "ImageNet-1k validation",
            "top-5 accuracy",
            79.066,
            "torchvision's IMAGENET1K_V1 weights, single 224×224 crop",
            "torchvision AlexNet_Weights.IMAGENET1K_V1 metadata",
        ),
        _ENSEMBLE,
    ),
    input_size=(3, 224, 224),
    min_input_size=63,
    weight_layers=8,
    key_ideas=(
        *_KEY_IDEAS[:1],
        "One tower instead of two: 64-192-384-256-256 kernels, no LRN (torchvision's network; "
        "see How this code differs).",
        "Adaptive average pooling to 6×6 before the classifier, so any input of at least "
        "63×63 works.",
    ),
    drawbacks=_DRAWBACKS,
    training=_TRAINING,
    differs_from_paper=" ".join(TORCHVISION_DIFFERS),
    torchvision="alexnet",
    torchvision_key=torchvision_key,
    extra={"torchvision_params": 61_100_840},  # AlexNet_Weights.IMAGENET1K_V1 metadata
    differs_from_torchvision="Same network and function; layers renamed conv1-conv5, fc6-fc8.",
)
def alexnet_tv(num_classes: int = 1000, **kwargs: object) -> AlexNetTV:
    """The single-tower AlexNet that torchvision ships, with the paper's layer names.

    Args:
        num_classes: Size of the output layer.
        **kwargs: Passed to `AlexNetTV` (`in_channels`, `dropout`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.alexnet import alexnet_tv
        >>> import torch
        >>> with torch.device("meta"):
        ...     model = alexnet_tv()
        >>> sum(p.numel() for p in model.parameters())
        61100840
    """
    return AlexNetTV(num_classes=num_classes, **kwargs)
