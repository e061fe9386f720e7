"""Data: deterministic, consistent labels, plain Datasets that a DataLoader batches."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader

from cnnref.data import SHAPES, DigitsDataset, ShapesDataset, collate_shapes


@pytest.fixture(scope="module")
def shapes() -> ShapesDataset:
    return ShapesDataset(40, seed=3)


# --- digits -----------------------------------------------------------------------------


def test_digits_split_sizes_and_scaling() -> None:
    train, test = DigitsDataset("train"), DigitsDataset("test")
    assert (len(train), len(test)) == (1437, 360)
    image, label = train[0]
    assert image.shape == (1, 32, 32) and image.dtype == torch.float32
    assert label.dtype == torch.long
    for data in (train, test):
        assert data.images.min() >= -0.1 - 1e-6 and data.images.max() <= 1.175 + 1e-6
        assert sorted(data.labels.unique().tolist()) == list(range(10))
    # Stratified: every digit is about a fifth of its total in the test split.
    counts = torch.bincount(test.labels, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37


def test_digits_are_deterministic_and_resizable() -> None:
    a, b = DigitsDataset("test"), DigitsDataset("test")
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert DigitsDataset("test", size=28)[0][0].shape == (1, 28, 28)
    with pytest.raises(ValueError, match="split must be"):
        DigitsDataset("validation")


def test_digits_shift_augmentation_moves_the_ink_only() -> None:
    plain, shifted = DigitsDataset("train"), DigitsDataset("train", shift=2)
    torch.manual_seed(0)
    first = [shifted[i][0] for i in range(20)]
    torch.manual_seed(0)
    again = [shifted[i][0] for i in range(20)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))  # seeded: repeats
    assert any(not torch.equal(a, plain[i][0]) for i, a in enumerate(first))
    for i, image in enumerate(first):
        assert image.shape == (1, 32, 32) and image.min() >= -0.1 - 1e-6
        assert shifted[i][1] == plain[i][1]


# --- shapes -----------------------------------------------------------------------------


def test_shapes_are_deterministic(shapes: ShapesDataset) -> None:
    again = ShapesDataset(40, seed=3)
    assert torch.equal(shapes.images, again.images)
    for (_, t1), (_, t2) in zip(shapes, again, strict=True):
        assert all(torch.equal(t1[k], t2[k]) for k in t1)
    longer = ShapesDataset(45, seed=3)  # a longer dataset starts with the same pictures
    assert torch.equal(longer.images[:40], shapes.images)
    assert not torch.equal(ShapesDataset(40, seed=4).images, shapes.images)
    assert not torch.equal(ShapesDataset(40, "test", seed=3).images, shapes.images)


def test_shapes_labels_agree_with_each_other(shapes: ShapesDataset) -> None:
    for image, t in shapes:
        assert image.shape == (3, 64, 64) and image.min() >= 0 and image.max() <= 1
        k = int(t["count"])
        assert 1 <= k <= 4
        assert t["labels"].shape == (k,) and t["boxes"].shape == (k, 4)
        assert set(t["mask"].unique().tolist()) == {0, *(t["labels"] + 1).tolist()}
        assert t["classes"].tolist() == [float(c in t["labels"]) for c in range(len(SHAPES))]
        for (cx, cy, w, h), label in zip(t["boxes"].tolist(), t["labels"].tolist(), strict=True):
            assert cx - w / 2 >= 0 and cy - h / 2 >= 0
            assert cx + w / 2 <= 1 and cy + h / 2 <= 1
            x0, x1 = round((cx - w / 2) * 64), round((cx + w / 2) * 64)
            y0, y1 = round((cy - h / 2) * 64), round((cy + h / 2) * 64)
            inside = t["mask"][y0:y1, x0:x1] == label + 1
            # The box is tight: the object touches all four sides of it.
            assert inside[0].any() and inside[-1].any()
            assert inside[:, 0].any() and inside[:, -1].any()


def test_shapes_objects_do_not_overlap(shapes: ShapesDataset) -> None:
    for _, t in shapes:
        pixels = int((t["mask"] > 0).sum())
        boxes = t["boxes"] * 64
        area = 0
        for i in range(len(boxes)):
            cx, cy, w, h = boxes[i].tolist()
            for j in range(i + 1, len(boxes)):
                ox, oy, ow, oh = boxes[j].tolist()
                assert abs(cx - ox) >= (w + ow) / 2 or abs(cy - oy) >= (h + oh) / 2
            area += w * h
        assert pixels <= area


def test_shapes_options() -> None:
    one = ShapesDataset(6, num_objects=(1, 1), channels=1, image_size=48, object_size=(8, 12))
    image, target = one[0]
    assert image.shape == (1, 48, 48) and target["mask"].shape == (48, 48)
    assert all(int(t["count"]) == 1 for _, t in one)
    empty = ShapesDataset(3, num_objects=(0, 0))
    assert all(len(t["boxes"]) == 0 and t["mask"].sum() == 0 for _, t in empty)
    for bad in (
        {"split": "val"},
        {"num_objects": (3, 1)},
        {"object_size": (10, 70)},
        {"channels": 2},
    ):
        with pytest.raises(ValueError, match="ShapesDataset"):
            ShapesDataset(2, **bad)


def test_collate_shapes_with_a_dataloader(shapes: ShapesDataset) -> None:
    loader = DataLoader(shapes, batch_size=8, collate_fn=collate_shapes)
    images, targets = next(iter(loader))
    assert images.shape == (8, 3, 64, 64)
    assert targets["count"].shape == (8,) and targets["mask"].shape == (8, 64, 64)
    assert targets["classes"].shape == (8, 3)
    assert len(targets["boxes"]) == len(targets["labels"]) == 8
    assert [len(b) for b in targets["boxes"]] == targets["count"].long().tolist()
