"""What a CNN learns: `lenet5_modern`'s first-layer filters before and after training on digits.

The digits recipe runs with every seed of the tasks page (`gen.tasks.SEEDS`, shared cache);
each model's initial weights are rebuilt exactly as `cnnref.recipes.run` draws them, so the
page compares each filter with where it started, and its sentences are computed from that.
"""

from __future__ import annotations

import statistics

import torch

import cnnref
from gen import Out
from gen.common import bare, pyplot, svg
from gen.tasks import SEEDS, recipe_result, spread

LOW = 1  # spatial frequencies up to this (in cycles per filter) count as "low"
SMOOTH = 0.6  # filters with at least this share of energy at low frequencies count as smooth


def initial(result, layer: str) -> torch.Tensor:
    """The layer's weights before training, drawn as `cnnref.recipes.run` draws them."""
    recipe = result.recipe
    torch.manual_seed(result.recipe.config.seed)
    model = cnnref.create_model(recipe.backbone, task=recipe.task, **recipe.model_kwargs)
    return getattr(model, layer).weight.detach().clone()


def low_share(weight: torch.Tensor) -> float:
    """Share of the filters' energy (sum of squared weights) at low spatial frequencies.

    A smooth filter (a blob, a wide edge) keeps most of its energy there; white noise spreads
    it evenly, so for random filters the share is about the fraction of low frequencies.
    """
    spectrum = torch.fft.fft2(weight - weight.mean(dim=(-2, -1), keepdim=True)).abs() ** 2
    k = weight.shape[-1]
    f = torch.fft.fftfreq(k) * k  # cycles per filter: 0, 1, 2, -2, -1 for k = 5
    low = (f.abs()[:, None] <= LOW) & (f.abs()[None, :] <= LOW)
    return (spectrum[..., low].sum() / spectrum.sum()).item()


