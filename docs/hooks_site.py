"""Build hook for the reader-facing side of the site: math, images, search, versions.

- **Math, rendered at build time.** pymdownx.arithmatex (generic mode) leaves inline math as
  `<span class="arithmatex">\\(...\\)</span>` and display math as `<div class="arithmatex">
  \\[...\\]</div>`. Each formula is typeset here by KaTeX (from npm, `node_modules/katex`), run by
  ONE node process for the whole build, so no page loads a math script. Typeset formulas are
  cached on disk (next to the generators' cache, keyed by the formula and KaTeX's version): a
  warm build starts no node process at all. A formula KaTeX cannot parse is a warning (so
  `mkdocs build --strict` fails) and stays as source. KaTeX's stylesheet (and so its fonts) is
  imported by the pages that have math only, inside the article (an `@import`, which came
  along when material's instant navigation swapped the article in, and which its bundle did not
  rewrite and so reload, as it did every stylesheet link's address; the site now runs neither).
- **Images**: every `<img>` in a page gets its intrinsic `width` and `height` (read from the SVG
  the generators made), so nothing shifts as it loads; the images after the page's first section
  heading load lazily.
- **Search**: the source listings on the API pages (mkdocstrings' "Source code in ..." blocks)
  and torchinfo's layer-by-layer listings are marked `data-search-exclude`; material's search
  leaves them out of the index.
- **Folded source listings** (the API pages') are inert `<template>`s until a reader opens
  one (`assets/javascripts/lazy.js` moves it in): closed, they were 20,000 of the Models page's
  32,000 elements, all styled and laid out on every load (Lighthouse: 12 s of style and
  layout on a phone).
- **Examples**: a doctest's expected traceback is marked as output, which the copy button
  leaves out, as it leaves out the prompts and the other output lines.
- **Code blocks and tables, as material's bundle left them**: a code block gets its copy button
  and the keyboard's focus, a table its scrolling wrapper (`_code_blocks`, `_wrap_tables`); the
  site runs its own small script in place of the bundle (`assets/javascripts/theme.js`).
- **Tables**: an empty header cell (a table's top-left corner) becomes a plain cell.
- **Far blocks are laid out once the page has loaded**: each block of content that starts
  further down than `FAR` (by a low estimate of its position at desktop width) gets the
  attribute `data-far="skip"`, which extra.css gives `content-visibility: auto` (an attribute,
  not a class: material styles, and this hook wraps, only tables without a class). The browser
  skips their style and layout while the page loads, so that the page's first style and layout
  cover little more than its first screens (see `_mark_far_blocks`);
  `assets/javascripts/far.js` shows them after the load, a few at a time in idle moments.
  Blocks on the first screens are left alone: Chromium draws a skipped block in the viewport
  as a placeholder for one frame, which would shift the page as it loads.
- **The site's own stylesheets, inline**: every page carries `extra_css` (the site's styles and
  mkdocstrings') in one `<style>` instead of three more requests that block its first paint.
  With the site's scripts deferred too (mkdocs.yml), Lighthouse's first paint (mobile, median
  of three, builds of b2e4268 and fbda117) went from 1.2 s to 1.05 s on the home page and from
  2.2 s to 1.05 s on VGG's.
- **Versions in the footer**: the versions of cnnref and torch that run this build go into
  `config.extra`, where `docs/overrides/partials/copyright.html` prints them.
"""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.cnnref.site")

ROOT = Path(__file__).resolve().parents[1]
KATEX_NPM = ROOT / "node_modules" / "katex"
KATEX_DIR = Path(__file__).parent / "assets" / "vendor" / "katex"  # copied there by `make`
KATEX_FILES = ("katex.min.css", "fonts")
KATEX_CSS = "assets/vendor/katex/katex.min.css"
CACHE = Path(os.environ.get("CNNREF_DOCS_CACHE", ROOT / ".cache" / "docs"))

