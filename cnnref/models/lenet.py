"""LeNet-5 (LeCun, Bottou, Bengio, Haffner, Proc. IEEE 1998), and a modern re-reading of it.

[Gradient-Based Learning Applied to Document Recognition](https://doi.org/10.1109/5.726791),
§II-B. Seven layers, not counting the 32×32 input, all with weights:

| layer | what it computes | output | trainable parameters |
|---|---|---|---|
| C1 | 6 convolutions 5×5 | 6@28×28 | 156 |
| S2 | 2×2 sums × one coefficient + one bias per map | 6@14×14 | 12 |
| C3 | 16 convolutions 5×5 over the S2 maps Table I names | 16@10×10 | 1,516 |
| S4 | like S2 | 16@5×5 | 32 |
| C5 | 120 convolutions 5×5 (a 1×1 output at 32×32) | 120@1×1 | 48,120 |
| F6 | fully connected | 84 | 10,164 |
| output | 10 Euclidean RBF units with fixed ±1 codes | 10 | 0 |

60,000 trainable parameters in all. Every unit up to F6 passes its weighted sum `a` through
the paper's squashing function `f(a) = 1.7159 tanh(2a/3)` (Appendix A), which maps ±1 to
about ±1. The output unit `i` computes the squared distance from F6's state `x` to its fixed
code `w_i`:

    y_i = Σ_j (x_j − w_ij)²

so the *smallest* `y_i` names the class. `forward` returns `−y`, so that `argmax` and
`nn.CrossEntropyLoss` work unchanged: cross-entropy on `−y` is the paper's discriminative loss
without its constant `j` term.

C3 is only partly connected (Table I), "to break the symmetry in the network" and to keep the
number of connections down. Only the 60 used 5×5 kernels are parameters (1,500 weights and 16
biases); `forward` scatters them into a dense 16×6×5×5 kernel with fixed index buffers, so the
layer is one ordinary convolution.

How this code departs from the paper is written once, in `DIFFERS_FROM_PAPER` below; the
cards, and so the site, read it from there.
"""

from __future__ import annotations

import random

import torch
import torch.nn.functional as F
from torch import nn

from cnnref.models._common import check_input, check_positive
from cnnref.registry import Paper, Result, register, register_family

__all__ = [
    "C3_CONNECTIONS",
    "DIFFERS_FROM_PAPER",
    "DIGIT_BITMAPS",
    "MODERN_DIFFERS",
    "TABLE_I",
    "EuclideanRBF",
    "LeNet5",
    "LeNet5Modern",
    "PartialConv2d",
    "Subsampling",
    "lenet5",
    "lenet5_modern",
    "squash",
]

PAPER = Paper(
    title="Gradient-Based Learning Applied to Document Recognition",
    authors="Y. LeCun, L. Bottou, Y. Bengio, P. Haffner",
    venue="Proceedings of the IEEE 86(11)",
    year=1998,
    url="https://doi.org/10.1109/5.726791",
)

FAMILY = register_family("lenet", title="LeNet-5", featured="lenet5")

# "60,000 trainable parameters" (§II-B).
PAPER_PARAMS = 60_000

# How `lenet5` departs from the paper, one entry per deviation.
DIFFERS_FROM_PAPER = (
    "The fixed RBF codes are hand-drawn 7×12 digit bitmaps in the spirit of the paper's Fig. 3, "
    "not the paper's own (printed only as a picture); classes beyond 10 get fixed "
    "pseudo-random ±1 codes.",
    "`forward` returns the negative RBF distances, so that the largest score wins and "
    "cross-entropy applies (it is the paper's discriminative loss without the constant j "
    "term); `LeNet5.output` returns the distances.",
    "Only 32×32 inputs give C5 its 1×1 map; larger inputs work in `forward_features`, but the "
    "head refuses them instead of classifying only one corner.",
)
# How `lenet5_modern` departs from the paper (it is the usual modern re-reading, not the paper's).
MODERN_DIFFERS = (
    "ReLU instead of the scaled tanh; max-pooling instead of trainable sub-sampling; C3 reads "
    "all six S2 maps instead of Table I's; a linear output layer instead of the RBF units "
    "(see Parameters for the counts, measured on this code)."
)

