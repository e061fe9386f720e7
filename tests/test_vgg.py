"""VGG: Table 1 as data, Table 2's parameter counts, and torchvision as the oracle."""

from __future__ import annotations

import pytest
import torch
import torchinfo
import torchvision
from helpers import meta_model, n_params
from torch import nn

import cnnref
from cnnref.models import vgg
from cnnref.models.vgg import CLASSIFIER, CONFIGS, parameter_breakdown, table1, weight_layers

PAPER_NAMES = ["vgg11", "vgg11_lrn", "vgg13", "vgg16c", "vgg16", "vgg19"]
BN_NAMES = ["vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn"]
TORCHVISION_NAMES = ["vgg11", "vgg13", "vgg16", "vgg19", *BN_NAMES]
CONFIG_OF = dict(zip(PAPER_NAMES, CONFIGS, strict=True)) | {
    "vgg11_bn": "A",
    "vgg13_bn": "B",
    "vgg16_bn": "D",
    "vgg19_bn": "E",
}
# Table 2, "Number of parameters (in millions)".
TABLE2_MILLIONS = {"A": 133, "A-LRN": 133, "B": 133, "C": 134, "D": 138, "E": 144}


# --- Table 1 as data -----------------------------------------------------------------------


def test_configs_are_table1():
    assert list(CONFIGS) == ["A", "A-LRN", "B", "C", "D", "E"]
    assert [weight_layers(c) for c in CONFIGS] == [11, 11, 13, 16, 16, 19]
    assert CLASSIFIER == ["FC-4096", "FC-4096", "FC-1000", "soft-max"]
    for config in CONFIGS.values():
        assert config.count("maxpool") == 5
        assert set(config) <= {
            "conv3-64",
            "conv3-128",
            "conv3-256",
            "conv3-512",
            "conv1-256",
            "conv1-512",
            "LRN",
            "maxpool",
        }
    assert CONFIGS["A-LRN"][:3] == ["conv3-64", "LRN", "maxpool"]
    assert [c for c in CONFIGS["A-LRN"] if c != "LRN"] == CONFIGS["A"]
    assert [c for c in CONFIGS["C"] if not c.startswith("conv1")] == CONFIGS["B"]
    assert sum(c.startswith("conv1") for c in CONFIGS["C"]) == 3


def test_table1_rendering():
    rows = table1()
    assert rows[0] == ("A", "A-LRN", "B", "C", "D", "E")
    assert rows[1] == tuple(f"{n} weight layers" for n in (11, 11, 13, 16, 16, 19))
    assert rows[2][0].startswith("input (224")
    assert len(rows) == 3 + 5 * 2 + 4
    assert all(len(row) == 6 for row in rows)
    assert [rows[i][0] for i in range(4, 13, 2)] == ["maxpool"] * 5
    assert rows[7][3] == "conv3-256\nconv3-256\nconv1-256"  # C's third block
    assert rows[11][5] == "\n".join(["conv3-512"] * 4)  # E's fifth block
    assert [row[0] for row in rows[-4:]] == CLASSIFIER


# --- Parameter counts: Table 2 and torchvision ------------------------------------------------


@pytest.mark.parametrize("name", PAPER_NAMES + BN_NAMES)
def test_parameter_count_rounds_to_table2(name):
    count = n_params(meta_model(name))
    assert round(count / 1e6) == TABLE2_MILLIONS[CONFIG_OF[name]]
    card = cnnref.get_card(name)
    if card.paper_params is not None:
        assert card.paper_params == TABLE2_MILLIONS[CONFIG_OF[name]] * 1_000_000


@pytest.mark.parametrize("name", TORCHVISION_NAMES)
def test_parameter_count_equals_torchvision(name):
    with torch.device("meta"):
        theirs = getattr(torchvision.models, name)(weights=None)
    count = n_params(meta_model(name))
    assert count == n_params(theirs) == cnnref.get_card(name).extra["torchvision_params"]


def test_paper_param_counts_exactly():
    assert n_params(meta_model("vgg11_lrn")) == 132_863_336  # LRN has no weights
    assert n_params(meta_model("vgg16c")) == 133_638_952  # B + three 1×1 convolutions


@pytest.mark.parametrize("name", PAPER_NAMES + BN_NAMES)
def test_weight_layers_as_the_paper_counts(name):
    model = meta_model(name)
    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert len(layers) == cnnref.get_card(name).weight_layers == weight_layers(CONFIG_OF[name])


# --- Where the parameters sit -----------------------------------------------------------------


def test_parameter_breakdown_vgg16():
    counts = parameter_breakdown(meta_model("vgg16"))
    assert list(counts)[:3] == ["conv1_1", "conv1_2", "conv2_1"]
    assert list(counts)[-3:] == ["fc6", "fc7", "fc8"]
    assert counts["fc6"] == 512 * 7 * 7 * 4096 + 4096 == 102_764_544
    assert sum(counts.values()) == 138_357_544
    conv = sum(n for name, n in counts.items() if name.startswith("conv"))
    assert conv == 14_714_688
    assert counts["fc6"] / sum(counts.values()) > 0.74


@pytest.mark.parametrize("name", PAPER_NAMES + BN_NAMES)
def test_config_params_is_the_measured_count(name):
    """The arithmetic the cards' drawbacks print equals the layers this code builds."""
    counts = parameter_breakdown(meta_model(name))
    computed = vgg.config_params(CONFIG_OF[name], batch_norm=name in BN_NAMES)
    assert computed["total"] == sum(counts.values())
    assert computed["fc6"] == counts["fc6"]
    assert computed["fc"] == sum(n for layer, n in counts.items() if layer.startswith("fc"))
    assert computed["conv"] == computed["total"] - computed["fc"]
    assert f"{computed['fc6'] / 1e6:.1f}M" in cnnref.get_card(name).drawbacks[0]