# arithmatex's generic output: the element, then the formula between \( \) or \[ \].
MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*\\(?P<open>[(\[])(?P<tex>.*?)\\[)\]]\s*</(?P=tag)>',
    re.S,
)
IMG = re.compile(r"<img\b[^>]*>")
SVG_SIZE = re.compile(
    rb'<svg\b[^>]*?\bwidth="(?P<w>[\d.]+)(?P<wu>pt|px)?"[^>]*?\bheight="(?P<h>[\d.]+)(?P<hu>pt|px)?"'
)
SOURCE_BLOCK = re.compile(
    r'<details class="mkdocstrings-source">(?P<summary>\s*<summary>.*?</summary>)(?P<listing>.*?)'
    r"(?=</details>)",
    re.S,
)
# torchinfo's layer-by-layer listings: reference tables of numbers, not text a reader searches.
LISTING = re.compile(
    r'<div class="language-text highlight">(?=<pre>(?:(?!</pre>).)*Total params)', re.S
)
# A doctest's expected traceback (Pygments marks its first line .gt, its last line's error .gr,
# the rest as code): wrapped as output (.go), so the copy button leaves it out like any output.
TRACEBACK = re.compile(r'<span class="gt">Traceback .*?(?=\n(?:<span class="gp">|</code>))', re.S)
# Far blocks: a tag (or a comment, or a raw-text element's whole content), for a scan of the
# page's element tree that needs no parser.
TAG = re.compile(
    r"<!--.*?-->|<(?P<raw>script|style|template|svg)\b[^>]*>.*?</(?P=raw)>"
    r"|<(?P<close>/?)(?P<tag>[a-zA-Z][\w-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S | re.I,
)
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
# Elements whose children are the blocks: the API pages' objects, the notebook's cells, and a
# code block's wrapper (its `<pre>`'s margins collapse through it, and would not through a
# block with layout containment: a skipped block must lay out as it would unskipped).
CONTAINERS = frozenset(
    {"doc-object", "doc-contents", "doc-children", "jupyter-wrapper", "jp-Notebook", "highlight"}
)
# Blocks never skipped: headings (the table of contents reads their offsets as the reader
# scrolls, theme.js), the edit button, a notebook's Markdown cells (they hold its headings) and the
# architecture explorer (its script fills it in).
HEADING = re.compile(r"h[1-6]$")
CLASS = re.compile(r'\bclass="([^"]*)"')
KEEP = frozenset({"md-content__button", "jp-MarkdownCell", "cnnref-explorer"})
FAR = 1200  # px, estimated low: 1.5 screens or more on a 1920x1080 desktop (measured)
EMPTY_TH = re.compile(r"<th(?P<attrs>[^>]*)>\s*</th>")
CODE_BLOCK = re.compile(r"(?P<pre><pre\b[^>]*)>(?P<span>(?:<span></span>)?)<code>")
NOTEBOOK_CELL = re.compile(r'(<div class="highlight-ipynb[^"]*">\s*<pre)>')
TABLE = re.compile(r"<table(?![^>]*\bclass=)[^>]*>")  # material's `table:not([class])`

# One node process for the build: reads one JSON request a line, writes one JSON answer a line.
RENDER_JS = r"""
const katex = require(process.argv[1]);
const readline = require("readline");
const lines = readline.createInterface({input: process.stdin});
lines.on("line", line => {
  const {tex, display} = JSON.parse(line);
  let answer;
  try {
    answer = {html: katex.renderToString(tex, {displayMode: display, throwOnError: true,
                                               output: "htmlAndMathml"})};
  } catch (error) {
    answer = {error: error.message};
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
"""