# Table I of the paper: row i is S2 map i, column j is C3 map j; "X" where C3 map j reads S2
# map i. C3 maps 0-5 read 3 contiguous S2 maps, 6-11 read 4 contiguous, 12-14 read 4
# non-contiguous, and 15 reads all 6.
TABLE_I = (
    "X...XXX..XXXX.XX",
    "XX...XXX..XXXX.X",
    "XXX...XXX..X.XXX",
    ".XXX..XXXX..X.XX",
    "..XXX..XXXX.XX.X",
    "...XXX..XXXX.XXX",
)
# The same table read by column: the S2 maps each C3 map reads.
C3_CONNECTIONS: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i, row in enumerate(TABLE_I) if row[j] == "X") for j in range(len(TABLE_I[0]))
)

# Fixed RBF codes (Fig. 3 of the paper draws them as 7×12 bitmaps of ASCII characters):
# "X" is +1 and "." is -1, read row by row into 84 = 7 · 12 components, one per F6 unit.
# Hand-drawn here, digits 0-9 side by side; the paper's own bitmaps are not reproduced.
_BITMAP_ROWS = """
.......  .......  .......  .......  .......  .......  .......  .......  .......  .......
..XXX..  ...X...  .XXXXX.  .XXXXX.  .....X.  XXXXXXX  ..XXXX.  XXXXXXX  .XXXXX.  .XXXXX.
.X...X.  ..XX...  X.....X  X.....X  ....XX.  X......  .X.....  ......X  X.....X  X.....X
X.....X  .X.X...  ......X  ......X  ...X.X.  X......  X......  .....X.  X.....X  X.....X
X....XX  ...X...  .....X.  ......X  ..X..X.  XXXXXX.  X......  ....X..  X.....X  X.....X
X...X.X  ...X...  ....X..  ..XXXX.  .X...X.  ......X  XXXXXX.  ....X..  .XXXXX.  X.....X
X..X..X  ...X...  ...X...  ......X  X....X.  ......X  X.....X  ...X...  X.....X  .XXXXXX
X.X...X  ...X...  ..X....  ......X  XXXXXXX  ......X  X.....X  ...X...  X.....X  ......X
XX....X  ...X...  .X.....  ......X  .....X.  ......X  X.....X  ..X....  X.....X  ......X
.X...X.  ...X...  X......  X.....X  .....X.  X.....X  X.....X  ..X....  X.....X  .....X.
..XXX..  .XXXXX.  XXXXXXX  .XXXXX.  .....X.  .XXXXX.  .XXXXX.  ..X....  .XXXXX.  .XXXX..
.......  .......  .......  .......  .......  .......  .......  .......  .......  .......
"""
# One 84-character string per digit, its 12 rows of 7 pixels one after the other.
DIGIT_BITMAPS: tuple[str, ...] = tuple(
    "".join(line.split()[digit] for line in _BITMAP_ROWS.strip().splitlines())
    for digit in range(10)
)


def squash(x: torch.Tensor) -> torch.Tensor:
    """The paper's squashing function `f(a) = 1.7159 tanh(2a/3)` (Appendix A)."""
    return 1.7159 * torch.tanh(x * (2.0 / 3.0))


def _uniform_fan_in_(tensor: torch.Tensor, fan_in: int | torch.Tensor) -> None:
    """The paper's initialisation: uniform in `±2.4 / F_i`, `F_i` the unit's fan-in (App. A)."""
    with torch.no_grad():
        tensor.uniform_(-1.0, 1.0).mul_(2.4 / fan_in)