def features(layer: str = "c1") -> Out:
    """Initial and trained filters of `layer` per seed, measures of change, feature maps."""
    results = {seed: recipe_result("digits", seed) for seed in SEEDS}
    first = results[SEEDS[0]]
    recipe = first.recipe
    trained = {s: getattr(r.model.cpu().eval(), layer).weight.detach() for s, r in results.items()}
    start = {s: initial(r, layer) for s, r in results.items()}
    out_channels, k = trained[SEEDS[0]].shape[0], trained[SEEDS[0]].shape[-1]
    name = layer.upper()
    change = [((trained[s] - start[s]).norm() / start[s].norm()).item() for s in SEEDS]
    low_before = [low_share(start[s]) for s in SEEDS]
    low_after = [low_share(trained[s]) for s in SEEDS]
    low_change = [low_share(trained[s] - start[s]) for s in SEEDS]
    accuracy = [r.metrics["accuracy"] for r in results.values()]

    plt = pyplot()
    out = Out()
    kinds = ("initial", "trained", "change")
    rows = len(kinds) * len(SEEDS)
    fig, axes = plt.subplots(rows, out_channels, figsize=(1.0 * out_channels, 1.05 * rows))
    for r, (seed, when) in enumerate((s, w) for s in SEEDS for w in kinds):
        weights = {"initial": start, "trained": trained}[when][seed] if when != "change" else None
        if weights is None:
            weights = trained[seed] - start[seed]
        for c in range(out_channels):
            ax = axes[r, c]
            w = weights[c, 0]
            limit = w.abs().max()
            ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)
            bare(ax)
            if r == 0:
                ax.set_title(f"filter {c}", fontsize=8)
        axes[r, 0].set_ylabel(f"seed {seed}\n{when}", fontsize=7)
    out.figure(
        f"features/{layer}-filters.svg",
        svg(fig),
        f"The {out_channels} {k}x{k} filters of lenet5_modern's {name} layer for seeds "
        f"{', '.join(map(str, SEEDS))}: for each seed its initial weights, its trained weights "
        "and the change (trained minus initial), red for positive and blue for negative "
        "weights (each filter scaled to its own "
        f"largest weight). Training moved them by {spread(change, '.0%')} of their initial "
        f"norm; their share of energy at the lowest spatial frequencies went from "
        f"{spread(low_before, '.0%')} to {spread(low_after, '.0%')}; the change keeps "
        f"{spread(low_change, '.0%')} of its energy there",
    )
    chance = (2 * LOW + 1) ** 2 / k**2
    smooth = statistics.median(low_after)
    out.add(
        f"**What the filters show** (median [min – max] over seeds "
        f"{', '.join(map(str, SEEDS))}): training for {recipe.config.epochs} epochs moved "
        f"{name}'s weights by {spread(change, '.0%')} of their initial norm, and the share of "
        f"the filters' energy at the lowest spatial frequencies (at most {LOW} cycle across "
        f"the {k}×{k} filter, {chance:.0%} of the frequencies) went from "
        f"{spread(low_before, '.0%')} at initialisation to {spread(low_after, '.0%')}; the "
        f"network reads {spread(accuracy, '.1%')} of the held-out digits."
    )
    added = statistics.median(low_change)
    if smooth < SMOOTH:
        text = (
            "A smooth template, a blob or a wide edge or stroke, keeps most of its energy at "
            f"those low frequencies; the trained filters keep {smooth:.0%}, near the "
            f"{statistics.median(low_before):.0%} of their random starting points, so after "
            "this short run they are not recognisable stroke or edge detectors: each still "
            "looks like noise."
        )
        if added >= SMOOTH:
            text += (
                f" What training added is smooth: the change (trained minus initial, the third "
                f"row of each seed) keeps {spread(low_change, '.0%')} of its energy at low "
                f"frequencies. Its norm is {spread(change, '.0%')} of the random start's, so the "
                "start still dominates what each trained filter looks like. The network reads "
                "the digits well all the same."
            )
        out.add(text)
    else:
        out.add(
            f"The trained filters keep {smooth:.0%} of their energy at low frequencies, against "
            f"{statistics.median(low_before):.0%} at initialisation: they have become smooth "
            "templates (compare each seed's rows)."
        )

    digits, labels = [], []
    for i in range(len(first.test_data)):
        image, label = first.test_data[i]
        if int(label) not in labels:
            digits.append(image)
            labels.append(int(label))
        if len(digits) == 3:
            break
    conv = getattr(first.model.cpu().eval(), layer)
    with torch.no_grad():
        maps = conv(torch.stack(digits))  # (3, out, h, w)
    fig, axes = plt.subplots(
        len(digits), out_channels + 1, figsize=(1.1 * (out_channels + 1), 1.15 * len(digits))
    )
    for r, image in enumerate(digits):
        axes[r, 0].imshow(image[0], cmap="gray_r")
        axes[r, 0].set_ylabel(f"digit {labels[r]}", fontsize=8)
        for c in range(out_channels):
            axes[r, c + 1].imshow(maps[r, c], cmap="magma")
            if r == 0:
                axes[r, c + 1].set_title(f"map {c}", fontsize=8)
        for ax in axes[r]:
            bare(ax)
    axes[0, 0].set_title("input", fontsize=8)
    size = maps.shape[-1]
    out.figure(
        f"features/{layer}-maps.svg",
        svg(fig),
        f"Three test digits ({', '.join(map(str, labels))}) and the {out_channels} "
        f"{size}x{size} feature maps {name} of seed {SEEDS[0]}'s network computes from each, "
        "before its activation: each map is the digit filtered by one of the filters above",
    )
    out.add(
        f'The networks behind these pictures: `cnnref.recipes.run("digits", quick=True)` '
        f"with `seed=` {', '.join(map(str, SEEDS))}, `{recipe.backbone}` trained for "
        f"{recipe.config.epochs} epochs on "
        f"{len(first.train_data):,} digits (batch {recipe.config.batch_size}, AdamW, peak "
        f"learning rate {recipe.config.lr:g}) at build time; held-out accuracy "
        f"{spread(accuracy, '.1%')} on {len(first.test_data)} test digits, the same runs as "
        "the [tasks page](tasks.md)'s classification section."
    )
    return out
