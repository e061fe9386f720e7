"""One loss per task, each taking the raw output of the matching head in `cnnref.heads`.

| task | loss |
|---|---|
| classification | cross-entropy (softmax), or binary cross-entropy per class (multi-label) |
| regression | mean squared error, or L1 |
| segmentation | binary cross-entropy + Dice (1 class), cross-entropy + Dice (several) |
| localization | L1 + generalised IoU on the box, cross-entropy on the class |
| detection | YOLO v1's grid loss (`detection_loss`) |

Every loss returns a 0-d tensor, the mean over the batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision.ops import box_convert, generalized_box_iou_loss

from cnnref.heads import encode_detection_targets

__all__ = [
    "classification_loss",
    "detection_loss",
    "dice_loss",
    "localization_loss",
    "regression_loss",
    "segmentation_loss",
]


def classification_loss(
    logits: torch.Tensor, target: torch.Tensor, multi_label: bool = False
) -> torch.Tensor:
    """Cross-entropy of softmax probabilities, or binary cross-entropy of a sigmoid per class.

    Args:
        logits: `(N, num_classes)`.
        target: Class indices `(N,)`, or for `multi_label` 0/1 floats `(N, num_classes)`.
        multi_label: Whether an image may carry several classes.

    Returns:
        The mean loss.

    Example:
        >>> import torch
        >>> from cnnref.losses import classification_loss
        >>> round(classification_loss(torch.zeros(1, 4), torch.tensor([2])).item(), 4)  # ln 4
        1.3863
        >>> classification_loss(torch.zeros(1, 2), torch.tensor([[1.0, 0.0]]), multi_label=True)
        tensor(0.6931)
    """
    if multi_label:
        if target.shape != logits.shape:
            raise ValueError(
                f"classification_loss(multi_label=True) expects targets of the logits' shape "
                f"{tuple(logits.shape)} (0/1 per class), got {tuple(target.shape)}"
            )
        return F.binary_cross_entropy_with_logits(logits, target.to(logits.dtype))
    return F.cross_entropy(logits, target)


def regression_loss(pred: torch.Tensor, target: torch.Tensor, kind: str = "mse") -> torch.Tensor:
    """Mean squared error (`"mse"`), mean absolute error (`"l1"`) or `"smooth_l1"`.

    Args:
        pred: Predictions `(N, num_outputs)`.
        target: True values, `(N, num_outputs)` or `(N,)` for one output.
        kind: Which loss.

    Returns:
        The mean loss.

    Example:
        >>> import torch
        >>> from cnnref.losses import regression_loss
        >>> regression_loss(torch.tensor([[2.0], [4.0]]), torch.tensor([3.0, 4.0]))
        tensor(0.5000)
    """
    if target.dim() == 1 and pred.dim() == 2 and pred.shape[1] == 1:
        target = target[:, None]
    if pred.shape != target.shape:
        raise ValueError(
            f"regression_loss: pred {tuple(pred.shape)} and target {tuple(target.shape)} differ"
        )
    losses = {"mse": F.mse_loss, "l1": F.l1_loss, "smooth_l1": F.smooth_l1_loss}
    if kind not in losses:
        raise ValueError(f"regression_loss: kind must be one of {', '.join(losses)}, got {kind!r}")
    return losses[kind](pred, target.to(pred.dtype))


def dice_loss(probs: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """Soft Dice loss `1 - (2 Σ p t + ε) / (Σ p + Σ t + ε)`, over all pixels of the batch.

    Args:
        probs: Foreground probabilities, any shape.
        target: 0/1 foreground, the same shape.
        eps: Smoothing; keeps the loss defined (and 0) for empty masks.

    Returns:
        The loss in `[0, 1)`.

    Example:
        >>> import torch
        >>> from cnnref.losses import dice_loss
        >>> dice_loss(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 0.0]))
        tensor(0.)
    """
    target = target.to(probs.dtype)
    inter = (probs * target).sum()
    return 1 - (2 * inter + eps) / (probs.sum() + target.sum() + eps)


def segmentation_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Pixel-wise cross-entropy plus Dice loss.

    One output map (binary segmentation): binary cross-entropy of the sigmoid + Dice of the
    foreground. Several maps: cross-entropy of the softmax + the mean Dice of every class.
    The Dice term weighs a small object as much as the background around it.

    Args:
        logits: `(N, num_classes, H, W)`.
        target: Class index per pixel `(N, H, W)`; for one map, 0/1 (or boolean) foreground.

    Returns:
        The mean loss.

    Raises:
        ValueError: If the sizes differ (a `"valid"` U-Net's output is smaller than its input:
            crop the target to the output first).

    Example:
        >>> import torch
        >>> from cnnref.losses import segmentation_loss
        >>> loss = segmentation_loss(torch.full((1, 1, 2, 2), 20.0), torch.ones(1, 2, 2))
        >>> round(loss.item(), 4)  # confident and right
        0.0
    """
    if logits.dim() != 4 or target.shape != (logits.shape[0], *logits.shape[2:]):
        raise ValueError(
            f"segmentation_loss expects logits (N, C, H, W) and a target (N, H, W) of the same "
            f"N, H, W, got {tuple(logits.shape)} and {tuple(target.shape)} (a 'valid' U-Net's "
            "output is smaller than its input: crop the target to the output's size)"
        )
    if logits.shape[1] == 1:
        fg = target.to(logits.dtype)
        bce = F.binary_cross_entropy_with_logits(logits[:, 0], fg)
        return bce + dice_loss(logits[:, 0].sigmoid(), fg)
    probs = logits.softmax(dim=1)
    one_hot = F.one_hot(target.long(), logits.shape[1]).permute(0, 3, 1, 2)
    dice = torch.stack([dice_loss(probs[:, c], one_hot[:, c]) for c in range(logits.shape[1])])
    return F.cross_entropy(logits, target.long()) + dice.mean()


