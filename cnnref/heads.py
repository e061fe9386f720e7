"""Task heads: any classification backbone, any of the five tasks the lecture lists.

"What is the output of the network?" decides the task. Every registered classification model
splits `forward_features` (the convolutional trunk, giving an `(N, num_features, h, w)` feature
map) from `forward_head` (its classifier); a task model keeps the trunk and puts one of these
heads on the feature map instead:

| task | head | output | activation |
|---|---|---|---|
| `classification` | `ClassificationHead` | `(N, num_classes)` | softmax (sigmoid: multi-label) |
| `regression` | `RegressionHead` | `(N, num_outputs)` | none: real numbers |
| `segmentation` | `SegmentationHead` | `(N, num_classes, H, W)` | sigmoid (1 class) or softmax |
| `localization` | `LocalizationHead` | `(N, 4 + num_classes)` | sigmoid on the box, softmax |
| `detection` | `DetectionHead` | `(N, S_h, S_w, B*5 + num_classes)` | sigmoid, softmax |

Every head returns raw scores (logits), which is what the losses in `cnnref.losses` take; its
`activation` turns them into the quantities the lecture draws (probabilities, a box in `[0, 1]`)
and its `predict` into an answer (a class, a mask, boxes). Boxes are `(cx, cy, w, h)`,
normalised to the image.

For a classification backbone, `create_model(name)` is the published network (its own
classifier); `multi_label` changes only the loss and the activation, so use
`heads.activation(logits, multi_label=True)` and `heads.predict(...)` on its logits.
U-Net (`unet`) is the native segmentation network; the other backbones get the simple
fully-convolutional decoder `SegmentationHead`.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", task="detection", num_classes=3).eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape  # a 2x2 grid, 5 + 3 numbers per cell
    torch.Size([1, 2, 2, 8])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import batched_nms, box_convert

from cnnref.models._common import check_positive
from cnnref.registry import get_card

__all__ = [
    "TASKS",
    "ClassificationHead",
    "DetectionHead",
    "LocalizationHead",
    "RegressionHead",
    "SegmentationHead",
    "TaskModel",
    "activation",
    "create_task_model",
    "encode_detection_targets",
    "predict",
]

TASKS = ("classification", "regression", "segmentation", "localization", "detection")


def _check_features(features: torch.Tensor, head: str, in_features: int) -> None:
    if features.dim() != 4 or features.shape[1] != in_features:
        raise ValueError(
            f"{head} expects a feature map (N, {in_features}, h, w), got {tuple(features.shape)}"
        )


# --- classification ---------------------------------------------------------------------


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
        >>> from cnnref.heads import activation
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
        >>> from cnnref.heads import predict
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

    Output: `(N, num_classes)` logits, one per class (the lecture's "number of neurons equal to
    the number of classes"). Activation: softmax, or a sigmoid per class with `multi_label=True`
    (train with cross-entropy or binary cross-entropy, `cnnref.losses.classification_loss`).

    Args:
        in_features: Channels of the feature map (the backbone's `num_features`).
        num_classes: Number of classes.
        multi_label: Whether an image may carry several classes at once.
        dropout: Dropout probability before the fully connected layer.

    Example:
        >>> import torch
        >>> from cnnref.heads import ClassificationHead
        >>> head = ClassificationHead(16, num_classes=5)
        >>> head(torch.randn(2, 16, 3, 3)).shape
        torch.Size([2, 5])
    """

    def __init__(
        self, in_features: int, num_classes: int, multi_label: bool = False, dropout: float = 0.0
    ) -> None:
        super().__init__()
        check_positive("ClassificationHead", in_features=in_features, num_classes=num_classes)
        self.in_features, self.num_classes, self.multi_label = in_features, num_classes, multi_label
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """`(N, in_features, h, w)` to logits `(N, num_classes)`."""
        _check_features(features, "ClassificationHead", self.in_features)
        x = features.mean(dim=(2, 3))  # (N, C): global average pooling
        return self.fc(self.dropout(x))  # (N, num_classes)

    def activation(self, output: torch.Tensor) -> torch.Tensor:
        """Softmax or sigmoid probabilities `(N, num_classes)`."""
        return activation(output, self.multi_label)

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """Class indices `(N,)`, or booleans `(N, num_classes)` if multi-label."""
        return predict(output, self.multi_label)


