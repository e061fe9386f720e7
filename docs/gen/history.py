"""Generators over the whole registry: the ILSVRC timeline, the dataset, the comparison table."""

from __future__ import annotations

import re

import cnnref
from cnnref import ilsvrc
from gen import Out
from gen.common import (
    FAMILIES,
    family_cards,
    millions,
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


def comparison() -> Out:
    """Every registered model in a sortable table, then parameters against single-model error.

    The table and its downloads come from `gen.explore`; the scatter plots keep each
    evaluation protocol apart (one marker per protocol), as the table's protocol column does.
    """
    from gen.explore import model_rows, model_table

    out = model_table()
    rows = model_rows()
    panels = []
    for metric in ("top5", "top1"):
        pts = [(r["model"], r["params"], r[metric], r["protocol"]) for r in rows if r[metric]]
        if pts:
            panels.append((metric, pts))
    if not panels:
        return out
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.6), squeeze=False)
    protocols = list(dict.fromkeys(p for _, pts in panels for *_, p in pts))
    markers = "osD^v<>P*X"
    descriptions = []
    for ax, (metric, pts) in zip(axes[0], panels, strict=True):
        for i, protocol in enumerate(protocols):
            group = [p for p in pts if p[3] == protocol]
            if not group:
                continue
            ax.scatter(
                [p[1] / 1e6 for p in group],
                [p[2] for p in group],
                marker=markers[i % len(markers)],
                color=f"C{i}",
                zorder=3,
                label=protocol,
            )
            for name, params, value, _ in group:
                ax.annotate(
                    name,
                    (params / 1e6, value),
                    textcoords="offset points",
                    xytext=(4, 3),
                    fontsize=7,
                )
        ax.set_xscale("log")
        ticks = [
            t for t in (1, 2, 5, 10, 20, 50, 100, 200) if t <= 2 * max(p[1] for p in pts) / 1e6
        ]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("parameters (millions, log scale)")
        label = metric.replace("top", "top-")
        ax.set_ylabel(f"single-network {label} error (%)")
        descriptions.append(
            f"{label} error: "
            + ", ".join(f"{n} {millions(p, 1)} {percent(v)} ({proto})" for n, p, v, proto in pts)
        )
    handles, labels = axes[0][0].get_legend_handles_labels()
    for ax in axes[0][1:]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(
        handles,
        labels,
        loc="lower center",
        fontsize=7,
        frameon=False,
        ncol=1,
        bbox_to_anchor=(0.5, -0.02 - 0.035 * len(labels)),
    )
    fig.tight_layout()
    out.figure(
        "comparison/params-vs-error.svg",
        svg(fig),
        "Scatter plots of parameters (log scale) against single-network ImageNet validation "
        "error, one marker per evaluation protocol; " + "; ".join(descriptions),
        "One marker per evaluation protocol: figures measured differently are not on one "
        "scale (a 10-crop figure is lower than the same network's one-crop figure).",
    )
    return out
