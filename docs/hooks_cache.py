"""Build hook for the author's loop: what a warm build would recompute, read from disk instead.

Profiles of a warm `mkdocs build` (`python -m cProfile -o build.prof -m mkdocs build`, every
generator and notebook already cached) found the same output computed from the same input
build after build. Each of these is kept on disk next to the generators' cache
(`CNNREF_DOCS_CACHE`; MkDocs re-imports hooks on each rebuild under `mkdocs serve`, so memory
would not outlive a rebuild) and replayed:

- **mkdocstrings' API blocks** (`::: identifier`): a block's rendered HTML, the headings it
  registers (table of contents, autorefs anchors, objects inventory) and their aliases, keyed by
  the block, the package's source files, this hook, the griffe extension, mkdocs.yml and the
  versions of mkdocstrings and its handler. An edit to any of the package's files renders the
  blocks again.
- **A page's Markdown conversion** (`Page.render`: its HTML, table of contents, title and
  anchors, and what it registered with autorefs and the objects inventory while converting),
  keyed by the page's Markdown after the generators, its address, every file's address in the
  site and the same sources as the blocks: an edit to a page's prose converts that page alone.
- **A page's cross-references** (autorefs' `fix_refs`), keyed by its content, its address and
  every anchor autorefs knows (`_fix_refs`).
- **A page's search entries** (material's search), keyed by its URL, title, metadata, table of
  contents and rendered HTML: an edit to a page re-indexes that page.
- **A page's rendered template** (material draws the whole navigation on every page), keyed by
  everything MkDocs puts in the template's context (`_page_digest`): the page, the navigation's
  titles, addresses and metadata, the site's configuration, the theme's overrides, the hooks and
  the versions of MkDocs, material and Jinja.
- **The theme's compiled templates** (Jinja's bytecode cache, which MkDocs leaves off) and **the
  list of the theme's static files** (`_add_files_from_theme`).

Two things are done differently, to the same result: material's search strips its
`data-search-*` attributes with a faster search (`_search_page_context`), and the site folder is
brought up to date instead of emptied and filled again (`_clean_directory`). An entry that no
build has read for a day is removed (`_prune`).

A cold build (CI's, a fresh clone's) computes everything, so `mkdocs build --strict` still sees
every warning griffe or mkdocstrings would raise; the cache only replays outputs (a page whose
cross-references autorefs warned of is not kept). `CNNREF_DOCS_REPLAY=0` turns this hook off;
tests/test_build_cache.py builds so, then with the caches into an old site folder, and checks
that every file comes out byte for byte the same. `python benchmarks/site_loop.py` times the
loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import stat
import time
from importlib import metadata
from logging import WARNING
from pathlib import Path
from types import MethodType
from xml.etree.ElementTree import Element, fromstring, tostring

import yaml
from jinja2 import Environment, FileSystemBytecodeCache
from material.plugins.search.plugin import SearchIndex, SearchPlugin
from mkdocs import utils as mkdocs_utils
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.theme import Theme
from mkdocs.utils import markdown_extensions
from mkdocs_autorefs._internal import plugin as autorefs_plugin
from mkdocs_autorefs._internal.plugin import AutorefsPlugin
from mkdocstrings._internal.extension import AutoDocProcessor

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("CNNREF_DOCS_CACHE", ROOT / ".cache" / "docs"))
API_CACHE = CACHE / "api-blocks"
SEARCH_CACHE = CACHE / "search-entries"
PAGE_CACHE = CACHE / "pages"
SNIPPET = re.compile(r'^\s*-+8<-+\s*"(?P<name>[^"]+)"', re.M)  # pymdownx.snippets' include
JINJA_CACHE = CACHE / "jinja"
TEMPLATE_CACHE = CACHE / "rendered"
REFS_CACHE = CACHE / "autorefs"
THEME_CACHE = CACHE / "theme-files"
# CNNREF_DOCS_REPLAY=0: this hook does nothing, the build computes what it would replay (the
# generators' and notebooks' caches still count); tests/test_build_cache.py compares the two.
REPLAY = os.environ.get("CNNREF_DOCS_REPLAY", "1") != "0"
# An entry no build has read for a day goes (`_prune`): each edit of a page adds its own.
PRUNED = (API_CACHE, SEARCH_CACHE, PAGE_CACHE, TEMPLATE_CACHE, REFS_CACHE, THEME_CACHE)
UNUSED_FOR = 24 * 3600  # seconds


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


_build_digests: dict[str, tuple[object, str]] = {}  # per build: the object digested, its digest


def _held(name: str, value: object, compute) -> str:
    """`compute(value)`, once per object (held, not its id: a new build's never passes for it)."""
    held = _build_digests.get(name)
    if held is None or held[0] is not value:
        held = _build_digests[name] = (value, compute(value))
    return held[1]


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
        value = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        return None
    _used(path)
    return value


def _used(path: Path) -> None:
    """Stamps an entry as read now: its modification time is its last use (`_prune`)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _prune() -> None:
    """Removes the entries that no build has read for `UNUSED_FOR` seconds."""
    cutoff = time.time() - UNUSED_FOR
    for folder in PRUNED:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                continue


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
        "level": item.level,
        "children": [_toc_item(c) for c in item.children],
    }


# --- autorefs: a page's cross-references ------------------------------------------------------

AUTOREFS_LOGGER = "mkdocs.plugins.mkdocs_autorefs"  # its modules log under it
_original_fix_refs = getattr(autorefs_plugin.fix_refs, "cnnref_original", autorefs_plugin.fix_refs)


def _fix_refs(html: str, url_mapper, **kwargs):
    """autorefs' `fix_refs` for one page (in its `on_env`): each reference parsed with
    `html.parser` and looked up, 2,000 of them, 0.15-0.25 s a build. Kept by the page's content,
    its address, and every anchor autorefs knows when the first page is fixed. Replayed with it:
    the anchors its fallback found (autorefs adds them to its maps as it goes) and the backlinks
    it recorded. What the page could not resolve is kept too: autorefs warns of it after each
    call, cached or not."""
    plugin = getattr(getattr(url_mapper, "func", None), "__self__", None)
    if not isinstance(plugin, AutorefsPlugin):
        return _original_fix_refs(html, url_mapper, **kwargs)
    record_backlink = kwargs.get("record_backlink")
    options = {k: v for k, v in kwargs.items() if k != "record_backlink"}
    key = _digest(
        _sources or "",
        _held("anchors", plugin, _anchors_digest),
        _json([url_mapper.keywords.get("from_url"), record_backlink is None, options]),
        html,
    )
    path = REFS_CACHE / f"{key}.pickle"
    cached = _read(path)
    if cached is not None:
        result, found, backlinks = cached
        plugin._secondary_url_map.update(found)
        for args in backlinks:
            record_backlink(*args)
        return result
    found_before, backlinks = set(plugin._secondary_url_map), []
    if record_backlink is not None:
        kwargs["record_backlink"] = lambda *args: (backlinks.append(args), record_backlink(*args))
    # What autorefs warns of while it looks up (several URLs for one anchor, ...) is not in
    # its answer: a page it warned of is not kept, so that every build warns again. `mkdocs -q`
    # silences warnings before they are made: they are made here, noted and not shown.
    logger = logging.getLogger(AUTOREFS_LOGGER)
    level, propagate, quiet = logger.level, logger.propagate, not logger.isEnabledFor(WARNING)
    warned = _Warned()
    logger.addHandler(warned)
    if quiet:
        logger.setLevel(WARNING)
        logger.propagate = False
    try:
        result = _original_fix_refs(html, url_mapper, **kwargs)
    finally:
        logger.removeHandler(warned)
        logger.setLevel(level)
        logger.propagate = propagate
    if not warned.records:
        found = {k: v for k, v in plugin._secondary_url_map.items() if k not in found_before}
        _write(path, (result, found, backlinks))
    return result


class _Warned(logging.Handler):
    """Notes the warnings logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_fix_refs.cnnref_original = _original_fix_refs


def _anchors_digest(plugin: AutorefsPlugin) -> str:
    maps = ("_primary_url_map", "_secondary_url_map", "_abs_url_map", "_title_map")
    return _digest(_json([getattr(plugin, name) for name in maps]), _json(dict(plugin.config)))


# --- material's search: its attributes stripped -----------------------------------------------

SEARCH_ATTRIBUTE = re.compile(r'data-search-\w+="[^"]+"')


def _search_page_context(self: SearchPlugin, context, *, page, config, nav):
    """material's `SearchPlugin.on_page_context`, whose `re.sub(r'\\s?data-search-\\w+="[^"]+"')`
    the regular expression engine tries at every character of the page (its pattern starts with
    an optional class): 0.16 s a build. The same attributes, each with the one space before it,
    are found here by their literal name."""
    if not self.config.enabled:
        return
    self.search_index.add_entry_from_context(page)
    content, pieces, last = page.content, [], 0
    for match in SEARCH_ATTRIBUTE.finditer(content):
        start = match.start()
        if start > last and content[start - 1].isspace():  # `\s?`: the space, when there is one
            start -= 1
        pieces.append(content[last:start])
        last = match.end()
    page.content = "".join(pieces) + content[last:]


# --- mkdocs: the theme's static files ---------------------------------------------------------

_original_add_files_from_theme = getattr(
    Files.add_files_from_theme, "cnnref_original", Files.add_files_from_theme
)


def _add_files_from_theme(self: Files, env: Environment, config: MkDocsConfig) -> None:
    """MkDocs lists the theme's static files by walking every theme folder and matching each of
    its files (material's 14,000 icons among them) against its patterns: 0.15-0.3 s a build.
    The list is the same while the installed themes and the site's overrides are: it is kept
    under their versions, the folders, the patterns and the overrides' file names."""
    custom = Path(config.theme.custom_dir) if config.theme.custom_dir else None
    overrides = sorted(str(p.relative_to(custom)) for p in custom.rglob("*")) if custom else []
    key = _digest(
        *(metadata.version(d) for d in ("mkdocs", "mkdocs-material")),
        _json([config.theme.dirs, config.theme.static_templates, sorted(markdown_extensions)]),
        *overrides,
    )
    path = THEME_CACHE / f"{key}.pickle"
    listed = _read(path)
    if listed is None:
        theme = Files([])
        _original_add_files_from_theme(theme, env, config)
        listed = [(f.src_uri, f.src_dir) for f in theme]
        _write(path, listed)
    for uri, folder in listed:
        if self.get_file_from_path(uri) is None:  # a file of the site's own wins, as in MkDocs
            self.append(File(uri, folder, config.site_dir, config.use_directory_urls))


_add_files_from_theme.cnnref_original = _original_add_files_from_theme


# --- mkdocs: the site folder, brought up to date instead of emptied ---------------------------

_original_clean_directory = getattr(
    mkdocs_utils.clean_directory, "cnnref_original", mkdocs_utils.clean_directory
)
_original_copy_file = getattr(File.copy_file, "cnnref_original", File.copy_file)
# The folder being built: each file it held (its inode and ctime) or folder (None), and the
# files this build left as they were.
_site: dict | None = None


def _clean_directory(directory: str) -> None:
    """MkDocs empties the site folder before a build (one without `--dirty`), then copies every
    static file into it again: 180 files, 0.15-0.3 s on this machine. Instead, what the folder
    holds is noted here; a static file already there with its source's bytes is left as it is
    (`_copy_file`); a file where the build needs a folder, or the reverse, goes before anything
    is written (`_make_way`); and once the pages are written, every file of the folder that the
    build neither wrote nor left as it was goes (`_remove_stale`), as the emptying would have
    removed it. The folder ends as a clean build leaves it (tests/test_build_cache.py).

    A file that a new one would not be goes now, as the emptying removes it: a link or a file
    with another name elsewhere (a hard link: the build must not write through either), and a
    file whose permissions differ from a new file's. A top-level link to a folder stays, as
    MkDocs leaves it (its `shutil.rmtree` refuses a link), and nothing under it is touched. If
    the folder cannot be read, it is emptied as MkDocs empties it."""
    global _site
    _site = None
    root = Path(directory)
    if not root.is_dir():
        return
    held: dict[Path, tuple[int, int] | None] = {}
    # A new file's permissions here (the umask's), from a file made to see them.
    probe = root / f".cnnref-build-{os.getpid()}"
    probe.write_bytes(b"")
    fresh = stat.S_IMODE(probe.stat().st_mode)
    probe.unlink()

    def note(path: Path) -> None:
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode):
            held[path] = None
            for child in path.iterdir():
                note(child)
        elif stat.S_ISLNK(info.st_mode) or info.st_nlink > 1 or stat.S_IMODE(info.st_mode) != fresh:
            path.unlink()
        else:
            held[path] = (info.st_ino, info.st_ctime_ns)

    try:
        for entry in root.iterdir():
            # As MkDocs: hidden entries stay, and so does a top-level link to a folder.
            if not entry.name.startswith(".") and not (entry.is_symlink() and entry.is_dir()):
                note(entry)
    except OSError:
        _original_clean_directory(directory)
        return
    _site = {"root": root, "held": held, "kept": set()}


