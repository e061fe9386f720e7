"""The built site: every page's code runs as copied, figures match the code, pages are well formed.

All tests read the strictly built site (the `site_dir` fixture in conftest.py). The code-block
test runs each page's Python blocks, in page order and concatenated, in a fresh interpreter,
exactly as a reader pasting them one after another would.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import typing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from helpers import meta_model, n_params

import cnnref

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
from gen import models as models_gen  # noqa: E402  (the site's generators live in docs/)

PAGES = sorted(
    p.relative_to(DOCS).as_posix()
    for p in DOCS.rglob("*.md")
    if p.relative_to(DOCS).parts[0] not in ("overrides", "gen", "snippets")
)
# The shell commands the site may show: installing, the Makefile, the command line.
SHELL_COMMANDS = re.compile(r"^(pip install -e \.|make (serve|test|bench)|python -m cnnref \w+.*)$")


def html_path(site: Path, page: str) -> Path:
    """Where MkDocs (directory URLs) writes the page `docs/<page>`."""
    stem = page.removesuffix(".md")
    if stem == "index":
        return site / "index.html"
    if stem.endswith("/index"):
        return site / stem.removesuffix("/index") / "index.html"
    return site / stem / "index.html"


@dataclass
class Block:
    """A highlighted code block: its language, its text, whether it is API reference."""

    language: str
    in_api_object: bool
    text: str = ""
    copied: str = ""  # what the copy button copies: no `>>>`/`...` prompts, no output lines


class Page(HTMLParser):
    """The parts of a built page the tests check (stdlib parser, no dependencies)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.images: list[dict[str, str]] = []
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self._divs: list[tuple[str, ...]] = []  # classes of each open <div>
        self._block: Block | None = None
        self._block_depth = 0
        self._in_code = 0
        self._spans: list[bool] = []  # for each open <span> in a block: is it left out of a copy
        self._in_article = False
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = tuple(a.get("class", "").split())
        if tag == "article":
            self._in_article = True
        elif tag == "div":
            self._divs.append(classes)
            languages = [c for c in classes if c.startswith("language-")]
            if languages and "highlight" in classes and self._block is None:
                in_doc = any("doc" in d for d in self._divs[:-1])
                self._block = Block(languages[0].removeprefix("language-"), in_doc)
                self._block_depth = len(self._divs)
        elif tag == "code" and self._block is not None:
            self._in_code += 1
        elif tag == "span" and self._block is not None:
            # extra.css hides prompts (.gp) and output (.go) while material copies a block
            self._spans.append(bool({"gp", "go"} & set(classes)))
        elif tag == "img" and self._in_article:
            self.images.append(a)
        elif re.fullmatch(r"h[1-6]", tag) and self._in_article:
            self._heading = [tag]

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article = False
        elif tag == "div" and self._divs:
            if self._block is not None and len(self._divs) == self._block_depth:
                self.blocks.append(self._block)
                self._block = None
            self._divs.pop()
        elif tag == "code" and self._in_code:
            self._in_code -= 1
        elif tag == "span" and self._spans:
            self._spans.pop()
        elif self._heading is not None and tag == self._heading[0]:
            self.headings.append((int(tag[1]), "".join(self._heading[1:]).strip("¶ ")))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._block is not None and self._in_code:
            self._block.text += data
            if not any(self._spans):
                self._block.copied += data
        if self._heading is not None:
            self._heading.append(data)
        if self._in_article:
            self.text.append(data)


def parse(site: Path, page: str) -> Page:
    parsed = Page()
    parsed.feed(html_path(site, page).read_text(encoding="utf-8"))
    return parsed


def page_text(site: Path, page: str) -> str:
    return " ".join(parse(site, page).text)


