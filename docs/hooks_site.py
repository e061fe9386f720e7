"""Build hook for the reader-facing side of the site (versions in the footer, KaTeX check).

- Puts the versions of cnnref and torch that run this build into `config.extra`, where the
  footer (`docs/overrides/partials/copyright.html`) prints them.
- Stops the build with a clear message when the KaTeX files the pages load are missing: the site
  serves its own copy of KaTeX (no CDN), which `make` copies from the npm package into
  `docs/assets/vendor/katex/`.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

KATEX_DIR = Path(__file__).parent / "assets" / "vendor" / "katex"
KATEX_FILES = ("katex.min.js", "katex.min.css", "fonts")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # Read from the installed distributions: the MkDocs process does not import torch.
    config.extra["cnnref_version"] = metadata.version("cnnref")
    config.extra["torch_version"] = metadata.version("torch")
    missing = [name for name in KATEX_FILES if not (KATEX_DIR / name).exists()]
    if missing:
        raise PluginError(
            f"KaTeX is missing from {KATEX_DIR} ({', '.join(missing)}). The site serves its own "
            "copy: run `make build` (it runs `npm ci` and copies node_modules/katex/dist there)."
        )
    return config
