"""ResNet: Table 1 as data, torchvision as the oracle, and where the stride sits."""

from __future__ import annotations

import pytest
import torch
import torchinfo
import torchvision
from helpers import meta_model, n_params, randomize_batch_norm
from torch import nn

import cnnref
from cnnref.models.resnet import DEPTHS, BasicBlock, Bottleneck, ResNet

DEPTH_OF = {
    "resnet18": 18,
    "resnet34": 34,
    "resnet50": 50,
    "resnet101": 101,
    "resnet152": 152,
    "resnet50_tv": 50,
    "resnet101_tv": 101,
    "resnet152_tv": 152,
}
TORCHVISION_PARAMS = {
    18: 11_689_512,
    34: 21_797_672,
    50: 25_557_032,
    101: 44_549_160,
    152: 60_192_808,
}
PAPER_MULT_ADDS = {18: 1.8e9, 34: 3.6e9, 50: 3.8e9, 101: 7.6e9, 152: 11.3e9}  # Table 1
PAPER_TOP1 = {18: 27.88, 34: 24.52, 50: 22.85, 101: 21.75, 152: 21.43}  # Tables 2, 3


@pytest.fixture(scope="module")
def torchvision_resnet50() -> nn.Module:
    return randomize_batch_norm(torchvision.models.resnet50(weights=None))


# --- Table 1 as data and the parameter counts ------------------------------------------------


def test_depths_are_table1():
    table1 = {
        18: (BasicBlock, [2, 2, 2, 2]),
        34: (BasicBlock, [3, 4, 6, 3]),
        50: (Bottleneck, [3, 4, 6, 3]),
        101: (Bottleneck, [3, 4, 23, 3]),
        152: (Bottleneck, [3, 8, 36, 3]),
    }
    assert table1 == DEPTHS


@pytest.mark.parametrize("name", list(DEPTH_OF))
def test_parameter_count_equals_torchvision(name):
    depth = DEPTH_OF[name]
    with torch.device("meta"):
        theirs = getattr(torchvision.models, f"resnet{depth}")(weights=None)
    model = meta_model(name)
    assert n_params(model) == n_params(theirs) == TORCHVISION_PARAMS[depth]
    assert cnnref.get_card(name).extra["torchvision_params"] == TORCHVISION_PARAMS[depth]
    # Same names and shapes as torchvision: its state_dict fits either stride placement.
    ours = {k: v.shape for k, v in model.state_dict().items()}
    assert ours == {k: v.shape for k, v in theirs.state_dict().items()}


@pytest.mark.parametrize("name", list(DEPTH_OF))
def test_weight_layers_as_the_paper_counts(name):
    model = meta_model(name)
    layers = [
        n
        for n, m in model.named_modules()
        if isinstance(m, nn.Conv2d | nn.Linear) and "downsample" not in n
    ]
    assert len(layers) == DEPTH_OF[name] == cnnref.get_card(name).weight_layers


@pytest.mark.parametrize("name", list(DEPTH_OF))
def test_mult_adds_match_table1(name):
    """The paper's nets cost what Table 1 says (within 2 %); the v1.5 ones what torchvision says."""
    card = cnnref.get_card(name)
    summary = torchinfo.summary(
        meta_model(name), input_size=(1, 3, 224, 224), device="meta", verbose=0
    )
    if "paper_mult_adds" in card.extra:
        assert card.extra["paper_mult_adds"] == PAPER_MULT_ADDS[DEPTH_OF[name]]
        assert summary.total_mult_adds == pytest.approx(card.extra["paper_mult_adds"], rel=0.02)
    if "torchvision_gflops" in card.extra:
        assert summary.total_mult_adds / 1e9 == pytest.approx(
            card.extra["torchvision_gflops"], abs=1e-3
        )


# --- torchvision as the oracle ---------------------------------------------------------------


def test_the_stride_placement_changes_the_function(torchvision_resnet50):
    state = torchvision_resnet50.state_dict()
    paper = meta_model("resnet50").eval()
    v15 = meta_model("resnet50_tv").eval()
    paper.load_state_dict(state, assign=True)  # shares torchvision's tensors: read-only use
    v15.load_state_dict(state, assign=True)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():  # v15 equals torchvision: tests/test_contract.py
        assert (paper(x) - v15(x)).abs().max() > 1e-2


@pytest.mark.parametrize("name", ["resnet50", "resnet101", "resnet152"])
def test_stride_on_the_first_1x1_in_the_paper(name):
    paper, v15 = meta_model(name), meta_model(f"{name}_tv")
    for stage in (paper.layer2, paper.layer3, paper.layer4):
        assert stage[0].conv1.stride == (2, 2) and stage[0].conv2.stride == (1, 1)
    for stage in (v15.layer2, v15.layer3, v15.layer4):
        assert stage[0].conv1.stride == (1, 1) and stage[0].conv2.stride == (2, 2)
    assert paper.layer1[0].conv1.stride == paper.layer1[0].conv2.stride == (1, 1)
    assert all(block.conv1.stride == (1, 1) for block in paper.layer3[1:])