def _written(config: MkDocsConfig, files: Files) -> list[Path]:
    """Where this build writes: its files (pages, static files), the theme's and the site's
    templates (and the sitemap's compressed copy), and what mkdocstrings writes in `on_env`,
    after `_make_way` (plugins that write in `on_post_build` come after `_remove_stale`)."""
    root = Path(config.site_dir)
    paths = [Path(f.abs_dest_path) for f in files]
    templates = [*config.theme.static_templates, *config.extra_templates]
    paths += [root / name for name in templates]
    paths += [root / f"{name}.gz" for name in templates if name == "sitemap.xml"]
    mkdocstrings = config.plugins.get("mkdocstrings")
    if mkdocstrings is not None:
        paths += [root / "objects.inv", root / mkdocstrings.css_filename]
    return paths


def _make_way(config: MkDocsConfig, files: Files) -> None:
    """Removes a folder where the build writes a file, and a file where it needs a folder."""
    if _site is None:
        return
    root, held = _site["root"], _site["held"]
    for dest in _written(config, files):
        if dest in held and held[dest] is None and dest.is_dir():
            shutil.rmtree(dest)
        for folder in dest.parents:
            if folder == root:
                break
            if held.get(folder, None) is not None and folder.is_file():
                folder.unlink()


def _copy_file(self: File, dirty: bool = False) -> None:
    """`File.copy_file`, which leaves a file the folder held as it is when it holds its source's
    bytes (reading both costs about a tenth of writing the copy again here)."""
    dest = Path(self.abs_dest_path)
    if _site is not None and not dirty and _site["held"].get(dest) is not None:
        content = self.content_bytes
        try:
            same = dest.stat().st_size == len(content) and dest.read_bytes() == content
        except OSError:
            same = False
        if same:
            _site["kept"].add(dest)
            return
    _original_copy_file(self, dirty)


