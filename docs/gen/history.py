"""Generators over the whole registry: the ILSVRC timeline, the dataset, the comparison table."""

from __future__ import annotations

import re

import cnnref
from cnnref import ilsvrc
from gen import Out
from gen.common import (
    FAMILIES,
    family_cards,
    inference_params,
    millions,
    mult_adds,
    paper_link,
    percent,
    pyplot,
    svg,
    table,
    thousands,
)


def _challenge_top5(card: cnnref.ModelCard) -> list[cnnref.Result]:
    """The card's ILSVRC top-5 errors on the challenge's test set."""
    return [
        r
        for r in card.results
        if "ILSVRC" in r.benchmark and r.metric == "top-5 error" and "test" in r.setting.lower()
    ]


def _best_top5() -> list[tuple[str, cnnref.ModelCard, cnnref.Result]]:
    """Per family, the lowest ILSVRC test-set top-5 error its cards report, in year order."""
    best = []
    for family in FAMILIES:
        found = [
            (r.value, c.name, c, r) for c in family_cards(family.name) for r in _challenge_top5(c)
        ]
        if found:
            _, _, card, result = min(found, key=lambda f: f[0])
            best.append((family.title, card, result))
    return sorted(best, key=lambda b: b[1].year)


def ilsvrc_plot() -> Out:
    """Bar chart of the best ILSVRC top-5 error per architecture, by year, against the human."""
    best = _best_top5()
    out = Out()
    if not best:
        return out.add('!!! note "No ILSVRC result is registered yet"')
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    labels = [f"{title}\n{card.year}" for title, card, _ in best]
    values = [r.value for _, _, r in best]
    bars = ax.bar(labels, values, color="#4c6ef5", width=0.6)
    ax.bar_label(bars, labels=[percent(v) for v in values], padding=2)
    human = ilsvrc.HUMAN.value
    ax.axhline(human, color="#e8590c", linestyle="--", linewidth=1.5)
    ax.text(
        len(best) - 0.5, human + 0.3, f"human, about {percent(human)}", color="#e8590c", ha="right"
    )
    ax.set_ylabel("ILSVRC top-5 error (%)")
    ax.set_ylim(0, max(values) * 1.15)
    ax.grid(axis="x", visible=False)
    points = ", ".join(f"{t} ({c.year}) {percent(r.value)}" for t, c, r in best)
    out.figure(
        "home/ilsvrc-top5.svg",
        svg(fig),
        f"Bar chart of the best ILSVRC top-5 error reported by each architecture: {points}; "
        f"a dashed line marks the human error of about {percent(human)}",
    )
    rows = [
        [title, str(card.year), percent(r.value), r.setting, r.source] for title, card, r in best
    ]
    year = re.search(r"\d{4}", ilsvrc.HUMAN.benchmark)
    rows.append(
        [
            "human",
            year.group() if year else "",
            f"about {percent(human)}",
            ilsvrc.HUMAN.setting,
            f"[{ilsvrc.HUMAN.source}]({ilsvrc.HUMAN_URL})",
        ]
    )
    out.add(table(["", "year", "top-5 error", "setting", "source"], rows, "llrll"))
    return out


def ilsvrc_data() -> Out:
    """The dataset's real size beside the outline's figure."""
    first, last = ilsvrc.DATA_YEARS
    splits = [[split, thousands(n)] for split, n in ilsvrc.SPLITS.items()]
    splits.append(["**total**", f"**{thousands(ilsvrc.total_images())}**"])
    outline = thousands(ilsvrc.OUTLINE_IMAGES)
    return Out().add(
        f"The classification data of the challenges {first} to {last}, the years of AlexNet, "
        "GoogLeNet and VGG:",
        table(["split", "images"], splits, "lr"),
        f"{thousands(ilsvrc.NUM_CLASSES)} classes. Source: {ilsvrc.DATASET_SOURCE}, that is "
        f"{paper_link(ilsvrc.DATASET_PAPER)}",
        f'!!! warning "Misconception: “{outline} images”"\n\n'
        f"    The lecture outline gives the dataset as {outline} images. The training split "
        f"alone has {thousands(ilsvrc.SPLITS['train'])}, about "
        f"{ilsvrc.SPLITS['train'] / ilsvrc.OUTLINE_IMAGES:.0f} times as many, and the test split "
        f"{thousands(ilsvrc.SPLITS['test'])}.",
    )


