"""The ILSVRC timeline: every winner 2010-2017 once, each figure once, with its source."""

from __future__ import annotations

from pathlib import Path

import pytest

import cnnref
from cnnref import ilsvrc

DOCS = Path(__file__).resolve().parents[1] / "docs"

# year: (team, top-5 test error in %, a CNN?), as the organisers' results pages give them
# (AlexNet, GoogLeNet, ResNet and SENet as their papers give them, on their cards).
WINNERS = {
    2010: ("NEC-UIUC", 28.191, False),
    2011: ("XRCE", 25.770, False),
    2012: ("SuperVision", 15.3, True),
    2013: ("Clarifai", 11.743, True),
    2014: ("GoogLeNet", 6.67, True),
    2015: ("MSRA", 3.57, True),
    2016: ("Trimps-Soushen", 2.991, True),
    2017: ("WMW", 2.251, True),
}


def _value(entry: ilsvrc.Entry) -> float:
    return cnnref.get_card(entry.card).headline.value if entry.card else entry.top5


def test_every_winner_once() -> None:
    winners = [e for e in ilsvrc.TIMELINE if e.place == 1]
    assert [e.year for e in winners] == list(range(2010, 2018))
    assert {e.year: (e.team, _value(e), e.cnn) for e in winners} == WINNERS
    assert [e.year for e in ilsvrc.TIMELINE] == sorted(e.year for e in ilsvrc.TIMELINE)


def test_runner_up_2012() -> None:
    (runner,) = [e for e in ilsvrc.TIMELINE if e.place == 2]
    assert (runner.year, runner.team, runner.top5, runner.cnn) == (2012, "ISI", 26.172, False)
    assert "26.2 % in Zeiler & Fergus 2014, Table 2" in runner.setting


def test_each_figure_lives_once() -> None:
    for e in ilsvrc.TIMELINE:
        # A figure is either here or on a registered card, never both.
        assert (e.top5 is None) == (e.card is not None), e
        assert e.source and e.setting and e.method
        if e.card:
            card = cnnref.get_card(e.card)
            assert card.family == e.family
            assert str(e.year) in card.headline.benchmark
            assert card.headline.metric == "top-5 error" and "test" in card.headline.setting
        if e.family:
            assert e.family in [f.name for f in cnnref.list_families()]


def test_the_winners_fall() -> None:
    values = [_value(e) for e in ilsvrc.TIMELINE if e.place == 1]
    assert values == sorted(values, reverse=True)


def test_human_study() -> None:
    h = ilsvrc.HUMAN_STUDY
    assert h.value == ilsvrc.HUMAN.value == 5.1
    assert "§6.4" in h.source and "one expert annotator" in h.setting and "12.0 %" in h.setting
    assert ilsvrc.results_url(2017).endswith("/LSVRC/2017/results.php")


def test_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(DOCS))
    from gen import GENERATORS
    from gen.timeline import timeline

    assert GENERATORS["timeline"] == "timeline:timeline"
    out = timeline()
    text = out.markdown
    for year, (team, value, _) in WINNERS.items():
        assert f"| {year} | winner | {team}" in text
        assert f"{value} %" in text
    assert text.count("**not a CNN**") == 3  # 2010, 2011 and the 2012 runner-up
    assert "Russakovsky et al., IJCV 2015, §6.4" in text
    assert list(out.files) == ["home/ilsvrc-timeline.svg"]
    only = timeline("2013").markdown
    assert "Clarifai" in only and "NEC-UIUC" not in only and not timeline("2013").files