# --- Shortcuts, shapes, inputs ---------------------------------------------------------------


def test_projection_shortcuts_only_where_the_shape_changes():
    r18, r50 = meta_model("resnet18"), meta_model("resnet50")
    projections = [n for n, _ in r18.named_modules() if n.endswith("downsample")]
    assert projections == ["layer2.0.downsample", "layer3.0.downsample", "layer4.0.downsample"]
    # ResNet-50's first block widens 64 -> 256 at the same resolution: a stride-1 projection.
    assert r50.layer1[0].downsample[0].stride == (1, 1)
    assert r50.layer2[0].downsample[0].stride == (2, 2)
    assert r50.layer1[1].downsample is None
    assert all(m.inplace for m in r50.modules() if isinstance(m, nn.ReLU))


def test_shapes_and_contract():
    for name, features in (("resnet18", 512), ("resnet50", 2048)):
        model = meta_model(name, num_classes=7, in_channels=1)
        assert (model.in_channels, model.num_classes, model.num_features) == (1, 7, features)
        x = torch.empty(3, 1, 224, 160, device="meta")
        assert model.forward_features(x).shape == (3, features, 7, 5)
        assert model.forward_head(model.forward_features(x)).shape == (3, 7)


def test_min_input_size():
    model = cnnref.create_model("resnet18", num_classes=5).eval()
    assert model.min_input_size == cnnref.get_card("resnet18").min_input_size == 1
    with torch.no_grad():
        assert model(torch.randn(2, 3, 1, 1)).shape == (2, 5)
        assert model.forward_features(torch.randn(2, 3, 32, 32)).shape == (2, 512, 1, 1)
    with pytest.raises(
        ValueError, match="ResNet-18 needs an input of at least 1x1 pixels, got 0x8"
    ):
        model(torch.randn(2, 3, 0, 8))


def test_unknown_depth():
    with pytest.raises(ValueError, match="unknown depth 20; the paper's Table 1 has 18, 34, 50"):
        ResNet(20)


def test_torchinfo_summary_on_meta_reads_like_the_paper():
    summary = torchinfo.summary(
        meta_model("resnet152"),
        input_size=(1, 3, 224, 224),
        device="meta",
        verbose=0,
        depth=2,
        row_settings=("var_names",),
    )
    assert summary.total_params == 60_192_808
    text = str(summary)
    for name in ("conv1", "bn1", "maxpool", "layer1", "layer4", "avgpool", "fc"):
        assert f"({name})" in text


def test_zero_init_residual():
    default = cnnref.create_model("resnet18")
    assert all(m.bn2.weight.eq(1).all() for m in default.modules() if isinstance(m, BasicBlock))
    model = cnnref.create_model("resnet18", zero_init_residual=True)
    blocks = [m for m in model.modules() if isinstance(m, BasicBlock)]
    assert len(blocks) == 8 and all(b.bn2.weight.eq(0).all() for b in blocks)
    model = cnnref.create_model("resnet50", zero_init_residual=True)
    blocks = [m for m in model.modules() if isinstance(m, Bottleneck)]
    assert len(blocks) == 16 and all(b.bn3.weight.eq(0).all() for b in blocks)


def test_cards():
    for name, depth in DEPTH_OF.items():
        card = cnnref.get_card(name)
        assert card.family == "resnet" and card.paper.year == 2015
        assert (card.headline.value, card.headline.metric) == (3.57, "top-5 error")
        if name.endswith("_tv"):
            assert card.torchvision == f"resnet{depth}"
            assert "v1.5" in card.differs_from_paper
        else:
            assert card.results[1].value == PAPER_TOP1[depth]
            assert card.results[1].metric == "top-1 error"
            assert "10-crop" in card.results[1].setting
            assert card.extra["paper_mult_adds"] == PAPER_MULT_ADDS[depth]
    # The paper's ResNet-50 names torchvision's resnet50 as its counterpart; the v1.5 network
    # is the twin that loads its weights.
    assert cnnref.get_card("resnet50").torchvision == "resnet50"
    assert not cnnref.get_card("resnet50").is_torchvision_twin
    assert cnnref.torchvision_variant("resnet50") == "resnet50_tv"
    assert cnnref.get_card("resnet18").torchvision == "resnet18"
    assert cnnref.get_card("resnet18").is_torchvision_twin
    assert cnnref.list_models("resnet")[:2] == ["resnet18", "resnet34"]
