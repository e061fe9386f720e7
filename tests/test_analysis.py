"""`cnnref.analysis` against PyTorch itself, torchinfo, a published table and the input gradient.

- Shapes: every layer's output shape from the arithmetic equals the shape the real forward
  pass produces (on the meta device) at three input sizes, one of them not square.
- Parameters and multiply-adds equal torchinfo's totals.
- Receptive fields equal the published ones (Araujo, Norris & Sim, Distill 2019) where a
  network is in their table, and an independent measurement everywhere else: the extent of
  the nonzero input gradient of one output unit, in float64, with every weight positive so
  that nothing cancels (max-pools become average pools of the same window: a max passes its
  gradient to one input only, while the field is every input it *could* pick; sigmoids become
  the identity, as they saturate).
- The smallest input is derived from the layers and compared with each card's.
"""

from __future__ import annotations

import math
import re

import pytest
import torch
import torchinfo
from torch import nn

import cnnref
from cnnref import analysis

MODELS = cnnref.list_models()


@pytest.fixture(scope="module")
def graphs() -> dict[str, list[analysis.Layer]]:
    return {}


def graph(cache: dict, name: str) -> list[analysis.Layer]:
    if name not in cache:
        cache[name] = analysis.layer_graph(name)
    return cache[name]


def sizes_of(name: str) -> list[tuple[int, int]]:
    """Three input sizes the model accepts: its default, its smallest, and a non-square one."""
    card = cnnref.get_card(name)
    h = card.input_size[1]
    small = card.min_input_size
    if card.family == "lenet":  # F6 reads C5's 1×1 maps only: 32 to 35 pixels
        return [(32, 32), (35, 35), (33, 35)]
    if card.family == "unet":  # tiles of 16k + 124 pixels
        return [(h, h), (small, small), (small + 16, small + 48)]
    return [(h, h), (small, small), (h + 13, h - 35)]


def forward_shapes(name: str, size: tuple[int, int]) -> dict[str, list[tuple[int, ...]]]:
    """Output shapes of every leaf module call in the real forward pass on the meta device."""
    card = cnnref.get_card(name)
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    seen: dict[str, list[tuple[int, ...]]] = {}
    names = {m: n for n, m in model.named_modules()}
    hooks = [
        m.register_forward_hook(
            lambda m, i, o: seen.setdefault(names[m], []).append(tuple(o.shape[1:]))
        )
        for m in model.modules()
        if not list(m.children())
    ]
    out = model(torch.zeros(1, card.input_size[0], *size, device="meta"))
    for h in hooks:
        h.remove()
    seen["<output>"] = [tuple(out.shape[1:])]
    return seen


@pytest.mark.parametrize("name", MODELS)
def test_shapes_equal_the_forward_pass(name: str, graphs: dict) -> None:
    layers = graph(graphs, name)
    for size in sizes_of(name):
        rows = analysis.layer_table(layers, size)
        real = forward_shapes(name, size)
        ours: dict[str, list[tuple[int, ...]]] = {}
        for layer, row in zip(layers, rows, strict=True):
            if layer.type not in ("input",) and "." not in layer.type:
                ours.setdefault(layer.name.split("#")[0], []).append(row.shape)
        for module, shapes in real.items():
            if module == "<output>":
                assert rows[-1].shape == shapes[0], (name, size)
            elif module in ours:
                assert ours[module] == shapes, (name, size, module)


@pytest.mark.parametrize("name", MODELS)
def test_params_and_mult_adds_equal_torchinfo(name: str, graphs: dict) -> None:
    card = cnnref.get_card(name)
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    stats = torchinfo.summary(
        model, input_size=(1, *card.input_size), device="meta", verbose=0, depth=20
    )
    rows = analysis.layer_table(graph(graphs, name), card.input_size[1:])
    assert sum(r.macs for r in rows) == stats.total_mult_adds
    ran = sum(r.params for r in rows)
    assert ran <= stats.total_params
    if name.startswith("googlenet"):  # the auxiliary classifiers run only in training
        assert ran == stats.total_params - sum(
            p.numel() for n, p in model.named_parameters() if n.startswith("aux")
        )
    else:
        assert ran == stats.total_params


@pytest.mark.parametrize("name", sorted(analysis.PUBLISHED_FIELDS))
def test_receptive_field_equals_the_published_one(name: str, graphs: dict) -> None:
    ref = analysis.PUBLISHED_FIELDS[name]
    rf = analysis.receptive_field(graph(graphs, name), 224)
    assert rf.final == (ref.size, ref.size)
    last = [f for _, f in rf.layers if f.size == (ref.size, ref.size)][-1]
    assert last.jump == (ref.stride, ref.stride)
    padding = (ref.size - 1) / 2 - last.start[0]
    assert padding == (ref.padding if ref.our_padding is None else ref.our_padding)


