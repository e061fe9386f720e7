"""Zeiler & Fergus's questions asked of a network trained here: what excites a unit, what matters.

The network is `lenet5_modern` (ReLU, max-pooling, a linear output), trained on the site's
offline digits (`cnnref.data.DigitsDataset`) for a few epochs, once per seed. Two probes:

- **What input pattern most excites a unit?** Gradient ascent on the input (Erhan et al. 2009,
  which Zeiler & Fergus §1.1 cite as the alternative to their deconvnet): start from a blank
  image, follow the gradient of one unit's activation, keep the pixels in the data's range and
  their energy small (an L2 penalty). For the ten output units, and for the sixteen C3 maps
  (the unit at the centre of each map, its 14×14 receptive field shown).
- **Which part of the image does the network use?** The occlusion experiment of §4.2: slide a
  blank square over a test digit and record the probability of the true class at each
  position; compare squares that cover ink with squares that cover only background.

Everything runs over `SEEDS` (three trainings), so the conclusions drawn are the seeds'
common ground, not one run's luck.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

import cnnref
from cnnref.data import DigitsDataset
from gen import Out
from gen.common import bare, pyplot, svg, table

SEEDS = (0, 1, 2)
EPOCHS, BATCH, LR = 5, 64, 3e-3
BLANK, INK = -0.1, 1.175  # DigitsDataset's background and full ink
ASCENT_STEPS, ASCENT_LR, L2 = 100, 0.05, 0.01
OCCLUDER, STRIDE = 8, 4  # a blank 8×8 square every 4 pixels
RF = 14  # a C3 unit sees 14×14 input pixels (5×5 conv, 2×2 pool, 5×5 conv)


def train(seed: int) -> tuple[torch.nn.Module, float]:
    """`lenet5_modern` trained on the digits with `seed`; its held-out accuracy."""
    torch.manual_seed(seed)
    train_set, test_set = DigitsDataset("train"), DigitsDataset("test")
    model = cnnref.create_model("lenet5_modern")
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        order = torch.randperm(len(train_set), generator=generator)
        for i in range(0, len(order), BATCH):
            idx = order[i : i + BATCH]
            loss = F.cross_entropy(model(train_set.images[idx]), train_set.labels[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(test_set.images).argmax(1) == test_set.labels).float().mean().item()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, accuracy


def ascend(unit, count: int, seed: int) -> torch.Tensor:
    """Inputs `(count, 1, 32, 32)` that maximise `unit(x)` (one value per image), from blank."""
    gen = torch.Generator().manual_seed(seed)
    x = (BLANK + 0.01 * torch.randn(count, 1, 32, 32, generator=gen)).requires_grad_(True)
    optimiser = torch.optim.Adam([x], lr=ASCENT_LR)
    for _ in range(ASCENT_STEPS):
        objective = unit(x) - L2 * (x - BLANK).pow(2).flatten(1).sum(1)
        optimiser.zero_grad()
        (-objective.sum()).backward()
        optimiser.step()
        with torch.no_grad():
            x.clamp_(BLANK, INK)  # stay in the data's range
    return x.detach()


def class_units(model: torch.nn.Module, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Ascent images for the ten output units and the model's softmax on them."""
    images = ascend(lambda x: model(x)[torch.arange(10), torch.arange(10)], 10, seed)
    with torch.no_grad():
        probs = model(images).softmax(1)
    return images, probs


def c3_units(model: torch.nn.Module, seed: int) -> torch.Tensor:
    """Ascent patterns of the centre unit of each of the 16 C3 maps, cropped to its field."""

    def centre(x: torch.Tensor) -> torch.Tensor:
        maps = model.c3(model.s2(F.relu(model.c1(x))))  # (16, 16, 10, 10), before the ReLU
        return maps[torch.arange(16), torch.arange(16), 5, 5]

    images = ascend(centre, 16, seed)
    top = 2 * 5  # the unit at (5, 5) of C3 sees input rows/columns 10 to 23
    return images[:, :, top : top + RF, top : top + RF]


