"""Build hook: the site's tables, summaries, figures and measured results, generated from cnnref.

A page asks for generated content with a directive on a line of its own:

    <!-- gen: summaries vgg -->

`on_files` collects the directives of every page and looks each one up in `.cache/docs/`,
keyed by a hash of the generator code, the cnnref sources it reads, the snippet it runs and
the library versions. The missing ones run in ONE fresh interpreter (`python -m gen`, the
package in `docs/gen/`), so a changed `cnnref` is imported anew on every `mkdocs serve`
reload and the MkDocs process never imports torch for it. The figures they make are added to
the site as generated files (nothing is committed), and so are the pages they make (the API
page of each model family's module), each nested in the nav under the page named after its
folder (`api/models/vgg.md` under `api/models.md`); `on_page_markdown` puts each directive's
Markdown in its place, with figure links made relative to the page.

A generator that fails is a warning (so `mkdocs build --strict` fails) and leaves a visible
note on the page; a failure is never cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.cnnref")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GEN = DOCS / "gen"
PACKAGE = ROOT / "cnnref"
CACHE = Path(os.environ.get("CNNREF_DOCS_CACHE", ROOT / ".cache" / "docs"))
FIGURES = "figures"  # where generated figures live in the site; pages link them as @fig/...

DIRECTIVE = re.compile(
    r"^<!--\s*gen:\s*(?P<name>[\w-]+)(?P<args>(?:[ \t]+[^\s>]+)*)\s*-->[ \t]*$", re.M
)
VERSIONED = ("torch", "torchvision", "torchinfo", "matplotlib", "mkdocs-material")

# Generators that read one architecture family's files only (their first argument is the
# family): a change to another model leaves their cache intact. Every other generator depends
# on the whole package.
FAMILY_SCOPED = {
    "card",
    "results",
    "ideas",
    "differences",
    "params",
    "where",
    "summaries",
    "diagrams",
    "config-table",
    "blocks-table",
    "torchvision",
    "claims",
}
# Generators that train networks: they run in a process of their own, beside the others.
TRAINING = {"task", "features"}
# Generators whose first argument is a snippet file (relative to docs/) they run.
SNIPPET_ARG = {"snippet", "gradient-experiment"}
# Files besides the package that a generator reads (globs relative to the repository).
EXTRA_SOURCES = {
    "performance": ("benchmarks/results/*.json",),
    "comparison": ("benchmarks/results/*.json",),  # the model table's CPU throughput column
    "claims": ("cnnref/ilsvrc.py",),  # the human and GoogLeNet figures of Karpathy's test
}
COMMON_SOURCES = (
    "__init__.py",
    "registry.py",
    "compat.py",
    "models/__init__.py",
    "models/_common.py",
)

_results: dict[
    str, dict
] = {}  # directive key -> {"markdown": ..., "files": {...}} or {"error": ...}
_keys: dict[tuple[str, tuple[str, ...]], str] = {}  # (name, args) -> directive key


# Within one build, many directives hash the same files (every whole-package generator hashes
# all of cnnref): each file is read, each folder listed and each set of files hashed once per
# build (`on_files` sets this up).
_memo: dict | None = None


def _once(key, compute):
    """`compute()`, kept for the rest of the build under `key` (outside a build, not kept)."""
    if _memo is None:
        return compute()
    if key not in _memo:
        _memo[key] = compute()
    return _memo[key]


def _bytes(path: Path) -> bytes:
    return _once(path, lambda: path.read_bytes() if path.exists() else b"<missing>")


def _digest(paths: list[Path]) -> str:
    files = tuple(sorted(set(paths)))

    def compute() -> str:
        h = hashlib.sha256()
        for path in files:
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(_bytes(path))
        return h.hexdigest()

    return _once(files, compute)


def _family_sources(family: str) -> list[Path]:
    """The family's model file, the files it imports from `cnnref.models`, and the shared ones."""
    paths = [PACKAGE / p for p in COMMON_SOURCES]
    todo = [PACKAGE / "models" / f"{family}.py"]
    while todo:
        path = todo.pop()
        if path in paths or not path.exists():
            continue
        paths.append(path)
        text = _bytes(path).decode("utf-8")
        for name in re.findall(r"from cnnref\.models(?:\.|\s+import\s+)(\w+)", text):
            todo.append(PACKAGE / "models" / f"{name}.py")
        for name in re.findall(r"from \.(\w+) import", text):
            todo.append(PACKAGE / "models" / f"{name}.py")
    return paths


def _key(name: str, args: list[str], environment: str) -> str:
    if name in FAMILY_SCOPED and args:
        sources = list(_once(("family", args[0]), lambda: _family_sources(args[0])))
    else:
        sources = list(_once("package", lambda: sorted(PACKAGE.rglob("*.py"))))
    if name in SNIPPET_ARG and args:
        sources.append(DOCS / args[0])
    for pattern in EXTRA_SOURCES.get(name, ()):
        sources += _once(("glob", pattern), lambda p=pattern: sorted(ROOT.glob(p)))
    h = hashlib.sha256(f"{name} {args} {environment}".encode())
    h.update(_digest(sources).encode())
    return h.hexdigest()[:32]


