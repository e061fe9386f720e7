"""The notebooks: sources in sync with the committed .ipynb, executed at build, linked both ways.

The strict site build executes every notebook in a fresh kernel (`docs/hooks_notebooks.py`: any
error or a cell past its timeout fails the build); these tests read what it produced.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

import cnnref

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "docs" / "notebooks"
HOOK = ROOT / "docs" / "hooks_notebooks.py"
NAMES = sorted(path.stem for path in NOTEBOOKS.glob("*.py"))
FAMILIES = cnnref.list_families()
COLAB = "https://colab.research.google.com/github/cnnref/cnnref/blob/main/docs/notebooks/"


@functools.cache
def _hook():
    spec = importlib.util.spec_from_file_location("hooks_notebooks", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells(name: str) -> list:
    return _hook().to_notebook(name).cells


def test_at_least_ten_notebooks() -> None:
    assert len(NAMES) >= 10
    assert {"vanishing-gradients", "tasks", "features"} <= set(NAMES)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_family_has_a_notebook_named_after_its_page(family) -> None:
    # The hook links page NAME.md to notebook NAME.py: a family's page is named after it.
    assert Path(family.page).stem == family.name
    assert (NOTEBOOKS / f"{family.name}.py").exists(), f"no notebook for {family.name}"


@pytest.mark.parametrize("name", NAMES)
def test_committed_ipynb_is_the_py_without_outputs(name: str) -> None:
    committed = NOTEBOOKS / f"{name}.ipynb"
    assert committed.exists(), f"run `python docs/hooks_notebooks.py sync` to create {committed}"
    expected = nbformat.writes(_hook().to_notebook(name)) + "\n"
    assert committed.read_text(encoding="utf-8") == expected, (
        f"{committed.name} is out of date: run `python docs/hooks_notebooks.py sync`"
    )
    nbformat.validate(nbformat.reads(expected, as_version=4))


@pytest.mark.parametrize("name", NAMES)
def test_structure(name: str) -> None:
    cells = _cells(name)
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    install = next(c for c in cells if c.cell_type == "code").source
    assert "except ImportError" in install and "git+https://github.com/cnnref/cnnref" in install
    exercises = [c for c in cells if c.cell_type == "markdown" and "## Exercises" in c.source]
    assert len(exercises) == 1
    assert 2 <= len(re.findall(r"^\d\. ", exercises[0].source, re.M)) <= 3
    answers = [c for c in cells if "answer" in c.metadata.get("tags", [])]
    assert answers and all("assert " in c.source for c in answers)
    assert cells[-1] in answers


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_architecture_notebook_does_what_the_issue_asks(family) -> None:
    source = "\n".join(c.source for c in _cells(family.name))
    assert re.search(r"^INPUT_SIZE = \d+", source, re.M)
    assert "torchinfo.summary(" in source and "INPUT_SIZE, INPUT_SIZE)" in source
    assert "cnnref.get_card(NAME)" in source and "paper_params" in source
    assert ".backward()" in source
    if any(cnnref.get_card(n).torchvision for n in cnnref.list_models(family.name)):
        assert "weights=None" in source and "cnnref.from_torchvision(" in source
    assert "## The experiment" in source


# --- the built site -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_downloadable_notebook_is_executed_and_valid(site_dir: Path, name: str) -> None:
    path = site_dir / "notebooks" / "download" / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{name}: a cell did not run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    answers = [c for c in code if "answer" in c.metadata.get("tags", [])]
    assert answers and all(c.outputs for c in answers)
    for output in [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]:
        alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
        assert len(alt) > 40, f"{name}: a figure without alt text (display(fig, metadata=...))"


# What a reader should never see in an output: an object's repr with its memory address (a
# call's return value left as a cell's last line, e.g. torch.manual_seed), or this machine's
# paths (a library's warning).
_LEAKS = re.compile(r"<[\w.]+ (?:object )?at 0x[0-9a-f]+>|" + re.escape(str(ROOT)))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_outputs_are_what_the_reader_should_see(site_dir: Path, name: str) -> None:
    path = site_dir / "notebooks" / "download" / f"{name}.ipynb"
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"{name}, cell {i}: {output.text[:300]}"
            text = output.get("text", "") + output.get("data", {}).get("text/plain", "")
            leak = _LEAKS.search(text)
            assert not leak, f"{name}, cell {i} shows {leak.group()!r}"


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_architecture_page_and_notebook_link_each_other(site_dir: Path, family) -> None:
    page = (site_dir / family.name / "index.html").read_text(encoding="utf-8")
    assert f'href="../notebooks/{family.name}/"' in page
    assert f'href="../notebooks/download/{family.name}.ipynb"' in page
    assert f'href="{COLAB}{family.name}.ipynb"' in page
    assert (NOTEBOOKS / f"{family.name}.ipynb").exists()  # what the Colab link opens
    notebook = (site_dir / "notebooks" / family.name / "index.html").read_text(encoding="utf-8")
    assert f'href="../../{family.name}/"' in notebook  # back to the architecture page
    assert f'href="../download/{family.name}.ipynb"' in notebook
    assert f'href="{COLAB}{family.name}.ipynb"' in notebook


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_page_loads_nothing_from_another_host(site_dir: Path, name: str) -> None:
    from bs4 import BeautifulSoup

    html = (site_dir / "notebooks" / name / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        src = script.get("src")
        if src is not None:
            assert src and not re.match(r"(?:https?:)?//", src), f"{name}: script {src!r}"
        else:
            assert not re.search(r"import\(\s*[\"']https?://", script.string or ""), name
    for link in soup.find_all("link", href=True):
        assert not re.match(r"(?:https?:)?//", link["href"]) or link.get("rel") == ["canonical"]
    assert all(len(image.get("alt", "")) > 40 for image in soup.select(".jp-OutputArea img"))
    # The answers are folded; the math is the site's KaTeX, not MathJax.
    assert soup.select("details.cnnref-answer .celltag_answer"), f"{name}: answers not folded"
    assert "mathjax" not in html.lower()
