"""References: every page ends with its sources, and their BibTeX is well formed.

The BibTeX tests hold `cnnref.references.bibtex` to what a reader pastes into a .bib file:
one entry per work, a type that fits the venue, balanced braces, a unique key, the fields a
style needs. The page tests read the built site (the `site_dir` fixture in conftest.py).
"""

from __future__ import annotations

import importlib
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cnnref
from cnnref.references import REFERENCES, bibtex, bibtex_key, get_reference, kind

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# The site's reading pages (the API reference pages document code, not the history).
PAGES = sorted(p.stem for p in DOCS.glob("*.md"))


def all_papers() -> list[cnnref.Paper]:
    cards = [cnnref.get_card(name).paper for name in cnnref.list_models()]
    return list(dict.fromkeys([*cards, *REFERENCES.values()]))


def fields(entry: str) -> dict[str, str]:
    """The `name = {value}` fields of one entry (values without their outer braces)."""
    return dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entry, re.M))


# ------------------------------------------------------------------------------- BibTeX


@pytest.mark.parametrize("paper", all_papers(), ids=bibtex_key)
def test_every_entry_is_well_formed(paper: cnnref.Paper) -> None:
    entry = bibtex(paper)
    head, *body, tail = entry.splitlines()
    assert re.fullmatch(r"@(article|inproceedings|misc)\{[a-z]+\d{4}[a-z0-9]*,", head), head
    assert tail == "}"
    depth = 0
    for char in entry.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, entry
    assert depth == 0, entry
    got = fields(entry)
    assert len(got) == len(body), f"a line is not `name = {{value}},`:\n{entry}"
    for name in ("author", "title", "year", "url"):
        assert got.get(name), f"{name} missing:\n{entry}"
    assert got["url"] == paper.url
    assert got["year"] in paper.venue or got["year"] == str(paper.year)
    container = {"article": "journal", "inproceedings": "booktitle"}.get(kind(paper))
    if container:
        assert got.get(container), entry


def test_keys_are_unique() -> None:
    keys = [bibtex_key(p) for p in all_papers()]
    assert len(keys) == len(set(keys)), sorted(keys)


def test_types_follow_the_venue() -> None:
    assert kind(cnnref.get_card("lenet5").paper) == "article"  # Proceedings of the IEEE
    assert kind(cnnref.get_card("resnet50").paper) == "inproceedings"  # CVPR
    assert kind(REFERENCES["russakovsky2015"]) == "article"  # IJCV
    assert kind(REFERENCES["krizhevsky2014"]) == "misc"  # an arXiv preprint
    assert kind(REFERENCES["karpathy2014"]) == "misc"  # a blog post


def test_year_volume_number_and_note_come_from_the_venue() -> None:
    googlenet = fields(bibtex(cnnref.get_card("googlenet").paper))
    assert googlenet["year"] == "2015"  # CVPR 2015, not the architecture's 2014
    assert googlenet["note"] == "arXiv:1409.4842, 2014"
    assert googlenet["eprint"] == "1409.4842" and googlenet["archivePrefix"] == "arXiv"
    lenet = fields(bibtex(cnnref.get_card("lenet5").paper))
    assert (lenet["journal"], lenet["volume"], lenet["number"]) == (
        "Proceedings of the IEEE",
        "86",
        "11",
    )
    assert lenet["doi"] == "10.1109/5.726791"
    assert "note" not in lenet


def test_authors_titles_and_special_characters() -> None:
    paper = cnnref.Paper(
        title="U-Net & ImageNet: 100% of a CNN_Test",
        authors="G. E. Hinton, L. Fei-Fei, TorchVision maintainers",
        venue="NIPS 2012",
        year=2012,
        url="https://example.org/x",
    )
    got = fields(bibtex(paper))
    assert got["author"] == "Hinton, G. E. and Fei-Fei, L. and {TorchVision maintainers}"
    assert got["title"] == r"{U-Net} \& {ImageNet}: 100\% of a {CNN}\_Test"
    assert bibtex_key(paper) == "hinton2012u"
    assert got["booktitle"].startswith("Advances in Neural Information Processing Systems")


def test_unknown_reference_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="glorot2010"):
        get_reference("glorot")


# ----------------------------------------------------------------------------- generator


@pytest.fixture(scope="module")
def refs():
    sys.path.insert(0, str(DOCS))
    try:
        yield importlib.import_module("gen.refs")
    finally:
        sys.path.remove(str(DOCS))


def test_generator_takes_families_and_keys(refs) -> None:
    papers = refs.papers("vgg", "glorot2010", "vgg")
    assert papers == [cnnref.get_card("vgg16").paper, REFERENCES["glorot2010"]]
    every = refs.papers("families")
    assert {cnnref.get_card(n).paper for n in cnnref.list_models()} == set(every)
    with pytest.raises(ValueError, match="neither a family"):
        refs.papers("vgg17")
    with pytest.raises(ValueError):
        refs.papers()


def test_generator_prints_each_entry_with_its_bibtex(refs) -> None:
    markdown = refs.references("resnet", "he2016identity").markdown
    assert markdown.count('??? note "BibTeX"') == 2
    assert markdown.count("```text") == 2
    assert "[arXiv:1512.03385](https://arxiv.org/abs/1512.03385)" in markdown
    assert "@inproceedings{he2016identity," in markdown


# ------------------------------------------------------------------------------ the site


class _Page(HTMLParser):
    """The h2 headings of a built page, and what follows the last one."""

    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.in_h2 = False
        self.after: dict[str, int] = {"li": 0, "a": 0, "details": 0, "code": 0}
        self.in_article = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.in_article = True
        if not self.in_article:
            return
        if tag == "h2":
            self.in_h2 = True
            self.h2.append("")
            self.after = dict.fromkeys(self.after, 0)
        elif tag in self.after:
            self.after[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.in_h2 = False
        if tag == "article":
            self.in_article = False

    def handle_data(self, data: str) -> None:
        if self.in_h2:
            self.h2[-1] += data


@pytest.mark.parametrize("page", PAGES)
def test_every_page_ends_with_its_references(site_dir: Path, page: str) -> None:
    html = site_dir / ("index.html" if page == "index" else f"{page}/index.html")
    parsed = _Page()
    parsed.feed(html.read_text(encoding="utf-8"))
    headings = [h.strip().rstrip("¶").strip() for h in parsed.h2]
    assert headings and headings[-1] == "References", f"{page}: last h2 is {headings[-1:]}"
    entries = parsed.after["li"]
    assert entries >= 1, f"{page}: an empty References section"
    assert parsed.after["a"] >= entries, f"{page}: a reference without its link"
    assert parsed.after["details"] == entries, f"{page}: a reference without its BibTeX"
