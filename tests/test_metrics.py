"""Metrics: the edge cases, and agreement with torchmetrics (and pycocotools for mAP)."""

from __future__ import annotations

import pytest
import torch
from torchmetrics.functional.classification import (
    binary_f1_score,
    binary_jaccard_index,
    multiclass_accuracy,
)
from torchvision.ops import box_convert, box_iou

from cnnref import metrics

# --- top-k error ------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_topk_error_agrees_with_torchmetrics(k: int) -> None:
    gen = torch.Generator().manual_seed(k)
    logits = torch.randn(257, 10, generator=gen)
    targets = torch.randint(0, 10, (257,), generator=gen)
    ours = metrics.topk_error(logits, targets, k)
    theirs = multiclass_accuracy(logits, targets, num_classes=10, top_k=k, average="micro")
    assert ours == pytest.approx(1 - theirs.item(), abs=1e-6)


def test_accuracy_is_one_minus_top1_error() -> None:
    logits = torch.tensor([[3.0, 1.0, 0.0], [0.0, 1.0, 3.0], [1.0, 3.0, 0.0], [0.0, 0.0, 1.0]])
    targets = torch.tensor([0, 1, 1, 2])
    assert metrics.accuracy(logits, targets) == 0.75
    assert metrics.topk_error(logits, targets, 1) == 0.25
    assert metrics.topk_error(logits, targets, 2) == 0.0


def test_ilsvrc_definition_worked_example() -> None:
    # 1000 images, the true class is in the top 5 for 847 of them: 15.3 % top-5 error.
    logits = torch.zeros(1000, 1000)
    logits[:, :5] = torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])  # every image guesses 0..4
    targets = torch.full((1000,), 7)
    targets[:847] = torch.arange(847) % 5
    assert metrics.topk_error(logits, targets, k=5) == pytest.approx(0.153)


@pytest.mark.parametrize(
    ("logits", "targets", "k", "message"),
    [
        (torch.zeros(4, 3), torch.zeros(4, dtype=torch.long), 4, "larger than the number"),
        (torch.zeros(4, 3), torch.zeros(4, dtype=torch.long), 0, "positive integer"),
        (torch.zeros(0, 3), torch.zeros(0, dtype=torch.long), 1, "empty"),
        (torch.zeros(4, 3), torch.tensor([0, 1, 2, 3]), 1, r"\[0, 2\]"),
        (torch.zeros(4, 3), torch.tensor([0, -1, 2, 1]), 1, r"\[0, 2\]"),
        (torch.zeros(4, 3), torch.zeros(5, dtype=torch.long), 1, "shape"),
        (torch.zeros(4), torch.zeros(4, dtype=torch.long), 1, r"\(N, num_classes\)"),
        (torch.zeros(4, 3), torch.zeros(4, 1, dtype=torch.long), 1, "shape"),
    ],
)
def test_topk_error_refuses_bad_input(logits, targets, k, message) -> None:
    with pytest.raises(ValueError, match=message):
        metrics.topk_error(logits, targets, k)


def test_topk_error_refuses_float_targets() -> None:
    with pytest.raises(TypeError, match="integer"):
        metrics.topk_error(torch.zeros(2, 3), torch.zeros(2), 1)


def test_streaming_topk_matches_whole_dataset() -> None:
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(300, 20, generator=gen)
    targets = torch.randint(0, 20, (300,), generator=gen)
    meter = metrics.TopKError()
    for chunk in range(0, 300, 64):  # uneven last batch
        meter.update(logits[chunk : chunk + 64], targets[chunk : chunk + 64])
    result = meter.compute()
    assert set(result) == {"top1_error", "top5_error"}
    assert result["top1_error"] == pytest.approx(metrics.topk_error(logits, targets, 1))
    assert result["top5_error"] == pytest.approx(metrics.topk_error(logits, targets, 5))
    assert meter.count == 300
    meter.reset()
    with pytest.raises(ValueError, match="before any update"):
        meter.compute()


def test_streaming_topk_refuses_too_few_classes() -> None:
    with pytest.raises(ValueError, match="k=5"):
        metrics.TopKError().update(torch.zeros(2, 3), torch.zeros(2, dtype=torch.long))


# --- regression -------------------------------------------------------------------------


def test_mean_absolute_error() -> None:
    assert metrics.mean_absolute_error(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 4.0])) == 1.5
    with pytest.raises(ValueError, match="same shape"):
        metrics.mean_absolute_error(torch.zeros(2), torch.zeros(3))
    with pytest.raises(ValueError, match="empty"):
        metrics.mean_absolute_error(torch.zeros(0), torch.zeros(0))


# --- segmentation -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_mask_iou_and_dice_agree_with_torchmetrics(seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    pred = torch.rand(4, 16, 16, generator=gen) > 0.6
    target = torch.rand(4, 16, 16, generator=gen) > 0.5
    iou = binary_jaccard_index(pred.int(), target.int()).item()
    dice = binary_f1_score(pred.int(), target.int()).item()  # Dice is F1 on pixels
    assert metrics.mask_iou(pred, target) == pytest.approx(iou, abs=1e-6)
    assert metrics.dice_score(pred, target) == pytest.approx(dice, abs=1e-6)
    meter = metrics.MaskOverlap()
    for i in range(4):
        meter.update(pred[i], target[i])
    assert meter.compute() == pytest.approx({"iou": iou, "dice": dice}, abs=1e-6)