def _remove_stale() -> None:
    """Removes each file the folder held that this build neither wrote nor kept (the same inode,
    not changed since: no write or copy leaves a file's ctime as it was), then the folders
    left empty."""
    global _site
    if _site is None:
        return
    held, kept = _site["held"], _site["kept"]
    for path in sorted(held, reverse=True):  # a folder's files before the folder
        try:
            if held[path] is None:
                if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
                    path.rmdir()
            elif path not in kept:
                info = path.lstat()
                if (info.st_ino, info.st_ctime_ns) == held[path]:
                    path.unlink()
        except OSError:  # gone already, or not ours to remove: MkDocs's emptying skips it too
            continue
    _site = None


_clean_directory.cnnref_original = _original_clean_directory
_copy_file.cnnref_original = _original_copy_file


# --- the theme: compiled templates -------------------------------------------------------------

_original_get_env = getattr(Theme.get_env, "cnnref_original", Theme.get_env)


def _get_env(self: Theme) -> Environment:
    """Every Jinja environment of the theme (the build's, and those in which material's search
    and the site's hooks translate a word) loads the templates it compiled before from disk:
    Jinja's bytecode cache, keyed by each template's source, which MkDocs leaves off."""
    env = _original_get_env(self)
    JINJA_CACHE.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(JINJA_CACHE))
    return env


