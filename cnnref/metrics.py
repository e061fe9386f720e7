"""The metrics people report for each task, with the edge cases spelled out.

| task | metric | function |
|---|---|---|
| classification | top-k error (ILSVRC), accuracy | `topk_error`, `accuracy`, `TopKError` |
| regression | mean absolute error | `mean_absolute_error` |
| segmentation | IoU (Jaccard), Dice | `mask_iou`, `dice_score`, `MaskOverlap` |
| localization | mean IoU of predicted and true box | `mean_box_iou` |
| detection | mean average precision at IoU 0.5 | `mean_average_precision` |

Every function returns a plain `float` (a fraction: `0.153` means 15.3 %). Boxes are
`(cx, cy, w, h)` normalised to the image (centre, width, height), unless a function
takes a `box_format`; the IoU itself comes from `torchvision.ops.box_iou`.

The tests hold these against `torchmetrics` (top-k accuracy, Jaccard index, Dice,
`MeanAveragePrecision` with `pycocotools`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torchvision.ops import box_convert, box_iou

__all__ = [
    "MaskOverlap",
    "TopKError",
    "accuracy",
    "dice_score",
    "mask_iou",
    "mean_absolute_error",
    "mean_average_precision",
    "mean_box_iou",
    "topk_error",
]


# --- classification ---------------------------------------------------------------------


def _check_topk(logits: torch.Tensor, targets: torch.Tensor, k: int) -> None:
    if not isinstance(logits, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError(
            f"topk_error expects tensors, got {type(logits).__name__} and {type(targets).__name__}"
        )
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"topk_error: k must be a positive integer, got {k!r}")
    if logits.dim() != 2:
        raise ValueError(
            f"topk_error expects logits of shape (N, num_classes), got {tuple(logits.shape)}"
        )
    if targets.dim() != 1 or targets.shape[0] != logits.shape[0]:
        raise ValueError(
            f"topk_error expects targets of shape (N,) = ({logits.shape[0]},) to match the "
            f"logits {tuple(logits.shape)}, got {tuple(targets.shape)}"
        )
    if logits.shape[0] == 0:
        raise ValueError("topk_error got an empty batch (N = 0): the error of nothing is undefined")
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise TypeError(f"topk_error expects integer class targets, got dtype {targets.dtype}")
    num_classes = logits.shape[1]
    if k > num_classes:
        raise ValueError(f"topk_error: k={k} is larger than the number of classes ({num_classes})")
    low, high = int(targets.min()), int(targets.max())
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"topk_error: targets must lie in [0, {num_classes - 1}], got values in [{low}, {high}]"
        )


def _topk_wrong(logits: torch.Tensor, targets: torch.Tensor, k: int) -> torch.Tensor:
    """How many samples have their true class outside the k highest scores (a 0-d tensor)."""
    top = logits.topk(k, dim=1).indices  # (N, k)
    hit = (top == targets[:, None]).any(dim=1)  # (N,)
    return (~hit).sum()


def topk_error(logits: torch.Tensor, targets: torch.Tensor, k: int = 1) -> float:
    """The ILSVRC top-k error: the share of samples whose true class is not in the k best.

    Top-5 error is what ILSVRC ranked by; `0.153` means 15.3 %, AlexNet's winning entry.
    Ties between scores are broken the way `torch.topk` breaks them.

    Args:
        logits: Scores `(N, num_classes)` (logits or probabilities: only their order counts).
        targets: True classes `(N,)`, integers in `[0, num_classes)`.
        k: How many guesses a sample gets.

    Returns:
        The error as a fraction in `[0, 1]`.

    Raises:
        ValueError: If the batch is empty, the shapes do not match, `k` is not in
            `[1, num_classes]` or a target is out of range.
        TypeError: If the targets are not integers.

    Example:
        Three images, four classes; the true classes are 0, 1 and 2:

        >>> import torch
        >>> from cnnref.metrics import topk_error
        >>> logits = torch.tensor([[0.1, 0.2, 0.3, 0.4],   # 0 is the lowest: wrong in the top 3
        ...                        [0.0, 0.9, 0.1, 0.0],   # 1 is the highest: right at top 1
        ...                        [0.5, 0.1, 0.4, 0.0]])  # 2 is second: right at top 2
        >>> targets = torch.tensor([0, 1, 2])
        >>> round(topk_error(logits, targets, k=1), 4)
        0.6667
        >>> round(topk_error(logits, targets, k=2), 4)
        0.3333
        >>> topk_error(logits, targets, k=4)
        0.0
    """
    _check_topk(logits, targets, k)
    return _topk_wrong(logits, targets, k).item() / logits.shape[0]


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The fraction of samples whose highest score is the true class (`1 - top-1 error`).

    Args:
        logits: Scores `(N, num_classes)`.
        targets: True classes `(N,)`.

    Returns:
        The accuracy as a fraction in `[0, 1]`.

    Example:
        >>> import torch
        >>> from cnnref.metrics import accuracy
        >>> accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
        0.5
    """
    return 1.0 - topk_error(logits, targets, k=1)


