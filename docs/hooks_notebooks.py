"""Build hook: the notebooks in `docs/notebooks/`, executed, cached, rendered, downloadable.

Each notebook is written as a jupytext percent-format `.py` file (`docs/notebooks/NAME.py`);
`docs/notebooks/NAME.ipynb` beside it is the same notebook without outputs, committed for
Colab (which opens `.ipynb` files only) and kept in sync by `tests/test_notebooks.py`
(`python docs/hooks_notebooks.py sync` rewrites them).

- `on_files` executes every notebook whose cache entry is missing, each in a fresh kernel in a
  process of its own (nbclient: any error fails it, and so does a cell that runs longer than
  `CELL_TIMEOUT`). The executed `.ipynb` is cached under `.cache/notebooks/` (or
  `$CNNREF_NOTEBOOKS_CACHE`), keyed by the notebook's text, every source file of the `cnnref`
  package and the versions of Python and the libraries the notebooks run, so editing another
  page under `mkdocs serve` runs nothing. The executed notebook replaces the committed one as
  the page's source; a second copy, `notebooks/download/NAME.ipynb`, is the download.
- `on_pre_page` renders each notebook page with mkdocs-jupyter's converter (nbconvert and
  mkdocs-jupyter's template, never executing), then folds the answer cells (tag `answer`)
  into a `<details>` block, turns `$...$` in Markdown cells into the site's KaTeX spans and
  drops every script that mkdocs-jupyter would load from another host (MathJax, require.js).
  The result is cached under `CACHE/html/`, keyed by the notebook's bytes, this file and the
  converter's versions. mkdocs-jupyter is a library here, not a plugin: a build whose
  notebooks are all cached never imports it, nbconvert or jupytext (about 0.36 s of every
  warm build and of every rebuild under `mkdocs serve`).
- `on_page_content` puts a bar on each notebook page (download, Open in Colab, the page the
  notebook belongs to).
- `on_page_markdown` adds the same links to the page the notebook belongs to: the page
  `NAME.md` has the notebook `NAME.py` (a family's page is named after the family).

A notebook that fails is a warning, so `mkdocs build --strict` fails; a failure is never cached.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.plugins.cnnref.notebooks")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = DOCS / "notebooks"
PACKAGE = ROOT / "cnnref"
CACHE = Path(os.environ.get("CNNREF_NOTEBOOKS_CACHE", ROOT / ".cache" / "notebooks"))
STAGE = CACHE / "stage"  # the docs-like folder mkdocs reads the executed notebooks from
DOWNLOAD = "notebooks/download"  # where the site serves the executed .ipynb files
CELL_TIMEOUT = 300  # seconds: a cell that runs longer fails the build (a hang, not a slow CI)
NOTEBOOK_TIMEOUT = 900  # seconds for a whole notebook, kernel start included
VERSIONED = (
    "torch",
    "torchvision",
    "torchinfo",
    "numpy",
    "matplotlib",
    "scikit-learn",
    "ipykernel",
    "nbclient",
    "jupytext",
)
EXECUTION = "1"  # bump to re-run every notebook after a change to how they are executed
ANSWER_TAG = "answer"

CSS = "assets/stylesheets/notebooks.css"  # mkdocs-jupyter's styles, once for all the pages
_css: dict[str, None] = {}  # the style blocks the notebook pages carried, in order, once each
_used_html: set[Path] = set()  # the converted notebooks this build read or wrote
_pages: dict[str, bool] = {}  # the notebook pages of this build (src_uri): rendered yet?
_executed: dict[str, Path] = {}  # notebook name -> executed .ipynb in STAGE
_failed: dict[str, str] = {}  # notebook name -> error


def notebook_names() -> list[str]:
    """The notebooks, by file name without `.py` (`lenet`, `vanishing-gradients`, ...)."""
    return sorted(path.stem for path in NOTEBOOKS.glob("*.py"))


def _environment() -> str:
    """What every notebook's result depends on besides its text: versions and cnnref's code."""
    h = hashlib.sha256(f"{EXECUTION} {sys.version_info[:2]}".encode())
    for package in VERSIONED:
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=none".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _key(name: str, environment: str) -> str:
    h = hashlib.sha256(environment.encode())
    h.update((NOTEBOOKS / f"{name}.py").read_bytes())
    return h.hexdigest()[:32]


def to_notebook(name: str):
    """The notebook `name` as an nbformat node, converted from its `.py` file (no outputs)."""
    import jupytext

    notebook = jupytext.read(NOTEBOOKS / f"{name}.py")
    for i, cell in enumerate(notebook.cells):
        cell.id = f"cell-{i}"  # stable ids (nbformat draws random ones): no churn in the diffs
    return notebook


CPU_PROBE = "import resource as r\nu = r.getrusage(r.RUSAGE_SELF)\nprint(u.ru_utime + u.ru_stime)"


def execute(name: str, target: Path) -> None:
    """Convert `name` with jupytext, run it in a fresh kernel, write the result to `target`."""
    import nbformat
    from nbclient import NotebookClient

    notebook = to_notebook(name)
    env_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    os.environ["PYTHONPATH"] = env_path  # the kernel imports this checkout's cnnref
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # figures inline
    # One thread per kernel, as the generators (docs/gen/__main__.py): two kernels and two
    # generator processes share the build machine's cores, and PyTorch's OpenMP threads, more
    # than the cores, spin and multiply the CPU time (a notebook took 7x its CPU time so).
    threads = os.environ.get("CNNREF_DOCS_THREADS", "1")
    os.environ.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    # A last cell reports the kernel's CPU time (a figure the load of the machine does not
    # inflate, unlike the wall time), then leaves the notebook.
    notebook.cells.append(nbformat.v4.new_code_cell(CPU_PROBE, id="cpu-probe"))
    client.execute()
    probe = notebook.cells.pop()
    print(f"CPU {''.join(o.get('text', '') for o in probe.outputs).strip()}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    nbformat.write(notebook, partial)
    partial.replace(target)


def _run_missing(names: list[str]) -> None:
    """Execute the notebooks without a cache entry, two at a time, each in its own process."""
    todo = {}
    environment = _environment()
    for name in names:
        cached = CACHE / f"{name}-{_key(name, environment)}.ipynb"
        if cached.exists():
            _stage(name, cached)
        else:
            todo[name] = cached
    if not todo:
        return
    workers = int(os.environ.get("CNNREF_DOCS_JOBS", min(2, os.cpu_count() or 1)))
    log.info("Executing %d notebook(s): %s", len(todo), ", ".join(todo))
    pending = list(todo.items())
    running: list[tuple[str, Path, subprocess.Popen, float]] = []
    while pending or running:
        while pending and len(running) < workers:
            name, cached = pending.pop(0)
            process = subprocess.Popen(
                [sys.executable, __file__, "execute", name, str(cached)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            running.append((name, cached, process, time.monotonic()))
        name, cached, process, started = running.pop(0)
        try:
            output, _ = process.communicate(timeout=NOTEBOOK_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            output += f"\nthe notebook ran longer than {NOTEBOOK_TIMEOUT} s"
        seconds = time.monotonic() - started
        if process.returncode == 0 and cached.exists():
            cells = cell_seconds(cached)
            cpu = float((re.findall(r"^CPU ([\d.]+)$", output, re.M) or ["nan"])[-1])
            log.info(
                "Notebook %s executed: cells %.1f s (wall), kernel CPU %.1f s, process %.1f s",
                *(name, cells, cpu, seconds),
            )
            _record_time(name, {"cells_wall_s": round(cells, 1), "kernel_cpu_s": round(cpu, 1)})
            _stage(name, cached)
        else:
            _failed[name] = re.sub(r"\x1b\[[0-9;]*m", "", output).strip()[-3000:]  # no colours


def cell_seconds(path: Path) -> float:
    """Seconds the cells of an executed notebook ran, from nbclient's timing metadata."""
    from datetime import datetime

    total = 0.0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            total += (end - start).total_seconds()
    return total


