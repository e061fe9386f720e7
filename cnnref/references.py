"""Publications the site cites that are not a registered model's paper, and their BibTeX.

A model's paper lives on its card (`cnnref.get_card(name).paper`); this module declares, once,
the other works the pages cite: the ILSVRC paper, Karpathy's human top-5 experiment, the papers
behind initialisation and batch norm, the pre-activation ResNet, YOLO, torchvision. Each is a
`Paper` keyed by a short id (`REFERENCES["glorot2010"]`). `bibtex` writes an entry for any
`Paper`, card or not, deriving the entry type and key from its fields.

Example:
    >>> from cnnref.references import REFERENCES, bibtex
    >>> REFERENCES["ioffe2015"].venue
    'ICML 2015'
    >>> print(bibtex(REFERENCES["ioffe2015"]).splitlines()[0])
    @inproceedings{ioffe2015batch,
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from urllib.parse import urlsplit

from cnnref import ilsvrc
from cnnref.registry import Paper

__all__ = ["CONFERENCES", "JOURNALS", "REFERENCES", "bibtex", "bibtex_key", "get_reference"]

REFERENCES: dict[str, Paper] = {
    # The ILSVRC dataset, its rules and its results (the ImageNet page).
    "russakovsky2015": ilsvrc.DATASET_PAPER,
    # The human top-5 error (the home and GoogLeNet pages).
    "karpathy2014": Paper(
        title="What I learned from competing against a ConvNet on ImageNet",
        authors="A. Karpathy",
        venue="Blog post, karpathy.github.io, 2014-09-02",
        year=2014,
        url=ilsvrc.HUMAN_URL,
    ),
    # Vanishing gradients in recurrent nets, the origin of the name.
    "bengio1994": Paper(
        title="Learning Long-Term Dependencies with Gradient Descent is Difficult",
        authors="Y. Bengio, P. Simard, P. Frasconi",
        venue="IEEE Transactions on Neural Networks 5(2)",
        year=1994,
        url="https://doi.org/10.1109/72.279181",
    ),
    # "Xavier" initialisation; VGG §3.1 notes that it trains the deep configurations directly.
    "glorot2010": Paper(
        title="Understanding the difficulty of training deep feedforward neural networks",
        authors="X. Glorot, Y. Bengio",
        venue="AISTATS 2010",
        year=2010,
        url="https://proceedings.mlr.press/v9/glorot10a.html",
    ),
    # "He"/Kaiming initialisation for ReLU networks (ResNet §3.4 uses it).
    "he2015delving": Paper(
        title="Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet "
        "Classification",
        authors="K. He, X. Zhang, S. Ren, J. Sun",
        venue="ICCV 2015",
        year=2015,
        url="https://arxiv.org/abs/1502.01852",
    ),
    "ioffe2015": Paper(
        title="Batch Normalization: Accelerating Deep Network Training by Reducing Internal "
        "Covariate Shift",
        authors="S. Ioffe, C. Szegedy",
        venue="ICML 2015",
        year=2015,
        url="https://arxiv.org/abs/1502.03167",
    ),
    # The pre-activation ResNet: the clean identity path (the ResNet and Attention pages).
    "he2016identity": Paper(
        title="Identity Mappings in Deep Residual Networks",
        authors="K. He, X. Zhang, S. Ren, J. Sun",
        venue="ECCV 2016",
        year=2016,
        url="https://arxiv.org/abs/1603.05027",
    ),
    # torchvision's single-tower AlexNet.
    "krizhevsky2014": Paper(
        title="One weird trick for parallelizing convolutional neural networks",
        authors="A. Krizhevsky",
        venue="arXiv:1404.5997",
        year=2014,
        url="https://arxiv.org/abs/1404.5997",
    ),
    # Global average pooling before the classifier (GoogLeNet §5 builds on it).
    "lin2014": Paper(
        title="Network In Network",
        authors="M. Lin, Q. Chen, S. Yan",
        venue="ICLR 2014",
        year=2014,
        url="https://arxiv.org/abs/1312.4400",
    ),
    # Inception v3: the auxiliary classifiers act as regularisers (§4).
    "szegedy2016": Paper(
        title="Rethinking the Inception Architecture for Computer Vision",
        authors="C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna",
        venue="CVPR 2016",
        year=2016,
        url="https://arxiv.org/abs/1512.00567",
    ),
    # The detection grid (the Tasks page).
    "redmon2016": Paper(
        title="You Only Look Once: Unified, Real-Time Object Detection",
        authors="J. Redmon, S. Divvala, R. Girshick, A. Farhadi",
        venue="CVPR 2016",
        year=2016,
        url="https://arxiv.org/abs/1506.02640",
    ),
    # What first-layer filters look like (the Features page). The same paper as the `zfnet`
    # card's, field for field (year: the arXiv version's), so it is listed and keyed once.
    "zeiler2014": Paper(
        title="Visualizing and Understanding Convolutional Networks",
        authors="M. D. Zeiler, R. Fergus",
        venue="ECCV 2014",
        year=2013,
        url="https://arxiv.org/abs/1311.2901",
    ),
    # --- Before 2012 (the Before 2012 page) ---
    # Receptive fields of single cells in the cat's visual cortex.
    "hubel1959receptive": Paper(
        title="Receptive fields of single neurones in the cat's striate cortex",
        authors="D. H. Hubel, T. N. Wiesel",
        venue="The Journal of Physiology 148(3)",
        year=1959,
        url="https://doi.org/10.1113/jphysiol.1959.sp006308",
    ),
    # Simple and complex cells, and the hierarchy between them.
    "hubel1962receptive": Paper(
        title="Receptive fields, binocular interaction and functional architecture in the "
        "cat's visual cortex",
        authors="D. H. Hubel, T. N. Wiesel",
        venue="The Journal of Physiology 160(1)",
        year=1962,
        url="https://doi.org/10.1113/jphysiol.1962.sp006837",
    ),
    # S-cells and C-cells with shared weights, trained without labels.
    "fukushima1980neocognitron": Paper(
        title="Neocognitron: A self-organizing neural network model for a mechanism of "
        "pattern recognition unaffected by shift in position",
        authors="K. Fukushima",
        venue="Biological Cybernetics 36(4)",
        year=1980,
        url="https://doi.org/10.1007/BF00344251",
    ),
    # The first convolutional network trained end to end by backpropagation (zip codes).
    "lecun1989backpropagation": Paper(
        title="Backpropagation Applied to Handwritten Zip Code Recognition",
        authors="Y. LeCun, B. Boser, J. S. Denker, D. Henderson, R. E. Howard, W. Hubbard, "
        "L. D. Jackel",
        venue="Neural Computation 1(4)",
        year=1989,
        url="https://doi.org/10.1162/neco.1989.1.4.541",
    ),
    # The ImageNet database, from which ILSVRC's data were drawn.
    "deng2009imagenet": Paper(
        title="ImageNet: A Large-Scale Hierarchical Image Database",
        authors="J. Deng, W. Dong, R. Socher, L.-J. Li, K. Li, L. Fei-Fei",
        venue="CVPR 2009",
        year=2009,
        url="https://doi.org/10.1109/CVPR.2009.5206848",
    ),
    # GPU committees of CNNs that led digit and traffic-sign benchmarks in 2012.
    "ciresan2012multi": Paper(
        title="Multi-column Deep Neural Networks for Image Classification",
        authors="D. Cireşan, U. Meier, J. Schmidhuber",
        venue="CVPR 2012",
        year=2012,
        url="https://arxiv.org/abs/1202.2745",
    ),
    # Rectified linear units (in RBMs).
    "nair2010rectified": Paper(
        title="Rectified Linear Units Improve Restricted Boltzmann Machines",
        authors="V. Nair, G. E. Hinton",
        venue="ICML 2010",
        year=2010,
        url="https://icml.cc/Conferences/2010/papers/432.pdf",
    ),
    # Dropout, first as a preprint, then in full.
    "hinton2012improving": Paper(
        title="Improving neural networks by preventing co-adaptation of feature detectors",
        authors="G. E. Hinton, N. Srivastava, A. Krizhevsky, I. Sutskever, R. R. Salakhutdinov",
        venue="arXiv:1207.0580",
        year=2012,
        url="https://arxiv.org/abs/1207.0580",
    ),
    "srivastava2014dropout": Paper(
        title="Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
        authors="N. Srivastava, G. E. Hinton, A. Krizhevsky, I. Sutskever, R. R. Salakhutdinov",
        venue="JMLR 15",
        year=2014,
        url="https://jmlr.org/papers/v15/srivastava14a.html",
    ),
    # --- After the networks built here (the After page; ResNeXt is SENet's base) ---
    "xie2017aggregated": Paper(
        title="Aggregated Residual Transformations for Deep Neural Networks",
        authors="S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He",
        venue="CVPR 2017",
        year=2017,
        url="https://arxiv.org/abs/1611.05431",
    ),
    "huang2017densely": Paper(
        title="Densely Connected Convolutional Networks",
        authors="G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger",
        venue="CVPR 2017",
        year=2017,
        url="https://arxiv.org/abs/1608.06993",
    ),
    # The SENet authors' release: Caffe definitions, trained weights and their errors.
    "hu2017senet": Paper(
        title="SENet: Squeeze-and-Excitation Networks, Caffe definitions and trained models",
        authors="J. Hu, L. Shen, G. Sun",
        venue="GitHub repository",
        year=2017,
        url="https://github.com/hujie-frank/SENet",
    ),
    # The library whose networks and weights the twins reproduce.
    "torchvision": Paper(
        title="TorchVision: PyTorch's Computer Vision library",
        authors="TorchVision maintainers and contributors",
        venue="GitHub repository",
        year=2016,
        url="https://github.com/pytorch/vision",
    ),
}

# Conference acronyms (as the venues print them) -> the proceedings' name in BibTeX.
CONFERENCES: dict[str, str] = {
    "AISTATS": "Proceedings of the International Conference on Artificial Intelligence and "
    "Statistics (AISTATS)",
    "CVPR": "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
    "ECCV": "European Conference on Computer Vision (ECCV)",
    "ICCV": "Proceedings of the IEEE International Conference on Computer Vision (ICCV)",
    "ICLR": "International Conference on Learning Representations (ICLR)",
    "ICML": "Proceedings of the International Conference on Machine Learning (ICML)",
    "MICCAI": "Medical Image Computing and Computer-Assisted Intervention (MICCAI)",
    "NIPS": "Advances in Neural Information Processing Systems (NIPS)",
    "NeurIPS": "Advances in Neural Information Processing Systems (NeurIPS)",
}
# Journal acronyms -> the journal's name.
JOURNALS: dict[str, str] = {
    "IJCV": "International Journal of Computer Vision",
    "TPAMI": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
    "JMLR": "Journal of Machine Learning Research",
}
_JOURNAL_WORDS = (
    "Journal",
    "Transactions",
    "Proceedings of the IEEE",
    "Letters",
    "Neural Computation",
    "Biological Cybernetics",
)
_TITLE_STOPWORDS = {"a", "an", "the", "on", "of", "for", "with", "and", "to", "in"}
_ARXIV = re.compile(r"arxiv\.org/abs/(?P<id>[\w.]+)|arXiv:(?P<id2>\d{4}\.\d{4,5})")


def get_reference(key: str) -> Paper:
    """Return the reference declared under `key`.

    Args:
        key: A key of `REFERENCES` (`"glorot2010"`).

    Returns:
        The `Paper`.

    Raises:
        ValueError: If no reference has that key; the message lists the known keys.
    """
    if key not in REFERENCES:
        raise ValueError(f"unknown reference {key!r}; known: {', '.join(sorted(REFERENCES))}")
    return REFERENCES[key]


def _venue(paper: Paper) -> tuple[str, int, str]:
    """The venue without its year or parenthesis, the publication year, and the parenthesis.

    `"CVPR 2015 (arXiv:1409.4842, 2014)"` -> `("CVPR", 2015, "arXiv:1409.4842, 2014")`.
    """
    note = ""
    venue = paper.venue.strip()
    # a trailing parenthesis is a note, unless it is an issue number ("86(11)")
    if (match := re.search(r"\s*\((?P<note>[^)]*)\)\s*$", venue)) and not match["note"].isdigit():
        note, venue = match["note"], venue[: match.start()]
    year = paper.year
    if match := re.search(r"(?:,?\s+)(?P<year>(?:19|20)\d\d)$", venue):
        year, venue = int(match["year"]), venue[: match.start()]
    return venue.strip(), year, note


def _arxiv_id(paper: Paper) -> str | None:
    for text in (paper.url, paper.venue):
        if match := _ARXIV.search(text):
            return match["id"] or match["id2"]
    return None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _first_author_surname(paper: Paper) -> str:
    first = paper.authors.split(",")[0].strip()
    if not _is_person(first):
        return first.split()[0]
    return _split_name(first)[1].split()[-1]


def _is_person(name: str) -> bool:
    """`"G. E. Hinton"` is a person (initials, then a surname); `"TorchVision maintainers"` not.

    A surname may start with lower-case particles: `"L. van der Maaten"`.
    """
    given, surname = _split_name(name)
    return bool(given) and bool(surname)


def _split_name(name: str) -> tuple[list[str], str]:
    """`"L. van der Maaten"` -> `(["L."], "van der Maaten")`; `([], "")` for no person's name."""
    words = name.split()
    given = list(itertools.takewhile(lambda w: re.fullmatch(r"(\w\.)+(-\w\.)?", w), words))
    rest = words[len(given) :]
    particles = rest[:-1]
    if not given or not rest or not all(p.islower() for p in particles):
        return [], ""
    return given, " ".join(rest)