# --- torchvision as the oracle ---------------------------------------------------------------


def test_torchvision_key_needs_the_configuration():
    assert vgg.torchvision_key("features.17.weight", "vgg13") == "features.conv4_2.weight"
    assert vgg.torchvision_key("features.17.weight", "vgg16") == "features.conv4_1.weight"
    assert vgg.torchvision_key("features.0.bias", "vgg19_bn") == "features.conv1_1.bias"
    assert vgg.torchvision_key("classifier.3.weight", "vgg11") == "classifier.fc7.weight"
    with pytest.raises(ValueError, match="'vgg16c' is not a torchvision VGG"):
        vgg.torchvision_key("features.0.weight", "vgg16c")


# --- The modules ---------------------------------------------------------------------------


def test_paper_style_names():
    model = meta_model("vgg16")
    names = [n for n, _ in model.features.named_children()]
    assert names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    assert names[-1] == "pool5"
    assert [n for n, _ in model.classifier.named_children()] == [
        "fc6",
        "relu6",
        "drop6",
        "fc7",
        "relu7",
        "drop7",
        "fc8",
    ]
    assert all(m.inplace for m in model.modules() if isinstance(m, nn.ReLU))
    assert model.classifier.drop6.p == model.classifier.drop7.p == 0.5
    assert model.avgpool.output_size == (7, 7)
    bn = meta_model("vgg16_bn")
    assert [n for n, _ in bn.features.named_children()][:3] == ["conv1_1", "bn1_1", "relu1_1"]
    c = meta_model("vgg16c")
    assert c.features.conv3_3.kernel_size == (1, 1)
    assert c.features.conv3_3.padding == (0, 0)
    assert c.features.conv3_2.kernel_size == (3, 3)


def test_torchinfo_summary_on_meta_reads_like_the_paper():
    model = meta_model("vgg16c")
    summary = torchinfo.summary(
        model, input_size=(1, 3, 224, 224), device="meta", verbose=0, row_settings=("var_names",)
    )
    assert summary.total_params == 133_638_952
    text = str(summary)
    for name in ("conv3_3", "conv5_3", "pool5", "fc6", "fc8"):
        assert f"({name})" in text


def test_lrn_is_the_papers_formula():
    model = meta_model("vgg11_lrn")
    lrn = model.features.lrn1.to_empty(device="cpu")
    names = [n for n, _ in model.features.named_children()]
    assert names[:4] == ["conv1_1", "relu1_1", "lrn1", "pool1"]
    a = torch.randn(2, 8, 3, 3) * 20  # large enough that the normalisation matters
    k, n, alpha, beta = 2.0, 5, 1e-4, 0.75  # Krizhevsky et al. 2012, §3.3
    squares = nn.functional.pad(a.pow(2), (0, 0, 0, 0, n // 2, n // 2))
    window = sum(squares[:, i : i + a.shape[1]] for i in range(n))
    expected = a / (k + alpha * window).pow(beta)
    assert torch.allclose(lrn(a), expected, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(expected, a / k**beta, rtol=1e-3)


def test_min_input_size():
    model = meta_model("vgg11")
    assert model.min_input_size == cnnref.get_card("vgg11").min_input_size == 32
    assert model(torch.empty(2, 3, 32, 32, device="meta")).shape == (2, 1000)
    assert model.forward_features(torch.empty(2, 3, 32, 32, device="meta")).shape == (2, 512, 1, 1)
    with pytest.raises(ValueError, match=r"VGG-11 \(config A\) needs an input of at least 32x32"):
        model(torch.empty(2, 3, 31, 32, device="meta"))
    with pytest.raises(RuntimeError):  # without the check, 31 really is too small
        model.features(torch.empty(2, 3, 31, 31, device="meta"))


def test_shapes_and_contract():
    model = meta_model("vgg19_bn", num_classes=7, in_channels=1)
    assert (model.in_channels, model.num_classes, model.num_features) == (1, 7, 512)
    x = torch.empty(3, 1, 224, 160, device="meta")
    assert model.forward_features(x).shape == (3, 512, 7, 5)
    assert model.forward_head(model.forward_features(x)).shape == (3, 7)
    assert model(x).shape == (3, 7)


def test_unknown_config():
    with pytest.raises(ValueError, match=r"unknown configuration 'F'.*'A', 'A-LRN', 'B'"):
        vgg.VGG("F")


def test_cards():
    for name in PAPER_NAMES + BN_NAMES:
        card = cnnref.get_card(name)
        assert card.family == "vgg"
        assert card.headline.value == 7.3
        assert card.paper.year == 2014
        assert card.min_input_size == 32
    assert [cnnref.get_card(n).results[1].value for n in PAPER_NAMES] == [
        29.6,
        29.7,
        28.7,
        28.1,
        27.0,
        27.3,
    ]
    assert [cnnref.get_card(n).results[2].value for n in PAPER_NAMES] == [
        10.4,
        10.5,
        9.9,
        9.4,
        8.8,
        9.0,
    ]
    for name in PAPER_NAMES + BN_NAMES:
        differs = cnnref.get_card(name).differs_from_paper
        assert (vgg.DIFFERS_FROM_PAPER["batch_norm"] in differs) == (name in BN_NAMES)
        assert vgg.DIFFERS_FROM_PAPER["init"] in differs
    assert cnnref.get_card("vgg16c").torchvision is None
    assert cnnref.get_card("vgg16_bn").torchvision == "vgg16_bn"
    assert [n for n in PAPER_NAMES + BN_NAMES if cnnref.get_card(n).is_torchvision_twin] == (
        TORCHVISION_NAMES
    )