def _record_time(name: str, seconds: dict[str, float]) -> None:
    """Keep the last run times of each notebook in `times.json` (for the notes)."""
    path = CACHE / "times.json"
    times = json.loads(path.read_text()) if path.exists() else {}
    times[name] = seconds
    path.write_text(json.dumps(times, indent=1, sort_keys=True))


def _stage(name: str, cached: Path) -> None:
    runs = re.compile(rf"{re.escape(name)}-[0-9a-f]{{32}}\.ipynb")
    for stale in CACHE.glob(f"{name}-*.ipynb"):  # older runs of this notebook
        if stale != cached and runs.fullmatch(stale.name):
            stale.unlink()
    for folder in ("notebooks", DOWNLOAD):
        target = STAGE / folder / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != cached.read_bytes():
            shutil.copyfile(cached, target)
    _executed[name] = STAGE / "notebooks" / f"{name}.ipynb"


class NotebookFile(File):
    """A notebook, a page of the site (to mkdocs, only Markdown files are pages)."""

    def is_documentation_page(self) -> bool:
        return True


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _executed.clear()
    _failed.clear()
    _css.clear()
    _used_html.clear()
    _pages.clear()
    names = notebook_names()
    _run_missing(names)
    for name in names:
        for uri in (f"notebooks/{name}.py", f"notebooks/{name}.ipynb"):
            if files.get_file_from_path(uri):
                files.remove(files.get_file_from_path(uri))
        if name in _failed:
            log.warning("Notebook %s failed:\n%s", name, _failed[name])
            source = NOTEBOOKS / f"{name}.ipynb"  # rendered without outputs, the build fails
            if not source.exists():
                continue
            src_dir = DOCS
        else:
            src_dir = STAGE
        for uri, kind in (
            (f"notebooks/{name}.ipynb", NotebookFile),
            (f"{DOWNLOAD}/{name}.ipynb", File),
        ):
            if (Path(src_dir) / uri).exists():
                files.append(kind(uri, str(src_dir), config.site_dir, config.use_directory_urls))
                if kind is NotebookFile:
                    _pages[uri] = False
    return files


