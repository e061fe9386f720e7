"""The layer explorer and the sortable model table in a real browser (headless Chromium).

The explorer's arithmetic (`docs/assets/javascripts/explorer.js`) is held to torchinfo: for
every registered model, at three input sizes (one not square), the output shape of every
module call equals torchinfo's. One `evaluate` per model computes all three sizes. Then the
controls as a reader uses them (labelled inputs, the "Output shape" column, the message for a
too-small input), the table's sorting by mouse and keyboard, and the page weight the explorer
adds. The server and browser setup follow `tests/test_site_browser.py`.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import torch
import torchinfo
from playwright.sync_api import sync_playwright

import cnnref

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAX_ADDED_KB = 30  # page weight the explorer may add, gzip-compressed
JS = ("explorer.js", "sortable.js")


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            return str(Path(self.directory, "__not_under_site_url__"))
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


def _site_prefix(site_dir: Path) -> str:
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(site_dir / "sitemap.xml")
    locs = [loc.text or "" for loc in tree.getroot().iterfind("s:url/s:loc", namespace)]
    return urlsplit(min(locs, key=len)).path


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    prefix = _site_prefix(site_dir)
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{prefix}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(base_url: str):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if urlsplit(route.request.url).hostname in ("127.0.0.1", None)
                else route.abort("blockedbyclient")
            ),
        )
        yield context.new_page()
        browser.close()


def _page_of(family: str) -> str:
    return cnnref.get_family(family).page.removesuffix(".md") + "/"


def sizes_of(name: str) -> list[tuple[int, int]]:
    """Its default input, its smallest, and a size that is not square."""
    card = cnnref.get_card(name)
    h, small = card.input_size[1], card.min_input_size
    if card.family == "lenet":  # F6 reads C5's 1×1 maps: 32 to 35 pixels
        return [(32, 32), (35, 35), (33, 35)]
    if card.family == "unet":  # tiles of 16k + 124 pixels
        return [(h, h), (small, small), (small + 16, small + 48)]
    return [(h, h), (small, small), (h + 13, h - 35)]


def torchinfo_shapes(name: str, size: tuple[int, int]) -> list[list[int]]:
    """Output shapes (without the batch) of every module call, as torchinfo lists them."""
    card = cnnref.get_card(name)
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    stats = torchinfo.summary(
        model, input_size=(1, card.input_size[0], *size), device="meta", depth=100, verbose=0
    )
    return [list(layer.output_size[1:]) for layer in stats.summary_list if layer.is_leaf_layer]


COMPUTE = """([model, sizes]) => sizes.map(([h, w]) => {
  const out = window.cnnrefExplorer.compute(model, h, w);
  if (out.error) return {error: out.error.layer + ": " + out.error.reason};
  // module calls (class names) only: torchinfo does not list functions such as torch.cat
  return {shapes: out.rows.filter((r) => /^[A-Z]/.test(r.type)).map((r) => r.shape)};
})"""


@pytest.mark.parametrize("family", [f.name for f in cnnref.list_families()])
def test_explorer_shapes_equal_torchinfo(page, base_url: str, family: str) -> None:
    page.goto(base_url + _page_of(family))
    page.wait_for_function(
        "() => window.cnnrefExplorer && document.querySelector('"
        ".cnnref-explorer[data-explorer-ready]')"
    )
    for name in cnnref.list_models(family):
        sizes = sizes_of(name)
        got = page.evaluate(COMPUTE, [name, [list(s) for s in sizes]])
        for size, result in zip(sizes, got, strict=True):
            assert "error" not in result, (name, size, result)
            assert result["shapes"] == torchinfo_shapes(name, size), (name, size)


def _rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        ".cnnref-explorer tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))",
    )


def test_explorer_controls_and_the_too_small_message(page, base_url: str) -> None:
    page.goto(base_url + _page_of("resnet"))
    explorer = page.locator(".cnnref-explorer")
    explorer.wait_for()
    headers = page.eval_on_selector_all(
        ".cnnref-explorer thead th", "cells => cells.map(c => c.textContent)"
    )
    assert "Output shape" in headers
    column = headers.index("Output shape")
    page.select_option(".cnnref-explorer select", "resnet50")
    page.get_by_label("Input height").fill("320")
    page.get_by_label("Input width").fill("256")
    rows = _rows(page)
    assert rows[-1][column] == "1000"
    fc_input = next(r for r in rows if r[0] == "avgpool")
    assert fc_input[column] == "2048×1×1"
    last_conv = next(r for r in rows if r[0] == "layer4.2.conv3")
    assert last_conv[column] == "2048×10×8"  # 320/32 × 256/32
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / "explorer-resnet50-320x256.png"))

    page.goto(base_url + _page_of("alexnet"))
    page.locator(".cnnref-explorer").wait_for()
    page.get_by_label("Input height").fill("62")
    page.get_by_label("Input width").fill("62")
    status = page.locator(".cnnref-explorer-status").inner_text()
    assert "Too small" in status and "pool5" in status and "3×3 window" in status
    assert "63×63" in status  # the smallest input, derived from the layers


def test_model_table_sorts_by_mouse_and_keyboard(page, base_url: str) -> None:
    page.goto(base_url + "comparison/")
    table = page.locator("table.cnnref-sortable")
    table.wait_for()
    headers = page.eval_on_selector_all(
        "table.cnnref-sortable thead th", "cells => cells.map(c => c.textContent)"
    )
    column = headers.index("parameters")
    th = page.locator("table.cnnref-sortable thead th").nth(column)
    button = th.get_by_role("button")  # its name gains ▲ or ▼ once sorted
    button.click()
    assert th.get_attribute("aria-sort") == "ascending"

    def values() -> list[float]:
        return page.eval_on_selector_all(
            "table.cnnref-sortable tbody tr",
            f"rows => rows.map(r => parseFloat(r.cells[{column}].dataset.sort))",
        )

    ascending = values()
    assert ascending == sorted(ascending)
    button.focus()
    page.keyboard.press("Enter")
    assert th.get_attribute("aria-sort") == "descending"
    assert values() == sorted(ascending, reverse=True)
    names = page.eval_on_selector_all(
        "table.cnnref-sortable tbody th", "cells => cells.map(c => c.textContent)"
    )
    assert sorted(names) == sorted(cnnref.list_models())
    white_space = page.eval_on_selector(
        "table.cnnref-sortable tbody th code", "c => getComputedStyle(c).whiteSpace"
    )
    assert white_space == "nowrap"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(SCREENSHOTS / "explorer-model-table.png"))


def test_explorer_page_weight(site_dir: Path) -> None:
    """The explorer's scripts and each page's layer graphs, gzip-compressed, stay small."""
    scripts = b"".join((site_dir / "assets" / "javascripts" / name).read_bytes() for name in JS)
    for family in cnnref.list_families():
        html = (site_dir / _page_of(family.name) / "index.html").read_text(encoding="utf-8")
        data = re.search(
            r'<template class="cnnref-explorer-data" data-search-exclude>(.*?)</template>',
            html,
            re.S,
        )
        assert data, family.name
        added = len(gzip.compress(scripts + data[1].encode(), 9))
        assert added <= MAX_ADDED_KB * 1024, (family.name, added)
