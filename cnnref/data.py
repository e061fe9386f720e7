"""Data that needs no download: handwritten digits, and synthetic shapes for every task.

- `DigitsDataset`: the 1,797 handwritten digits scikit-learn ships (8x8 pixels, 16 grey
  levels, from the UCI "optical recognition of handwritten digits" set), resized to LeNet-5's
  32x32 input, with a fixed train/test split. A small stand-in for MNIST.
- `ShapesDataset`: seeded synthetic pictures of squares, circles and triangles. Every image
  carries all labels at once (the number of objects, each object's class and box, the
  segmentation mask and the set of classes present), so one dataset serves all five tasks.

Both are plain `torch.utils.data.Dataset`s, generated in memory and deterministic: the same
arguments give the same tensors on every machine. scikit-learn is imported only when a
`DigitsDataset` is built (it is in the `data`, `test` and `docs` extras).

Example:
    >>> from cnnref.data import ShapesDataset
    >>> data = ShapesDataset(4, seed=0)
    >>> image, target = data[0]
    >>> image.shape, sorted(target)
    (torch.Size([3, 64, 64]), ['boxes', 'classes', 'count', 'labels', 'mask'])
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

__all__ = ["SHAPES", "DigitsDataset", "ShapesDataset", "collate_shapes"]

SHAPES = ("square", "circle", "triangle")
SPLITS = ("train", "test")


class DigitsDataset(Dataset):
    """scikit-learn's handwritten digits, 32x32, scaled the way LeNet-5's inputs were.

    The 8x8 images are resized bilinearly to `size x size` and scaled so that the background
    is -0.1 and full ink 1.175, which gives them a mean near 0 and a variance near 1, as
    LeCun et al. (1998, §II-A) did for MNIST. The split is fixed: a stratified 80/20 split with
    `random_state=0`, 1,437 training and 360 test images.

    Args:
        split: `"train"` or `"test"`.
        size: Side of the resized images (32 for LeNet-5).
        shift: Shift each image by a random number of pixels in `[-shift, shift]` along each
            axis every time it is read (training augmentation, in the spirit of the paper's
            distortions; drawn from torch's global generator, so a seeded run repeats).

    Attributes:
        images: `(N, 1, size, size)` floats.
        labels: `(N,)` digits 0-9.

    Raises:
        ImportError: If scikit-learn is not installed.
        ValueError: If `split` is unknown.

    Example:
        >>> from cnnref.data import DigitsDataset
        >>> test = DigitsDataset("test")
        >>> len(test), test[0][0].shape, test.labels[:5].tolist()
        (360, torch.Size([1, 32, 32]), [7, 6, 3, 7, 7])
    """

    num_classes = 10

    def __init__(self, split: str = "train", size: int = 32, shift: int = 0) -> None:
        if split not in SPLITS:
            raise ValueError(f"DigitsDataset: split must be 'train' or 'test', got {split!r}")
        try:
            from sklearn.datasets import load_digits
            from sklearn.model_selection import train_test_split
        except ImportError as err:
            raise ImportError(
                "DigitsDataset needs scikit-learn (it ships the digits): "
                "pip install 'cnnref[data]' or pip install scikit-learn"
            ) from err
        digits = load_digits()
        train_idx, test_idx = train_test_split(
            np.arange(len(digits.target)), test_size=0.2, stratify=digits.target, random_state=0
        )
        idx = train_idx if split == "train" else test_idx
        pixels = torch.tensor(digits.images[idx], dtype=torch.float32)[:, None] / 16  # [0, 1]
        pixels = F.interpolate(pixels, size=(size, size), mode="bilinear", align_corners=False)
        self.images = pixels * 1.275 - 0.1  # background -0.1, ink 1.175
        self.labels = torch.tensor(digits.target[idx], dtype=torch.long)
        self.split, self.shift = split, shift

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        image = self.images[i]
        if self.shift:
            s, size = self.shift, image.shape[-1]
            dy, dx = (torch.randint(0, 2 * s + 1, (2,))).tolist()
            padded = F.pad(image, [s] * 4, value=-0.1)  # background all around
            image = padded[:, dy : dy + size, dx : dx + size]
        return image, self.labels[i]


def _draw(shape: str, size: float, cx: float, cy: float, side: int) -> np.ndarray:
    """A boolean `side x side` mask of one shape of the given size centred at `(cx, cy)`."""
    y, x = np.mgrid[0:side, 0:side] + 0.5  # pixel centres
    half = size / 2
    if shape == "square":
        return (abs(x - cx) <= half) & (abs(y - cy) <= half)
    if shape == "circle":
        return (x - cx) ** 2 + (y - cy) ** 2 <= half**2
    top = cy - half  # an upright isosceles triangle: apex at the top, base at the bottom
    depth = (y - top) / size  # 0 at the apex, 1 at the base
    return (depth >= 0) & (depth <= 1) & (abs(x - cx) <= depth * half)


class ShapesDataset(Dataset):
    """Seeded pictures of non-overlapping squares, circles and triangles, with every label.

    Each picture has a dark, slightly noisy background of a random colour and between
    `num_objects[0]` and `num_objects[1]` bright shapes of random colour and size that do not
    touch one another. Image `i` of a split depends only on `(seed, split, i)`, so a bigger
    dataset starts with the same pictures, and the test split never repeats a training picture.

    Each item is `(image, target)`:

    - `image`: `(channels, image_size, image_size)` floats in `[0, 1]`;
    - `target["count"]`: the number of objects, a float (regression);
    - `target["labels"]`: `(K,)` class of each object, an index into `SHAPES`;
    - `target["boxes"]`: `(K, 4)` tight box of each object, `(cx, cy, w, h)` normalised to the
      image (localization, detection);
    - `target["mask"]`: `(image_size, image_size)` 0 for background, `1 + class` on an object
      (segmentation: `mask > 0` is the binary foreground);
    - `target["classes"]`: `(3,)` 1.0 for each class present (multi-label classification).

    Args:
        num_images: Number of pictures.
        split: `"train"` or `"test"`.
        seed: Seed of the pictures.
        image_size: Side of the square pictures in pixels.
        num_objects: Fewest and most objects per picture (inclusive). If a picture has no room
            left, it gets fewer; `count` always tells the truth.
        object_size: Smallest and largest side of an object in pixels.
        channels: 3 for colour, 1 for grey.

    Example:
        >>> import torch
        >>> from cnnref.data import ShapesDataset
        >>> a, b = ShapesDataset(3, seed=1), ShapesDataset(5, seed=1)
        >>> torch.equal(a[2][0], b[2][0])  # deterministic, independent of the length
        True
        >>> a[0][1]["count"], a[0][1]["boxes"].shape
        (tensor(4.), torch.Size([4, 4]))
    """

    num_classes = len(SHAPES)

    def __init__(
        self,
        num_images: int = 1000,
        split: str = "train",
        seed: int = 0,
        image_size: int = 64,
        num_objects: tuple[int, int] = (1, 4),
        object_size: tuple[float, float] = (10, 22),
        channels: int = 3,
    ) -> None:
        if split not in SPLITS:
            raise ValueError(f"ShapesDataset: split must be 'train' or 'test', got {split!r}")
        if not 0 <= num_objects[0] <= num_objects[1]:
            raise ValueError(f"ShapesDataset: num_objects must be (low, high), got {num_objects}")
        if not 1 <= object_size[0] <= object_size[1] <= image_size - 4:
            raise ValueError(
                f"ShapesDataset: object_size {object_size} must fit a {image_size}-pixel image"
            )
        if channels not in (1, 3) or num_images < 0:
            raise ValueError(
                f"ShapesDataset: channels must be 1 or 3 and num_images >= 0, got {channels} "
                f"and {num_images}"
            )
        self.image_size, self.channels = image_size, channels
        self.num_objects, self.object_size = num_objects, object_size
        self.split, self.seed = split, seed
        images, self.targets = [], []
        for i in range(num_images):
            rng = np.random.default_rng([seed, SPLITS.index(split), i])
            image, target = self._picture(rng)
            images.append(image)
            self.targets.append(target)
        self.images = torch.stack(images) if images else torch.zeros(0, channels, image_size, 1)

    def _picture(self, rng: np.random.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        side, c = self.image_size, self.channels
        image = rng.uniform(0.0, 0.3, size=(c, 1, 1)) + rng.normal(0, 0.03, size=(c, side, side))
        mask = np.zeros((side, side), dtype=np.int64)
        placed: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1 of each object
        boxes, labels = [], []
        wanted = rng.integers(self.num_objects[0], self.num_objects[1] + 1)
        for _ in range(wanted):
            for _attempt in range(50):
                cls = int(rng.integers(len(SHAPES)))
                size = rng.uniform(*self.object_size)
                cx, cy = rng.uniform(size / 2 + 1, side - size / 2 - 1, size=2)
                x0, y0, x1, y1 = cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2
                gap = 2  # pixels kept free between two objects
                if all(
                    x1 + gap <= a0 or a1 + gap <= x0 or y1 + gap <= b0 or b1 + gap <= y0
                    for a0, b0, a1, b1 in placed
                ):
                    break
            else:
                break  # no room for another object
            placed.append((x0, y0, x1, y1))
            shape = _draw(SHAPES[cls], size, cx, cy, side)
            image[:, shape] = rng.uniform(0.5, 1.0, size=(c, 1))
            mask[shape] = cls + 1
            ys, xs = np.nonzero(shape)
            left, right, top, bottom = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
            boxes.append(
                [(left + right) / 2 / side, (top + bottom) / 2 / side, (right - left) / side,
                 (bottom - top) / side]
            )  # fmt: skip
            labels.append(cls)
        labels_t = torch.tensor(labels, dtype=torch.long)
        target = {
            "count": torch.tensor(float(len(labels))),
            "labels": labels_t,
            "boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
            "mask": torch.from_numpy(mask),
            "classes": torch.zeros(len(SHAPES)).index_fill_(0, labels_t, 1.0),
        }
        return torch.tensor(image.clip(0, 1), dtype=torch.float32), target

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        return self.images[i], self.targets[i]


def collate_shapes(
    batch: list[tuple[torch.Tensor, dict[str, torch.Tensor]]],
) -> tuple[torch.Tensor, dict[str, torch.Tensor | list[torch.Tensor]]]:
    """Batch `ShapesDataset` items for a `DataLoader(..., collate_fn=collate_shapes)`.

    Images, counts, masks and class sets are stacked; boxes and labels, whose number varies
    from picture to picture, stay lists of tensors.

    Args:
        batch: Items of a `ShapesDataset`.

    Returns:
        `(images (N, C, H, W), targets)` with `count (N,)`, `mask (N, H, W)`,
        `classes (N, 3)`, and `boxes`, `labels` lists of `N` tensors.

    Example:
        >>> from cnnref.data import collate_shapes, ShapesDataset
        >>> images, targets = collate_shapes([ShapesDataset(2)[i] for i in range(2)])
        >>> images.shape, targets["mask"].shape, len(targets["boxes"])
        (torch.Size([2, 3, 64, 64]), torch.Size([2, 64, 64]), 2)
    """
    images = torch.stack([image for image, _ in batch])
    targets: dict[str, torch.Tensor | list[torch.Tensor]] = {
        key: torch.stack([t[key] for _, t in batch]) for key in ("count", "mask", "classes")
    }
    for key in ("boxes", "labels"):
        targets[key] = [t[key] for _, t in batch]
    return images, targets