class DiskMemo:
    """A dict kept in one JSON file in the cache: read when made, written by `save` if it grew.

    `save(drop_unused=True)` writes only the entries this build read or added (the far blocks',
    after a build of every page: each edit of a page adds one, which the next edit makes
    stale)."""

    def __init__(self, name: str) -> None:
        self.path = CACHE / name
        try:
            self.values: dict = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.values = {}
        self.used: set[str] = set()
        self.dirty = False

    def get(self, key: str):
        value = self.values.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value) -> None:
        self.values[key] = value
        self.used.add(key)
        self.dirty = True

    def save(self, drop_unused: bool = False) -> None:
        if self.dirty:
            values = self.values
            if drop_unused:
                values = {key: value for key, value in values.items() if key in self.used}
            CACHE.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(values, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
            self.dirty = False


class Katex:
    """Typesets TeX with KaTeX in one node process, started when first needed; caches results."""

    def __init__(self) -> None:
        self.version = json.loads((KATEX_NPM / "package.json").read_text())["version"]
        self.memo = DiskMemo(f"katex-{self.version}.json")
        self.proc: subprocess.Popen | None = None

    def render(self, tex: str, display: bool) -> tuple[str | None, str | None]:
        """(html, None), or (None, KaTeX's error message)."""
        key = hashlib.sha256(f"{display:d}{tex}".encode()).hexdigest()[:24]
        cached = self.memo.get(key)
        if cached is not None:
            return cached, None
        if self.proc is None:
            node = shutil.which("node")
            if node is None:
                raise PluginError("node is missing: the site's math is typeset by KaTeX on node")
            self.proc = subprocess.Popen(
                [node, "-e", RENDER_JS, str(KATEX_NPM)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            return None, answer["error"]
        self.memo.put(key, answer["html"])
        return answer["html"], None

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()  # node ends when its input does
            self.proc.wait(timeout=30)
            self.proc = None
        self.memo.save()


_katex: Katex | None = None
# Where each page's far blocks start, by the page's content and this file (which estimates them):
# a warm build reads the marks instead of scanning every page (0.1-0.2 s a build).
_far: DiskMemo | None = None
_pages = {"all": 0, "seen": 0}  # this build's pages, and those whose content came through
_SOURCE = Path(__file__).read_bytes()
_copy_label = "Copy to clipboard"  # the theme's words in the site's language: `on_config`


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _katex, _far, _copy_label
    # Read from the installed distributions: the MkDocs process does not import torch.
    config.extra["cnnref_version"] = metadata.version("cnnref")
    config.extra["torch_version"] = metadata.version("torch")
    missing = [name for name in KATEX_FILES if not (KATEX_DIR / name).exists()]
    if missing or not (KATEX_NPM / "package.json").exists():
        raise PluginError(
            f"KaTeX is missing from {KATEX_DIR} ({', '.join(missing) or 'node_modules'}). The "
            "site typesets its math with KaTeX from npm and serves KaTeX's stylesheet and fonts "
            "itself: run `make build` (it runs `npm ci` and copies node_modules/katex/dist)."
        )
    _katex = Katex()
    _far = DiskMemo("far-blocks.json")
    # As material's search translates its words: the theme's language partial, its `t` macro.
    env = config.theme.get_env()
    language = env.get_template("partials/language.html", None, {"config": config})
    _copy_label = language.module.t("clipboard.copy").strip()
    return config


def _code_blocks(html: str, config: MkDocsConfig) -> str:
    """Every code block takes the keyboard's focus and gets material's copy button.

    Focus, so that a long line can be scrolled to (WCAG 2.1.1, axe's
    scrollable-region-focusable). The copy button is material's markup (9.8), which its bundle
    added at run time as each block scrolled into view; `assets/javascripts/theme.js` copies.
    """
    copy = "content.code.copy" in config.theme.get("features", [])
    label = htmllib.escape(_copy_label)
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        pre, button = match["pre"], ""
        if copy:
            if " id=" not in pre:
                pre += f' id="__code_{count}"'
            code_id = re.search(r' id="([^"]*)"', pre)[1]
            count += 1
            button = (
                f'<nav class="md-code__nav" role="none"><button class="md-code__button" '
                f'title="{label}" data-clipboard-target="#{code_id} &gt; code" '
                'data-md-type="copy"></button></nav>'
            )
        return f'{pre}>{match["span"]}{button}<code tabindex="0">'

    return CODE_BLOCK.sub(replace, html)


def _wrap_tables(html: str) -> str:
    """Each table without a class scrolls sideways inside material's wrapper, which the keyboard
    can focus to scroll (WCAG 2.1.1); material's bundle wrapped them at run time."""
    pieces, last = [], 0
    for match in TABLE.finditer(html):
        if match.start() < last:
            continue  # a table inside a wrapped one scrolls with it
        end = _element_end(html, "table", match.end())
        pieces += [html[last : match.start()], '<div class="md-typeset__scrollwrap" tabindex="0">']
        pieces += ['<div class="md-typeset__table">', html[match.start() : end], "</div></div>"]
        last = end
    return "".join(pieces) + html[last:]


def _typeset(html: str, page: Page) -> tuple[str, bool]:
    """The page's HTML with every formula typeset; whether it has any."""
    found = False

    def replace(match: re.Match) -> str:
        nonlocal found
        found = True
        tex = htmllib.unescape(match["tex"]).strip()
        display = match["open"] == "["
        rendered, error = _katex.render(tex, display)
        if error:
            log.warning("cnnref: KaTeX cannot typeset %r on %s: %s", tex, page.file.src_uri, error)
            return match[0]
        # A display formula wider than the page scrolls in its own box (extra.css): focusable,
        # so that a keyboard can scroll it too.
        rendered = rendered.replace(
            '<span class="katex-display">', '<span class="katex-display" tabindex="0">', 1
        )
        return f'<{match["tag"]} class="arithmatex">{rendered}</{match["tag"]}>'

    return MATH.sub(replace, html), found


def _image_size(data: bytes) -> tuple[int, int] | None:
    """An SVG's size in CSS pixels (matplotlib writes points: 1 pt = 4/3 px)."""
    match = SVG_SIZE.search(data[:2000])
    if match is None:
        return None
    scale = {b"pt": 4 / 3, b"px": 1, None: 1}
    w = float(match["w"]) * scale[match["wu"]]
    h = float(match["h"]) * scale[match["hu"]]
    return round(w), round(h)


def _size_images(html: str, page: Page, files: Files) -> str:
    here = posixpath.dirname(page.file.dest_uri)
    fold = html.find("<h2")  # below the first section heading, a figure is off the first screen
    fold = len(html) if fold < 0 else fold

    def replace(match: re.Match) -> str:
        tag = match[0]
        attrs = ""
        src = re.search(r'\bsrc="([^"]+)"', tag)
        if src and " width=" not in tag and "://" not in src[1]:
            uri = posixpath.normpath(posixpath.join(here, htmllib.unescape(src[1])))
            file = files.get_file_from_path(uri)
            size = _image_size(file.content_bytes) if file is not None else None
            if size:
                attrs += f' width="{size[0]}" height="{size[1]}"'
        if match.start() > fold and "loading=" not in tag:
            attrs += ' loading="lazy"'
        if "decoding=" not in tag:
            attrs += ' decoding="async"'
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + attrs + tag[end:]

    return IMG.sub(replace, html)


def _height(block: str) -> float:
    """A low estimate of a block's height in CSS px at desktop width (material's ~700 px column).

    Low on purpose: it must never place a block below `FAR` that a reader's first screens show.
    Counted are lines of code (18 px each), table rows (28 px), sized images (at most 700 px
    wide) and display formulas (40 px); the other text as 120 characters a line, 24 px each.
    A closed `<details>` is its summary.
    """
    if block.startswith("<details") and not re.match(r"<details\b[^>]*\bopen\b", block):
        return 40
    height = 0.0
    for pre in re.findall(r"<pre\b.*?</pre>", block, re.S):
        height += 18 * (pre.count("\n") + 1)
    height += 28 * block.count("<tr")
    height += 40 * block.count('class="katex-display"')
    for img in IMG.findall(block):
        size = re.search(r'\bwidth="(\d+)" height="(\d+)"', img)
        if size:
            width, tall = int(size[1]), int(size[2])
            height += tall * min(1.0, 700 / width)
    text = re.sub(r"<pre\b.*?</pre>|<table\b.*?</table>|<[^>]*>", "", block, flags=re.S)
    return height + 24 * (len(text.strip()) // 120)


@functools.cache
def _same_tag(tag: str) -> re.Pattern:
    return re.compile(rf"<(/?){tag}\b[^>]*>", re.I)


def _element_end(html: str, tag: str, pos: int) -> int:
    """Where the element whose opening tag ends at `pos` ends (after its closing tag)."""
    depth = 1
    for match in _same_tag(tag).finditer(html, pos):
        depth += -1 if match[1] else 1
        if depth == 0:
            return match.end()
    return len(html)


def _far_marks(html: str) -> list[int]:
    """Where `data-far="skip"` goes: in each block that starts below `FAR` (the module's notes).

    The blocks are the content's top-level elements and, inside the containers that make up an
    API page (mkdocstrings' `.doc-*`) and a notebook (`.jupyter-wrapper`, `.jp-Notebook`), their
    children. Each block's height is `_height`'s estimate; a container adds nothing of its own.
    The scan steps over each block whole, so it reads only the tags of containers and blocks.
    """
    y = 0.0
    marks: list[int] = []  # where an opening tag ends: the attribute goes in there
    pos = 0
    while (match := TAG.search(html, pos)) is not None:
        pos = match.end()
        tag = match["tag"]
        # A comment, raw text, a void element, or a container's closing tag: nothing to measure.
        if tag is None or match["close"] or tag in VOID or match["attrs"].endswith("/"):
            continue
        classes = CLASS.search(match["attrs"])
        names = set(classes[1].split()) if classes else set()
        if names & CONTAINERS:
            continue  # its children are the blocks: read on inside it
        if y > FAR and not (HEADING.match(tag) or names & KEEP):
            marks.append(match.end() - 1)
        pos = _element_end(html, tag, pos)
        y += _height(html[match.start() : pos])
    return marks


def _mark_far_blocks(html: str, memo: DiskMemo | None = None) -> str:
    """Adds `data-far="skip"` to each block that starts below `FAR` (`_far_marks`)."""
    key = hashlib.sha256(_SOURCE + html.encode()).hexdigest()[:32]
    marks = memo.get(key) if memo is not None else None
    if marks is None:
        marks = _far_marks(html)
        if memo is not None:
            memo.put(key, marks)
    pieces, last = [], 0
    for at in marks:
        pieces += [html[last:at], ' data-far="skip"']
        last = at
    return "".join(pieces) + html[last:]


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _pages.update(all=len(files.documentation_pages()), seen=0)
    return files


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    _pages["seen"] += 1
    html, has_math = _typeset(html, page)
    if has_math:
        css = posixpath.relpath(KATEX_CSS, posixpath.dirname(page.file.dest_uri) or ".")
        html = f'<style>@import url("{css}");</style>\n' + html
    html = _size_images(html, page, files)
    html = SOURCE_BLOCK.sub(
        r'<details class="mkdocstrings-source" data-search-exclude>\g<summary>'
        r'<template class="cnnref-lazy">\g<listing></template>',
        html,
    )
    html = TRACEBACK.sub(lambda m: f'<span class="go">{m[0]}</span>', html)
    html = LISTING.sub('<div class="language-text highlight" data-search-exclude>', html)
    html = _code_blocks(html, config)
    # A notebook's code cell scrolls sideways when a line is long: focusable for the same reason.
    html = NOTEBOOK_CELL.sub(r'\1 tabindex="0">', html)
    # A table's empty top-left corner is not a header: a header cell needs a name (axe).
    html = EMPTY_TH.sub(r"<td\g<attrs>></td>", html)
    return _wrap_tables(_mark_far_blocks(html, _far))


def _inline_styles(config: MkDocsConfig) -> None:
    """Replaces each page's links to the `extra_css` files by one `<style>` with their text.

    Runs after every plugin's `on_post_build` (hooks come last), when mkdocstrings has written
    its stylesheet. The stylesheets stay in the site too, for anyone who links them.
    """
    site = Path(config.site_dir)
    paths = [str(path) for path in config.extra_css]
    missing = [path for path in paths if not (site / path).is_file()]
    if missing:
        log.warning("cnnref: extra_css not in the built site, left linked: %s", ", ".join(missing))
        return
    css = "\n".join((site / path).read_text(encoding="utf-8").strip() for path in paths)
    style = "<style>" + re.sub(r"</(?=style)", r"<\\/", css, flags=re.I) + "</style>"
    names = "|".join(re.escape(path) for path in paths)
    link = re.compile(rf'<link rel="stylesheet" href="(?:[^"]*/)?(?:{names})">\n?\s*')
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        found = link.search(text)
        if found is None:
            continue
        head = text[: found.start()] + style + "\n"
        page.write_text(head + link.sub("", text[found.end() :]), encoding="utf-8")


def on_post_build(config: MkDocsConfig) -> None:
    if _katex is not None:
        _katex.close()
    if _far is not None:
        _far.save(drop_unused=_pages["seen"] >= _pages["all"])  # not after `serve --dirty`
    _inline_styles(config)


def on_build_error(error: Exception) -> None:
    if _katex is not None:
        _katex.close()
    if _far is not None:
        _far.save()
