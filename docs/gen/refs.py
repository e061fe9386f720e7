"""The References section that ends every page: the papers it cites, with BibTeX to copy.

`<!-- gen: references ARGS -->` takes any mix of
- a family name (`vgg`): the papers of the family's cards;
- `families`: every family's papers, in the site's order;
- a key of `cnnref.references.REFERENCES` (`glorot2010`): a work that is no model's paper.

Each reference is printed as authors, title, venue and a link, with its BibTeX entry
(`cnnref.references.bibtex`) in a collapsed block whose copy button copies it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import cnnref
from cnnref.references import REFERENCES, bibtex, get_reference
from gen import Out
from gen.common import FAMILIES, FAMILY, code, family_cards, indent


def _family_papers(family: str) -> list[cnnref.Paper]:
    return list(dict.fromkeys(card.paper for card in family_cards(family)))


def papers(*args: str) -> list[cnnref.Paper]:
    """The papers the arguments name, each once, in the order given.

    Args:
        *args: Family names, `families`, or keys of `cnnref.references.REFERENCES`.

    Returns:
        The papers.

    Raises:
        ValueError: If an argument is none of these, or no argument is given.
    """
    if not args:
        raise ValueError("references: name a family, `families` or a reference key")
    found: list[cnnref.Paper] = []
    for arg in args:
        if arg == "families":
            found += [p for f in FAMILIES for p in _family_papers(f.name)]
        elif arg in FAMILY:
            found += _family_papers(arg)
        elif arg in REFERENCES:
            found.append(get_reference(arg))
        else:
            raise ValueError(
                f"references: {arg!r} is neither a family ({', '.join(FAMILY)}), `families`, "
                f"nor a reference key ({', '.join(sorted(REFERENCES))})"
            )
    return list(dict.fromkeys(found))


def link_text(url: str) -> str:
    """A short label for a paper's link: `arXiv:1512.03385`, `doi:10.1109/5.726791`, a host."""
    parts = urlsplit(url)
    if parts.hostname == "arxiv.org" and parts.path.startswith("/abs/"):
        return f"arXiv:{parts.path.removeprefix('/abs/')}"
    if parts.hostname == "doi.org":
        return f"doi:{parts.path.lstrip('/')}"
    return parts.hostname or url


def entry(paper: cnnref.Paper) -> str:
    """One reference as a Markdown list item with its BibTeX in a collapsed block."""
    title = paper.title.replace("*", r"\*")
    label = link_text(paper.url)
    has_year = re.search(r"\b(?:19|20)\d\d\b", paper.venue)
    venue = paper.venue if has_year else f"{paper.venue}, {paper.year}"
    if venue.startswith(label):  # an arXiv preprint: the venue is the link
        cite = f"{paper.authors}. *{title}*. [{label}]({paper.url}){venue[len(label) :]}."
    else:
        cite = f"{paper.authors}. *{title}*. {venue}. [{label}]({paper.url})"
    block = f'??? note "BibTeX"\n\n{indent(code(bibtex(paper), "text"))}'
    return f"1. {cite}\n\n{indent(block)}"


def references(*args: str) -> Out:
    """The References list for the papers `args` names (see the module's docstring)."""
    return Out().add(*(entry(p) for p in papers(*args)))