# How mkdocs-jupyter converts a notebook that is already executed. No theme: Material styles
# the page; no require.js and no MathJax (`_rewrite` drops MathJax's tags; math is KaTeX's).
CONVERT = {
    "execute": False,
    "kernel_name": "",
    "theme": "",
    "allow_errors": False,
    "show_input": True,
    "no_input": False,
    "no_prompt": False,
    "remove_tag_config": {},
    "highlight_extra_classes": "",
    "include_requirejs": False,
    "custom_mathjax_url": "",
}
CONVERTER = ("mkdocs-jupyter", "nbconvert", "jupyterlab_pygments", "pygments", "markdown")


@functools.cache
def _converter_key() -> bytes:
    """What every converted page depends on but its notebook: this file (CONVERT and
    `_rewrite`'s code) and the converter's versions. Once per import of the hook, not once per
    notebook (the version lookups alone took 29 ms a build for eleven notebooks)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for package in CONVERTER:
        h.update(f"{package}={metadata.version(package)}".encode())
    return h.digest()


def _converted(notebook: Path) -> dict:
    """The notebook's page, cached on disk: `html` (converted by mkdocs-jupyter's converter,
    then `_rewrite`n), `toc` (its table of contents' tokens) and `css` (the style blocks taken
    out of it)."""
    h = hashlib.sha256(_converter_key())
    h.update(notebook.read_bytes())
    path = CACHE / "html" / f"{h.hexdigest()[:32]}.json"
    _used_html.add(path)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    import markdown
    from markdown.extensions.toc import TocExtension
    from mkdocs_jupyter import convert

    body, styles = _rewrite(convert.nb2html(str(notebook), **CONVERT), _image_alts(notebook))
    # The table of contents: the Markdown cells' headings, found as mkdocs-jupyter finds them.
    toc = markdown.Markdown(extensions=[TocExtension(toc_depth=6)])
    toc.convert(convert.nb2md(str(notebook)))
    page = {"html": body, "toc": toc.toc_tokens, "css": styles}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(page), encoding="utf-8")
    return page


def _render(page: Page, config: MkDocsConfig, files: Files) -> None:
    """`Page.render` for a notebook page: its converted HTML; the title stays the nav's."""
    _pages[page.file.src_uri] = True
    converted = _converted(Path(page.file.abs_src_path))
    page.content, page.toc = converted["html"], get_toc(converted["toc"])
    for style in [*converted["css"], STYLE]:  # ours last: it overrides mkdocs-jupyter's
        _css.setdefault(style)


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    if isinstance(page.file, NotebookFile):
        page.render = _render.__get__(page, Page)  # this page only: its "Markdown" is JSON
    return page


