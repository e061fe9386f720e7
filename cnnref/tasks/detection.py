"""Detection: several objects per image, each with its box and class (YOLO v1's grid).

- output: `(N, S_h, S_w, B*5 + num_classes)`, a grid of cells (`DetectionHead`);
- activation: sigmoid (confidence, box), softmax (classes);
- loss: YOLO v1's grid loss (`detection_loss`);
- metric: mean average precision at IoU 0.5 (`cnnref.metrics.mean_average_precision`).

`DetectionHead.decode` turns the grid into boxes with non-maximum suppression;
`encode_detection_targets` turns true boxes into the grid the head should predict. Boxes are
`(cx, cy, w, h)`, normalised to the image.

Example:
    >>> import torch, cnnref
    >>> model = cnnref.create_model("resnet18", task="detection", num_classes=3).eval()
    >>> model(torch.randn(1, 3, 64, 64)).shape  # a 2x2 grid, 5 + 3 numbers per cell
    torch.Size([1, 2, 2, 8])
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import batched_nms, box_convert

from cnnref import metrics
from cnnref.models._common import check_positive
from cnnref.tasks.base import Task, check_features, register_task

__all__ = ["DetectionHead", "detection_loss", "encode_detection_targets"]


class DetectionHead(nn.Module):
    """Several objects per image: a grid whose every cell predicts boxes and class scores.

    The feature map is the grid: an `S_h x S_w` map gives `S_h x S_w` cells, each looking at
    its own part of the image. A cell predicts `boxes_per_cell` boxes `B`, each with
    5 numbers (confidence that an object's centre lies in the cell, x, y, width, height), and
    one set of `num_classes` class scores, so the output is `(N, S_h, S_w, B*5 + num_classes)`.
    With `B = 1` that is `S_h x S_w x (5 + num_classes)`; YOLO v1 (Redmon et al.,
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
    `detection_loss` use binary cross-entropy for the confidence and
    cross-entropy for the classes instead of squared errors.

    Args:
        in_features: Channels of the feature map.
        num_classes: Object classes.
        boxes_per_cell: Boxes `B` each cell predicts.
        hidden: Channels of the hidden 1x1 conv.

    Example:
        >>> import torch
        >>> from cnnref.tasks.detection import DetectionHead
        >>> head = DetectionHead(16, num_classes=3, boxes_per_cell=2)
        >>> out = head(torch.randn(1, 16, 7, 7))
        >>> out.shape  # 7 x 7 x (2 * 5 + 3)
        torch.Size([1, 7, 7, 13])
        >>> sorted(head.decode(out)[0])
        ['boxes', 'labels', 'scores']
    """

    def __init__(
        self, in_features: int, num_classes: int = 1, boxes_per_cell: int = 1, hidden: int = 128
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
        check_features(features, "DetectionHead", self.in_features)
        x = F.relu(self.conv(features))  # (N, hidden, S_h, S_w)
        x = self.pred(x)  # (N, B*5 + C, S_h, S_w)
        return x.permute(0, 2, 3, 1)  # (N, S_h, S_w, B*5 + C)

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
        >>> from cnnref.tasks.detection import encode_detection_targets
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


def _iou_cxcywh(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Elementwise IoU of `(..., 4)` boxes `(cx, cy, w, h)` of the same (broadcast) shape."""
    a_lo, a_hi = a[..., :2] - a[..., 2:] / 2, a[..., :2] + a[..., 2:] / 2
    b_lo, b_hi = b[..., :2] - b[..., 2:] / 2, b[..., :2] + b[..., 2:] / 2
    inter = (torch.minimum(a_hi, b_hi) - torch.maximum(a_lo, b_lo)).clamp(min=0).prod(-1)
    union = a[..., 2:].prod(-1) + b[..., 2:].prod(-1) - inter
    return inter / union.clamp(min=1e-9)


def detection_loss(
    output: torch.Tensor,
    boxes: list[torch.Tensor],
    labels: list[torch.Tensor],
    boxes_per_cell: int = 1,
    lambda_coord: float = 5.0,
    lambda_noobj: float = 0.5,
) -> torch.Tensor:
    """YOLO v1's loss (Redmon et al. 2016, eq. 3) for a `DetectionHead`'s grid.

    The cell holding an object's centre is responsible for it, and of its `B` boxes the one
    whose prediction overlaps the object most (highest IoU). Summed over the grid:

    - `λ_coord` x squared error of that box's `x, y, sqrt(w), sqrt(h)` (the square roots make a
      small error count more in a small box than in a large one);
    - the confidence of responsible boxes pushed towards 1, of all other boxes towards 0, the
      latter weighted by `λ_noobj` (most cells are empty);
    - the class scores of cells holding an object.

    Differs from the paper: binary cross-entropy for the confidence (target 1, not the IoU)
    and cross-entropy for the classes instead of squared errors; both train faster here.

    Args:
        output: The head's raw output `(N, S_h, S_w, B*5 + C)`.
        boxes: Per image, true boxes `(K, 4)`, `(cx, cy, w, h)` normalised to the image.
        labels: Per image, true classes `(K,)`.
        boxes_per_cell: `B`, as the head was built.
        lambda_coord: Weight of the box terms (5 in the paper).
        lambda_noobj: Weight of the confidence of boxes without an object (0.5 in the paper).

    Returns:
        The loss summed over the grid, averaged over the batch.

    Example:
        >>> import torch
        >>> from cnnref.tasks.detection import detection_loss
        >>> out = torch.zeros(2, 4, 4, 5 + 3)
        >>> boxes = [torch.tensor([[0.3, 0.3, 0.2, 0.2]]), torch.zeros(0, 4)]
        >>> labels = [torch.tensor([1]), torch.zeros(0, dtype=torch.long)]
        >>> detection_loss(out, boxes, labels).item() > 0
        True
    """
    n, sh, sw, channels = output.shape
    b = boxes_per_cell
    num_classes = channels - 5 * b
    if num_classes < 1 or len(boxes) != n or len(labels) != n:
        raise ValueError(
            f"detection_loss: output {tuple(output.shape)} does not fit B={b} boxes per cell "
            f"and at least one class, or {len(boxes)} box lists for {n} images"
        )
    target = encode_detection_targets(boxes, labels, (sh, sw), num_classes).to(output.device)
    obj = target[..., 0] > 0  # (N, S_h, S_w)
    raw = output[..., : 5 * b].reshape(n, sh, sw, b, 5)
    s = raw[..., 1:].sigmoid()  # (N, S_h, S_w, B, 4): x, y, sqrt(w), sqrt(h)
    t = target[..., None, 1:5]  # (N, S_h, S_w, 1, 4)

    # Which of the B boxes is responsible: the best IoU with the object (in cell units).
    def as_box(v: torch.Tensor) -> torch.Tensor:
        return torch.cat([v[..., :2], v[..., 2:] ** 2 * v.new_tensor([sw, sh])], dim=-1)

    with torch.no_grad():
        iou = _iou_cxcywh(as_box(s), as_box(t))  # (N, S_h, S_w, B)
        best = F.one_hot(iou.argmax(dim=-1), b).bool()
    responsible = best & obj[..., None]  # (N, S_h, S_w, B)

    coord = ((s - t) ** 2).sum(-1)[responsible].sum()
    conf_bce = F.binary_cross_entropy_with_logits(
        raw[..., 0], responsible.to(raw.dtype), reduction="none"
    )
    conf = conf_bce[responsible].sum() + lambda_noobj * conf_bce[~responsible].sum()
    classes = output[..., 5 * b :][obj]  # (objects, C)
    cls = F.cross_entropy(classes, target[..., 5:][obj].argmax(-1), reduction="sum")
    return (lambda_coord * coord + conf + cls) / n


def _loss(output: torch.Tensor, target: dict[str, Any], head: nn.Module | None) -> torch.Tensor:
    b = getattr(head, "boxes_per_cell", 1)
    return detection_loss(output, target["boxes"], target["labels"], boxes_per_cell=b)


def _evaluate(output: torch.Tensor, targets: list[dict], head: nn.Module | None) -> dict:
    if head is None:
        raise ValueError("detection: evaluating needs the DetectionHead that decodes the grid")
    found = head.decode(output)
    truth = [
        {"boxes": b, "labels": lab}
        for t in targets
        for b, lab in zip(t["boxes"], t["labels"], strict=True)
    ]
    return {"map50": metrics.mean_average_precision(found, truth, iou_threshold=0.5)}


TASK = register_task(
    Task(
        name="detection",
        rank=5,
        output="`(N, S_h, S_w, B*5 + num_classes)`",
        head=DetectionHead,
        options=("num_classes", "boxes_per_cell", "hidden"),
        loss=_loss,
        evaluate=_evaluate,
    )
)