def human() -> Out:
    """One sentence on the human error, with its source."""
    g = ilsvrc.GOOGLENET_ON_HUMAN_IMAGES
    return Out().add(
        f"A trained human reached a top-5 error of about {percent(ilsvrc.HUMAN.value)} on "
        f"1,500 test images; GoogLeNet made {percent(g.value)} on the same images "
        f"([{ilsvrc.HUMAN.source}]({ilsvrc.HUMAN_URL}))."
    )


def models_list() -> Out:
    """One row per architecture page: year, paper, registered models."""
    rows = []
    for family in FAMILIES:
        cards = family_cards(family.name)
        if not cards:
            rows.append([f"[{family.title}]({family.page})", "", "", "*not registered yet*"])
            continue
        paper = cards[0].paper
        names = ", ".join(f"`{c.name}`" for c in cards)
        rows.append(
            [
                f"[{family.title}]({family.page})",
                str(paper.year),
                f"[{paper.venue}]({paper.url})",
                names,
            ]
        )
    return Out().add(
        table(["architecture", "year", "paper", "models (`cnnref.create_model(name)`)"], rows)
    )


def _ops(n: int) -> str:
    return f"{n / 1e9:.2f} G" if n >= 1e8 else f"{n / 1e6:.2f} M"


def _single_model(card: cnnref.ModelCard, metric: str) -> cnnref.Result | None:
    """The card's single-model ImageNet validation error (`metric`), if it reports one."""
    for r in card.results:
        where = f"{r.benchmark} {r.setting}".lower()
        if r.metric == metric and "validation" in where and "torchvision" not in where:
            return r
    return None


def comparison() -> Out:
    """Every registered model in one table, then parameters against single-model error."""
    rows = []
    points: dict[str, list[tuple[str, int, float]]] = {"top-5 error": [], "top-1 error": []}
    for family in FAMILIES:
        for card in family_cards(family.name):
            params = inference_params(card.name)
            challenge = min((r.value for r in _challenge_top5(card)), default=None)
            singles = {m: _single_model(card, m) for m in points}
            for metric, r in singles.items():
                if r:
                    points[metric].append((card.name, params, r.value))
            single = "<br>".join(
                f"{m.split()[0]} {percent(r.value)}" for m, r in singles.items() if r
            )
            rows.append(
                [
                    f"[`{card.name}`]({family.page})",
                    str(card.year),
                    str(card.weight_layers or ""),
                    millions(params) if params >= 1e6 else thousands(params),
                    _ops(mult_adds(card.name)),
                    percent(challenge) if challenge is not None else "",
                    single,
                    "\u00d7".join(map(str, card.input_size[1:])),
                    str(card.min_input_size),
                ]
            )
    out = Out()
    if not rows:
        return out.add('!!! note "No model is registered yet"')
    out.add(
        table(
            [
                "model",
                "year",
                "depth",
                "parameters",
                "mult-adds",
                "ILSVRC top-5 (test)",
                "single model (val)",
                "input",
                "min input",
            ],
            rows,
            "llrrrrlrr",
        ),
        "*Depth*: layers with weights, as the paper counts them. *Parameters*: the layers that "
        "run at inference (GoogLeNet's auxiliary classifiers left out, as the paper counts); "
        "*mult-adds*: one image at the default input size; both measured by instantiating the "
        "model on the meta device. *ILSVRC top-5 (test)*: the challenge entry, usually an "
        "ensemble of several networks. *Single model (val)*: one network on the validation "
        "set, as the paper reports it. Each architecture's page gives every setting and source.",
    )
    panels = [(m, p) for m, p in points.items() if p]
    if panels:
        plt = pyplot()
        fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4), squeeze=False)
        descriptions = []
        for ax, (metric, pts) in zip(axes[0], panels, strict=True):
            for name, params, value in pts:
                ax.scatter(params / 1e6, value, color="#4c6ef5", zorder=3)
                ax.annotate(
                    name,
                    (params / 1e6, value),
                    textcoords="offset points",
                    xytext=(4, 3),
                    fontsize=7,
                )
            ax.set_xscale("log")
            ticks = [
                t
                for t in (1, 2, 5, 10, 20, 50, 100, 200)
                if t <= 2 * max(p for _, p, _ in pts) / 1e6
            ]
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            ax.set_xlabel("parameters (millions, log scale)")
            ax.set_ylabel(f"single-model {metric} (%)")
            descriptions.append(
                f"{metric}: " + ", ".join(f"{n} {millions(p, 1)} {percent(v)}" for n, p, v in pts)
            )
        fig.tight_layout()
        out.figure(
            "comparison/params-vs-error.svg",
            svg(fig),
            "Scatter plots of parameters (log scale) against single-model ImageNet validation "
            "error; " + "; ".join(descriptions),
        )
    return out