def localization_loss(
    output: torch.Tensor, boxes: torch.Tensor, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """L1 + generalised IoU loss on the box, plus cross-entropy on the class if scored.

    The L1 term pulls each number to its target; the generalised IoU term
    (`torchvision.ops.generalized_box_iou_loss`) rewards overlap directly, which is what the
    metric measures, and still has a gradient when the boxes do not overlap.

    Args:
        output: A `LocalizationHead`'s output `(N, 4 + num_classes)`.
        boxes: True boxes `(N, 4)`, `(cx, cy, w, h)` normalised to the image.
        labels: True classes `(N,)`, if the head scores classes.

    Returns:
        The mean loss.

    Example:
        >>> import torch
        >>> from cnnref.losses import localization_loss
        >>> box = torch.tensor([[0.5, 0.5, 0.5, 0.5]])
        >>> round(localization_loss(torch.logit(box), box).item(), 4)  # a perfect box
        0.0
    """
    if output.dim() != 2 or output.shape[1] < 4 or boxes.shape != (output.shape[0], 4):
        raise ValueError(
            f"localization_loss expects output (N, 4 + num_classes) and boxes (N, 4), got "
            f"{tuple(output.shape)} and {tuple(boxes.shape)}"
        )
    pred = output[:, :4].sigmoid()
    boxes = boxes.to(pred.dtype)
    loss = F.l1_loss(pred, boxes) + generalized_box_iou_loss(
        box_convert(pred, "cxcywh", "xyxy"), box_convert(boxes, "cxcywh", "xyxy"), reduction="mean"
    )
    if labels is not None:
        if output.shape[1] == 4:
            raise ValueError("localization_loss got labels, but the head scores no classes")
        loss = loss + F.cross_entropy(output[:, 4:], labels)
    return loss


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
        >>> from cnnref.losses import detection_loss
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
