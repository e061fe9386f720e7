"""Each task's loss: PyTorch's where it is PyTorch's, vanishes when right, refuses bad shapes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from cnnref.tasks.classification import classification_loss
from cnnref.tasks.detection import detection_loss, encode_detection_targets
from cnnref.tasks.localization import localization_loss
from cnnref.tasks.regression import regression_loss
from cnnref.tasks.segmentation import dice_loss, segmentation_loss


def test_classification_loss_is_cross_entropy_or_bce() -> None:
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(5, 4, generator=gen)
    labels = torch.tensor([0, 3, 1, 1, 2])
    assert torch.allclose(classification_loss(logits, labels), F.cross_entropy(logits, labels))
    multi = (torch.rand(5, 4, generator=gen) > 0.5).float()
    assert torch.allclose(
        classification_loss(logits, multi, multi_label=True),
        F.binary_cross_entropy_with_logits(logits, multi),
    )
    with pytest.raises(ValueError, match="0/1 per class"):
        classification_loss(logits, labels, multi_label=True)


@pytest.mark.parametrize(("kind", "expected"), [("mse", 2.5), ("l1", 1.5), ("smooth_l1", 1.0)])
def test_regression_loss_kinds(kind: str, expected: float) -> None:
    pred = torch.tensor([[1.0], [5.0]])
    target = torch.tensor([2.0, 3.0])  # errors 1 and 2
    assert regression_loss(pred, target, kind).item() == pytest.approx(expected)


def test_regression_loss_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="differ"):
        regression_loss(torch.zeros(4, 2), torch.zeros(4))
    with pytest.raises(ValueError, match="kind must be one of"):
        regression_loss(torch.zeros(4, 1), torch.zeros(4), kind="huber")


def test_segmentation_loss_binary_and_multiclass() -> None:
    mask = torch.zeros(2, 8, 8, dtype=torch.long)
    mask[:, 2:5, 3:7] = 1
    right = (mask.float() * 2 - 1)[:, None] * 20  # confident and right
    assert segmentation_loss(right, mask > 0).item() == pytest.approx(0.0, abs=1e-4)
    wrong = -right
    assert segmentation_loss(wrong, mask > 0).item() > 10
    three = mask.clone()
    three[:, 6:, :2] = 2
    logits = F.one_hot(three, 3).permute(0, 3, 1, 2).float() * 20
    assert segmentation_loss(logits, three).item() == pytest.approx(0.0, abs=1e-4)
    logits = torch.randn(2, 3, 8, 8, requires_grad=True)
    segmentation_loss(logits, three).backward()
    assert torch.isfinite(logits.grad).all()


def test_segmentation_loss_refuses_mismatched_sizes() -> None:
    with pytest.raises(ValueError, match="crop the target"):
        segmentation_loss(torch.zeros(1, 1, 4, 4), torch.zeros(1, 6, 6))


def test_dice_loss() -> None:
    assert dice_loss(torch.zeros(4), torch.zeros(4)).item() == 0.0  # empty and right
    assert dice_loss(torch.ones(4), torch.zeros(4)).item() == pytest.approx(0.8)


def test_localization_loss() -> None:
    boxes = torch.tensor([[0.3, 0.4, 0.2, 0.1], [0.6, 0.5, 0.3, 0.3]])
    right = torch.logit(boxes)
    assert localization_loss(right, boxes).item() == pytest.approx(0.0, abs=1e-5)
    shifted = torch.logit(boxes + torch.tensor([0.1, 0.0, 0.0, 0.0]))
    assert localization_loss(shifted, boxes).item() > 0.1
    with_classes = torch.cat([right, torch.tensor([[9.0, 0.0], [0.0, 9.0]])], dim=1)
    loss = localization_loss(with_classes, boxes, torch.tensor([0, 1]))
    assert loss.item() == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(ValueError, match="scores no classes"):
        localization_loss(right, boxes, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"boxes \(N, 4\)"):
        localization_loss(right, boxes[:1])


def _encoded() -> tuple[list, list, torch.Tensor]:
    boxes = [torch.tensor([[0.2, 0.3, 0.1, 0.2], [0.7, 0.6, 0.3, 0.1]]), torch.zeros(0, 4)]
    labels = [torch.tensor([2, 0]), torch.zeros(0, dtype=torch.long)]
    target = encode_detection_targets(boxes, labels, grid=(4, 4), num_classes=3)
    return boxes, labels, target


def test_detection_loss_is_small_when_right_and_large_when_wrong() -> None:
    boxes, labels, target = _encoded()
    right = torch.logit(target[..., :5].clamp(1e-4, 1 - 1e-4))
    right[..., 0] = torch.where(target[..., 0] > 0, 15.0, -15.0)
    right = torch.cat([right, target[..., 5:] * 20], dim=-1)
    assert detection_loss(right, boxes, labels).item() < 1e-3
    random = torch.randn_like(right, requires_grad=True)
    loss = detection_loss(random, boxes, labels)
    assert loss.item() > 1
    loss.backward()
    assert torch.isfinite(random.grad).all()


def test_detection_loss_makes_the_best_box_of_the_cell_responsible() -> None:
    boxes, labels, target = _encoded()
    right = torch.logit(target[..., :5].clamp(1e-4, 1 - 1e-4))
    right[..., 0] = torch.where(target[..., 0] > 0, 15.0, -15.0)
    far = right.clone()
    far[..., 1:5] = -6.0  # a tiny box in the cell's corner
    far[..., 0] = -15.0  # and it says "nothing here"
    classes = target[..., 5:] * 20
    # Box 0 is wrong, box 1 is right: box 1 must be chosen, so the loss stays small.
    out = torch.cat([far, right, classes], dim=-1)
    assert detection_loss(out, boxes, labels, boxes_per_cell=2).item() < 1e-3
    out = torch.cat([right, far, classes], dim=-1)
    assert detection_loss(out, boxes, labels, boxes_per_cell=2).item() < 1e-3


def test_detection_loss_refuses_bad_shapes() -> None:
    boxes, labels, _ = _encoded()
    with pytest.raises(ValueError, match="at least one class"):
        detection_loss(torch.zeros(2, 4, 4, 10), boxes, labels, boxes_per_cell=2)
    with pytest.raises(ValueError, match="box lists"):
        detection_loss(torch.zeros(3, 4, 4, 8), boxes, labels)