def _links(name: str, page: Page, files: Files, config: MkDocsConfig) -> dict[str, str]:
    """URLs, relative to `page`, of the notebook's page, download, Colab and home page."""
    repo = (config.repo_url or "").rstrip("/").removeprefix("https://github.com/")
    links = {
        "colab": f"https://colab.research.google.com/github/{repo}/blob/main/docs/notebooks/"
        f"{name}.ipynb"
    }
    for key, uri in (
        ("notebook", f"notebooks/{name}.ipynb"),
        ("download", f"{DOWNLOAD}/{name}.ipynb"),
        ("home", f"{name}.md"),
    ):
        file = files.get_file_from_path(uri)
        if file is not None:
            links[key] = file.url_relative_to(page.file)
    return links


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """On the page a notebook belongs to, a note that links to the notebook."""
    name = page.file.src_uri.removesuffix(".md")
    if not page.file.src_uri.endswith(".md") or (name not in _executed and name not in _failed):
        return markdown
    colab = _links(name, page, files, config)["colab"]
    # Links relative to the Markdown file (docs/NAME.md), as every link on a page is written.
    note = (
        '\n\n!!! example "Run this page yourself: the notebook"\n'
        f"    [The notebook of this page](notebooks/{name}.ipynb) runs its code step by step, "
        "for you to change and run again, and ends with exercises whose answers the code "
        "computes and checks. "
        f'[Download notebook]({DOWNLOAD}/{name}.ipynb){{ download="{name}.ipynb" }} · '
        f"[Open in Colab]({colab})\n"
    )
    return markdown + note


# A script that mkdocs-jupyter's template loads from a CDN: `src=` another host (or an empty
# `src=`, MathJax's when no URL is set), or a module that imports from one (mermaid.js).
_REMOTE_IMPORT = re.compile(r"import\(\s*[\"']https?://|=\s*[\"']https?://[^\"']*\.m?js[\"']")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)

STYLE = """
.cnnref-nb-bar { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1rem;
  margin: 0 0 1rem; }
.cnnref-nb-bar .md-button { padding: .3em 1em; }
.cnnref-nb-bar .md-button:not(:hover) { color: var(--md-typeset-a-color); }  /* dark: contrast */
.jupyter-wrapper .jp-RenderedImage img { background: #fff; padding: .3rem; border-radius: .2rem;
  max-width: 100%; height: auto; }
.jupyter-wrapper .jp-OutputArea-output pre, .jupyter-wrapper .jp-InputArea-editor pre {
  overflow-x: auto; }
details.cnnref-answer > summary { cursor: pointer; font-weight: 600; }
@media (max-width: 600px) {  /* a phone: the code gets the width of the In [n]: prompts */
  .jupyter-wrapper .jp-InputPrompt, .jupyter-wrapper .jp-OutputPrompt { display: none !important; }
}
"""


def _math(match: re.Match) -> str:
    display, inline = match.group(1), match.group(2)
    if display is not None:
        return f'<div class="arithmatex">\\[{display}\\]</div>'
    return f'<span class="arithmatex">\\({inline}\\)</span>'


def _image_alts(notebook: Path) -> list[str]:
    """The alt text of each image output, in order (`display(fig, metadata=...)` sets it)."""
    alts = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            for mime in ("image/png", "image/jpeg", "image/svg+xml"):
                if mime in output.get("data", {}):
                    alts.append(output.get("metadata", {}).get(mime, {}).get("alt", ""))
                    break
    return alts


