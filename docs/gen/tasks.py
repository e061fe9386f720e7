"""The tasks page: a short training run of each recipe, its measured result and its predictions."""

from __future__ import annotations

import functools
import statistics

import torch
from matplotlib.patches import Rectangle

from cnnref import recipes
from cnnref.data import SHAPES
from gen import Out
from gen.common import bare, pyplot, svg, table

SAMPLES = 6  # pictures shown per task
SEEDS = (0, 1, 2)  # every run is repeated with these seeds; pictures show the first


@functools.cache
def recipe_result(name: str, seed: int = 0) -> recipes.RecipeResult:
    """`cnnref.recipes.run(name, quick=True, seed=seed)`, once per build (features reuses it)."""
    return recipes.run(name, quick=True, seed=seed)


def spread(values: list[float], fmt: str = ".3f") -> str:
    """`median [min – max]`."""
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}} – {max(values):{fmt}}]"


def setting(result: recipes.RecipeResult) -> str:
    """The run's setting in one sentence: data, network, schedule, optimiser, seeds."""
    recipe, cfg = result.recipe, result.recipe.config
    return (
        f"`{recipe.backbone}` with the task head; {cfg.epochs} epochs over "
        f"{len(result.train_data):,} training pictures in batches of {cfg.batch_size}; AdamW "
        f"(weight decay {cfg.weight_decay:g}), learning rate rising linearly to {cfg.lr:g} over "
        f"the first {cfg.warmup:.0%} of the steps, then a cosine decay to 0; measured on "
        f"{len(result.test_data):,} held-out pictures. Seeds {', '.join(map(str, SEEDS))} "
        "(initial weights and order of the batches; the pictures are the same)"
    )


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def _box(
    ax, box: torch.Tensor, side: int, colour: str, label: str = "", dashed: bool = False
) -> None:
    cx, cy, w, h = (box * side).tolist()
    ax.add_patch(
        Rectangle(
            (cx - w / 2 - 0.5, cy - h / 2 - 0.5),
            w,
            h,
            fill=False,
            edgecolor=colour,
            linewidth=1.6,
            linestyle="--" if dashed else "-",
        )
    )
    if label:
        ax.text(cx - w / 2, cy - h / 2 - 1.5, label, color=colour, fontsize=7, va="bottom")


def _image(ax, image: torch.Tensor) -> None:
    if image.shape[0] == 1:
        ax.imshow(image[0], cmap="gray_r")
    else:
        ax.imshow(image.permute(1, 2, 0).clamp(0, 1))
    bare(ax)