_get_env.cnnref_original = _original_get_env


# --- the theme: a page's rendered template ----------------------------------------------------

# What MkDocs puts in a page's template context (`get_context`); a plugin that adds anything
# else makes the page render every build. `build_date_utc` changes each build and is read by
# MkDocs's sitemap alone, which is not a page's template (`_page_digest` refuses a theme
# override that reads it).
CONTEXT = frozenset(
    {"config", "nav", "page", "pages", "base_url", "extra_css", "extra_javascript"}
    | {"mkdocs_version", "build_date_utc"}
)


def _theme_digest(config: MkDocsConfig) -> str | None:
    """The templates, the site's configuration and the hooks that may change a page's context;
    None when a theme override reads `build_date_utc`."""
    custom = Path(config.theme.custom_dir) if config.theme.custom_dir else None
    overrides = sorted(p for p in custom.rglob("*") if p.is_file()) if custom else []
    texts = [f"{p.relative_to(custom)}\0".encode() + p.read_bytes() for p in overrides]
    if any(b"build_date_utc" in text for text in texts):
        return None
    # The installed themes change with their versions; the site's hooks may edit a page's context.
    versions = [metadata.version(d) for d in ("mkdocs", "mkdocs-material", "jinja2")]
    hooks = [Path(module.__file__).read_bytes() for module in config.hooks.values()]
    return _digest(
        *versions,
        *texts,
        *hooks,
        Path(config.config_file_path).read_bytes(),
        _json({k: config[k] for k in ("site_url", "repo_url", "edit_uri", "extra", "copyright")}),
        _json(dict(config.theme)),
        _json(list(config.plugins)),
    )


