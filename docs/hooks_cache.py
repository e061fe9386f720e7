"""Build hook for the author's loop: what a warm build would recompute, read from disk instead.

A profile of a warm `mkdocs build` (`python -m cProfile -o build.prof -m mkdocs build`, every
generator and notebook already cached) put about two thirds of its time in two places that
compute the same output from the same input build after build:

- **mkdocstrings** renders the API pages' `::: identifier` blocks (collecting the package with
  griffe, then Jinja templates and Pygments for every signature and source listing);
- **material's search plugin** parses every page's HTML with `html.parser` to index it.

Both are cached here, on disk next to the generators' cache (`CNNREF_DOCS_CACHE`; MkDocs
re-imports hooks on each rebuild under `mkdocs serve`, so memory would not outlive a rebuild):

- A block's rendered HTML, the headings it registers (table of contents, autorefs anchors,
  objects inventory) and their aliases, keyed by the block, the package's source files, this
  hook, the griffe extension, mkdocs.yml and the versions of mkdocstrings and its handler. An
  edit to any of the package's files renders the blocks again.
- A page's Markdown conversion (`Page.render`: its HTML, table of contents, title and anchors,
  and what it registered with autorefs and the objects inventory while converting), keyed by
  the page's Markdown after the generators, its address, every file's address in the site and
  the same sources as the blocks: an edit to a page's prose converts that page alone.
- A page's search entries, keyed by its URL, title, metadata, table of contents and rendered
  HTML: an edit to a page re-indexes that page.
- The theme's Jinja templates, compiled: Jinja's own bytecode cache (keyed by each template's
  source), which MkDocs leaves off.

A cold build (CI's, a fresh clone's) computes everything, so `mkdocs build --strict` still sees
every warning griffe or mkdocstrings would raise; the cache only replays outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from importlib import metadata
from pathlib import Path
from xml.etree.ElementTree import Element, fromstring, tostring

import yaml
from jinja2 import Environment, FileSystemBytecodeCache
from material.plugins.search.plugin import SearchIndex
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocstrings._internal.extension import AutoDocProcessor

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("CNNREF_DOCS_CACHE", ROOT / ".cache" / "docs"))
API_CACHE = CACHE / "api-blocks"
SEARCH_CACHE = CACHE / "search-entries"
PAGE_CACHE = CACHE / "pages"
SNIPPET = re.compile(r'^\s*-+8<-+\s*"(?P<name>[^"]+)"', re.M)  # pymdownx.snippets' include
JINJA_CACHE = CACHE / "jinja"


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _sources_digest() -> str:
    """Everything the API blocks are rendered from, besides the block itself."""
    files = sorted((ROOT / "cnnref").rglob("*.py"))
    files += [ROOT / "mkdocs.yml", ROOT / "docs" / "gen" / "griffe_examples.py", Path(__file__)]
    versions = [metadata.version(d) for d in ("mkdocstrings", "mkdocstrings-python", "griffelib")]
    return _digest(
        *versions, *(f"{p.relative_to(ROOT)}\0".encode() + p.read_bytes() for p in files)
    )


def _read(path: Path):
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        return None


def _write(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(value))
    tmp.replace(path)


# --- mkdocstrings: rendered blocks ------------------------------------------------------------

# The originals, however often MkDocs re-imports this hook (`mkdocs serve` does, each rebuild).
_original_process_block = getattr(
    AutoDocProcessor._process_block, "cnnref_original", AutoDocProcessor._process_block
)
_sources: str | None = None


def _process_block(self: AutoDocProcessor, identifier: str, yaml_block: str, heading_level=0):
    key = _digest(_sources or "", identifier, yaml_block, str(heading_level))
    path = API_CACHE / f"{key}.pickle"
    cached = _read(path)
    if cached is not None:
        rendered, headings, aliases = cached
        # The handler the block names (as mkdocstrings picks it), or the default one.
        name = self._handlers.get_handler_name(yaml.safe_load(yaml_block) or {})
        handler = _with_cached_aliases(self._handlers.get_handler(name))
        handler._headings.extend(fromstring(h) for h in headings)
        handler._cnnref_aliases.update(aliases)
        return rendered, handler, None
    rendered, handler, data = _original_process_block(self, identifier, yaml_block, heading_level)
    handler = _with_cached_aliases(handler)
    headings: list[Element] = handler.get_headings()
    handler._headings.extend(headings)  # put back: `run` reads them next
    aliases = {h.attrib["id"]: handler.get_aliases(h.attrib["id"]) for h in headings}
    _write(path, (rendered, [tostring(h, encoding="unicode") for h in headings], aliases))
    return rendered, handler, data


_process_block.cnnref_original = _original_process_block


def _with_cached_aliases(handler):
    """The handler, made to answer aliases of cached blocks (griffe did not collect them)."""
    if hasattr(handler, "_cnnref_aliases"):
        return handler
    handler._cnnref_aliases = {}
    original = handler.get_aliases

    def get_aliases(identifier: str) -> tuple[str, ...]:
        return handler._cnnref_aliases.get(identifier) or original(identifier)

    handler.get_aliases = get_aliases
    return handler


# --- Markdown conversion: a page's render ------------------------------------------------------

_original_render = getattr(Page.render, "cnnref_original", Page.render)
_recording: list[tuple] | None = None  # what the page being converted registers, in order
_files_digest: tuple[Files | None, str] = (None, "")


def _site_map(files: Files) -> str:
    """Every file's source and address: a page's relative links resolve against them."""
    global _files_digest
    if _files_digest[0] is not files:  # held, not its id: a new build's files never pass for it
        rows = sorted(f"{f.src_uri}\0{f.dest_uri}" for f in files)
        _files_digest = (files, _digest(*rows))
    return _files_digest[1]


def _snippets(markdown: str, config: MkDocsConfig) -> list[bytes]:
    """The files a page includes with pymdownx.snippets (`--8<-- "name"`), name and text."""
    root = Path(config.config_file_path).parent
    bases = config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])
    found = []
    for name in SNIPPET.findall(markdown):
        for file in (root / base / name for base in bases):
            if file.is_file():
                found.append(name.encode() + b"\0" + file.read_bytes())
    return found


def _render(self: Page, config: MkDocsConfig, files: Files) -> None:
    global _recording
    if type(self) is not Page or self.markdown is None:  # not Markdown (notebooks: hooks_notebooks)
        return _original_render(self, config, files)
    key = _digest(
        _sources or "",
        self.file.src_uri,
        self.url,
        _site_map(files),
        self.markdown,
        *_snippets(self.markdown, config),
    )
    path = PAGE_CACHE / f"{key}.pickle"
    cached = _read(path)
    if cached is None:
        _recording = []
        try:
            _original_render(self, config, files)
            links = self.links_to_anchors
            cached = (
                self.content,
                self.toc,
                self._title_from_render,
                self.present_anchor_ids,
                None if links is None else {f.src_uri: v for f, v in links.items()},
                _recording,
            )
        finally:
            _recording = None
        _write(path, cached)
        return None
    content, toc, title, anchors, links, registered = cached
    self.content, self.toc, self._title_from_render = content, toc, title
    self.present_anchor_ids = anchors
    if links is not None:
        self.links_to_anchors = {files.get_file_from_path(uri): v for uri, v in links.items()}
    for target, args, kwargs in registered:
        _replay(config, target)(*((self, *args) if target == "anchor" else args), **kwargs)
    return None


_render.cnnref_original = _original_render


def _replay(config: MkDocsConfig, target: str):
    """The method that a conversion called: autorefs' `register_anchor` or the inventory's."""
    if target == "anchor":
        return config.plugins["autorefs"].register_anchor.__wrapped__
    return config.plugins["mkdocstrings"].handlers.inventory.register.__wrapped__


def _record(target: str, method):
    """`method`, which also writes its call down while a page converts (the page left out)."""

    def recorded(*args, **kwargs):
        if _recording is not None:
            _recording.append((target, args[1:] if target == "anchor" else args, kwargs))
        return method(*args, **kwargs)

    recorded.__wrapped__ = method
    return recorded


# --- material's search: entries per page ------------------------------------------------------

_original_add_entry = getattr(
    SearchIndex.add_entry_from_context, "cnnref_original", SearchIndex.add_entry_from_context
)


def _add_entry_from_context(self: SearchIndex, page) -> None:
    toc = json.dumps([_toc_item(i) for i in page.toc], sort_keys=True)
    meta = json.dumps(page.meta, sort_keys=True, default=str)
    key = _digest(page.url, str(page.title), meta, toc, page.content or "")
    path = SEARCH_CACHE / f"{key}.pickle"
    cached = _read(path)
    if cached is not None:
        self.entries.extend(cached)
        return
    start = len(self.entries)
    _original_add_entry(self, page)
    _write(path, self.entries[start:])


_add_entry_from_context.cnnref_original = _original_add_entry


def _toc_item(item) -> dict:
    return {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "children": [_toc_item(c) for c in item.children],
    }


# --- the hook ---------------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _sources
    _sources = _sources_digest()
    AutoDocProcessor._process_block = _process_block
    SearchIndex.add_entry_from_context = _add_entry_from_context
    Page.render = _render
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    # What a conversion registers elsewhere, written down to be replayed with the page.
    autorefs = config.plugins["autorefs"]
    autorefs.register_anchor = _record("anchor", autorefs.register_anchor)
    inventory = config.plugins["mkdocstrings"].handlers.inventory
    inventory.register = _record("inventory", inventory.register)


def on_env(env: Environment, config: MkDocsConfig, files) -> Environment:
    JINJA_CACHE.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(JINJA_CACHE))
    return env