def _rewrite(content: str, alts: list[str]) -> tuple[str, list[str]]:
    """No third-party scripts; math as arithmatex writes it; answers folded; images' alt text.

    Returns the page and the `<style>` blocks taken out of it (half a megabyte of CSS per
    page that mkdocs-jupyter inlines; the site serves them once, as `CSS`).
    """
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(content, "html.parser")
    styles = []
    for style in soup.find_all("style"):
        styles.append(style.string or "")
        style.decompose()
    for script in soup.find_all("script"):
        src = script.get("src")
        if src is None:
            remote = bool(_REMOTE_IMPORT.search(script.string or ""))
        else:
            remote = not src.strip() or bool(re.match(r"(?:https?:)?//", src))
        if remote or script.get("type") == "text/x-mathjax-config":  # MathJax is not loaded
            script.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        if "mathjax" in comment.lower():
            comment.extract()
    for cell in soup.select(".jp-MarkdownCell .jp-RenderedMarkdown"):
        text = str(cell)
        if "$" in text:
            cell.replace_with(BeautifulSoup(_MATH.sub(_math, text), "html.parser"))
    images = soup.select(".jp-OutputArea-output img")
    for image, alt in zip(images, alts, strict=False):
        if alt:
            image["alt"] = alt
    for cell in soup.select(f".celltag_{ANSWER_TAG}"):
        if cell.find_parent(class_=f"celltag_{ANSWER_TAG}"):
            continue  # the template nests the cell's classes: fold the outermost only
        details = soup.new_tag("details", attrs={"class": "cnnref-answer"})
        summary = soup.new_tag("summary")
        summary.string = "Answers (computed and checked by the code)"
        cell.wrap(details)
        details.insert(0, summary)
    return str(soup), styles


def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Notebook pages: the link bar (download, Colab, home page) and the edit link."""
    uri = page.file.src_uri
    if not (uri.startswith("notebooks/") and uri.endswith(".ipynb")):
        return html_text
    name = Path(uri).stem
    if config.repo_url:  # "Edit this page" opens the notebook's source, not the generated file
        page.edit_url = f"{config.repo_url.rstrip('/')}/edit/main/docs/notebooks/{name}.py"
    css = html.escape(get_relative_url(CSS, page.url))
    links = _links(name, page, files, config)
    bar = ['<p class="cnnref-nb-bar">']
    if "download" in links:
        bar.append(
            f'<a class="md-button" href="{html.escape(links["download"])}" '
            f'download="{name}.ipynb">Download notebook</a>'
        )
    bar.append(f'<a class="md-button" href="{html.escape(links["colab"])}">Open in Colab</a>')
    if "home" in links:
        home = files.get_file_from_path(f"{name}.md")
        title = home.page.title if home and home.page and home.page.title else "the page"
        bar.append(f'<a href="{html.escape(links["home"])}">Back to {html.escape(title)}</a>')
    bar.append("</p>")
    if name in _failed:
        bar.append(
            '<div class="admonition failure"><p class="admonition-title">This notebook failed '
            "at build time; the outputs are missing.</p></div>"
        )
    return f'<link rel="stylesheet" href="{css}">\n' + "\n".join(bar) + html_text


def on_post_build(config: MkDocsConfig) -> None:
    """Write the notebook pages' style sheet (known once they are rendered); drop stale pages,
    after a build that rendered every notebook page (`mkdocs serve --dirty` renders the edited
    ones alone: the others' pages are not stale)."""
    if all(_pages.values()):
        for stale in set((CACHE / "html").glob("*.json")) - _used_html:
            stale.unlink()
    if _css:
        path = Path(config.site_dir) / CSS
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(_css), encoding="utf-8")


def sync() -> list[str]:
    """Rewrite `docs/notebooks/NAME.ipynb` (no outputs) from each `.py`; return those changed."""
    import nbformat

    changed = []
    for name in notebook_names():
        path = NOTEBOOKS / f"{name}.ipynb"
        text = nbformat.writes(to_notebook(name)) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


if __name__ == "__main__":
    # `python docs/hooks_notebooks.py execute NAME TARGET` (what the hook runs) or `... sync`.
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "execute":
        execute(sys.argv[2], Path(sys.argv[3]))
    elif command == "sync":
        print("rewrote:", ", ".join(sync()) or "nothing")
    else:
        sys.exit("usage: python docs/hooks_notebooks.py execute NAME TARGET | sync")