def shell_lines(text: str) -> list[str]:
    """A bash block's commands: `\\`-continued lines joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", "", text)
    return [shlex.join(words) for words in map(_words, joined.splitlines()) if words]


def _words(line: str) -> list[str]:
    return shlex.split(line, comments=True)


def reader_blocks(parsed: Page) -> list[Block]:
    """The blocks a reader copies: everything but the API reference's signatures and sources."""
    return [b for b in parsed.blocks if not b.in_api_object]


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", PAGES)
def test_page_is_well_formed(site_dir: Path, page: str) -> None:
    """One h1, headings that never skip a level, alt text on every image that exists."""
    parsed = parse(site_dir, page)
    levels = [level for level, _ in parsed.headings]
    assert levels.count(1) == 1 and levels[0] == 1, f"{page}: headings {parsed.headings[:3]}"
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"{page}: h{before} followed by h{after}"
    here = html_path(site_dir, page).parent
    for image in parsed.images:
        assert len(image.get("alt", "").split()) >= 4, f"{page}: image without alt text {image}"
        assert (here / image["src"]).resolve().is_file(), f"{page}: missing {image['src']}"
    assert "Not generated" not in " ".join(parsed.text), f"{page}: a generator failed"


@pytest.mark.parametrize("page", PAGES)
def test_first_paint_waits_for_the_theme_alone(site_dir: Path, page: str) -> None:
    """Nothing holds up a page's first paint but stylesheets: the site's are inline (one
    `<style>`, docs/hooks_site.py) and its scripts deferred (mkdocs.yml; material's bundle is
    left out, docs/overrides/main.html); what a page links before it paints is material's two
    stylesheets (and, where it has math, imports KaTeX's)."""
    text = html_path(site_dir, page).read_text(encoding="utf-8")
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text):
        name = href.rsplit("/", 1)[-1]
        assert re.fullmatch(r"(main|palette)\.[0-9a-f]+\.min\.css|katex\.min\.css", name), (
            f"{page}: links {href}, which blocks its first paint"
        )
    for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", text):
        assert re.search(r"\b(defer|async)\b", tag), f"{page}: {tag} blocks the parser"


@pytest.mark.parametrize("page", PAGES)
def test_code_blocks_are_known_and_copyable(site_dir: Path, page: str) -> None:
    """Every block has a language; Python copies without prompts; shell blocks are the README's."""
    for block in reader_blocks(parse(site_dir, page)):
        assert block.language in {"python", "text", "bash", "pycon"}, f"{page}: {block.language}"
        if block.language == "python":
            lines = block.text.splitlines()
            assert not [ln for ln in lines if ln.startswith((">>>", "... "))], page
            compile(block.text, f"{page} block", "exec")  # it parses, as copied
        if block.language == "bash":
            for line in shell_lines(block.text):
                assert SHELL_COMMANDS.match(line), f"{page}: unexpected shell command {line!r}"


RUNNABLE = [
    p for p in PAGES if not p.startswith("api/")
]  # the API pages hold signatures, sources and doctests (run by pytest --doctest-modules)


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNABLE)
def test_page_code_runs_as_pasted(site_dir: Path, page: str, tmp_path: Path) -> None:
    """A page's Python blocks, concatenated in order, run in a fresh interpreter."""
    code = "\n\n".join(
        b.text for b in reader_blocks(parse(site_dir, page)) if b.language == "python"
    )
    if not code:
        pytest.skip(f"{page} shows no Python")
    script = tmp_path / "page.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{page}'s code failed:\n{proc.stderr[-3000:]}"


# The API pages: those written under docs/api/, and the module pages that the Models page's
# generator adds (docs/gen/models.py: one per family, one for the layers they share).
API_PAGES = [p for p in PAGES if p.startswith("api/")] + list(models_gen.api_model_pages())


def api_examples(site: Path, page: str) -> list[tuple[str, str | None]]:
    """The docstring examples an API page shows, each as its copy button copies it, and the
    exception it shows being raised (`ValueError`), if any."""
    out = []
    for b in parse(site, page).blocks:
        if b.in_api_object and b.language == "pycon" and b.copied.strip():
            raised = None
            if "Traceback (most recent call last)" in b.text:
                raised = re.findall(r"^([\w.]+):", b.text, re.M)[-1]
            out.append((b.copied.strip(), raised))
    return out


