"""The model table (Comparison page) and the per-architecture explorer, from `cnnref.analysis`.

`model_rows()` computes one row per registered model; `model_table()` renders it as a sortable
HTML table (sorted in the browser by `assets/javascripts/sortable.js`) with CSV and JSON
downloads; `explorer(family)` exports each model's layer graph for
`assets/javascripts/explorer.js`, which redoes the arithmetic for any input size.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
from pathlib import Path

import cnnref
from cnnref import analysis
from gen import Out
from gen.common import FAMILIES, FAMILY, family_cards, paper_count, percent

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "results" / "cpu.json"


@functools.cache
def graph(name: str) -> list[analysis.Layer]:
    """The model's layer graph, recorded at its default input size."""
    return analysis.layer_graph(name)


# ------------------------------------------------------------------------- ILSVRC figures
def single_model(card: cnnref.ModelCard, metric: str) -> tuple[float, str, str] | None:
    """The card's single-network ImageNet validation error for `metric` (`"top-1"`/`"top-5"`).

    Returns `(error, protocol, source)`: the protocol is the card's own setting text; an
    accuracy of torchvision's weights is turned into an error (100 − accuracy).
    """
    for r in card.results:
        where = f"{r.benchmark} {r.setting}".lower()
        if "ensemble" in where or "test set" in where or "averaged" in where:
            continue
        if r.metric == f"{metric} error" and ("single" in where or "validation" in where):
            return r.value, r.setting, r.source
        if r.metric == f"{metric} accuracy":
            return round(100 - r.value, 3), r.setting, r.source
    return None


def challenge_entries() -> list[tuple[cnnref.Family, cnnref.Result]]:
    """Per family, the lowest ILSVRC test-set top-5 error its cards report: the entry's."""
    out = []
    for family in FAMILIES:
        found = [
            r
            for c in family_cards(family.name)
            for r in c.results
            if "ILSVRC" in r.benchmark and r.metric == "top-5 error" and "test" in r.setting
        ]
        if found:
            out.append((family, min(found, key=lambda r: r.value)))
    return out


# ------------------------------------------------------------------------- benchmark figures
@functools.cache
def throughput() -> dict[str, float]:
    """Images per second of each model on CPU (eager, batch 32), from the committed results."""
    if not BENCH.exists():
        return {}
    data = json.loads(BENCH.read_text(encoding="utf-8"))
    out = {}
    for r in data["results"]:
        if r["mode"] == "eager" and r["workload"] == "infer_b32" and r["dtype"] == "float32":
            out[r["cnnref_model"]] = r["cnnref"]["images_per_s"]
    return out


def bench_protocol() -> str:
    """The benchmark's setting in words, from the results file."""
    data = json.loads(BENCH.read_text(encoding="utf-8"))
    p, m = data["protocol"], data["machine"]
    return (
        f"{p['image_size']}×{p['image_size']} images, batch 32, float32, eager, "
        f"{p['threads']} thread on {m['cpu']} (torch {m['torch']}), from "
        f"`benchmarks/results/{BENCH.name}` ({data['created'][:10]})"
    )


# ------------------------------------------------------------------------- the model table
COLUMNS = [
    # key, header, numeric
    ("model", "model", False),
    ("family", "family", False),
    ("year", "year", True),
    ("depth", "depth", True),
    ("params", "parameters", True),
    ("paper_params", "paper's count", True),
    ("mult_adds", "mult-adds", True),
    ("memory_inference", "activations, inference", True),
    ("memory_training", "activations, training", True),
    ("receptive_field", "receptive field", True),
    ("min_input", "smallest input", True),
    ("input", "default input", False),
    ("top1", "top-1 error", True),
    ("top5", "top-5 error", True),
    ("protocol", "protocol (single network, validation)", False),
    ("cpu_images_per_s", "CPU images/s", True),
]