def positive_float64(model: nn.Module) -> nn.Module:
    """Weights 1/fan-in, biases 0, BN the identity, max-pools as average pools: all positive.

    Sigmoids become the identity: on large positive inputs they round to exactly 1 in
    float64 and pass no gradient. Neither change moves a field.
    """
    model = model.double().eval()
    with torch.no_grad():
        for m in model.modules():
            for pname, p in m.named_parameters(recurse=False):
                if pname == "weight" and p.dim() > 1:
                    p.fill_(1.0 / (p[0].numel()))
                elif pname == "weight":
                    p.fill_(1.0)
                else:
                    p.zero_()
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.zero_()
                m.running_var.fill_(1.0)
        for parent in list(model.modules()):
            for cname, child in parent.named_children():
                if isinstance(child, nn.Sigmoid):  # saturates to exactly 1 in float64
                    setattr(parent, cname, nn.Identity())
                if isinstance(child, nn.MaxPool2d):
                    pool = nn.AvgPool2d(
                        child.kernel_size, child.stride, child.padding, child.ceil_mode
                    )
                    setattr(parent, cname, pool)
    return model


class _StopError(Exception):
    pass


def measured_field(model: nn.Module, layer: str, channels: int, size: int, unit: int):
    """Rows and columns of the input whose gradient is nonzero for one unit of `layer`."""
    module = dict(model.named_modules())[layer]
    out = {}

    def hook(m, i, o):
        out["y"] = o
        raise _StopError

    handle = module.register_forward_hook(hook)
    x = torch.ones(1, channels, size, size, dtype=torch.float64, requires_grad=True)
    with pytest.raises(_StopError):
        model(x)
    handle.remove()
    y = out["y"]
    y[0, :, unit, unit].sum().backward()
    g = x.grad[0].abs().sum(0)
    rows = torch.nonzero(g.sum(1)).flatten()
    cols = torch.nonzero(g.sum(0)).flatten()
    return (int(rows[0]), int(rows[-1])), (int(cols[0]), int(cols[-1]))


# (model, a module whose output to measure): whole small networks; the larger ones up to a
# layer after their first branches, merges, projections or crops, to keep the test short.
EMPIRICAL = [
    ("lenet5", "c5"),
    ("lenet5_modern", "c5"),
    ("alexnet", "pool5"),
    ("alexnet_tv", "pool5"),
    ("googlenet", "inception3b"),
    ("googlenet_tv", "inception3a"),
    ("vgg11", "features.pool3"),
    ("resnet18", "layer2"),
    ("resnet50", "layer2.0"),
    ("resnet50_tv", "layer2.0"),
    ("attention56", "stage1.attention1"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "layer"), EMPIRICAL)
def test_receptive_field_equals_the_input_gradient(name: str, layer: str, graphs: dict) -> None:
    card = cnnref.get_card(name)
    torch.manual_seed(0)
    model = positive_float64(cnnref.create_model(name))
    modules = dict(model.named_modules())
    if layer not in modules:
        pytest.fail(f"{name} has no module {layer!r}: {sorted(modules)[:20]}")
    layers = graph(graphs, name)
    # the last layer recorded inside the module: its output is the module's
    index = max(
        i for i, x in enumerate(layers) if x.name == layer or x.name.startswith(layer + ".")
    )
    size = card.input_size[1] if card.family == "lenet" else 0
    while True:
        size = size or 64
        field = analysis.receptive_field(layers, size).layers[index][1]
        r, j, start = field.size[0], field.jump[0], field.start[0]
        rows = analysis.layer_table(layers, size)
        side = rows[index].shape[1]
        unit = side // 2
        centre = start + unit * j
        if card.family == "lenet" or (centre - (r - 1) / 2 >= 0 and centre + (r - 1) / 2 < size):
            break
        size = int(size * 1.5)
    (top, bottom), (left, right) = measured_field(model, layer, card.input_size[0], size, unit)
    height, width = bottom - top + 1, right - left + 1
    if any(x.op == "resize" for x in layers[: index + 1]):
        # A bilinear resize reads two neighbours, except where an output falls exactly on an
        # input: the rule gives the widest unit's field, which one unit need not reach.
        assert height == width <= r <= 1.1 * height, (name, layer, size, field)
        return
    assert height == r and width == r, (name, layer, size, field)
    assert top == centre - (r - 1) / 2, (name, layer, size, field)