class TopKError:
    """Top-k errors over a whole dataset: update per batch, compute at the end.

    Args:
        ks: The k values to track; the default gives top-1 and top-5 together.

    Example:
        >>> import torch
        >>> from cnnref.metrics import TopKError
        >>> meter = TopKError()
        >>> for _ in range(3):
        ...     meter.update(torch.eye(10)[:4], torch.tensor([0, 1, 2, 9]))
        >>> meter.compute()
        {'top1_error': 0.25, 'top5_error': 0.25}
        >>> meter.count
        12
    """

    def __init__(self, ks: Sequence[int] = (1, 5)) -> None:
        if not ks:
            raise ValueError("TopKError needs at least one k, got an empty list")
        self.ks = tuple(ks)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.count = 0
        self.wrong = dict.fromkeys(self.ks, 0)

    @torch.no_grad()
    def update(self, logits: torch.Tensor, targets: torch.Tensor) -> None:
        """Add one batch.

        Args:
            logits: Scores `(N, num_classes)`.
            targets: True classes `(N,)`.

        Raises:
            ValueError: As `topk_error`.
        """
        for k in self.ks:
            _check_topk(logits, targets, k)
            self.wrong[k] += int(_topk_wrong(logits, targets, k))
        self.count += logits.shape[0]

    def compute(self) -> dict[str, float]:
        """The errors so far, as `{"top1_error": ..., "top5_error": ...}`.

        Raises:
            ValueError: If no sample was added.
        """
        if self.count == 0:
            raise ValueError("TopKError.compute() called before any update()")
        return {f"top{k}_error": self.wrong[k] / self.count for k in self.ks}


# --- regression -------------------------------------------------------------------------


def mean_absolute_error(pred: torch.Tensor, target: torch.Tensor) -> float:
    """The mean of `|pred - target|` over every element.

    Args:
        pred: Predictions, any shape.
        target: True values, the same shape.

    Returns:
        The mean absolute error, in the targets' unit (objects, for a count).

    Raises:
        ValueError: If the shapes differ or the input is empty.

    Example:
        >>> import torch
        >>> from cnnref.metrics import mean_absolute_error
        >>> mean_absolute_error(torch.tensor([2.5, 4.0]), torch.tensor([3.0, 4.0]))
        0.25
    """
    if pred.shape != target.shape:
        raise ValueError(
            f"mean_absolute_error: pred {tuple(pred.shape)} and target {tuple(target.shape)} "
            "must have the same shape"
        )
    if pred.numel() == 0:
        raise ValueError("mean_absolute_error got empty input")
    return (pred.float() - target.float()).abs().mean().item()


# --- segmentation -----------------------------------------------------------------------


def _overlap(pred: torch.Tensor, target: torch.Tensor, name: str) -> tuple[int, int, int]:
    """Intersection, size of `pred` and size of `target` of two boolean masks."""
    if pred.shape != target.shape:
        raise ValueError(
            f"{name}: pred {tuple(pred.shape)} and target {tuple(target.shape)} must have the "
            "same shape"
        )
    if pred.is_floating_point() or target.is_floating_point():
        raise TypeError(
            f"{name} expects boolean (or 0/1 integer) masks, got {pred.dtype} and {target.dtype}; "
            "threshold probabilities first, e.g. probs > 0.5"
        )
    pred, target = pred.bool(), target.bool()
    return int((pred & target).sum()), int(pred.sum()), int(target.sum())