@functools.cache
def model_rows() -> tuple[dict, ...]:
    """One dict per registered model with the raw values of the table (None where unknown)."""
    rows = []
    speed = throughput()
    for family in FAMILIES:
        for card in family_cards(family.name):
            layers = graph(card.name)
            size = card.input_size[1:]
            table = analysis.layer_table(layers, size)
            mem = analysis.memory(layers, size)
            rf = analysis.receptive_field(layers, size).final
            top1, top5 = single_model(card, "top-1"), single_model(card, "top-5")
            protocols = dict.fromkeys(x[1] for x in (top1, top5) if x)
            rows.append(
                {
                    "model": card.name,
                    "family": family.name,
                    "year": card.year,
                    "depth": card.weight_layers,
                    "params": sum(r.params for r in table),
                    "paper_params": card.paper_params,
                    "mult_adds": sum(r.macs for r in table),
                    "memory_inference": mem.inference,
                    "memory_training": mem.training,
                    "receptive_field": rf[0] if rf[0] == rf[1] else f"{rf[0]}×{rf[1]}",
                    "min_input": analysis.min_input_size(layers),
                    "input": "×".join(map(str, card.input_size)),
                    "top1": top1[0] if top1 else None,
                    "top5": top5[0] if top5 else None,
                    "protocol": "; ".join(protocols),
                    "cpu_images_per_s": speed.get(card.name),
                }
            )
    return tuple(rows)


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def _cell(key: str, value) -> str:
    """A value as the table shows it."""
    if value is None or value == "":
        return "–"
    if key in ("params", "paper_params"):
        return paper_count(value) if key == "paper_params" else f"{value / 1e6:.2f} M"
    if key == "mult_adds":
        return f"{value / 1e9:.2f} G" if value >= 1e8 else f"{value / 1e6:.2f} M"
    if key.startswith("memory"):
        return _mb(value)
    if key in ("top1", "top5"):
        return percent(value)
    if key == "cpu_images_per_s":
        return f"{value:,.1f}"
    return str(value)