def test_mask_metrics_edge_cases() -> None:
    empty = torch.zeros(3, 3, dtype=torch.bool)
    full = torch.ones(3, 3, dtype=torch.bool)
    assert metrics.mask_iou(empty, empty) == 1.0  # nothing to find, nothing found
    assert metrics.dice_score(empty, empty) == 1.0
    assert metrics.mask_iou(full, empty) == 0.0
    assert metrics.mask_iou(full, full) == 1.0
    assert metrics.MaskOverlap().compute() == {"iou": 1.0, "dice": 1.0}
    with pytest.raises(ValueError, match="same shape"):
        metrics.mask_iou(empty, torch.zeros(2, 3, dtype=torch.bool))
    with pytest.raises(TypeError, match="threshold"):
        metrics.dice_score(torch.rand(3, 3), full)


# --- boxes ------------------------------------------------------------------------------


def test_mean_box_iou_agrees_with_torchvision() -> None:
    gen = torch.Generator().manual_seed(0)
    pred = torch.cat([torch.rand(20, 2, generator=gen), 0.1 + torch.rand(20, 2, generator=gen)], 1)
    target = pred + 0.05 * torch.randn(20, 4, generator=gen)
    target[:, 2:] = target[:, 2:].abs()
    expected = box_iou(box_convert(pred, "cxcywh", "xyxy"), box_convert(target, "cxcywh", "xyxy"))
    assert metrics.mean_box_iou(pred, target) == pytest.approx(expected.diagonal().mean().item())
    xyxy = box_convert(pred, "cxcywh", "xyxy")
    assert metrics.mean_box_iou(xyxy, xyxy, box_format="xyxy") == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        metrics.mean_box_iou(pred, target[:5])
    with pytest.raises(ValueError, match="no boxes"):
        metrics.mean_box_iou(torch.zeros(0, 4), torch.zeros(0, 4))


def _random_detections(seed: int) -> tuple[list[dict], list[dict]]:
    """Images with 0-4 true boxes of 3 classes; noisy, shuffled and false detections."""
    gen = torch.Generator().manual_seed(seed)
    preds, targets = [], []
    for _ in range(12):
        k = int(torch.randint(0, 5, (1,), generator=gen))
        centres = 0.2 + 0.6 * torch.rand(k, 2, generator=gen)
        sizes = 0.05 + 0.2 * torch.rand(k, 2, generator=gen)
        boxes = torch.cat([centres, sizes], 1)
        labels = torch.randint(0, 3, (k,), generator=gen)
        targets.append({"boxes": boxes, "labels": labels})
        noisy = boxes + 0.03 * torch.randn(k, 4, generator=gen)
        noisy[:, 2:] = noisy[:, 2:].abs() + 0.01
        wrong_label = torch.where(torch.rand(k, generator=gen) < 0.2, (labels + 1) % 3, labels)
        f = int(torch.randint(0, 3, (1,), generator=gen))  # false alarms
        false = torch.cat([torch.rand(f, 2, generator=gen), 0.1 * torch.ones(f, 2)], 1)
        preds.append(
            {
                "boxes": torch.cat([noisy, false]),
                "scores": torch.rand(k + f, generator=gen),
                "labels": torch.cat([wrong_label, torch.randint(0, 3, (f,), generator=gen)]),
            }
        )
    return preds, targets


@pytest.mark.parametrize("seed", range(4))
def test_map50_agrees_with_torchmetrics(seed: int) -> None:
    pytest.importorskip("pycocotools")
    from torchmetrics.detection import MeanAveragePrecision

    preds, targets = _random_detections(seed)
    reference = MeanAveragePrecision(box_format="cxcywh", iou_thresholds=[0.5])
    reference.update(preds, targets)
    expected = reference.compute()["map"].item()
    assert metrics.mean_average_precision(preds, targets) == pytest.approx(expected, abs=1e-6)


def test_map50_simple_cases() -> None:
    truth = [{"boxes": torch.tensor([[0.5, 0.5, 0.2, 0.2]]), "labels": torch.tensor([1])}]
    perfect = [{"boxes": truth[0]["boxes"], "scores": torch.ones(1), "labels": torch.tensor([1])}]
    assert metrics.mean_average_precision(perfect, truth) == pytest.approx(1.0)
    wrong_class = [{**perfect[0], "labels": torch.tensor([0])}]
    assert metrics.mean_average_precision(wrong_class, truth) == 0.0
    nothing = [{"boxes": torch.zeros(0, 4), "scores": torch.zeros(0), "labels": torch.zeros(0)}]
    assert metrics.mean_average_precision(nothing, truth) == 0.0
    with pytest.raises(ValueError, match="no image has a true box"):
        metrics.mean_average_precision(
            perfect, [{"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.long)}]
        )
    with pytest.raises(ValueError, match="predictions for"):
        metrics.mean_average_precision(perfect, truth * 2)
    with pytest.raises(ValueError, match="no images"):
        metrics.mean_average_precision([], [])