def kind(paper: Paper) -> str:
    """The BibTeX entry type the venue implies: `article`, `inproceedings` or `misc`.

    Args:
        paper: Any `Paper`.

    Returns:
        `"article"` for a journal (a known acronym, or a name such as "Proceedings of the
        IEEE" or "... Transactions ..."), `"inproceedings"` for a known conference,
        `"misc"` for the rest (preprints, blog posts, software).

    Example:
        >>> from cnnref.references import REFERENCES, kind
        >>> kind(REFERENCES["bengio1994"]), kind(REFERENCES["torchvision"])
        ('article', 'misc')
    """
    venue, _, _ = _venue(paper)
    head = venue.split()[0] if venue else ""
    if head in JOURNALS or any(word in venue for word in _JOURNAL_WORDS):
        return "article"
    if head in CONFERENCES:
        return "inproceedings"
    return "misc"


def bibtex_key(paper: Paper) -> str:
    """A citation key in Google Scholar's form: surname, year, first word of the title.

    Args:
        paper: Any `Paper`.

    Returns:
        For example `"he2016deep"` for *Deep Residual Learning for Image Recognition* (CVPR
        2016); the year is the publication's, from the venue where it gives one.

    Example:
        >>> import cnnref
        >>> from cnnref.references import bibtex_key
        >>> bibtex_key(cnnref.get_card("resnet50").paper)
        'he2016deep'
    """
    _, year, _ = _venue(paper)
    surname = re.sub(r"[^a-z]", "", _ascii(_first_author_surname(paper)).lower())
    # the first run of letters and digits of each word: "Gradient-Based" -> "gradient"
    runs = (re.findall(r"[a-z0-9]+", _ascii(w).lower()) for w in paper.title.split())
    words = [run[0] if run else "" for run in runs]
    word = next((w for w in words if w and w not in _TITLE_STOPWORDS), "")
    return f"{surname}{year}{word}"