def run_fresh(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter, as a reader running what they copied."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
@pytest.mark.parametrize("page", API_PAGES)
def test_api_examples_run_as_copied(site_dir: Path, page: str, tmp_path: Path) -> None:
    """Every example on an API page, copied with its copy button, runs by itself.

    The doctests check the examples' output; this checks what a reader gets: the code alone,
    without the module's own imports, in a fresh interpreter (two at a time). An example that
    shows an error must raise that error. `python tests/example_imports.py --fix` adds the
    imports an example lacks.
    """
    examples = api_examples(site_dir, page)
    if not examples:
        pytest.skip(f"{page} shows no examples")
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = list(pool.map(lambda example: run_fresh(example[0], tmp_path), examples))
    failures = []
    for (code, raised), proc in zip(examples, procs, strict=True):
        last = (proc.stderr.strip().splitlines() or [""])[-1]
        if raised is None and proc.returncode != 0:
            failures.append(f"--- example:\n{code}\n--- fails with:\n{last}")
        elif raised is not None and not last.startswith(f"{raised}:"):
            failures.append(f"--- example:\n{code}\n--- should raise {raised}, ends with:\n{last}")
    assert not failures, (
        f"{len(failures)} of {len(examples)} examples on {page} fail as copied:\n"
        + "\n".join(failures)
    )


def test_bash_commands_of_the_site_run(site_dir: Path) -> None:
    """The `python -m cnnref ...` lines the site shows run (the others are setup commands)."""
    for page in PAGES:
        for block in reader_blocks(parse(site_dir, page)):
            if block.language != "bash":
                continue
            for line in shell_lines(block.text):
                # `bench` lines are the records of the committed benchmark runs (minutes each)
                if line.startswith("python -m cnnref") and not line.startswith(
                    "python -m cnnref bench"
                ):
                    args = shlex.split(line)[3:]
                    proc = subprocess.run(
                        [sys.executable, "-m", "cnnref", *args],
                        capture_output=True,
                        text=True,
                        timeout=120,
                    )
                    assert proc.returncode == 0, f"{page}: {line}\n{proc.stderr}"


# ------------------------------------------------------------------ generated = the code


def meta_params(name: str) -> int:
    return n_params(meta_model(name))


def test_vgg_page_answers_where_the_parameters_sit(site_dir: Path) -> None:
    from cnnref.models import vgg

    with torch.device("meta"):
        counts = vgg.parameter_breakdown(cnnref.create_model("vgg16"))
    text = page_text(site_dir, "vgg.md")
    assert f"{sum(counts.values()):,}" in text
    assert f"{sum(n for k, n in counts.items() if k.startswith('fc')):,}" in text  # the FC share
    for config in vgg.CONFIGS:  # Table 1's header, from the code
        assert config in text
    for name in ("vgg11", "vgg13", "vgg16c", "vgg16", "vgg19"):  # Table 2: paper beside code
        card = cnnref.get_card(name)
        assert f"{card.paper_params / 1e6:g} M" in text
        assert f"{meta_params(name):,}" in text


def test_family_pages_show_the_registry_and_the_code(site_dir: Path) -> None:
    pages = {
        "lenet": "lenet.md",
        "alexnet": "alexnet.md",
        "googlenet": "googlenet.md",
        "vgg": "vgg.md",
        "resnet": "resnet.md",
        "unet": "unet.md",
        "attention": "attention.md",
    }
    for family, page in pages.items():
        text = page_text(site_dir, page)
        for name in cnnref.list_models(family):
            card = cnnref.get_card(name)
            assert card.paper.url and card.paper.title in text, (page, name)
            assert f"`{name}`" in text or name in text
            if card.headline:
                assert f"{card.headline.value} %" in text, (page, name, card.headline)
            if card.torchvision:
                import torchvision

                with torch.device("meta"):
                    kwargs = (
                        {"aux_logits": False, "init_weights": False}
                        if card.torchvision == "googlenet"
                        else {}
                    )
                    tv = getattr(torchvision.models, card.torchvision)(weights=None, **kwargs)
                assert f"{sum(p.numel() for p in tv.parameters()):,}" in text, (page, name)
            if "release_params" in card.extra:  # the authors' own code, counted
                assert f"authors' release: {card.extra['release_params']:,}" in text, name
                assert card.extra["release_params_source"] in text, name


def test_home_plot_and_imagenet_facts(site_dir: Path) -> None:
    from cnnref import ilsvrc

    home = page_text(site_dir, "index.md")
    for name in ("alexnet", "googlenet", "vgg16", "resnet152"):
        assert f"{cnnref.get_card(name).headline.value} %" in home
    assert f"{ilsvrc.HUMAN.value} %" in home
    assert (site_dir / "figures" / "home" / "ilsvrc-top5.svg").is_file()
    imagenet = page_text(site_dir, "imagenet.md")
    assert f"{ilsvrc.SPLITS['train']:,}" in imagenet and f"{ilsvrc.OUTLINE_IMAGES:,}" in imagenet
    assert "top-1 error: 0.5" in imagenet and "top-5 error: 0.25" in imagenet  # the worked example


def test_tasks_page_explains_the_detection_grid(site_dir: Path) -> None:
    text = page_text(site_dir, "tasks.md")
    assert "YOLO v1 output: (1, 7, 7, 30)" in text
    assert "one box per cell: (1, 7, 7, 25)" in text
    for recipe in ("counting", "digits", "segmentation", "localization", "detection"):
        assert f'cnnref.recipes.run("{recipe}", quick=True)' in text
        assert (site_dir / "figures" / "tasks" / f"{recipe}.svg").is_file()


def test_math_is_rendered_by_arithmatex(site_dir: Path) -> None:
    html = html_path(site_dir, "vanishing-gradients.md").read_text(encoding="utf-8")
    assert html.count('class="arithmatex"') >= 5
    assert r"\frac{\partial L}{\partial W_1}" in html
    assert (site_dir / "figures" / "vanishing-gradients" / "gradient-norms.svg").is_file()


def test_summaries_are_text_blocks(site_dir: Path) -> None:
    blocks = parse(site_dir, "resnet.md").blocks
    summaries = [b for b in blocks if "Total params" in b.text]
    assert len(summaries) == 5 and all(b.language == "text" for b in summaries)


# ------------------------------------------------------------------- the hook's cache key


def load_hooks(name: str = "hooks"):
    """A build hook of docs/ (`hooks`, `hooks_site`, ...), loaded as its own module."""
    spec = importlib.util.spec_from_file_location(f"cnnref_docs_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cache_key_follows_the_code_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to vgg.py changes the VGG page's keys, not LeNet's, and the comparison's."""
    hooks = load_hooks()
    package = tmp_path / "cnnref"
    shutil.copytree(ROOT / "cnnref", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(hooks, "PACKAGE", package)
    monkeypatch.setattr(hooks, "ROOT", tmp_path)
    env = "test"
    directives = (("params", ("vgg",)), ("params", ("lenet",)), ("comparison", ()))
    before = {d: hooks._key(d[0], list(d[1]), env) for d in directives}
    with open(package / "models" / "vgg.py", "a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    after = {d: hooks._key(d[0], list(d[1]), env) for d in directives}
    vgg, lenet, comparison = directives
    assert after[vgg] != before[vgg]
    assert after[lenet] == before[lenet]
    assert after[comparison] != before[comparison]


SITE_CONFIG = SimpleNamespace()  # stands for MkDocs's config: the theme's digest is held for it


def _nav(*titles: str) -> SimpleNamespace:
    """A navigation of pages with these titles, as `hooks_cache` reads MkDocs's."""
    pages = [
        SimpleNamespace(
            title=title,
            url=f"p{i}/",
            file=SimpleNamespace(src_uri=f"p{i}.md", dest_uri=f"p{i}/index.html"),
            meta={},
            is_index=False,
            children=None,
        )
        for i, title in enumerate(titles)
    ]
    return SimpleNamespace(items=pages, homepage=pages[0])


def _context(nav: SimpleNamespace, content: str, **more) -> dict:
    page = SimpleNamespace(
        **vars(nav.items[1]),
        content=content,
        toc=[],
        canonical_url=None,
        edit_url=None,
        is_homepage=False,
        previous_page=nav.items[0],
        next_page=None,
    )
    return {
        "config": SITE_CONFIG,
        "nav": nav,
        "page": page,
        "pages": [],
        "base_url": "..",
        "extra_css": [],
        "extra_javascript": [],
        "mkdocs_version": "1",
        "build_date_utc": "now",
        **more,
    }


def test_a_rendered_page_is_kept_by_its_context() -> None:
    """hooks_cache replays a page's rendered template by a digest of its context: the page, and
    the whole navigation (titles, metadata), which material draws on every page."""
    cache = load_hooks("hooks_cache")
    cache._build_digests["theme"] = (SITE_CONFIG, "the theme")  # as `_theme_digest` held it
    key = cache._page_digest(_context(_nav("Home", "VGG", "ResNet"), "<p>Text.</p>"))
    assert key == cache._page_digest(_context(_nav("Home", "VGG", "ResNet"), "<p>Text.</p>"))
    assert key != cache._page_digest(_context(_nav("Home", "VGG", "ResNet"), "<p>Texts.</p>"))
    assert key != cache._page_digest(_context(_nav("Home", "VGG", "ResNets"), "<p>Text.</p>"))
    nav = _nav("Home", "VGG", "ResNet")
    nav.items[2].meta = {"status": "new"}  # material draws a page's status in the navigation
    assert key != cache._page_digest(_context(nav, "<p>Text.</p>"))
    # A context a plugin added to is rendered every time: the digest cannot know what it holds.
    extra = _context(_nav("Home", "VGG", "ResNet"), "<p>Text.</p>", more="?")
    assert cache._page_digest(extra) is None


def test_search_attributes_are_stripped_as_material_strips_them() -> None:
    """hooks_cache finds material's `data-search-*` attributes by their name; the result is
    material's own pattern's."""
    cache = load_hooks("hooks_cache")
    material = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
    html = (
        'data-search-exclude="" <p data-search-exclude="x">a</p>\n<div\tdata-search-boost="2"'
        ' data-search-exclude="y" data-search-exclude="z">b</div><i data-search-x="">'
        '<b  data-search-a="1">'
    )
    page = SimpleNamespace(content=html)
    plugin = SimpleNamespace(
        config=SimpleNamespace(enabled=True),
        search_index=SimpleNamespace(add_entry_from_context=lambda page: None),
    )
    cache._search_page_context(plugin, {}, page=page, config=None, nav=None)
    assert page.content == material.sub("", html)


def test_cross_references_autorefs_warned_of_are_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A page's fixed cross-references are replayed, unless autorefs warned while fixing them
    (the warning is not in its answer): then every build fixes them again, and warns again.
    Under `mkdocs -q` too, which silences warnings before they are made."""
    from mkdocs_autorefs import AutorefsPlugin

    cache = load_hooks("hooks_cache")
    monkeypatch.setattr(cache, "REFS_CACHE", tmp_path)
    plugin = AutorefsPlugin()
    plugin.load_config({})
    plugin._primary_url_map.update({"one": ["a/#one"], "two": ["a/#two", "b/#two"]})
    url_mapper = functools.partial(plugin.get_item_url, from_url="c/")

    def fix(html: str) -> str:
        options = {"link_titles": True, "strip_title_tags": False, "_legacy_refs": False}
        return cache._fix_refs(html, url_mapper, record_backlink=None, **options)[0]

    fixed = fix('<autoref identifier="one">One</autoref>')
    assert 'href="../a/#one"' in fixed and len(list(tmp_path.iterdir())) == 1
    assert fix('<autoref identifier="one">One</autoref>') == fixed  # replayed
    fix('<autoref identifier="two">Two</autoref>')  # two places for one anchor: a warning
    assert "Multiple primary URLs" in caplog.text and len(list(tmp_path.iterdir())) == 1
    caplog.clear()
    mkdocs_logger = logging.getLogger("mkdocs")
    level = mkdocs_logger.level
    mkdocs_logger.setLevel(logging.ERROR)  # as `mkdocs -q` sets it
    try:
        fix('<autoref identifier="two">Two, quietly</autoref>')
    finally:
        mkdocs_logger.setLevel(level)
    assert caplog.text == "" and len(list(tmp_path.iterdir())) == 1


# ------------------------------------------------------------ the blocks a browser may skip


def test_far_blocks_are_marked_below_the_first_screens() -> None:
    """hooks_site marks the blocks that start below `FAR` by its low estimate, never a heading
    or a container (an API object, a notebook)."""
    site = load_hooks("hooks_site")
    para = "<p>" + "word " * 100 + "</p>"
    closed = "<details><summary>Listing</summary>" + "<pre>x\n</pre>" * 500 + "</details>"
    assert site._height(closed) == 40  # a closed block is its summary, not its 500 listings
    first = para * (int(site.FAR // site._height(para)) + 1)  # to just past FAR
    api = '<div class="doc doc-contents"><p class="doc-x">Text.</p></div>'
    marked = site._mark_far_blocks(first + closed + "<h2>Heading</h2>" + api + para)
    assert "data-far" not in marked[: len(first)]
    blocks = re.findall(r"<(\w+)([^>]*)>", marked[len(first) :])
    far = ' data-far="skip"'
    assert blocks == [
        ("details", far),
        ("summary", ""),
        *[("pre", "")] * 500,
        ("h2", ""),
        ("div", ' class="doc doc-contents"'),
        ("p", ' class="doc-x"' + far),
        ("p", far),
    ]


def test_far_marks_are_read_back_by_the_pages_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm build reads each page's far-block marks from the memo, keyed by its content."""
    site = load_hooks("hooks_site")
    monkeypatch.setattr(site, "CACHE", tmp_path)
    para = "<p>" + "word " * 100 + "</p>"
    html = para * 40
    memo = site.DiskMemo("far-blocks.json")
    marked = site._mark_far_blocks(html, memo)
    assert marked == site._mark_far_blocks(html) and "data-far" in marked
    memo.save()
    monkeypatch.setattr(site, "_far_marks", lambda html: pytest.fail("scanned again"))
    assert site._mark_far_blocks(html, site.DiskMemo("far-blocks.json")) == marked


def test_the_far_memo_keeps_only_what_a_build_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each edit of a page adds a far-block entry; a build of every page keeps only those it
    read or added."""
    site = load_hooks("hooks_site")
    monkeypatch.setattr(site, "CACHE", tmp_path)
    (tmp_path / "memo.json").write_text('{"old": [1], "read": [2]}')
    memo = site.DiskMemo("memo.json")
    assert memo.get("read") == [2]
    memo.put("new", [3])
    memo.save(drop_unused=True)
    assert site.DiskMemo("memo.json").values == {"read": [2], "new": [3]}


# ------------------------------------------- what material's bundle added, added by the build


def test_code_blocks_get_a_copy_button_and_tables_a_scrolling_wrapper() -> None:
    """hooks_site writes the markup material's bundle added at run time (theme.js runs it)."""
    site = load_hooks("hooks_site")

    class Config:
        theme: typing.ClassVar[dict] = {"features": ["content.code.copy"]}

    code = '<pre><span></span><code>a</code></pre><pre id="own"><code>b</code></pre>'
    built = site._code_blocks(code, Config())
    assert built.count('data-md-type="copy"') == 2
    assert 'id="__code_0"' in built and 'data-clipboard-target="#__code_0 &gt; code"' in built
    assert 'data-clipboard-target="#own &gt; code"' in built  # an author's id is kept
    assert built.count('<code tabindex="0">') == 2
    Config.theme = {"features": []}
    assert site._code_blocks(code, Config()) == code.replace("<code>", '<code tabindex="0">')

    tables = '<table data-far="skip"><tr><td>1</td></tr></table><table class="x"></table>'
    wrapped = site._wrap_tables(tables)
    assert wrapped.startswith('<div class="md-typeset__scrollwrap" tabindex="0">')
    assert wrapped.count("md-typeset__scrollwrap") == 1  # a table with a class is left alone
    assert '</table></div></div><table class="x">' in wrapped