class Subsampling(nn.Module):
    """S2 and S4: the sum over each 2×2 window, times one coefficient, plus one bias per map.

    Two trainable parameters per map; the squashing function is applied by the caller.

    Args:
        channels: Number of feature maps.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels))
        self.bias = nn.Parameter(torch.empty(channels))
        _uniform_fan_in_(self.weight, 4)
        _uniform_fan_in_(self.bias, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, C, H, W)` to `(N, C, H/2, W/2)`."""
        x = F.avg_pool2d(x, 2, divisor_override=1)  # sum of each non-overlapping 2×2 window
        return x * self.weight[:, None, None] + self.bias[:, None, None]


class PartialConv2d(nn.Module):
    """A convolution in which output map `j` reads only the input maps `connections[j]`.

    Only the used kernels are parameters: `weight` holds one `k×k` kernel per connection,
    `bias` one value per output map. `forward` scatters the kernels into a dense
    `(out, in, k, k)` kernel (zeros elsewhere) with fixed index buffers and runs one
    convolution, which computes exactly the partially connected layer.

    Args:
        in_channels: Input maps.
        connections: For each output map, the input maps it reads (C3: `C3_CONNECTIONS`).
        kernel_size: Side of the square kernels.
    """

    def __init__(
        self, in_channels: int, connections: tuple[tuple[int, ...], ...], kernel_size: int
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = len(connections)
        self.kernel_size = kernel_size
        pairs = [(j, i) for j, inputs in enumerate(connections) for i in inputs]
        self.weight = nn.Parameter(torch.empty(len(pairs), kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(self.out_channels))
        # Where each kernel goes in the dense kernel: (output map, input map) per connection.
        self.register_buffer("out_index", torch.tensor([j for j, _ in pairs]))
        self.register_buffer("in_index", torch.tensor([i for _, i in pairs]))
        fan_in = torch.tensor([len(connections[j]) * kernel_size**2 for j, _ in pairs])
        _uniform_fan_in_(self.weight, fan_in[:, None, None])
        _uniform_fan_in_(self.bias, torch.tensor([len(c) * kernel_size**2 for c in connections]))

    def dense_weight(self) -> torch.Tensor:
        """The `(out, in, k, k)` kernel, zero where the connection table has no entry."""
        k = self.kernel_size
        dense = self.weight.new_zeros(self.out_channels, self.in_channels, k, k)
        return dense.index_put_((self.out_index, self.in_index), self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in, H, W)` to `(N, out, H - k + 1, W - k + 1)`."""
        return F.conv2d(x, self.dense_weight(), self.bias)


class EuclideanRBF(nn.Module):
    """Output layer of Euclidean radial basis function units with fixed ±1 codes.

    `forward` returns the squared distances `y_i = Σ_j (x_j − w_ij)²`; the smallest wins. The
    codes `w` are a buffer, not a parameter: the paper sets them by hand and keeps them fixed.

    Args:
        in_features: Size of the input (84, F6's units: one 7×12 bitmap).
        num_classes: Number of RBF units. The first 10 use `DIGIT_BITMAPS`; further classes get
            fixed pseudo-random ±1 codes.
    """

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        codes = []
        for c in range(num_classes):
            if c < len(DIGIT_BITMAPS) and in_features == 84:
                codes.append([1.0 if pixel == "X" else -1.0 for pixel in DIGIT_BITMAPS[c]])
            else:
                rng = random.Random(c)  # fixed per class, independent of the global seed
                codes.append([rng.choice((-1.0, 1.0)) for _ in range(in_features)])
        self.register_buffer("codes", torch.tensor(codes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, in_features)` to squared distances `(N, num_classes)`."""
        return (x[:, None, :] - self.codes).pow(2).sum(-1)


def _check_c5_output(name: str, features: torch.Tensor) -> None:
    """F6 is fully connected to C5's 120 maps of 1×1: refuse any other feature map."""
    if features.shape[-2:] != (1, 1):
        raise ValueError(
            f"{name}'s head takes C5's 120×1×1 output (a 32×32 to 35×35 input), got "
            f"features of shape {tuple(features.shape)}; resize the input to 32×32"
        )


class LeNet5(nn.Module):
    """LeNet-5 as in LeCun et al. 1998: 60,000 trainable parameters, 32×32 input.

    Args:
        num_classes: Number of RBF output units.
        in_channels: Channels of the input image (1 for MNIST).

    Raises:
        ValueError: If `num_classes` or `in_channels` is not positive.
    """

    name = "LeNet5"

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_features = 120
        self.head_modules = ("f6", "output")  # forward_features never runs these
        self.min_input_size = 32
        self.c1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.s2 = Subsampling(6)
        self.c3 = PartialConv2d(6, C3_CONNECTIONS, kernel_size=5)
        self.s4 = Subsampling(16)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.f6 = nn.Linear(120, 84)
        self.output = EuclideanRBF(84, num_classes)
        for layer in (self.c1, self.c5, self.f6):
            fan_in = layer.weight[0].numel()
            _uniform_fan_in_(layer.weight, fan_in)
            _uniform_fan_in_(layer.bias, fan_in)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """C1 to C5: `(N, in_channels, 32, 32)` to `(N, 120, 1, 1)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = squash(self.c1(x))  # (N, 6, 28, 28)
        x = squash(self.s2(x))  # (N, 6, 14, 14)
        x = squash(self.c3(x))  # (N, 16, 10, 10)
        x = squash(self.s4(x))  # (N, 16, 5, 5)
        return squash(self.c5(x))  # (N, 120, 1, 1)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """F6 and the RBF output: `(N, 120, 1, 1)` to negative distances `(N, num_classes)`.

        Raises:
            ValueError: If the features are not 1×1 (the input was not about 32×32).
        """
        _check_c5_output(self.name, features)
        x = squash(self.f6(torch.flatten(features, 1)))  # (N, 84)
        return -self.output(x)  # (N, num_classes): the closest code has the largest score

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores `−y_i` `(N, num_classes)` for images `(N, in_channels, 32, 32)`."""
        return self.forward_head(self.forward_features(x))


class LeNet5Modern(nn.Module):
    """LeNet-5 as it is usually re-implemented today: ReLU, max-pooling, full C3, linear output.

    The layer sizes are the paper's (6, 16, 120, 84); C3 connects to all six S2 maps and the
    output is an ordinary linear layer trained with cross-entropy (`MODERN_DIFFERS`).

    Args:
        num_classes: Size of the output layer.
        in_channels: Channels of the input image.

    Raises:
        ValueError: If `num_classes` or `in_channels` is not positive.
    """

    name = "LeNet5Modern"

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        check_positive(self.name, num_classes=num_classes, in_channels=in_channels)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.head_modules = ("f6", "output")  # forward_features never runs these
        self.num_features = 120
        self.min_input_size = 32
        self.c1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.s2 = nn.MaxPool2d(2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.s4 = nn.MaxPool2d(2)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.f6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """C1 to C5: `(N, in_channels, 32, 32)` to `(N, 120, 1, 1)`."""
        check_input(x, self.name, self.in_channels, self.min_input_size)
        x = self.s2(F.relu(self.c1(x)))  # (N, 6, 14, 14)
        x = self.s4(F.relu(self.c3(x)))  # (N, 16, 5, 5)
        return F.relu(self.c5(x))  # (N, 120, 1, 1)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """F6 and the linear output: `(N, 120, 1, 1)` to logits `(N, num_classes)`.

        Raises:
            ValueError: If the features are not 1×1 (the input was not about 32×32).
        """
        _check_c5_output(self.name, features)
        x = F.relu(self.f6(torch.flatten(features, 1)))  # (N, 84)
        return self.output(x)  # (N, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits `(N, num_classes)` for images `(N, in_channels, 32, 32)`."""
        return self.forward_head(self.forward_features(x))


_MNIST_ERROR = Result(
    "MNIST",
    "test error",
    0.95,
    "LeNet-5, trained on the 60,000 MNIST training images",
    "LeCun et al. 1998, §III-C",
)
_MNIST_ERROR_DISTORTED = Result(
    "MNIST",
    "test error",
    0.8,
    "LeNet-5, training set augmented with artificial distortions",
    "LeCun et al. 1998, §III-C",
)
_KEY_IDEAS = (
    "Local receptive fields, shared weights (convolution) and spatial sub-sampling give some "
    "invariance to shifts and distortions with few parameters (§II-A).",
    "Alternating convolution and sub-sampling layers: the number of feature maps grows as "
    "their resolution shrinks (§II-A).",
    "C3 reads only some S2 maps (Table I): it breaks the symmetry between maps and keeps the "
    "number of connections down (§II-B).",
    "Trained end to end by back-propagation on raw pixels, no hand-made features (§I, §II).",
)
_DRAWBACKS = (
    "The lecture outline says LeNet-5 'required a lot of resources for training that were not "
    "available in 1998': the outline's claim, not the paper's. By later standards the network "
    f"is small: {PAPER_PARAMS:,} trainable parameters (§II-B), and its multiply-adds, "
    "measured on this code, are under Parameters.",
    "Built for small 32×32 images: C5's 5×5 kernels cover S4's whole 5×5 map only at that size "
    "(§II-B), so C5 and F6 fix the input size.",
)


@register(
    title="LeNet-5",
    family="lenet",
    paper=PAPER,
    results=(_MNIST_ERROR, _MNIST_ERROR_DISTORTED),
    paper_params=PAPER_PARAMS,
    paper_params_source="LeCun et al. 1998, §II-B",
    input_size=(1, 32, 32),
    min_input_size=32,
    weight_layers=7,
    key_ideas=(
        *_KEY_IDEAS,
        "Output: Euclidean RBF units with fixed ±1 codes; the smallest distance wins.",
    ),
    drawbacks=_DRAWBACKS,
    differs_from_paper=" ".join(DIFFERS_FROM_PAPER),
)
def lenet5(num_classes: int = 10, **kwargs: int) -> LeNet5:
    """LeNet-5 as published: squashing units, trainable sub-sampling, Table I, RBF output.

    Args:
        num_classes: Number of RBF output units.
        **kwargs: Passed to `LeNet5` (`in_channels`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.lenet import lenet5
        >>> import torch
        >>> model = lenet5()
        >>> sum(p.numel() for p in model.parameters() if p.requires_grad)
        60000
        >>> model(torch.randn(2, 1, 32, 32)).shape
        torch.Size([2, 10])
    """
    return LeNet5(num_classes=num_classes, **kwargs)


@register(
    title="LeNet-5 (modern variant)",
    family="lenet",
    paper=PAPER,
    results=(
        Result(
            "MNIST",
            "test error",
            0.95,
            "the paper's LeNet-5; this modern variant is not in the paper",
            "LeCun et al. 1998, §III-C",
        ),
    ),
    input_size=(1, 32, 32),
    min_input_size=32,
    weight_layers=5,
    key_ideas=(
        *_KEY_IDEAS[:2],
        "The usual modern reading: ReLU, max-pooling, a fully connected C3 and a linear "
        "output trained with cross-entropy.",
    ),
    drawbacks=_DRAWBACKS,
    differs_from_paper=MODERN_DIFFERS,
)
def lenet5_modern(num_classes: int = 10, **kwargs: int) -> LeNet5Modern:
    """LeNet-5 with ReLU, max-pooling, a full C3 and a linear output layer.

    Args:
        num_classes: Size of the output layer.
        **kwargs: Passed to `LeNet5Modern` (`in_channels`).

    Returns:
        The network, in training mode.

    Example:
        >>> from cnnref.models.lenet import lenet5_modern
        >>> import torch
        >>> model = lenet5_modern()
        >>> model(torch.randn(2, 1, 32, 32)).shape
        torch.Size([2, 10])
    """
    return LeNet5Modern(num_classes=num_classes, **kwargs)