def _nav_item(item) -> dict:
    row = {"type": type(item).__name__, "title": item.title, "url": getattr(item, "url", None)}
    if getattr(item, "file", None) is not None:
        row |= {"src": item.file.src_uri, "meta": item.meta, "index": item.is_index}
    if item.children:
        row["children"] = [_nav_item(child) for child in item.children]
    return row


def _nav_digest(nav) -> str:
    """Every entry of the navigation (material draws all of it on every page): titles,
    addresses, the pages' metadata (icons, status)."""
    home = nav.homepage.url if nav.homepage else None
    return _digest(_json([_nav_item(item) for item in nav.items]), str(home))


def _page_digest(context: dict) -> str | None:
    """A digest of everything a page's template reads, or None if the context holds more."""
    if set(context) - CONTEXT or context.get("page") is None or context.get("config") is None:
        return None
    config, page = context["config"], context["page"]
    theme = _held("theme", config, _theme_digest)
    if theme is None:
        return None
    around = (page.previous_page, page.next_page)
    neighbours = [(p.url, str(p.title)) if p else None for p in around]
    return _digest(
        theme,
        _held("nav", context["nav"], _nav_digest),
        _held("pages", context["pages"], lambda files: _digest(*(f.src_uri for f in files))),
        _json([context["base_url"], context["mkdocs_version"]]),
        _json([str(x) for x in (*context["extra_css"], *context["extra_javascript"])]),
        _json([page.url, page.file.src_uri, page.file.dest_uri, str(page.title), page.meta]),
        _json([page.canonical_url, page.edit_url, page.is_homepage, neighbours]),
        _json([_toc_item(i) for i in page.toc]),
        page.content or "",
    )


class _CachedTemplate:
    """A theme template whose render of a page is read from disk when its inputs are the same."""

    def __init__(self, template) -> None:
        self.template = template

    def __getattr__(self, name: str):
        return getattr(self.template, name)

    def render(self, *args, **kwargs) -> str:
        context = dict(*args, **kwargs)
        key = _page_digest(context)
        if key is None:
            return self.template.render(context)
        path = TEMPLATE_CACHE / f"{key}.html"
        try:
            output = path.read_text(encoding="utf-8")
            _used(path)
            return output
        except OSError:
            pass
        output = self.template.render(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(output, encoding="utf-8")
        tmp.replace(path)
        return output


# --- the hook ---------------------------------------------------------------------------------


@event_priority(100)  # before material's search translates its words in a theme environment
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _sources
    if not REPLAY:
        return config
    Theme.get_env = _get_env
    _sources = _sources_digest()
    AutoDocProcessor._process_block = _process_block
    SearchIndex.add_entry_from_context = _add_entry_from_context
    Page.render = _render
    Files.add_files_from_theme = _add_files_from_theme
    mkdocs_utils.clean_directory = _clean_directory
    File.copy_file = _copy_file
    autorefs_plugin.fix_refs = _fix_refs
    # Material's search indexes a page in `on_page_context`: the method as registered, swapped.
    events = config.plugins.events["page_context"]
    for i, method in enumerate(events):
        if getattr(method, "__func__", None) is SearchPlugin.on_page_context:
            events[i] = MethodType(_search_page_context, method.__self__)
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    _build_digests.clear()
    if not REPLAY:
        return
    # What a conversion registers elsewhere, written down to be replayed with the page.
    autorefs = config.plugins["autorefs"]
    autorefs.register_anchor = _record("anchor", autorefs.register_anchor)
    inventory = config.plugins["mkdocstrings"].handlers.inventory
    inventory.register = _record("inventory", inventory.register)


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if not REPLAY:
        return env
    _make_way(config, files)
    get_template = env.get_template
    env.get_template = lambda *args, **kwargs: _CachedTemplate(get_template(*args, **kwargs))
    return env


@event_priority(100)  # once the pages are written, before any plugin writes more (or rewrites)
def on_post_build(config: MkDocsConfig) -> None:
    if REPLAY:
        _remove_stale()
        _prune()
