"""The ILSVRC classification winners 2010-2017, the 2012 runner-up and the human estimate.

Every figure comes from `cnnref.ilsvrc.TIMELINE`, or, where an entry names a registered model
(`Entry.card`), from that model's card: each figure lives once, with its source.
"""

from __future__ import annotations

import cnnref
from cnnref import ilsvrc
from gen import Out
from gen.common import FAMILY, percent, pyplot, svg, table

CNN, OTHER, HUMAN = "#4c6ef5", "#adb5bd", "#e8590c"


def entry_result(entry: ilsvrc.Entry) -> tuple[float, str]:
    """An entry's top-5 test error and the source of that figure."""
    if entry.card is not None:
        headline = cnnref.get_card(entry.card).headline
        return headline.value, f"{headline.source}; {entry.source}"
    assert entry.top5 is not None, f"{entry.year} {entry.team}: no figure and no card"
    return entry.top5, entry.source


def _source_link(entry: ilsvrc.Entry, source: str) -> str:
    """The source, the results page's address written out (image-net.org is not a paper)."""
    page = ilsvrc.results_url(entry.year).removeprefix("https://")
    return source.replace(entry.source, f"{entry.source} (`{page}`)")


def _team(entry: ilsvrc.Entry) -> str:
    if entry.family in FAMILY and FAMILY[entry.family].title != entry.team:
        return f"{entry.team} ([{FAMILY[entry.family].title}]({FAMILY[entry.family].page}))"
    return entry.team


def timeline(*years: str) -> Out:
    """The winners (and the 2012 runner-up) as a chart and a table; `years` narrows the table."""
    chosen = {int(y) for y in years}
    entries = [e for e in ilsvrc.TIMELINE if not chosen or e.year in chosen]
    out = Out()
    if not chosen:
        out = _chart(out)
    rows = []
    for e in entries:
        value, source = entry_result(e)
        rows.append(
            [
                str(e.year),
                "winner" if e.place == 1 else "runner-up",
                _team(e),
                e.method,
                "CNN" if e.cnn else "**not a CNN**",
                percent(value),
                e.setting,
                _source_link(e, source),
            ]
        )
    out.add(
        table(
            ["year", "place", "team", "method", "kind", "top-5 error", "setting", "source"],
            rows,
            "lllllrll",
        )
    )
    if not chosen:
        h = ilsvrc.HUMAN_STUDY
        out.add(
            f"**The human estimate, about {percent(h.value)}**, is {h.setting} "
            f"({h.source}; A1 was A. Karpathy: [{ilsvrc.HUMAN.source}]({ilsvrc.HUMAN_URL})). "
            "It is one trained person on a sample of the test set, not a measurement of "
            "people in general; the figures above are mostly ensembles of several networks, "
            "and 2010 and 2011 used data of their own (Russakovsky et al., IJCV 2015, "
            "Table 2)."
        )
    return out


def _chart(out: Out) -> Out:
    winners = [e for e in ilsvrc.TIMELINE if e.place == 1]
    runners = [e for e in ilsvrc.TIMELINE if e.place != 1]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    values = [entry_result(e)[0] for e in winners]
    colours = [CNN if e.cnn else OTHER for e in winners]
    bars = ax.bar([str(e.year) for e in winners], values, color=colours, width=0.6)
    ax.bar_label(bars, labels=[f"{v:g} %" for v in values], padding=2, fontsize=8)
    labels = [str(e.year) for e in winners]
    for e in runners:
        value = entry_result(e)[0]
        x = labels.index(str(e.year))
        ax.plot([x + 0.38], [value], marker="D", color=CNN if e.cnn else OTHER, linestyle="")
        ax.annotate(
            f"{e.team}, 2nd\n{value:g} %",
            (x + 0.38, value),
            textcoords="offset points",
            xytext=(6, -4),
            fontsize=7,
        )
    human = ilsvrc.HUMAN_STUDY.value
    ax.axhline(human, color=HUMAN, linestyle="--", linewidth=1.3)
    ax.set_ylabel("top-5 error on the test set (%)")
    ax.set_ylim(0, max(values) * 1.18)
    ax.grid(axis="x", visible=False)
    ax.legend(
        handles=[
            plt.Rectangle((0, 0), 1, 1, color=OTHER, label="not a CNN"),
            plt.Rectangle((0, 0), 1, 1, color=CNN, label="CNN"),
            plt.Line2D(
                [], [], color=HUMAN, linestyle="--", label=f"one trained human, {human:g} %"
            ),
        ],
        loc="upper right",
        fontsize=8,
    )
    points = ", ".join(
        f"{e.year} {e.team} {v:g} %{'' if e.cnn else ' (not a CNN)'}"
        for e, v in zip(winners, values, strict=True)
    )
    runner = "; ".join(f"runner-up {e.year} {e.team} {entry_result(e)[0]:g} %" for e in runners)
    return out.figure(
        "home/ilsvrc-timeline.svg",
        svg(fig),
        f"Bar chart of the ILSVRC classification winners' top-5 test error by year: {points}; "
        f"{runner}; a dashed line marks one trained human's estimate of about {human:g} %",
    )