@pytest.mark.slow
def test_unet_receptive_field_equals_the_input_gradient(
    graphs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """U-Net's whole network, made thin (1 to 16 channels) so the test is fast."""
    from cnnref.models import unet

    layers = graph(graphs, "unet")
    field = analysis.receptive_field(layers, 572)
    r = field.final[0]
    monkeypatch.setattr(unet, "CHANNELS", (1, 2, 4, 8, 16))
    model = positive_float64(unet.unet())
    size = 188 + 16 * math.ceil((r - 188 + 40) / 16)
    extents = []
    for unit in (34, 40):  # after the up-convolutions, fields differ with the position
        x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
        y = model(x)
        y[0, :, unit, unit].sum().backward()
        rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
        extents.append(int(rows[-1] - rows[0]) + 1)
    # The linear rule (Araujo et al. do not cover up-convolutions) gives one size between
    # the two: in every 16 units, 4 see 188 pixels and 12 see 204 (a 2×2 up-convolution
    # gives two neighbours the same field).
    assert min(extents) < r < max(extents), (extents, r)
    assert extents == [188, 204]
    out = analysis.layer_table(layers, size)[-1]
    assert out.shape[1:] == tuple(y.shape[-2:])


@pytest.mark.parametrize("name", MODELS)
def test_smallest_input_is_the_cards(name: str, graphs: dict) -> None:
    derived = analysis.min_input_size(graph(graphs, name))
    card = cnnref.get_card(name)
    assert derived == card.min_input_size
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    model(torch.zeros(1, card.input_size[0], derived, derived, device="meta"))
    if derived > 1:
        with pytest.raises(analysis.InputSizeError):
            analysis.layer_table(graph(graphs, name), derived - 1)


def test_too_small_names_the_layer_and_why() -> None:
    with pytest.raises(analysis.InputSizeError) as err:
        analysis.layer_table(analysis.layer_graph("alexnet"), 62)
    assert err.value.layer == "pool5"
    assert "3×3 window" in str(err.value)
    with pytest.raises(analysis.InputSizeError, match="expects 120 input features, gets 480"):
        analysis.layer_table(analysis.layer_graph("lenet5_modern"), 36)


def test_memory_grows_with_the_input() -> None:
    layers = analysis.layer_graph("resnet18")
    small, large = analysis.memory(layers, 224), analysis.memory(layers, 448)
    assert small.inference < small.training
    assert 3.5 < large.training / small.training < 4.1
    assert analysis.memory(layers, 224, bytes_per_element=2).training * 2 == small.training


def test_any_model_not_only_registered_ones() -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.Conv2d(8, 8, 3))
    rf = analysis.receptive_field(model, (40, 30))
    assert rf.final == (7, 7)
    rows = analysis.layer_table(model, (40, 30))
    assert rows[-1].shape == (8, 17, 12)


def test_model_table_cells_are_the_packages(graphs: dict) -> None:
    """Every cell of the Comparison page's table comes from cnnref (docs/gen/explore.py)."""
    import json
    import sys
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs"
    sys.path.insert(0, str(docs))
    from gen import explore

    rows = {r["model"]: r for r in explore.model_rows()}
    assert list(rows) == [n for f in cnnref.list_families() for n in cnnref.list_models(f.name)]
    bench = json.loads((docs.parent / "benchmarks" / "results" / "cpu.json").read_text())
    speed = {
        r["cnnref_model"]: r["cnnref"]["images_per_s"]
        for r in bench["results"]
        if (r["mode"], r["workload"], r["dtype"]) == ("eager", "infer_b32", "float32")
    }
    for name, row in rows.items():
        card = cnnref.get_card(name)
        layers = graph(graphs, name)
        size = card.input_size[1:]
        table = analysis.layer_table(layers, size)
        memory = analysis.memory(layers, size)
        final = analysis.receptive_field(layers, size).final
        assert row["year"] == card.year and row["depth"] == card.weight_layers
        assert row["params"] == sum(r.params for r in table)
        assert row["paper_params"] == card.paper_params
        assert row["mult_adds"] == sum(r.macs for r in table)
        assert row["memory_inference"] == memory.inference
        assert row["memory_training"] == memory.training
        square = final[0] == final[1]
        assert row["receptive_field"] == (final[0] if square else f"{final[0]}×{final[1]}")
        assert row["min_input"] == analysis.min_input_size(layers)
        assert row["cpu_images_per_s"] == speed.get(name)
        for key in ("top1", "top5"):
            if row[key] is not None:  # a single network's figure, never a challenge entry's
                found = explore.single_model(card, key.replace("top", "top-"))
                assert found and row[key] == found[0] and found[1] in row["protocol"]
                assert "test set" not in row["protocol"] and "ensemble" not in row["protocol"]
    html = explore.model_table().markdown
    for name, row in rows.items():
        cells = re.findall(r"<tr><th scope=\"row\">.*?</tr>", html)
        line = next(c for c in cells if f"<code>{name}</code>" in c)
        for key, _, _ in explore.COLUMNS[1:]:
            assert f">{explore.html.escape(explore._cell(key, row[key]))}</td>" in line, (name, key)
