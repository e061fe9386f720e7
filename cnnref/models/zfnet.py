"""ZFNet: the model of Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks".

[Visualizing and Understanding Convolutional Networks](https://arxiv.org/abs/1311.2901),
ECCV 2014 (arXiv 2013). The paper's 8-layer model (its Fig. 3) is AlexNet changed where the
paper's visualisations showed AlexNet's first two layers going wrong (§4.1, Fig. 6): its 11×11
first-layer filters at stride 4 were "a mix of extremely high and low frequency information,
with little coverage of the mid frequencies", some of them dead, and its second layer showed
"aliasing artifacts caused by the large stride 4". So layer 1 has 7×7 filters at stride 2, and
layer 2 keeps its 5×5 filters but convolves with stride 2; layers 3, 4 and 5 are dense where
AlexNet split them over two GPUs (§3).

- layer 1 (`conv1`, `pool1`, `norm1`): 96 filters 7×7 at stride 2, ReLU, max-pool 3×3/2,
  contrast normalisation: 96@110×110, then 96@55×55.
- layer 2 (`conv2`, `pool2`, `norm2`): 256 filters 5×5 at stride 2, ReLU, max-pool 3×3/2,
  contrast normalisation: 256@26×26, then 256@13×13.
- layers 3 and 4 (`conv3`, `conv4`): 384 filters 3×3: 384@13×13.
- layer 5 (`conv5`, `pool5`): 256 filters 3×3, max-pool 3×3/2: 256@6×6.
- layers 6 and 7 (`fc6`, `drop6`, `fc7`, `drop7`): 4096 units, dropout 0.5.
- output (`fc8`): a C-way softmax (in the loss).

Fig. 3's order within layers 1 and 2 is ReLU, pool, *then* normalise; AlexNet normalises before
pooling. The paper's "local contrast operation that normalizes the responses across feature maps"
(§2) refers to Krizhevsky et al. and Jarrett et al. for the details and gives no constants; this
code uses AlexNet's local response normalisation (n = 5, k = 2, α = 1e-4, β = 0.75).

The paper also constrains training (§3): "we renormalize each filter in the convolutional layers
whose RMS value exceeds a fixed radius of 10⁻¹ to this fixed radius", because a few first-layer
filters came to dominate (Fig. 6(a)). That is no layer but a step after each update:
`ZFNet.renormalize_filters()`.

Differs from the paper:
    - conv1 pads by 1 and the first two max-pools round up (Caffe's ceil mode), which is what
      gives Fig. 3's 110, 55, 26 and 13 from 224 (without them: 109, 54, 25, 12).
    - An adaptive average pool to 6×6 before fc6 (the identity at 224×224) lets other input
      sizes through, as in torchvision's AlexNet.
    - The contrast normalisation's constants are AlexNet's (the paper names none).
    - Initialisation: the paper sets "all weights ... to 10⁻²" (§3), read here as N(0, 0.01²)
      as in AlexNet; biases 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cnnref.models._common import LocalResponseNorm, check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = ["RENORM_RADIUS", "ZFNet", "zfnet"]

PAPER = Paper(
    title="Visualizing and Understanding Convolutional Networks",
    authors="M. D. Zeiler, R. Fergus",
    venue="ECCV 2014",
    year=2013,
    url="https://arxiv.org/abs/1311.2901",
)

FAMILY = register_family("zfnet", title="ZFNet", featured="zfnet")

# AlexNet's local response normalisation (Krizhevsky et al. 2012, §3.3), which ZF's §2 refers
# to. PyTorch divides `alpha` by `size`, so it gets α·n for the paper's formula.
LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K = 5, 1e-4, 0.75, 2.0
# §3: a filter whose RMS exceeds this radius is scaled back to it.
RENORM_RADIUS = 0.1


class ZFNet(nn.Module):
    """The model of the paper's Fig. 3.

    Args:
        num_classes: Size of the output layer (the paper's C).
        in_channels: Channels of the input image.
        dropout: Dropout probability on the outputs of fc6 and fc7.

    Raises:
        ValueError: If `num_classes` or `in_channels` is not positive.

    Example:
        >>> import torch
        >>> from cnnref.models.zfnet import ZFNet
        >>> with torch.device("meta"):
        ...     model = ZFNet()
        >>> model.conv1.kernel_size, model.conv1.stride, model.conv2.stride
        ((7, 7), (2, 2), (2, 2))
    """

    name = "ZFNet"

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> None:
        super().__init__()
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 256
        self.head_modules = ("avgpool", "fc6", "drop6", "fc7", "drop7", "fc8")
        # pool5 needs a 3×3 map: conv2 6×6 <- pool1 15×15 <- conv1 30×30 <- 63×63 pixels.
        self.min_input_size = 63
        self.conv1 = nn.Conv2d(in_channels, 96, kernel_size=7, stride=2, padding=1)
        self.pool1 = nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
        self.norm1 = LocalResponseNorm(LRN_SIZE, LRN_ALPHA * LRN_SIZE, LRN_BETA, LRN_K)
        self.conv2 = nn.Conv2d(96, 256, kernel_size=5, stride=2)
        self.pool2 = nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
        self.norm2 = LocalResponseNorm(LRN_SIZE, LRN_ALPHA * LRN_SIZE, LRN_BETA, LRN_K)
        self.conv3 = nn.Conv2d(256, 384, kernel_size=3, padding=1)  # dense: one tower
        self.conv4 = nn.Conv2d(384, 384, kernel_size=3, padding=1)
        self.conv5 = nn.Conv2d(384, 256, kernel_size=3, padding=1)
        self.pool5 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.fc6 = nn.Linear(256 * 6 * 6, 4096)
        self.drop6 = nn.Dropout(dropout)
        self.fc7 = nn.Linear(4096, 4096)
        self.drop7 = nn.Dropout(dropout)
        self.fc8 = nn.Linear(4096, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)

    def convolutions(self) -> list[nn.Conv2d]:
        """conv1 to conv5, in order."""
        return [self.conv1, self.conv2, self.conv3, self.conv4, self.conv5]

    @torch.no_grad()
    def renormalize_filters(self, radius: float = RENORM_RADIUS) -> int:
        """Scale every convolution filter whose RMS exceeds `radius` back to it (§3).

        Call it after each optimiser step, as the paper did during training.

        Args:
            radius: The fixed radius (the paper's 10⁻¹ for inputs in about [-128, 128]).

        Returns:
            How many filters were rescaled.

        Example:
            >>> import torch
            >>> from cnnref.models.zfnet import ZFNet
            >>> model = ZFNet(num_classes=10)
            >>> with torch.no_grad():
            ...     _ = model.conv1.weight[0].fill_(1.0)
            >>> model.renormalize_filters()
            1
            >>> round(model.conv1.weight[0].pow(2).mean().sqrt().item(), 6)
            0.1
        """
        rescaled = 0
        for conv in self.convolutions():
            rms = conv.weight.pow(2).mean(dim=(1, 2, 3)).sqrt()  # one per output filter
            over = rms > radius * (1 + 1e-6)  # a filter just rescaled stays as it is
            scale = torch.where(over, radius / rms, torch.ones_like(rms))
            conv.weight.mul_(scale[:, None, None, None])
            rescaled += int(over.sum())
        return rescaled

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Layers 1 to 5: `(N, in_channels, 224, 224)` to `(N, 256, 6, 6)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = F.relu(self.conv1(x), inplace=True)  # (N, 96, 110, 110)
        x = self.norm1(self.pool1(x))  # (N, 96, 55, 55)
        x = F.relu(self.conv2(x), inplace=True)  # (N, 256, 26, 26)
        x = self.norm2(self.pool2(x))  # (N, 256, 13, 13)
        x = F.relu(self.conv3(x), inplace=True)  # (N, 384, 13, 13)
        x = F.relu(self.conv4(x), inplace=True)  # (N, 384, 13, 13)
        return self.pool5(F.relu(self.conv5(x), inplace=True))  # (N, 256, 6, 6)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """Layers 6, 7 and the output: `(N, 256, h, w)` to logits `(N, num_classes)`."""
        x = torch.flatten(self.avgpool(features), 1)  # (N, 9216)
        x = self.drop6(F.relu(self.fc6(x), inplace=True))  # (N, 4096)
        x = self.drop7(F.relu(self.fc7(x), inplace=True))  # (N, 4096)
        return self.fc8(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, num_classes)` for images `(N, in_channels, H, W)`."""
        return self.forward_head(self.forward_features(x))


def _table2(metric: str, value: float, setting: str) -> Result:
    return Result(
        "ILSVRC 2012 classification", metric, value, setting, "Zeiler & Fergus 2014, Table 2"
    )


_ENSEMBLE = "test set, 6 convnets: 5 as per Fig. 3 and 1 with 512, 1024, 512 maps in layers 3-5"
_KEY_IDEAS = (
    "A deconvnet maps a chosen activation back to pixels (unpool with the recorded max "
    "locations, rectify, filter with the transposed filters), showing which input pattern "
    "caused it (§2.1).",
    "The visualisation as a debugging tool: AlexNet's first layer had dead and extreme-frequency "
    "filters and its second layer aliasing from the stride of 4, so layer 1 became 7×7 at "
    "stride 2 and layer 2 got stride 2 (§4.1, Fig. 6).",
    "Layers 3, 4 and 5 are dense (one tower); each filter whose RMS exceeds 0.1 is scaled back "
    "after each update, so no first-layer filter dominates (§3).",
    "Occlusion experiments: covering the object, not the background, destroys the correct "
    "class's probability, so the network uses the object itself (§4.2).",
)
_DRAWBACKS = (
    "The same 8-layer, fully connected-heavy design as AlexNet: the three fully connected "
    "layers hold most of the parameters.",
    "Stride 2 in the first two layers keeps larger maps: more multiply-adds than AlexNet "
    "(compare the mult-adds in the Parameters tables of the two pages).",
)


@register(
    title="ZFNet",
    family="zfnet",
    paper=PAPER,
    results=(
        _table2("top-5 error", 14.8, _ENSEMBLE),
        _table2("top-1 error", 38.4, "validation set, 1 convnet as per Fig. 3"),
        _table2("top-5 error", 16.5, "validation set, 1 convnet as per Fig. 3"),
        _table2("top-5 error", 15.3, "test set, 5 convnets as per Fig. 3"),
        _table2("top-1 error", 36.0, "validation set, " + _ENSEMBLE.split(", ", 1)[1]),
        _table2("top-5 error", 14.7, "validation set, " + _ENSEMBLE.split(", ", 1)[1]),
    ),
    input_size=(3, 224, 224),
    min_input_size=63,
    weight_layers=8,
    key_ideas=_KEY_IDEAS,
    drawbacks=_DRAWBACKS,
    differs_from_paper=(
        "conv1 pads by 1 and pool1, pool2 round up (Caffe's ceil mode), which gives Fig. 3's "
        "110, 55, 26, 13 from 224; an adaptive average pool to 6×6 before fc6 (the identity at "
        "224×224) lets other sizes through; the contrast normalisation uses AlexNet's LRN "
        "constants (the paper gives none); the filter-RMS renormalisation of §3 is a method, "
        "`renormalize_filters()`, to call after each optimiser step."
    ),
    torchvision=None,
    differs_from_torchvision="torchvision has no ZFNet.",
)
def zfnet(num_classes: int = 1000, **kwargs: object) -> ZFNet:
    """ZFNet: the model of Zeiler & Fergus's Fig. 3.

    Args:
        num_classes: Size of the output layer.
        **kwargs: Passed to `ZFNet` (`in_channels`, `dropout`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.zfnet import zfnet
        >>> import torch
        >>> with torch.device("meta"):
        ...     model = zfnet()
        >>> model(torch.empty(2, 3, 224, 224, device="meta")).shape
        torch.Size([2, 1000])
        >>> model.forward_features(torch.empty(1, 3, 224, 224, device="meta")).shape
        torch.Size([1, 256, 6, 6])
    """
    return ZFNet(num_classes=num_classes, **kwargs)