# --- regression -------------------------------------------------------------------------


class RegressionHead(nn.Module):
    """Global average pooling and a two-layer perceptron giving real numbers.

    Output: `(N, num_outputs)`, no activation (a count of objects is any real number; round it
    to report a count). Train with MSE or L1, `cnnref.losses.regression_loss`.

    Args:
        in_features: Channels of the feature map.
        num_outputs: How many numbers to predict per image.
        hidden: Width of the hidden layer.

    Example:
        >>> import torch
        >>> from cnnref.heads import RegressionHead
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
        _check_features(features, "RegressionHead", self.in_features)
        x = features.mean(dim=(2, 3))  # (N, C)
        return self.fc2(F.relu(self.fc1(x)))  # (N, num_outputs)

    def activation(self, output: torch.Tensor) -> torch.Tensor:
        """The identity: regression outputs are the answer."""
        return output

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """The identity: regression outputs are the answer."""
        return output


# --- segmentation -----------------------------------------------------------------------


class SegmentationHead(nn.Module):
    """A simple fully-convolutional decoder: two 1x1 convs to class scores, then upsampling.

    Output: `(N, num_classes, H, W)` scores for every pixel at the input's resolution `H x W`
    (bilinear upsampling of the coarse score map, as FCN-32s does). One class means binary
    segmentation: activation sigmoid, loss BCE + Dice; several classes: softmax, loss
    cross-entropy + Dice (`cnnref.losses.segmentation_loss`). Without skip connections the
    edges stay as coarse as the feature map; U-Net's skips are what fixes that.

    Args:
        in_features: Channels of the feature map.
        num_classes: Score maps to produce (1 for foreground vs background).
        hidden: Channels of the hidden 1x1 conv.

    Example:
        >>> import torch
        >>> from cnnref.heads import SegmentationHead
        >>> head = SegmentationHead(16, num_classes=1)
        >>> head(torch.randn(2, 16, 4, 4), size=(32, 32)).shape
        torch.Size([2, 1, 32, 32])
    """

    def __init__(self, in_features: int, num_classes: int = 1, hidden: int = 128) -> None:
        super().__init__()
        check_positive("SegmentationHead", in_features=in_features, num_classes=num_classes)
        check_positive("SegmentationHead", hidden=hidden)
        self.in_features, self.num_classes = in_features, num_classes
        self.conv = nn.Conv2d(in_features, hidden, kernel_size=1)
        self.score = nn.Conv2d(hidden, num_classes, kernel_size=1)

    def forward(self, features: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        """`(N, in_features, h, w)` to scores `(N, num_classes, *size)`, `size` = `(H, W)`."""
        _check_features(features, "SegmentationHead", self.in_features)
        x = F.relu(self.conv(features))  # (N, hidden, h, w)
        x = self.score(x)  # (N, num_classes, h, w)
        return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)

    def activation(self, output: torch.Tensor) -> torch.Tensor:
        """Per-pixel probabilities: sigmoid for one class, softmax over classes otherwise."""
        return output.sigmoid() if self.num_classes == 1 else output.softmax(dim=1)

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """A boolean foreground mask `(N, H, W)`, or class indices `(N, H, W)`."""
        return output[:, 0] > 0 if self.num_classes == 1 else output.argmax(dim=1)


# --- localization: one object -----------------------------------------------------------


class LocalizationHead(nn.Module):
    """One object per image: four box numbers, optionally with class scores.

    Output: `(N, 4 + num_classes)`: the logits of the box `(cx, cy, w, h)` (the lecture's
    "4 neurons": x, y, width and height of the bounding box), then the class logits if
    `num_classes` is given. Activation: a sigmoid on the box puts it inside the image,
    normalised to `[0, 1]`; softmax on the classes. Loss: `cnnref.losses.localization_loss`.

    Where the object is must survive the pooling, so the feature map is average-pooled to a
    fixed `pool x pool` grid (as VGG's and AlexNet's adaptive pooling before their classifiers)
    and flattened into a two-layer perceptron, not averaged to one vector.

    Args:
        in_features: Channels of the feature map.
        num_classes: Classes to score besides the box, or `None` for the box alone.
        hidden: Width of the hidden layer.
        pool: Side of the pooled grid.

    Example:
        >>> import torch
        >>> from cnnref.heads import LocalizationHead
        >>> head = LocalizationHead(16, num_classes=3)
        >>> out = head(torch.randn(2, 16, 3, 3))
        >>> out.shape
        torch.Size([2, 7])
        >>> head.predict(out)["boxes"].shape
        torch.Size([2, 4])
    """

    def __init__(
        self, in_features: int, num_classes: int | None = None, hidden: int = 256, pool: int = 4
    ) -> None:
        super().__init__()
        check_positive("LocalizationHead", in_features=in_features, hidden=hidden, pool=pool)
        if num_classes is not None:
            check_positive("LocalizationHead", num_classes=num_classes)
        self.in_features, self.num_classes = in_features, num_classes
        self.pool = nn.AdaptiveAvgPool2d(pool)
        self.fc1 = nn.Linear(in_features * pool * pool, hidden)
        self.fc2 = nn.Linear(hidden, 4 + (num_classes or 0))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """`(N, in_features, h, w)` to `(N, 4 + num_classes)`: box logits, class logits."""
        _check_features(features, "LocalizationHead", self.in_features)
        x = torch.flatten(self.pool(features), 1)  # (N, C * pool * pool)
        return self.fc2(F.relu(self.fc1(x)))  # (N, 4 + num_classes)

    def activation(self, output: torch.Tensor) -> dict[str, torch.Tensor]:
        """`{"boxes": (N, 4) in [0, 1]}`, plus `"probs": (N, num_classes)` with classes."""
        out = {"boxes": output[:, :4].sigmoid()}
        if self.num_classes:
            out["probs"] = output[:, 4:].softmax(dim=1)
        return out

    def predict(self, output: torch.Tensor) -> dict[str, torch.Tensor]:
        """`{"boxes": (N, 4)}`, plus `"labels": (N,)` and `"scores": (N,)` with classes."""
        out = self.activation(output)
        if self.num_classes:
            out["scores"], out["labels"] = out.pop("probs").max(dim=1)
        return out


# --- detection: several objects ---------------------------------------------------------


class DetectionHead(nn.Module):
    """Several objects per image: a grid whose every cell predicts boxes and class scores.

    The feature map is the grid: an `S_h x S_w` map gives `S_h x S_w` cells, each looking at
    its own part of the image. A cell predicts `boxes_per_cell` boxes `B`, each with
    5 numbers (confidence that an object's centre lies in the cell, x, y, width, height), and
    one set of `num_classes` class scores, so the output is `(N, S_h, S_w, B*5 + num_classes)`.
    With `B = 1` that is the lecture's `W x H x (5 + NumClass)`; YOLO v1 (Redmon et al.,
    CVPR 2016, §2) is the same layout with a 7x7 grid, `B = 2` and 20 classes:
    `S x S x (B*5 + C)` = 7x7x30.

    The numbers of one box, as YOLO v1 parametrises them: `x, y` are the box centre's offset
    inside its cell and `w, h` the square roots of the width and height relative to the image,
    all four through a sigmoid; the confidence is a sigmoid too, its bias starting at -4.6
    (a probability of 1 %, as RetinaNet starts) so that the many empty cells do not swamp the
    first steps; the classes a softmax.

    Differs from YOLO v1: two 1x1 convolutions on the backbone's feature map (a small perceptron
    applied to every cell) instead of two fully connected layers, so the grid follows the
    input size and each cell sees only its own receptive field; the losses in
    `cnnref.losses.detection_loss` use binary cross-entropy for the confidence and
    cross-entropy for the classes instead of squared errors.

    Args:
        in_features: Channels of the feature map.
        num_classes: Object classes.
        boxes_per_cell: Boxes `B` each cell predicts.
        hidden: Channels of the hidden 1x1 conv.

    Example:
        >>> import torch
        >>> from cnnref.heads import DetectionHead
        >>> head = DetectionHead(16, num_classes=3, boxes_per_cell=2)
        >>> out = head(torch.randn(1, 16, 7, 7))
        >>> out.shape  # 7 x 7 x (2 * 5 + 3)
        torch.Size([1, 7, 7, 13])
        >>> sorted(head.decode(out)[0])
        ['boxes', 'labels', 'scores']
    """

    def __init__(
        self, in_features: int, num_classes: int, boxes_per_cell: int = 1, hidden: int = 128
    ) -> None:
        super().__init__()
        check_positive("DetectionHead", in_features=in_features, num_classes=num_classes)
        check_positive("DetectionHead", boxes_per_cell=boxes_per_cell, hidden=hidden)
        self.in_features, self.num_classes, self.boxes_per_cell = (
            in_features,
            num_classes,
            boxes_per_cell,
        )
        self.conv = nn.Conv2d(in_features, hidden, kernel_size=1)
        self.pred = nn.Conv2d(hidden, boxes_per_cell * 5 + num_classes, kernel_size=1)
        with torch.no_grad():  # every confidence starts near 1 %: most cells hold no object
            self.pred.bias[0 : 5 * boxes_per_cell : 5].fill_(-4.6)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """`(N, in_features, S_h, S_w)` to the grid `(N, S_h, S_w, B*5 + num_classes)`."""
        _check_features(features, "DetectionHead", self.in_features)
        x = F.relu(self.conv(features))  # (N, hidden, S_h, S_w)
        x = self.pred(x)  # (N, B*5 + C, S_h, S_w)
        return x.permute(0, 2, 3, 1)  # (N, S_h, S_w, B*5 + C), the lecture's W x H x (5 + C)

    def split(self, output: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Split the raw output into boxes `(N, S_h, S_w, B, 5)` and classes `(N, S_h, S_w, C)`."""
        n, sh, sw, _ = output.shape
        b = self.boxes_per_cell
        return output[..., : 5 * b].reshape(n, sh, sw, b, 5), output[..., 5 * b :]

    def activation(self, output: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Confidences and boxes in image coordinates, and class probabilities.

        Returns:
            `boxes (N, S_h, S_w, B, 5)` holding `(confidence, cx, cy, w, h)` with the box
            normalised to the image, and `probs (N, S_h, S_w, C)`.
        """
        raw, classes = self.split(output)
        _, sh, sw, _, _ = raw.shape
        s = raw.sigmoid()
        rows = torch.arange(sh, device=output.device, dtype=s.dtype).view(1, sh, 1, 1)
        cols = torch.arange(sw, device=output.device, dtype=s.dtype).view(1, 1, sw, 1)
        cx = (cols + s[..., 1]) / sw  # offset inside the cell -> image
        cy = (rows + s[..., 2]) / sh
        w, h = s[..., 3] ** 2, s[..., 4] ** 2  # the net predicts square roots
        boxes = torch.stack([s[..., 0], cx, cy, w, h], dim=-1)
        return boxes, classes.softmax(dim=-1)

    @torch.no_grad()
    def decode(
        self,
        output: torch.Tensor,
        score_threshold: float = 0.05,
        iou_threshold: float = 0.5,
        max_detections: int = 100,
    ) -> list[dict[str, torch.Tensor]]:
        """Boxes, scores and labels per image, after non-maximum suppression.

        A box's score is YOLO's class-specific confidence, `confidence x P(class)`, for its best
        class. Boxes scoring below `score_threshold` are dropped; of overlapping boxes of the same
        class (IoU above `iou_threshold`) only the best-scoring survives
        (`torchvision.ops.batched_nms`).

        Args:
            output: The head's raw output `(N, S_h, S_w, B*5 + C)`.
            score_threshold: The lowest score kept.
            iou_threshold: The IoU above which NMS suppresses the lower-scoring box.
            max_detections: At most this many boxes per image, the best first.

        Returns:
            Per image, `{"boxes": (D, 4) cx cy w h in [0, 1], "scores": (D,), "labels": (D,)}`.
        """
        boxes, probs = self.activation(output.float())
        n = boxes.shape[0]
        best, labels = probs.max(dim=-1)  # (N, S_h, S_w)
        scores = boxes[..., 0] * best[..., None]  # (N, S_h, S_w, B)
        labels = labels[..., None].expand_as(scores)
        results = []
        for i in range(n):
            s, lab, b = scores[i].flatten(), labels[i].flatten(), boxes[i, ..., 1:].reshape(-1, 4)
            keep = s >= score_threshold
            s, lab, b = s[keep], lab[keep], b[keep]
            keep = batched_nms(box_convert(b, "cxcywh", "xyxy"), s, lab, iou_threshold)
            keep = keep[:max_detections]  # batched_nms sorts by score
            results.append({"boxes": b[keep], "scores": s[keep], "labels": lab[keep]})
        return results

    def predict(self, output: torch.Tensor) -> list[dict[str, torch.Tensor]]:
        """`decode` with its default thresholds."""
        return self.decode(output)


def encode_detection_targets(
    boxes: list[torch.Tensor], labels: list[torch.Tensor], grid: tuple[int, int], num_classes: int
) -> torch.Tensor:
    """The grid a `DetectionHead` should predict, from each image's true boxes.

    The cell containing an object's centre is responsible for it (YOLO v1); if two centres fall
    in one cell, the later object wins (the grid has room for one).

    Args:
        boxes: Per image, `(K, 4)` boxes `(cx, cy, w, h)` normalised to the image.
        labels: Per image, `(K,)` class indices.
        grid: `(S_h, S_w)`.
        num_classes: Number of classes `C`.

    Returns:
        `(N, S_h, S_w, 5 + C)`: `(1, x, y, sqrt(w), sqrt(h), one-hot class)` in a responsible
        cell, with `x, y` the centre's offset inside the cell; zeros elsewhere.

    Example:
        >>> import torch
        >>> from cnnref.heads import encode_detection_targets
        >>> t = encode_detection_targets([torch.tensor([[0.75, 0.25, 0.25, 0.04]])],
        ...                              [torch.tensor([1])], grid=(2, 2), num_classes=2)
        >>> t[0, 0, 1]  # row 0, column 1
        tensor([1.0000, 0.5000, 0.5000, 0.5000, 0.2000, 0.0000, 1.0000])
    """
    sh, sw = grid
    device = boxes[0].device if boxes else None
    target = torch.zeros(len(boxes), sh, sw, 5 + num_classes, device=device)
    for i, (b, lab) in enumerate(zip(boxes, labels, strict=True)):
        if len(b) == 0:
            continue
        b = b.float()
        col = (b[:, 0] * sw).long().clamp(0, sw - 1)
        row = (b[:, 1] * sh).long().clamp(0, sh - 1)
        target[i, row, col, 0] = 1.0
        target[i, row, col, 1] = b[:, 0] * sw - col
        target[i, row, col, 2] = b[:, 1] * sh - row
        target[i, row, col, 3] = b[:, 2].clamp(min=0).sqrt()
        target[i, row, col, 4] = b[:, 3].clamp(min=0).sqrt()
        target[i, row, col, 5:] = F.one_hot(lab.long(), num_classes).to(target.dtype)
    return target


# --- the task model ---------------------------------------------------------------------


class TaskModel(nn.Module):
    """A registered backbone's feature extractor with a task head on top.

    `backbone` is the registered network without its classifier: the submodules it lists in
    `head_modules` (VGG-16's fc6-fc8, most of its parameters) are set to `None`: `forward`
    runs only `backbone.forward_features`, which checks the input, and then `head`. Every
    parameter left gets a gradient, so DDP needs no `find_unused_parameters`. To start from a
    classification checkpoint of the backbone, use `load_backbone`.

    `input_padding` zero-pads the image on every side before the backbone. A backbone with
    unpadded convolutions (LeNet-5) otherwise maps only the image's centre: on a 64x64 picture
    LeNet-5's 9x9 C5 map has its cells centred on pixels 16, 20, ..., 48, and a cell cannot
    tell where it is. Padding by `(receptive field - stride) / 2` pixels (LeNet-5: `(32 - 4) / 2
    = 14`) centres cell `j` on pixel `4j + 2`, so the map tiles the whole picture (16x16 cells
    of 4x4 pixels), as a padded network's map does.

    Args:
        backbone: A model following the contract (`forward_features`, `num_features`).
        head: One of the heads above.
        task: The task's name, one of `TASKS`.
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
        for module in getattr(backbone, "head_modules", ()):
            setattr(backbone, module, None)  # the classifier: forward never runs it
        self.backbone, self.head = backbone, head
        self.task, self.name, self.input_padding = task, name, input_padding
        self.in_channels = backbone.in_channels
        self.min_input_size = max(1, backbone.min_input_size - 2 * input_padding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images `(N, in_channels, H, W)` to the head's output (see its docstring)."""
        size = x.shape[-2:]
        if self.input_padding:
            x = F.pad(x, [self.input_padding] * 4)  # (N, C, H + 2p, W + 2p)
        features = self.backbone.forward_features(x)  # (N, num_features, h, w)
        if self.task == "segmentation":
            return self.head(features, size=size)  # (N, num_classes, H, W)
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
    def predict(self, x: torch.Tensor) -> torch.Tensor | dict | list:
        """The head's answer for a batch of images (in whatever mode the model is)."""
        return self.head.predict(self(x))


def create_task_model(
    name: str,
    task: str,
    *,
    num_classes: int | None = None,
    num_outputs: int = 1,
    multi_label: bool = False,
    boxes_per_cell: int = 1,
    hidden: int | None = None,
    input_padding: int = 0,
    **backbone_kwargs: object,
) -> TaskModel:
    """Put a task head on a registered backbone (`cnnref.create_model(name, task=...)`).

    Args:
        name: A registered model name (`"resnet18"`).
        task: One of `TASKS`.
        num_classes: Classes of the head. Defaults: classification 1000, segmentation 1
            (binary), detection 1, localization `None` (the box alone, no class scores).
        num_outputs: Real numbers per image (regression only).
        multi_label: Sigmoid per class instead of softmax (classification only).
        boxes_per_cell: Boxes per grid cell, `B` (detection only).
        hidden: Width of the head's hidden layer (default: each head's own).
        input_padding: Zeros added around the input (see `TaskModel`; 14 for LeNet-5).
        **backbone_kwargs: Passed to the backbone's builder (`in_channels=1`, say); its own
            `num_classes` stays at the builder's default.

    Returns:
        A `TaskModel`.

    Raises:
        ValueError: For an unknown model or task, `num_classes=0` or another non-positive
            size, or an argument that does not belong to the task.

    Example:
        >>> import torch, cnnref
        >>> model = cnnref.create_model("resnet18", task="regression", num_outputs=1).eval()
        >>> model(torch.randn(2, 3, 32, 32)).shape
        torch.Size([2, 1])
    """
    card = get_card(name)
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r} for {name}: choose one of {', '.join(TASKS)}")
    only_for = [  # (argument, was it given, the task it belongs to)
        ("num_outputs", num_outputs != 1, "regression"),
        ("multi_label", multi_label, "classification"),
        ("boxes_per_cell", boxes_per_cell != 1, "detection"),
    ]
    for arg, given, owner in only_for:
        if given and task != owner:
            raise ValueError(f"{name}: {arg} applies to task={owner!r} only, not task={task!r}")
    if num_classes is not None and task == "regression":
        raise ValueError(f"{name}: task='regression' has num_outputs, not num_classes")
    if hidden is not None and task == "classification":
        raise ValueError(f"{name}: the classification head has no hidden layer to size")
    if isinstance(input_padding, bool) or not isinstance(input_padding, int) or input_padding < 0:
        raise ValueError(f"{name}: input_padding must be an int >= 0, got {input_padding!r}")
    backbone = card.builder(**backbone_kwargs)
    if not hasattr(backbone, "forward_features") or not hasattr(backbone, "num_features"):
        raise ValueError(
            f"{name} has no forward_features/num_features, so it cannot carry a {task} head"
        )
    width = {} if hidden is None else {"hidden": hidden}
    features = backbone.num_features
    if task == "classification":
        head = ClassificationHead(
            features, 1000 if num_classes is None else num_classes, multi_label
        )
    elif task == "regression":
        head = RegressionHead(features, num_outputs, **width)
    elif task == "segmentation":
        head = SegmentationHead(features, 1 if num_classes is None else num_classes, **width)
    elif task == "localization":
        head = LocalizationHead(features, num_classes, **width)
    else:
        head = DetectionHead(
            features, 1 if num_classes is None else num_classes, boxes_per_cell, **width
        )
    return TaskModel(backbone, head, task, name, input_padding)