def mask_iou(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Intersection over union (Jaccard index) of two binary masks: `|P ∩ T| / |P ∪ T|`.

    All pixels of the batch count together (as `torchmetrics.classification.BinaryJaccardIndex`
    does), so a large object weighs more than a small one.

    Args:
        pred: Predicted foreground, boolean or 0/1 integers, any shape.
        target: True foreground, the same shape.

    Returns:
        The IoU in `[0, 1]`; `1.0` when both masks are empty (nothing to find, nothing found).

    Example:
        >>> import torch
        >>> from cnnref.metrics import mask_iou
        >>> pred = torch.tensor([[1, 1, 0, 0]])
        >>> target = torch.tensor([[0, 1, 1, 0]])
        >>> round(mask_iou(pred, target), 4)
        0.3333
    """
    inter, p, t = _overlap(pred, target, "mask_iou")
    union = p + t - inter
    return inter / union if union else 1.0


def dice_score(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Dice coefficient (F1 score) of two binary masks: `2 |P ∩ T| / (|P| + |T|)`.

    Args:
        pred: Predicted foreground, boolean or 0/1 integers, any shape.
        target: True foreground, the same shape.

    Returns:
        The Dice coefficient in `[0, 1]`; `1.0` when both masks are empty.

    Example:
        >>> import torch
        >>> from cnnref.metrics import dice_score
        >>> pred = torch.tensor([[1, 1, 0, 0]])
        >>> target = torch.tensor([[0, 1, 1, 0]])
        >>> dice_score(pred, target)
        0.5
    """
    inter, p, t = _overlap(pred, target, "dice_score")
    return 2 * inter / (p + t) if p + t else 1.0


class MaskOverlap:
    """IoU and Dice over a whole dataset: update per batch, compute at the end.

    Example:
        >>> import torch
        >>> from cnnref.metrics import MaskOverlap
        >>> meter = MaskOverlap()
        >>> meter.update(torch.tensor([1, 1, 0, 0]), torch.tensor([0, 1, 1, 0]))
        >>> meter.update(torch.tensor([1, 0]), torch.tensor([1, 0]))
        >>> meter.compute()
        {'iou': 0.5, 'dice': 0.6666666666666666}
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.intersection = self.pred_size = self.target_size = 0

    def update(self, pred: torch.Tensor, target: torch.Tensor) -> None:
        """Add one batch of boolean masks (same shape)."""
        inter, p, t = _overlap(pred, target, "MaskOverlap")
        self.intersection += inter
        self.pred_size += p
        self.target_size += t

    def compute(self) -> dict[str, float]:
        """`{"iou": ..., "dice": ...}` of everything added (both `1.0` if all masks were empty)."""
        inter, total = self.intersection, self.pred_size + self.target_size
        union = total - inter
        return {"iou": inter / union if union else 1.0, "dice": 2 * inter / total if total else 1.0}


# --- localization and detection ---------------------------------------------------------


def mean_box_iou(pred: torch.Tensor, target: torch.Tensor, box_format: str = "cxcywh") -> float:
    """The mean IoU between each predicted box and its own true box (one object per image).

    Args:
        pred: Predicted boxes `(N, 4)`.
        target: True boxes `(N, 4)`, row `i` belonging to `pred[i]`.
        box_format: `"cxcywh"` (centre, width, height: the default), `"xyxy"` or `"xywh"`,
            as `torchvision.ops.box_convert` names them.

    Returns:
        The mean IoU in `[0, 1]`.

    Raises:
        ValueError: If the shapes are not `(N, 4)` alike or `N = 0`.

    Example:
        >>> import torch
        >>> from cnnref.metrics import mean_box_iou
        >>> pred = torch.tensor([[0.5, 0.5, 0.2, 0.2]])
        >>> target = torch.tensor([[0.6, 0.5, 0.2, 0.2]])  # shifted by half a width
        >>> round(mean_box_iou(pred, target), 4)
        0.3333
    """
    if pred.dim() != 2 or pred.shape[-1] != 4 or pred.shape != target.shape:
        raise ValueError(
            f"mean_box_iou expects pred and target of shape (N, 4), got {tuple(pred.shape)} "
            f"and {tuple(target.shape)}"
        )
    if pred.shape[0] == 0:
        raise ValueError("mean_box_iou got no boxes (N = 0)")
    pred = box_convert(pred.float(), box_format, "xyxy")
    target = box_convert(target.float(), box_format, "xyxy")
    return box_iou(pred, target).diagonal().mean().item()


def _average_precision(scores: list[float], hits: list[bool], num_true: int) -> float:
    """COCO's 101-point interpolated average precision of one class."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable, as COCO's mergesort
    tp = torch.tensor([hits[i] for i in order], dtype=torch.float64)
    tp_cum, fp_cum = tp.cumsum(0), (1 - tp).cumsum(0)
    recall = tp_cum / num_true
    precision = tp_cum / (tp_cum + fp_cum)
    # Make precision monotone: at each recall, the best precision at this recall or beyond.
    precision = precision.flip(0).cummax(0).values.flip(0)
    levels = torch.linspace(0, 1, 101, dtype=torch.float64)
    idx = torch.searchsorted(recall, levels, right=False)  # first point reaching each level
    reached = idx < len(recall)
    sampled = torch.zeros(101, dtype=torch.float64)
    sampled[reached] = precision[idx[reached]]
    return sampled.mean().item()


def mean_average_precision(
    predictions: Sequence[dict[str, torch.Tensor]],
    targets: Sequence[dict[str, torch.Tensor]],
    iou_threshold: float = 0.5,
    box_format: str = "cxcywh",
) -> float:
    """Mean average precision at one IoU threshold (mAP@0.5 by default), COCO style.

    For each class, the detections of all images are sorted by score; each one, in turn,
    matches the unmatched true box of its image and class with the highest IoU, if that IoU
    is at least `iou_threshold` (a true positive), else it is a false positive. Average
    precision is the mean of the precision at the 101 recall levels 0, 0.01, ..., 1 (precision
    made monotone), as `pycocotools` and `torchmetrics`' `MeanAveragePrecision` compute it;
    mAP is the mean over the classes that have at least one true box. The PASCAL VOC 2007
    11-point average gives slightly different numbers.

    Args:
        predictions: Per image, a dict with `boxes` `(D, 4)`, `scores` `(D,)`, `labels` `(D,)`.
        targets: Per image, a dict with `boxes` `(T, 4)` and `labels` `(T,)`.
        iou_threshold: The IoU a detection needs to count as found.
        box_format: The boxes' format, `"cxcywh"` (the default), `"xyxy"` or `"xywh"`.

    Returns:
        mAP in `[0, 1]`.

    Raises:
        ValueError: If the lists differ in length, are empty, or no image has a true box.

    Example:
        One image with two true boxes; one is found, plus one false alarm with a lower score:

        >>> import torch
        >>> from cnnref.metrics import mean_average_precision
        >>> target = {"boxes": torch.tensor([[0.25, 0.25, 0.2, 0.2], [0.75, 0.75, 0.2, 0.2]]),
        ...           "labels": torch.tensor([0, 0])}
        >>> pred = {"boxes": torch.tensor([[0.25, 0.26, 0.2, 0.2], [0.5, 0.5, 0.1, 0.1]]),
        ...         "scores": torch.tensor([0.9, 0.3]), "labels": torch.tensor([0, 0])}
        >>> round(mean_average_precision([pred], [target]), 4)
        0.505
    """
    if len(predictions) != len(targets):
        raise ValueError(
            f"mean_average_precision: {len(predictions)} predictions for {len(targets)} targets"
        )
    if not targets:
        raise ValueError("mean_average_precision got no images")
    scores: dict[int, list[float]] = {}
    hits: dict[int, list[bool]] = {}
    num_true: dict[int, int] = {}
    for pred, true in zip(predictions, targets, strict=True):
        true_boxes = box_convert(true["boxes"].float().reshape(-1, 4), box_format, "xyxy")
        pred_boxes = box_convert(pred["boxes"].float().reshape(-1, 4), box_format, "xyxy")
        true_labels, pred_labels = true["labels"].reshape(-1), pred["labels"].reshape(-1)
        for c in true_labels.tolist():
            num_true[c] = num_true.get(c, 0) + 1
        for c in pred_labels.unique().tolist():
            mine = (pred_labels == c).nonzero().flatten()
            mine = mine[pred["scores"][mine].float().argsort(descending=True, stable=True)]
            theirs = (true_labels == c).nonzero().flatten()
            ious = box_iou(pred_boxes[mine], true_boxes[theirs])  # (D_c, T_c)
            taken = torch.zeros(len(theirs), dtype=torch.bool)
            for row, d in enumerate(mine.tolist()):
                candidates = ious[row].masked_fill(taken, -1.0)
                best = int(candidates.argmax()) if len(theirs) else -1
                hit = best >= 0 and candidates[best] >= iou_threshold
                if hit:
                    taken[best] = True
                scores.setdefault(c, []).append(float(pred["scores"][d]))
                hits.setdefault(c, []).append(bool(hit))
    if not num_true:
        raise ValueError("mean_average_precision: no image has a true box, so mAP is undefined")
    aps = [
        _average_precision(scores.get(c, []), hits.get(c, []), n) if c in scores else 0.0
        for c, n in sorted(num_true.items())
    ]
    return sum(aps) / len(aps)