_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _escape(text: str) -> str:
    return "".join(_SPECIAL.get(c, c) for c in text)


def _title(title: str) -> str:
    """Escape the title and brace the words whose capitals a style must keep (`{ImageNet}`)."""

    def protect(match: re.Match) -> str:
        word = match.group(0)
        parts = word.split("-")
        inner_capital = any(c.isupper() for part in parts for c in part[1:])
        acronym = (len(word) > 1 and word.isupper()) or (
            len(parts) > 1 and any(p.isupper() for p in parts)
        )
        return f"{{{word}}}" if inner_capital or acronym else word

    return re.sub(r"[A-Za-z][\w'-]*", protect, _escape(title))


def _authors(authors: str) -> str:
    """`"K. He, G. E. Hinton"` -> `"He, K. and Hinton, G. E."`; a group name is braced whole."""
    names = []
    for name in (n.strip() for n in authors.split(",")):
        if _is_person(name):
            given, surname = _split_name(name)
            names.append(f"{_escape(surname)}, {' '.join(given)}")
        else:
            names.append(f"{{{_escape(name)}}}")
    return " and ".join(names)


def bibtex(paper: Paper) -> str:
    """A BibTeX entry for `paper`, derived from its fields.

    The entry type follows the venue (`kind`); a conference's or journal's acronym becomes its
    full name; a volume and number written `86(11)` become fields of their own; an arXiv link
    adds `eprint` and `archivePrefix`; the venue's parenthesis (`"(arXiv:1409.4842, 2014)"`)
    becomes a `note`.

    Args:
        paper: A card's paper or a value of `REFERENCES`.

    Returns:
        The entry, fields one per line, without a trailing newline.

    Example:
        >>> import cnnref
        >>> from cnnref.references import bibtex
        >>> print(bibtex(cnnref.get_card("lenet5").paper))
        @article{lecun1998gradient,
          author = {LeCun, Y. and Bottou, L. and Bengio, Y. and Haffner, P.},
          title = {Gradient-Based Learning Applied to Document Recognition},
          journal = {Proceedings of the IEEE},
          volume = {86},
          number = {11},
          year = {1998},
          url = {https://doi.org/10.1109/5.726791},
          doi = {10.1109/5.726791}
        }
    """
    entry = kind(paper)
    venue, year, note = _venue(paper)
    fields: list[tuple[str, str]] = [
        ("author", _authors(paper.authors)),
        ("title", _title(paper.title)),
    ]
    if entry == "article":
        volume = number = None
        if match := re.fullmatch(r"(?P<name>.*?)\s+(?P<volume>\d+)(?:\((?P<number>\d+)\))?", venue):
            venue, volume, number = match["name"], match["volume"], match["number"]
        fields.append(("journal", _escape(JOURNALS.get(venue, venue))))
        fields += [(k, v) for k, v in (("volume", volume), ("number", number)) if v]
    elif entry == "inproceedings":
        fields.append(("booktitle", _escape(CONFERENCES[venue.split()[0]])))
    elif venue and not venue.startswith("arXiv"):
        fields.append(("howpublished", _escape(venue)))
    fields.append(("year", str(year)))
    if note:
        fields.append(("note", _escape(note)))
    fields.append(("url", paper.url))
    if urlsplit(paper.url).hostname == "doi.org":
        fields.append(("doi", urlsplit(paper.url).path.lstrip("/")))
    if arxiv := _arxiv_id(paper):
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{bibtex_key(paper)},\n{body}\n}}"
