"""Build-time generators for the cnnref site.

`docs/hooks.py` runs them in a fresh interpreter (`python -m gen`, with `docs/` on the path).
Each generator takes the directive's arguments as strings and returns an `Out`: the Markdown
that replaces the directive, the figures (SVG text) it links as `@fig/<path>`, and any pages
it adds to the site (the API pages of the model families).
A generator's module is imported only when one of its directives runs, so a module that cannot
be imported yet (its part of cnnref is still missing) fails only its own directives.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

# directive name -> "module:function" in this package.
GENERATORS: dict[str, str] = {
    # one architecture family (first argument); docs/gen/models.py
    "card": "models:card",
    "results": "models:results",
    "ideas": "models:ideas",
    "differences": "models:differences",
    "params": "models:params",
    "where": "models:where",
    "summaries": "models:summaries",
    "diagrams": "models:diagrams",
    "config-table": "models:config_table",
    "blocks-table": "models:blocks_table",
    "torchvision": "models:torchvision",
    "api-modules": "models:api_modules",  # the API pages' `:::` lines, from the registries
    "claims": "claims:claims",
    # the whole registry; docs/gen/history.py
    "ilsvrc-plot": "history:ilsvrc_plot",
    "ilsvrc-data": "history:ilsvrc_data",
    "human": "history:human",
    "comparison": "history:comparison",
    "models-list": "history:models_list",
    "timeline": "timeline:timeline",  # docs/gen/timeline.py
    # runnable examples; docs/gen/snippet.py
    "snippet": "snippet:snippet",
    # experiments and training runs
    "gradient-experiment": "gradients:gradient_experiment",
    "task": "tasks:task",
    "features": "features:features",
    "performance": "perf:performance",
    # every page's References section; docs/gen/refs.py
    "references": "refs:references",
    "zfnet-probes": "zfnet:zfnet_probes",  # docs/gen/zfnet.py, trains 3 small networks
    "se-cost": "senet:se_cost",  # docs/gen/senet.py
    # the layer explorer and the block diagrams of one family; docs/gen/explore.py, blocks.py
    "explorer": "explore:explorer",
    "block": "blocks:block",
}


@dataclass
class Out:
    """A generator's output: Markdown, the figures it links, the pages it adds."""

    parts: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)

    def add(self, *texts: str) -> Out:
        """Append Markdown blocks (separated by blank lines)."""
        self.parts.extend(texts)
        return self

    def figure(self, path: str, svg: str, alt: str, caption: str = "") -> Out:
        """Add an SVG figure under `figures/<path>` and an image link to it with alt text."""
        if not alt.strip():
            raise ValueError(f"figure {path} needs alt text")
        self.files[path] = svg
        alt = alt.replace("[", "(").replace("]", ")").replace("\n", " ")
        text = f"![{alt}](@fig/{path})"
        if caption:
            text = f"<figure markdown>\n{text}\n<figcaption>{caption}</figcaption>\n</figure>"
        return self.add(text)

    def page(self, uri: str, markdown: str) -> Out:
        """Add a page to the site: `uri` relative to `docs/` (`api/models/vgg.md`)."""
        self.pages[uri] = markdown
        return self

    @property
    def markdown(self) -> str:
        """The Markdown, blocks joined by blank lines."""
        return "\n\n".join(p.strip("\n") for p in self.parts) + "\n"


def resolve(name: str) -> Callable[..., Out]:
    """Import and return the generator function for directive `name`."""
    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r}; known: {', '.join(sorted(GENERATORS))}")
    module, function = GENERATORS[name].split(":")
    return getattr(importlib.import_module(f"gen.{module}"), function)
