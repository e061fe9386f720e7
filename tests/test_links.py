"""Static checks over every HTML file of the built site.

- Every internal link and `#anchor` resolves: relative hrefs against the page, anchors against
  the ids of the target page; every `url(...)` in the site's CSS exists.
- Nothing is loaded from another host (scripts, styles, images, frames, fonts); links out are
  plain `<a href>` to the repository and the papers' sites only.
- Accessibility: every image has alt text; one h1 per page; headings in the article never skip
  a level.
- What a reader relies on is in the markup: palette toggle, copy buttons (built, not added by a
  script), the theme's script in place of material's bundle,
  a table of contents, previous/next links, "edit this page" links to files that exist, the
  versions of cnnref and torch in the footer, `site_url` and a 404 page.

The browser test (`test_site_browser.py`) checks what only a browser can see.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

import cnnref
from cnnref.references import REFERENCES

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_SCHEMES = ("mailto", "tel", "javascript", "data", "blob")
NOT_LOADED_RELS = {"canonical", "alternate", "prev", "next"}  # <link>s that fetch nothing
RESOURCE_ATTRS = {  # tag -> attributes whose URL the browser loads
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
FEATURES = (
    "navigation.footer",
    "content.code.copy",
    "content.action.edit",
)


# --- parsing ----------------------------------------------------------------------------------


@dataclass
class Page:
    """What one HTML file holds, as far as these checks care."""

    rel: str  # path inside the site, e.g. "vgg/index.html"
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # <a href>
    resources: list[tuple[str, str]] = field(default_factory=list)  # (tag, url) loaded
    images: list[tuple[str, str | None]] = field(default_factory=list)  # (src, alt)
    h1_count: int = 0
    article_headings: list[tuple[int, str]] = field(default_factory=list)  # (level, text)
    toc_links: list[str] = field(default_factory=list)
    footer_links: list[str] = field(default_factory=list)  # previous/next
    edit_links: list[str] = field(default_factory=list)
    canonical: str | None = None
    config: dict = field(default_factory=dict)  # material's __config
    palette_inputs: int = 0
    code_blocks: int = 0  # <pre> elements with a <code>
    copy_buttons: int = 0
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.article_depth = 0
        self.nav_stack: list[bool] = []  # per open <nav>: inside the table of contents?
        self.heading: list | None = None  # [level, text] while inside h1..h6
        self.in_config = False
        self.in_style = False
        self.pre: bool | None = None  # inside a <pre>: has it a <code> yet?
        self.config_text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        page = self.page
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                page.ids.add(a[key])
        classes = a.get("class", "").split()
        if tag == "article":
            self.article_depth += 1
        elif tag == "nav":
            in_toc = bool(self.nav_stack and self.nav_stack[-1])
            self.nav_stack.append(in_toc or "md-nav--secondary" in classes)
        elif tag == "a" and "href" in a:
            page.links.append(a["href"])
            if self.nav_stack and self.nav_stack[-1] and "md-nav__link" in classes:
                page.toc_links.append(a["href"])
            if "md-footer__link" in classes:
                page.footer_links.append(a["href"])
            if "md-content__button" in classes and "/edit/" in a["href"]:
                page.edit_links.append(a["href"])
        elif tag == "img":
            page.images.append((a.get("src", ""), a.get("alt")))
        elif tag == "input" and a.get("name") == "__palette":
            page.palette_inputs += 1
        elif tag == "pre":
            self.pre = False
        elif tag == "code" and self.pre is False:
            self.pre = True
            page.code_blocks += 1
        elif tag == "button" and a.get("data-md-type") == "copy":
            page.copy_buttons += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.heading = [int(tag[1]), ""]
        elif tag == "script" and a.get("id") == "__config":
            self.in_config = True
        elif tag == "style":
            self.in_style = True
        if tag == "link" and "canonical" in a.get("rel", "").split():
            page.canonical = a.get("href")
        self._resources(tag, a)

    def _resources(self, tag: str, a: dict[str, str]) -> None:
        if tag == "link" and set(a.get("rel", "").split()) & NOT_LOADED_RELS:
            return
        for attr in RESOURCE_ATTRS.get(tag, ()):
            value = a.get(attr, "").strip()
            if not value:
                continue
            urls = [part.split()[0] for part in value.split(",")] if "srcset" in attr else [value]
            self.page.resources.extend((tag, url) for url in urls if url)
        for match in CSS_URL.finditer(a.get("style", "")):
            self.page.resources.append(("style attribute", match.group(1) or match.group(2)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.pre = None
        elif tag == "article":
            self.article_depth -= 1
        elif tag == "nav" and self.nav_stack:
            self.nav_stack.pop()
        elif self.heading and tag == f"h{self.heading[0]}":
            level, text = self.heading
            self.heading = None
            if level == 1:
                self.page.h1_count += 1
            if self.article_depth:
                self.page.article_headings.append((level, text.replace("¶", "").strip()))
        elif tag == "script" and self.in_config:
            self.in_config = False
            self.page.config = json.loads("".join(self.config_text))
        elif tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading[1] += data
        if self.in_config:
            self.config_text.append(data)
        elif self.in_style:
            for match in CSS_URL.finditer(data):
                self.page.resources.append(("style element", match.group(1) or match.group(2)))
        else:
            self.text.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(self.text)


def _parse(site_dir: Path, html: Path) -> Page:
    page = Page(rel=html.relative_to(site_dir).as_posix())
    parser = _Parser(page)
    parser.feed(html.read_text(encoding="utf-8"))
    parser.close()
    return page


@pytest.fixture(scope="module")
def site(site_dir: Path) -> dict[str, Page]:
    """Every HTML file of the site, parsed, by its path inside the site."""
    parsed = {}
    for html in sorted(site_dir.rglob("*.html")):
        page = _parse(site_dir, html)
        parsed[page.rel] = page
    assert "index.html" in parsed, f"no home page in {site_dir}"
    return parsed


@pytest.fixture(scope="module")
def site_url(site: dict[str, Page]) -> str:
    url = site["index.html"].canonical
    assert url and url.startswith("https://"), f"site_url is not set (canonical link: {url})"
    return url


# Hosts cited as the source of a figure that are not a paper's publisher, and why.
CITED_SOURCES = {
    "karpathy.github.io": "the human top-5 error on ILSVRC (Karpathy's 2014 blog post)",
    "proceedings.mlr.press": "PMLR, the publisher of Glorot & Bengio's AISTATS 2010 paper",
    "icml.cc": "ICML 2010's own copy of Nair & Hinton's ReLU paper",
    "jmlr.org": "JMLR, the publisher of Srivastava et al.'s dropout paper (2014)",
    "colab.research.google.com": "the notebooks' Open in Colab links (the repository's notebooks)",
}


def _allowed_link_hosts(site_url: str) -> set[str]:
    """Hosts a page may link to: the site's own, the repository's, the papers' and sources'."""
    cards = [cnnref.get_card(name) for name in cnnref.list_models()]
    urls = [site_url, "https://github.com/cnnref/cnnref"] + [card.paper.url for card in cards]
    urls += [paper.url for paper in REFERENCES.values()]  # the cited works, declared in code
    return {urlsplit(url).hostname for url in urls} | CITED_SOURCES.keys()


# --- resolving --------------------------------------------------------------------------------


def _resolve(site_url: str, page: Page, href: str) -> tuple[str | None, str] | None:
    """The site file an href points to and its anchor; None for links out of the site.

    Returns `(None, href)` when the href climbs out of the site or misses the site's path.
    """
    parts = urlsplit(href)
    if parts.scheme in SKIPPED_SCHEMES:
        return None
    absolute = urljoin(urljoin(site_url, page.rel), href)  # 404.html links from site_url's path
    if not absolute.startswith(site_url.split("#")[0]):
        site_parts = urlsplit(site_url)
        target = urlsplit(absolute)
        if target.scheme in ("http", "https") and target.netloc != site_parts.netloc:
            return None  # a link to another site
        return (None, href)
    path = unquote(urlsplit(absolute).path[len(urlsplit(site_url).path) :])
    if path == "" or path.endswith("/"):
        path += "index.html"
    return (path, unquote(urlsplit(absolute).fragment))


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return url.startswith("//") or parts.scheme in ("http", "https", "ftp", "ws", "wss")


# --- links --------------------------------------------------------------------------------------


def test_every_internal_link_and_anchor_resolves(site, site_url, site_dir: Path):
    broken = []
    for page in site.values():
        for href in page.links:
            resolved = _resolve(site_url, page, href)
            if resolved is None:
                continue
            path, anchor = resolved
            if path is None:
                broken.append(f"{page.rel}: {href} leaves the site")
                continue
            target = site_dir / path
            if target.is_dir():
                target, path = target / "index.html", f"{path}/index.html"
            if not target.is_file():
                broken.append(f"{page.rel}: {href} -> missing {path}")
            elif anchor and path in site and anchor not in site[path].ids:
                broken.append(f"{page.rel}: {href} -> no id {anchor!r} in {path}")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:50])


def test_links_out_go_only_to_the_repository_and_the_papers(site, site_url):
    allowed = _allowed_link_hosts(site_url)
    outside = sorted(
        {
            f"{page.rel}: {href}"
            for page in site.values()
            for href in page.links
            if _is_external(href) and urlsplit(href).hostname not in allowed
        }
    )
    assert not outside, f"links to hosts other than {sorted(allowed)}:\n" + "\n".join(outside)


def test_nothing_is_loaded_from_another_host(site, site_url, site_dir: Path):
    problems = []
    for page in site.values():
        for tag, url in page.resources:
            if _is_external(url):
                problems.append(f"{page.rel}: <{tag}> loads {url}")
                continue
            resolved = _resolve(site_url, page, url)
            if resolved and (resolved[0] is None or not (site_dir / resolved[0]).is_file()):
                problems.append(f"{page.rel}: <{tag}> {url} is missing")
    assert not problems, "\n".join(problems[:50])


def test_stylesheets_load_nothing_from_another_host(site_dir: Path):
    problems = []
    for css in sorted(site_dir.rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in CSS_URL.finditer(text):
            url = (match.group(1) or match.group(2)).strip()
            if url.startswith(("data:", "#")):
                continue
            rel = css.relative_to(site_dir)
            if _is_external(url):
                problems.append(f"{rel}: loads {url}")
            elif not (css.parent / unquote(urlsplit(url).path)).is_file():
                problems.append(f"{rel}: {url} is missing")
    assert not problems, "\n".join(problems[:50])


# --- accessibility ------------------------------------------------------------------------------


def test_every_image_has_alt_text(site):
    missing = [
        f"{page.rel}: {src}"
        for page in site.values()
        for src, alt in page.images
        if not (alt or "").strip()
    ]
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_one_h1_per_page_and_headings_in_order(site):
    problems = []
    for page in site.values():
        if page.h1_count != 1:
            problems.append(f"{page.rel}: {page.h1_count} h1 headings")
        levels = [level for level, _ in page.article_headings]
        if levels and levels[0] != 1:
            problems.append(f"{page.rel}: the article starts at h{levels[0]}")
        for (before, _), (level, text) in zip(
            page.article_headings, page.article_headings[1:], strict=False
        ):
            if level > before + 1:
                problems.append(f"{page.rel}: h{before} then h{level} ({text!r})")
    assert not problems, "\n".join(problems[:50])


# --- what a reader relies on --------------------------------------------------------------------


def _content_pages(site: dict[str, Page]) -> list[Page]:
    return [page for rel, page in site.items() if rel != "404.html"]


def test_theme_features_are_on(site):
    home = site["index.html"]
    missing = [name for name in FEATURES if name not in home.config.get("features", [])]
    assert not missing, f"material features off: {missing}"
    assert home.palette_inputs == 2, "expected a light and a dark palette with a toggle"


def test_pages_run_the_theme_script_not_materials_bundle(site):
    """theme.js stands in for material's bundle (docs/overrides/main.html); the build gives each
    code block the copy button the bundle added at run time (docs/hooks_site.py)."""
    problems = []
    for page in site.values():
        scripts = [url for tag, url in page.resources if tag == "script"]
        if any(re.search(r"(^|/)bundle\.[0-9a-f]+\.min\.js$", url) for url in scripts):
            problems.append(f"{page.rel}: loads material's bundle")
        if not any(url.endswith("assets/javascripts/theme.js") for url in scripts):
            problems.append(f"{page.rel}: no theme.js in {scripts}")
        if page.copy_buttons != page.code_blocks:
            counts = f"{page.code_blocks} code blocks, {page.copy_buttons} copy buttons"
            problems.append(f"{page.rel}: {counts}")
    assert not problems, "\n".join(problems[:50])


def test_every_page_has_a_table_of_contents(site):
    problems = []
    for page in _content_pages(site):
        sections = [level for level, _ in page.article_headings if level == 2]
        if sections and len(page.toc_links) < len(sections):
            problems.append(f"{page.rel}: {len(sections)} sections, {len(page.toc_links)} in TOC")
    assert not problems, "\n".join(problems)


def test_every_page_has_previous_or_next_links(site):
    alone = [page.rel for page in _content_pages(site) if not page.footer_links]
    assert len(site) <= 2 or not alone, f"pages without previous/next links: {alone}"


def test_edit_links_point_to_files_in_the_repository(site):
    problems = []
    for page in _content_pages(site):
        if len(page.edit_links) != 1:
            problems.append(f"{page.rel}: {len(page.edit_links)} 'edit this page' links")
            continue
        path = urlsplit(page.edit_links[0]).path
        in_repo = re.sub(r"^/[^/]+/[^/]+/edit/[^/]+/", "", path)  # /owner/repo/edit/branch/
        if not (ROOT / unquote(in_repo)).is_file():
            problems.append(f"{page.rel}: edits {in_repo}, which is not in the repository")
    assert not problems, "\n".join(problems)


def test_footer_names_the_versions_that_built_the_site(site):
    expected = (f"cnnref {metadata.version('cnnref')}", f"torch {metadata.version('torch')}")
    problems = [
        page.rel
        for page in site.values()
        if not all(text in " ".join(page.text.split()) for text in expected)
    ]
    assert not problems, f"footer without {expected}: {problems}"


def test_site_url_and_404_page(site, site_url):
    assert "404.html" in site, "no 404 page"
    assert site["404.html"].h1_count == 1
    wrong = [
        page.rel for page in _content_pages(site) if not (page.canonical or "").startswith(site_url)
    ]
    assert not wrong, f"canonical links outside {site_url}: {wrong}"


def test_math_is_typeset_at_build_time_and_katex_css_loads_only_with_math(site, site_dir: Path):
    """No page loads a math script; KaTeX's stylesheet comes with the pages that show math."""
    with_math = []
    for page in site.values():
        html = (site_dir / page.rel).read_text(encoding="utf-8")
        shows_math = 'class="katex"' in html
        scripts = [url for tag, url in page.resources if tag == "script" and "katex" in url]
        styles = [
            url
            for tag, url in page.resources
            if tag in ("link", "style element") and "katex" in url  # an @import (hooks_site.py)
        ]
        assert not scripts, f"{page.rel} loads a math script: {scripts}"
        assert bool(styles) == shows_math, f"{page.rel}: math {shows_math}, KaTeX CSS {styles}"
        with_math += [page.rel] * shows_math
    assert with_math, "no page shows typeset math"