def csv_text(rows) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[k for k, _, _ in COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


def model_table() -> Out:
    """The sortable table of every registered model, with its CSV and JSON downloads."""
    rows = model_rows()
    out = Out()
    if not rows:
        return out.add('!!! note "No model is registered yet"')
    head = "".join(
        f'<th scope="col"{" class=num" if num else ""} aria-sort="none">'
        f'<button type="button">{html.escape(title)}</button></th>'
        for _, title, num in COLUMNS
    )
    body = []
    for row in rows:
        cells = []
        for key, _, num in COLUMNS:
            value = row[key]
            text = html.escape(_cell(key, value))
            sort = "" if value is None else html.escape(str(value), quote=True)
            if key == "receptive_field" and isinstance(value, str):
                sort = value.split("×")[0]
            attr = f' data-sort="{sort}"' if num else ""
            if key == "model":
                page = FAMILY[row["family"]].page.removesuffix(".md")
                text = f'<a href="../{page}/"><code>{text}</code></a>'
                cells.append(f'<th scope="row">{text}</th>')
                continue
            cls = " class=num" if num else " class=protocol" if key == "protocol" else ""
            cells.append(f"<td{cls}{attr}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        '<div class="cnnref-table-scroll" tabindex="0" role="region" '
        'aria-label="All registered models, sortable">\n'
        '<table class="cnnref-sortable cnnref-models">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n"
        "</div>"
    )
    out.files["comparison/models.csv"] = csv_text(rows)
    out.files["comparison/models.json"] = json.dumps(list(rows), indent=1, ensure_ascii=False)
    out.add(
        table,
        "Download: [CSV](@fig/comparison/models.csv) · [JSON](@fig/comparison/models.json). "
        "Select a column's header to sort by it.",
        "*Depth*: layers with weights, as the paper counts them. *Parameters*: the layers "
        "that run at inference (GoogLeNet's auxiliary classifiers left out, as the paper "
        "counts); *paper's count*: the paper's own figure. *Mult-adds* and *activations*: one "
        "image at the default input size, float32; *inference* is the most activation memory "
        "live at once in a forward pass without gradients, *training* every layer's output "
        "kept for the backward pass (`cnnref.analysis.memory`). *Receptive field*: the widest "
        "field of any feature map, in input pixels (`cnnref.analysis.receptive_field`). "
        "*Smallest input*: the smallest square input every layer accepts, derived from the "
        "layers (`cnnref.analysis.min_input_size`). *Top-1/top-5 error*: one network on the "
        "ImageNet validation set, with the protocol its source used: 10 crops, one centre "
        "crop, dense evaluation at one scale, or torchvision's weights on one 224×224 crop "
        "(error = 100 − accuracy) are different measurements, so compare within a protocol. "
        f"*CPU images/s*: {bench_protocol()}.",
    )
    entries = [
        [
            f"[{family.title}]({family.page})",
            str(cnnref.get_card(family.featured).year),
            percent(r.value),
            r.setting,
            r.source,
        ]
        for family, r in challenge_entries()
    ]
    if entries:
        from gen.common import table as md_table

        out.add(
            "**ILSVRC entries.** A challenge entry is a team's submission, usually an ensemble "
            "of several networks, on the test set; no registered network is an entry by "
            "itself, so the figures stand per architecture, not per model:",
            md_table(["architecture", "year", "top-5 error (test)", "setting", "source"], entries),
        )
    return out


# ------------------------------------------------------------------------- the explorer
def _compact(layers: list[analysis.Layer]) -> dict:
    """The graph in the shortest form explorer.js reads: types and names interned."""
    types = list(dict.fromkeys(x.type for x in layers))
    rows = []
    for layer, (name, _, op, inputs, params, conv_macs, args) in zip(
        layers, analysis.graph_json(layers), strict=True
    ):
        row = [name, types.index(layer.type), op, inputs, params]
        if conv_macs or args:
            row.append(conv_macs)
        if args:
            row.append(args)
        rows.append(row)
    return {"types": types, "layers": rows}


def explorer_data(family: str) -> dict:
    """Per model of the family: its input, default size, smallest size and graph."""
    data = {}
    for card in family_cards(family):
        layers = graph(card.name)
        data[card.name] = {
            "title": card.title,
            "channels": card.input_size[0],
            "size": list(card.input_size[1:]),
            "min": analysis.min_input_size(layers),
            **_compact(layers),
        }
    return data


def explorer(family: str) -> Out:
    """An explorer: pick a model and an input size, read every layer's shape and cost."""
    if family not in FAMILY:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILY)}")
    data = explorer_data(family)
    if not data:
        return Out()
    first = next(iter(data.values()))
    # A <template>: inert, whatever reads the page's scripts (material's instant navigation,
    # when the site ran it, re-ran every <script> as JavaScript, type or not, which failed on
    # JSON); data-search-exclude keeps the graphs out of the search index.
    blob = html.escape(json.dumps(data, separators=(",", ":")), quote=False)
    options = "".join(
        f'<option value="{n}">{html.escape(n)} — {html.escape(d["title"])}</option>'
        for n, d in data.items()
    )
    h, w = first["size"]
    return Out().add(
        "## Explore it at your own input size",
        "Pick a model and an input size: every layer's output shape, parameters, "
        "multiply-adds and receptive field follow, computed in your browser from the layer "
        "graph `cnnref.analysis.layer_graph` records (the same rules as "
        "`cnnref.analysis.layer_table`).",
        f'<div class="cnnref-explorer" data-family="{family}">\n'
        f'<template class="cnnref-explorer-data" data-search-exclude>{blob}</template>\n'
        '<div class="cnnref-explorer-controls">\n'
        f'<label>Model <select name="model">{options}</select></label>\n'
        f'<label>Input height <input name="height" type="number" min="1" max="4096" '
        f'value="{h}"></label>\n'
        f'<label>Input width <input name="width" type="number" min="1" max="4096" '
        f'value="{w}"></label>\n'
        "</div>\n"
        '<p class="cnnref-explorer-status" role="status" aria-live="polite"></p>\n'
        '<div class="cnnref-table-scroll cnnref-explorer-scroll" tabindex="0" role="region" '
        'aria-label="Layers at the chosen input size">\n'
        '<table class="cnnref-explorer-table"><thead><tr><th scope="col">Layer</th>'
        '<th scope="col">Type</th><th scope="col">Output shape</th>'
        '<th scope="col" class="num">Parameters</th><th scope="col" class="num">Mult-adds'
        '</th><th scope="col" class="num">Receptive field</th></tr></thead>'
        "<tbody></tbody></table>\n</div>\n</div>",
    )
