"""The model registry: one `ModelCard` per model name, the single source of truth.

Every public builder in `cnnref.models` is registered here with the facts the site prints
about it: the paper, the result it reported with its source, the paper's own parameter count,
the input sizes, the drawbacks the history names and how it differs from torchvision's network.
The site reads these cards; the tests hold the code's measured figures against them.

Example:
    >>> import cnnref
    >>> "vgg16" in cnnref.list_models()
    True
    >>> cnnref.get_card("vgg16").paper.year
    2014
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from torch import nn

__all__ = [
    "Family",
    "ModelCard",
    "Paper",
    "Result",
    "get_card",
    "get_family",
    "list_families",
    "list_models",
    "register",
    "register_family",
]


@dataclass(frozen=True)
class Paper:
    """A publication, cited the way the site prints it.

    Attributes:
        title: The paper's title.
        authors: Authors as printed, e.g. `"K. He, X. Zhang, S. Ren, J. Sun"`.
        venue: Where it appeared, e.g. `"CVPR 2016"`.
        year: Year of publication (the architecture's year on the site's timeline).
        url: A stable link (arXiv or the publisher).
    """

    title: str
    authors: str
    venue: str
    year: int
    url: str


@dataclass(frozen=True)
class Result:
    """A figure a paper or challenge reported, with where it comes from.

    Attributes:
        benchmark: The competition or dataset, e.g. `"ILSVRC 2014 classification"`.
        metric: What was measured, e.g. `"top-5 error"` or `"IOU"`.
        value: The figure in percent (`7.32` means 7.32 %).
        setting: How it was obtained, e.g. `"test set, ensemble of 7 models"`.
        source: Where to find it, e.g. `"Szegedy et al. 2015, Table 2"`.
    """

    benchmark: str
    metric: str
    value: float
    setting: str
    source: str


@dataclass(frozen=True)
class ModelCard:
    """Everything the site and the tests need to know about one registered model.

    Attributes:
        name: Registry name, equal to the builder's function name (`"vgg16"`).
        title: Display name (`"VGG-16 (config D)"`).
        family: The family it belongs to (a `Family` declared with `register_family`; its
            module and its page).
        paper: The paper that introduced the network.
        builder: The function that builds it.
        results: Headline results as reported; the first one is the headline.
        paper_params: The paper's own parameter count, if it gives one.
        paper_params_source: Where the paper gives it ("Table 2").
        input_size: Default input `(C, H, W)`.
        min_input_size: Smallest spatial size `forward` accepts.
        weight_layers: Number of layers with weights, counted as the paper counts them.
        key_ideas: Short sentences for the page, each with its source where it states a fact.
        drawbacks: Drawbacks, each with its source; where the lecture outline the site grew
            from names one, the outline's claim, checked against the paper.
        training: How the paper trained the network (hardware, time), with its source.
        differs_from_paper: How this code departs from the paper (empty if it does not),
            written once in the model's module.
        torchvision: torchvision's builder of this network or of its counterpart (the
            network whose published weights `torchvision_key` loads), or `None`.
        torchvision_key: Set on the model that computes exactly the function of torchvision's
            `torchvision` builder (its *twin*): maps a key of torchvision's `state_dict` to
            this model's. `cnnref.from_torchvision` finds the twins through it.
        torchvision_kwargs: Arguments torchvision's builder needs to build the network its
            published weights and parameter count describe (`{"aux_logits": False}` for
            GoogLeNet, whose published count leaves out the auxiliary classifiers).
        differs_from_torchvision: How torchvision's network differs from this one.
        task: `"classification"` or `"segmentation"` (the model's native task).
        extra: Further figures with their sources (`paper_mult_adds`, `release_params`...).
    """

    name: str
    title: str
    family: str
    paper: Paper
    builder: Callable[..., nn.Module]
    results: tuple[Result, ...] = ()
    paper_params: int | None = None
    paper_params_source: str = ""
    input_size: tuple[int, int, int] = (3, 224, 224)
    min_input_size: int = 32
    weight_layers: int | None = None
    key_ideas: tuple[str, ...] = ()
    drawbacks: tuple[str, ...] = ()
    training: str = ""
    differs_from_paper: str = ""
    torchvision: str | None = None
    torchvision_key: Callable[[str], str] | None = None
    torchvision_kwargs: Mapping[str, object] = field(default_factory=dict)
    differs_from_torchvision: str = ""
    task: str = "classification"
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.torchvision_key is not None and self.torchvision is None:
            raise ValueError(
                f"{self.name}: a torchvision_key needs `torchvision`, the builder it maps"
            )

    @property
    def year(self) -> int:
        """The year of the paper."""
        return self.paper.year

    @property
    def headline(self) -> Result | None:
        """The first (headline) result, or `None`."""
        return self.results[0] if self.results else None

    @property
    def is_torchvision_twin(self) -> bool:
        """Whether this model computes torchvision's `torchvision` network and loads its weights."""
        return self.torchvision_key is not None


@dataclass(frozen=True)
class Family:
    """An architecture family: one model file, one page of the site.

    Attributes:
        name: The family's name, equal to its module's (`"vgg"` for `cnnref.models.vgg`) and
            to the `family` of its cards.
        title: Display name (`"VGG"`).
        featured: The model the family's page shows first (its usage, its parameter breakdown).
        page: The site's page about it, relative to `docs/` (`"vgg.md"`).
    """

    name: str
    title: str
    featured: str
    page: str


_REGISTRY: dict[str, ModelCard] = {}
_FAMILIES: dict[str, Family] = {}


def register_family(name: str, title: str, featured: str, page: str | None = None) -> Family:
    """Declare an architecture family; its model file calls this once, beside its cards.

    Args:
        name: The family's name (its module's name).
        title: Display name.
        featured: The registry name of the model its page shows first.
        page: Its page relative to `docs/`; `"<name>.md"` if not given.

    Returns:
        The `Family`.

    Raises:
        ValueError: If the family is declared twice.
    """
    if name in _FAMILIES:
        raise ValueError(f"family {name!r} is declared twice")
    family = Family(name=name, title=title, featured=featured, page=page or f"{name}.md")
    _FAMILIES[name] = family
    return family


def list_families() -> list[Family]:
    """The declared families, in the order of the site: by their featured model's year.

    Families of the same year keep alphabetical order.

    Returns:
        The families.

    Example:
        >>> import cnnref
        >>> [f.name for f in cnnref.list_families()][:2]
        ['lenet', 'alexnet']
    """
    return sorted(_FAMILIES.values(), key=lambda f: (get_card(f.featured).year, f.name))


def get_family(name: str) -> Family:
    """Return the `Family` declared under `name`.

    Args:
        name: A family's name (`"resnet"`).

    Returns:
        The family.

    Raises:
        ValueError: If no family of that name is declared.
    """
    if name not in _FAMILIES:
        raise ValueError(f"unknown family {name!r}; known: {', '.join(sorted(_FAMILIES))}")
    return _FAMILIES[name]


def register(**card: object) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Register a builder under its function name with the given `ModelCard` fields.

    Args:
        **card: Every `ModelCard` field except `name` and `builder`.

    Returns:
        A decorator that records the builder and returns it unchanged.

    Raises:
        ValueError: If the name is registered already.
    """

    def decorator(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        name = fn.__name__
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is registered twice")
        _REGISTRY[name] = ModelCard(name=name, builder=fn, **card)  # type: ignore[arg-type]
        return fn

    return decorator


def list_models(filter: str | None = None) -> list[str]:
    """List registered model names, sorted by year, then by registration order.

    As in timm, `filter` is a shell-style pattern (`fnmatch`: `*`, `?`, `[...]`) matched
    against the names. A family's name (`"vgg"`, `"resnet"`, see `list_families()`) stands
    for its models, so `list_models("resnet")` lists ResNet's models, `resnet50_tv` included,
    where `list_models("resnet*")` lists the names that start with "resnet".

    Args:
        filter: A family's name or a pattern; `None` lists every model.

    Returns:
        Registry names.

    Raises:
        ValueError: If `filter` matches no model; the message suggests the closest names.

    Example:
        >>> import cnnref
        >>> cnnref.list_models("resnet")[:2]
        ['resnet18', 'resnet34']
        >>> cnnref.list_models("vgg1[13]")
        ['vgg11', 'vgg13']
    """
    cards = sorted(_REGISTRY.values(), key=lambda c: c.year)
    if filter is None:
        return [c.name for c in cards]
    if filter in _FAMILIES:
        return [c.name for c in cards if c.family == filter]
    names = [c.name for c in cards if fnmatch.fnmatchcase(c.name, filter)]
    if not names:
        known = [*_REGISTRY, *_FAMILIES]
        close = difflib.get_close_matches(filter.rstrip("*?"), known, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"list_models({filter!r}): no family of that name and no model name matches it as "
            f"a pattern.{hint} Families: {', '.join(sorted(_FAMILIES))}; "
            "patterns use * ? [...] (`list_models('resnet*')`)."
        )
    return names


def _unknown(name: str) -> ValueError:
    close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ValueError(
        f"unknown model {name!r}.{hint} `cnnref.list_models()` lists all {len(_REGISTRY)}."
    )


def get_card(name: str) -> ModelCard:
    """Return the `ModelCard` registered under `name`.

    Args:
        name: A name from `list_models()`.

    Returns:
        The card.

    Raises:
        ValueError: If the name is unknown; the message suggests the closest names.
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise _unknown(str(name))
    return _REGISTRY[name]