def _environment() -> str:
    versions = []
    for package in VERSIONED:
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    generator_code = _digest(sorted(GEN.rglob("*.py")))
    return f"{sys.version_info[:2]} {' '.join(versions)} {generator_code}"


def _run_generators(jobs: list[dict]) -> dict[str, str]:
    """Run the jobs in fresh interpreters; return {key: error} for those that failed.

    With two or more CPUs the training runs go to one process and everything else to
    another, side by side (`CNNREF_DOCS_JOBS=1` runs them all in one).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(DOCS), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    workers = int(os.environ.get("CNNREF_DOCS_JOBS", min(2, os.cpu_count() or 1)))
    heavy = [j for j in jobs if j["name"] in TRAINING]
    light = [j for j in jobs if j["name"] not in TRAINING]
    groups = [g for g in ([heavy, light] if workers > 1 else [jobs]) if g]
    start = time.perf_counter()
    log.info(
        "cnnref: generating %d item(s) (cache miss) in %d process(es) ...", len(jobs), len(groups)
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "gen"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for _ in groups
    ]
    outputs = [p.communicate(json.dumps(g)) for p, g in zip(procs, groups, strict=True)]
    log.info("cnnref: generation took %.1f s", time.perf_counter() - start)
    errors: dict[str, str] = {}
    for proc, group, (stdout, stderr) in zip(procs, groups, outputs, strict=True):
        for line in stderr.splitlines():
            if line.startswith("gen "):
                log.debug("cnnref: %s", line)
        for line in stdout.splitlines():
            if line.startswith("{"):
                report = json.loads(line)
                if "error" in report:
                    errors[report["key"]] = report["error"]
        if proc.returncode != 0:
            detail = stderr.strip()[-3000:]
            for job in group:
                errors.setdefault(
                    job["key"], f"the generator process exited with {proc.returncode}:\n{detail}"
                )
    return errors


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Generate (or fetch from the cache) every directive's output; add the figures to the site."""
    global _memo
    _results.clear()
    _keys.clear()
    _memo = {}
    environment = _environment()
    wanted: dict[str, dict] = {}
    for file in files.documentation_pages():
        for match in DIRECTIVE.finditer(file.content_string):
            name, args = match["name"], match["args"].split()
            key = _keys[name, tuple(args)] = _key(name, args, environment)
            wanted[key] = {
                "key": key,
                "name": name,
                "args": args,
                "out": str(CACHE / f"{key}.json"),
            }
    _memo = None
    missing = [job for job in wanted.values() if not Path(job["out"]).exists()]
    errors = _run_generators(missing) if missing else {}
    for key, job in wanted.items():
        if key in errors or not Path(job["out"]).exists():
            error = errors.get(key, "no output was written")
            log.warning(
                "cnnref: generator '%s %s' failed:\n%s", job["name"], " ".join(job["args"]), error
            )
            _results[key] = {"error": error}
            continue
        result = json.loads(Path(job["out"]).read_text(encoding="utf-8"))
        _results[key] = result
        generated = {f"{FIGURES}/{path}": svg for path, svg in result["files"].items()}
        generated.update(result.get("pages", {}))  # e.g. the API model pages
        for src_uri, content in generated.items():
            if files.get_file_from_path(src_uri) is None:
                files.append(File.generated(config, src_uri, content=content))
    pages = [uri for result in _results.values() for uri in result.get("pages", {})]
    config.nav = _nest(config.nav or [], pages)
    return files


def _nest(nav: list, pages: list[str]) -> list:
    """The nav with each generated page under the page named after its folder.

    `api/models/vgg.md` goes under `api/models.md`, whose nav entry becomes a section: that
    page first, then the pages generated beside it, in their generator's order.
    """
    children: dict[str, list[str]] = {}
    for uri in pages:
        children.setdefault(posixpath.dirname(uri) + ".md", []).append(uri)
    nested = []
    for item in nav:
        title, value = next(iter(item.items())) if isinstance(item, dict) else (None, item)
        if isinstance(value, list):
            value = _nest(value, pages)
        elif value in children:
            value = [value, *children[value]]
        nested.append(value if title is None else {title: value})
    return nested


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
    """A generated API page's "edit" link opens the module whose docstrings it shows."""
    module = re.search(r"^::: ([\w.]+)", page.markdown or "", re.M)
    if page.file.generated_by and module and config.repo_url:
        path = module[1].replace(".", "/") + ".py"
        page.edit_url = f"{config.repo_url.rstrip('/')}/edit/main/{path}"
    return context


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace each directive with its generated Markdown."""
    here = posixpath.dirname(page.file.src_uri)
    prefix = posixpath.relpath(FIGURES, here or ".") + "/"

    def replace(match: re.Match) -> str:
        name, args = match["name"], match["args"].split()
        result = _results.get(_keys.get((name, tuple(args)), ""))
        if result is None or "error" in result:
            first = (result or {}).get("error", "not generated").strip().splitlines()[-1:]
            return (
                f'!!! failure "Not generated: `{name} {" ".join(args)}`"\n\n'
                f"    {first[0] if first else ''}\n"
            )
        return result["markdown"].replace("@fig/", prefix)

    return DIRECTIVE.sub(replace, markdown)