def _predictions(result: recipes.RecipeResult) -> tuple[str, str]:
    """A figure of held-out predictions (SVG) and its alt text."""
    recipe, model = result.recipe, result.model.cpu().eval()
    images, targets = zip(*(result.test_data[i] for i in range(SAMPLES)), strict=True)
    batch = torch.stack(images)
    with torch.no_grad():
        out = model(batch)
    plt = pyplot()
    rows = 3 if recipe.task == "segmentation" else 1
    fig, axes = plt.subplots(rows, SAMPLES, figsize=(1.45 * SAMPLES, 1.6 * rows), squeeze=False)
    side = batch.shape[-1]
    described = []
    for i in range(SAMPLES):
        ax = axes[0, i]
        _image(ax, batch[i])
        t = targets[i]
        if recipe.task == "classification":
            probs = out[i].softmax(0)
            guess = int(probs.argmax())
            ok = guess == int(t)
            ax.set_title(
                f"{guess} ({probs[guess]:.0%})", color="#2b8a3e" if ok else "#c92a2a", fontsize=9
            )
            described.append(f"{int(t)} read as {guess}")
        elif recipe.task == "regression":
            ax.set_title(f"{out[i, 0]:.1f} (true {int(t['count'])})", fontsize=9)
            described.append(f"{int(t['count'])} shapes, predicted {out[i, 0]:.1f}")
        elif recipe.task == "segmentation":
            pred = model.head.predict(out[i : i + 1])[0]
            axes[1, i].imshow(t["mask"] > 0, cmap="gray")
            axes[2, i].imshow(pred, cmap="gray")
            for a in axes[1:, i]:
                a.set_xticks([])
                a.set_yticks([])
                a.grid(False)
            inter = ((t["mask"] > 0) & pred).sum().item()
            union = ((t["mask"] > 0) | pred).sum().item()
            iou = f"IoU {inter / max(union, 1):.2f}"
            axes[2, i].set_xlabel(iou, fontsize=8)
            described.append(iou)
        elif recipe.task == "localization":
            pred = model.head.predict(out[i : i + 1])
            _box(ax, t["boxes"][0], side, "#2b8a3e", dashed=True)
            label = SHAPES[int(pred["labels"][0])] if "labels" in pred else ""
            _box(ax, pred["boxes"][0], side, "#f08c00", label)
            described.append(f"a {SHAPES[int(t['labels'][0])]}, predicted {label or 'a box'}")
        else:  # detection
            found = model.head.decode(out[i : i + 1], score_threshold=0.3)[0]
            for b in t["boxes"]:
                _box(ax, b, side, "#2b8a3e", dashed=True)
            for b, s, lab in zip(found["boxes"], found["scores"], found["labels"], strict=True):
                _box(ax, b, side, "#f08c00", f"{SHAPES[int(lab)]} {s:.2f}")
            described.append(f"{len(t['boxes'])} shapes, {len(found['boxes'])} boxes found")
    if recipe.task == "segmentation":
        for a, label in zip(axes[:, 0], ("picture", "true mask", "predicted"), strict=True):
            a.set_ylabel(label, fontsize=8)
    fig.tight_layout()
    legend = {
        "classification": "title: the predicted digit and its softmax probability "
        "(green right, red wrong)",
        "regression": "title: the predicted count and the true one",
        "segmentation": "rows: picture, true mask, predicted mask",
        "localization": "dashed green: the true box; orange: the predicted box and class",
        "detection": "dashed green: the true boxes; orange: the decoded boxes with class and score",
    }[recipe.task]
    alt = (
        f"{SAMPLES} held-out pictures with the {recipe.task} model's predictions ({legend}): "
        + "; ".join(described)
    )
    return svg(fig), alt


def task(name: str) -> Out:
    """Train recipe `name` (quick) with every seed; the held-out results and predictions."""
    results = [recipe_result(name, seed) for seed in SEEDS]
    result = results[0]
    recipe = result.recipe
    sample = result.test_data[0][0][None]
    with torch.no_grad():
        shape = tuple(result.model.cpu().eval()(sample).shape)
    head = type(getattr(result.model, "head", None) or result.model).__name__
    goal_sign = "≥" if recipe.higher_is_better else "≤"
    seconds = [r.seconds for r in results]
    out = Out().add(
        f'**Run:** `cnnref.recipes.run("{name}", quick=True)` with `seed=` '
        f"{', '.join(map(str, SEEDS))}: {recipe.title}. "
        f"Network `{recipe.backbone}` with `{head}`; output for one picture of shape "
        f"{tuple(sample.shape[1:])}: `{shape}`.",
        f"**Setting:** {setting(result)}. Each run took {spread(seconds, '.1f')} s at build time.",
    )
    metric_names = [k for k in result.metrics if k != recipe.metric]
    metric_names.insert(0, recipe.metric)
    rows = [
        [str(seed), *[_fmt(r.metrics[k]) for k in metric_names]]
        for seed, r in zip(SEEDS, results, strict=True)
    ]
    rows.append(
        ["median [min – max]", *[spread([r.metrics[k] for r in results]) for k in metric_names]]
    )
    out.add(
        "Held-out metrics after the last epoch, per seed:",
        table(
            ["seed", *[m.replace("_", " ") for m in metric_names]],
            rows,
            "r" * (len(metric_names) + 1),
        ),
    )
    met = sum(r.reached for r in results)
    full = recipes.RECIPES[name]
    more = f" on {full.train_size:,} pictures" if "train_size" in full.quick else ""
    values = [r.value for r in results]
    out.add(
        f"Held-out **{recipe.metric.replace('_', ' ')} = {spread(values)}** (median [min – max] "
        f"over {len(SEEDS)} seeds); {met} of {len(SEEDS)} runs meet the quick goal "
        f"({goal_sign} {recipe.quick_goal:g}). The full recipe (`python -m cnnref train {name}`, "
        f"{full.config.epochs} epochs{more}) aims at "
        f"{goal_sign} {recipe.goal:g}. The pictures below are seed {SEEDS[0]}'s predictions."
    )
    picture, alt = _predictions(result)
    return out.figure(f"tasks/{name}.svg", picture, alt)