def occlusion(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple:
    """Probability of the true class with a blank square at each position (§4.2).

    Returns:
        `(maps, ink_drop, background_drop)`: `(N, P, P)` probabilities, and the mean drop from
        the unoccluded probability where the square covers ink and where it covers none.
    """
    n, side = len(images), images.shape[-1]
    positions = range(0, side - OCCLUDER + 1, STRIDE)
    with torch.no_grad():
        base = model(images).softmax(1)[torch.arange(n), labels]
        maps = torch.empty(n, len(positions), len(positions))
        ink, background = [], []
        for r, y in enumerate(positions):
            for c, x in enumerate(positions):
                occluded = images.clone()
                occluded[:, :, y : y + OCCLUDER, x : x + OCCLUDER] = BLANK
                p = model(occluded).softmax(1)[torch.arange(n), labels]
                maps[:, r, c] = p
                covers_ink = (images[:, 0, y : y + OCCLUDER, x : x + OCCLUDER] > 0.5).any(2).any(1)
                ink.append((base - p)[covers_ink])
                background.append((base - p)[~covers_ink])
    return maps, torch.cat(ink).mean().item(), torch.cat(background).mean().item()


def _grid(plt, rows: list, name: str, width: float, height: float, title_size: int):
    """One row of images per training (labelled by its seed), one column per unit."""
    columns = len(rows[0][1])
    fig, axes = plt.subplots(len(rows), columns, figsize=(width * columns, height * len(rows)))
    for r, (seed, images) in enumerate(rows):
        for k in range(columns):
            ax = axes[r, k]
            ax.imshow(images[k, 0], cmap="gray_r", vmin=BLANK, vmax=INK)
            bare(ax)
            if r == 0:
                ax.set_title(f"{name} {k}", fontsize=title_size)
        axes[r, 0].set_ylabel(f"seed {seed}", fontsize=8)
    return fig


def zfnet_probes() -> Out:
    """The two probes over `SEEDS`: pictures for every seed, numbers in one table."""
    test_set = DigitsDataset("test")
    plt = pyplot()
    out = Out()
    rows, runs = [], []
    for seed in SEEDS:
        model, accuracy = train(seed)
        images, probs = class_units(model, seed)
        patterns = c3_units(model, seed)
        maps, ink, background = occlusion(model, test_set.images, test_set.labels)
        hits = int((probs.argmax(1) == torch.arange(10)).sum())
        runs.append((seed, images, patterns, maps, hits, probs, ink, background))
        rows.append(
            [
                str(seed),
                f"{accuracy:.1%}",
                f"{hits} of 10",
                f"{probs.diagonal().min().item():.3f}",
                f"{ink:.3f}",
                f"{background:.3f}",
            ]
        )

    fig = _grid(plt, [(seed, images) for seed, images, *_ in runs], "unit", 1.0, 1.15, 8)
    out.figure(
        "zfnet/class-units.svg",
        svg(fig),
        f"For each of {len(SEEDS)} trainings (rows) of LeNet-5 (modern) on the digits, the input "
        "that gradient ascent finds for each of the ten output units (columns, digits 0 to 9), "
        "dark where the input has ink",
    )

    fig = _grid(plt, [(seed, patterns) for seed, _, patterns, *_ in runs], "map", 0.75, 0.95, 7)
    out.figure(
        "zfnet/c3-units.svg",
        svg(fig),
        f"For each of {len(SEEDS)} trainings (rows), the 14x14 input patch that most excites the "
        "centre unit of each of the 16 C3 feature maps (columns), found by gradient ascent: "
        "blobs and bars of ink at different places and angles, different in every training",
    )

    _, _, _, maps, *_ = runs[0]
    shown = [int((test_set.labels == d).nonzero()[0]) for d in (0, 4, 7)]
    fig, axes = plt.subplots(2, len(shown), figsize=(1.9 * len(shown), 3.8))
    for c, i in enumerate(shown):
        axes[0, c].imshow(test_set.images[i, 0], cmap="gray_r")
        axes[0, c].set_title(f"digit {int(test_set.labels[i])}", fontsize=8)
        axes[1, c].imshow(maps[i], cmap="magma", vmin=0, vmax=1)
        for ax in axes[:, c]:
            bare(ax)
    axes[1, 0].set_ylabel("p(true class)", fontsize=8)
    out.figure(
        "zfnet/occlusion.svg",
        svg(fig),
        "Three test digits (top) and, below each, the probability of its true class when a "
        f"blank {OCCLUDER}x{OCCLUDER} square covers each position (seed {SEEDS[0]}): dark "
        "where covering the strokes destroys the answer, bright where the square covers "
        "background",
    )

    all_hits = all(r[4] == 10 for r in runs)
    ink_wins = sum(r[6] > r[7] for r in runs)
    out.add(
        table(
            [
                "seed",
                "test accuracy",
                "ascent images classified as their unit",
                "lowest p(unit's class)",
                "mean drop, square on ink",
                "mean drop, square on background",
            ],
            rows,
            "rrrrrr",
        ),
        f"Each row: `lenet5_modern` trained for {EPOCHS} epochs (Adam, learning rate {LR}, "
        f"batches of {BATCH}) on the {len(DigitsDataset('train'))} training digits with that "
        f"seed; held-out accuracy on {len(test_set)} test digits; {ASCENT_STEPS} steps of "
        f"gradient ascent per unit; occlusion by a blank {OCCLUDER}×{OCCLUDER} square every "
        f"{STRIDE} pixels over all test digits (the drop is the true class's probability "
        "without the square minus with it). "
        + (
            f"In all {len(SEEDS)} seeds every output unit's ascent image is classified as that "
            "unit's digit"
            if all_hits
            else "Not every output unit's ascent image is classified as its digit"
        )
        + f", and in {ink_wins} of {len(SEEDS)} seeds covering ink costs more probability "
        "than covering background: the network's answer rests on the strokes, as Zeiler & "
        "Fergus found for objects against their background (§4.2).",
    )
    return out
