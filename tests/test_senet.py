"""SENet: the authors' released Caffe definitions and torchvision's ResNeXt as the oracles."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest
import torch
import torchinfo
import torchvision
from helpers import meta_model, n_params, randomize_batch_norm

import cnnref
from cnnref.models.senet import RELEASE_COUNTS, SEBlock, SEBottleneck, SENet, se_resnet50

NAMES = list(RELEASE_COUNTS)

# The release's parameters by kind, counted from models/<file>.prototxt of
# github.com/hujie-frank/SENet (commit 0262d43) with `count_prototxt` below: the SE blocks'
# `*_1x1_down`/`*_1x1_up` convolutions (weights and biases), the BatchNorm layers' Scale
# (scale and shift), the `classifier` InnerProduct, and the other convolutions (no bias).
RELEASE_BREAKDOWN = {  # name: (SE blocks, batch norms, classifier, other convolutions)
    "se_resnet50": (2_530_992, 53_120, 2_049_000, 23_454_912),
    "se_resnet101": (4_777_712, 105_344, 2_049_000, 42_394_816),
    "se_resnet152": (6_629_040, 151_424, 2_049_000, 57_992_384),
    "se_resnext50_32x4d": (2_530_992, 68_224, 2_049_000, 22_911_680),
    "se_resnext101_32x4d": (4_777_712, 137_856, 2_049_000, 41_990_848),
    "senet154": (6_629_040, 247_552, 2_049_000, 106_163_392),
}


def count_prototxt(text: str) -> dict[str, int]:
    """Count a Caffe deploy prototxt's layers and learned parameters, layer by layer.

    Channels are followed from the `Input` layer through every layer's `bottom`/`top`;
    a Convolution holds `num_output * in / group * k * k` weights (+ `num_output` biases
    unless `bias_term: false`), an InnerProduct `num_output * in` (+ biases), a Scale after a
    BatchNorm `2 * channels` (scale and shift); BatchNorm's mean and variance are statistics.
    """
    blocks, depth, start = [], 0, None
    for m in re.finditer(r"layer\s*\{|\{|\}", text):
        if m.group().startswith("layer") and depth == 0:
            start, depth = m.start(), 1
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                blocks.append(text[start : m.end()])
        else:
            depth += 1
    channels: dict[str, int] = {}
    counts = {"convolutions": 0, "batch_norms": 0, "se": 0, "bn": 0, "fc": 0, "conv": 0}
    for block in blocks:
        name = re.search(r'name:\s*"([^"]+)"', block).group(1)
        kind = re.search(r'type:\s*"([^"]+)"', block).group(1)
        bottoms = re.findall(r'bottom:\s*"([^"]+)"', block)
        top = re.findall(r'top:\s*"([^"]+)"', block)[0]
        field = dict(re.findall(r"(num_output|kernel_size|group|bias_term):\s*(\w+)", block))
        c_in = channels.get(bottoms[0]) if bottoms else None
        if kind == "Input":
            channels[top] = 3
        elif kind in ("Convolution", "InnerProduct"):
            out = int(field["num_output"])
            k = int(field.get("kernel_size", 1))
            n = out * c_in // int(field.get("group", 1)) * k * k
            n += out if field.get("bias_term", "true") != "false" else 0
            channels[top] = out
            if kind == "InnerProduct":
                counts["fc"] += n
            else:
                counts["convolutions"] += 1
                se = name.endswith(("_1x1_down", "_1x1_up"))
                counts["se" if se else "conv"] += n
        elif kind == "BatchNorm":
            counts["batch_norms"] += 1
            channels[top] = c_in
        elif kind == "Scale":
            counts["bn"] += 2 * c_in if field.get("bias_term") == "true" else c_in
            channels[top] = c_in
        elif kind == "Axpy":  # scale * residual + shortcut: the residual's channels
            channels[top] = channels[bottoms[1]]
        else:
            channels[top] = c_in
    counts["params"] = counts["se"] + counts["bn"] + counts["fc"] + counts["conv"]
    return counts


def _breakdown(model: torch.nn.Module) -> tuple[int, int, int, int]:
    se = sum(n_params(m) for m in model.modules() if isinstance(m, SEBlock))
    bn = sum(n_params(m) for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    fc = n_params(model.fc)
    return se, bn, fc, n_params(model) - se - bn - fc


@pytest.fixture(scope="module")
def small() -> SENet:
    torch.manual_seed(0)
    return se_resnet50(num_classes=10).eval()


def test_registered_in_family() -> None:
    assert cnnref.list_models("senet") == NAMES
    assert cnnref.get_family("senet").featured == "se_resnet50"


@pytest.mark.parametrize("name", NAMES)
def test_layers_and_parameters_equal_the_authors_release(name: str) -> None:
    model = meta_model(name)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    _, n_convs, n_norms, params = RELEASE_COUNTS[name]
    assert (len(convs), len(norms), n_params(model)) == (n_convs, n_norms, params)
    assert _breakdown(model) == RELEASE_BREAKDOWN[name]
    assert sum(RELEASE_BREAKDOWN[name]) == params
    # Biases only where the release has them: the SE blocks' two layers.
    se_convs = {id(m) for b in model.modules() if isinstance(b, SEBlock) for m in (b.fc1, b.fc2)}
    assert all((m.bias is not None) == (id(m) in se_convs) for m in convs)
    card = cnnref.get_card(name)
    assert card.extra["release_params"] == params
    assert f"{RELEASE_COUNTS[name][0]}.prototxt" in card.extra["release_params_source"]


PROTOTXT_DIR = os.environ.get("CNNREF_SENET_PROTOTXT")  # a checkout's models/, if at hand


@pytest.mark.skipif(not PROTOTXT_DIR, reason="set CNNREF_SENET_PROTOTXT to the release's models/")
@pytest.mark.parametrize("name", NAMES)
def test_counts_recounted_from_the_prototxt(name: str) -> None:
    text = (Path(PROTOTXT_DIR) / f"{RELEASE_COUNTS[name][0]}.prototxt").read_text()
    counts = count_prototxt(text)
    _, n_convs, n_norms, params = RELEASE_COUNTS[name]
    assert (counts["convolutions"], counts["batch_norms"], counts["params"]) == (
        n_convs,
        n_norms,
        params,
    )
    breakdown = (counts["se"], counts["bn"], counts["fc"], counts["conv"])
    assert breakdown == RELEASE_BREAKDOWN[name]


def test_the_prototxt_counter_on_an_se_block() -> None:
    # A stem, one SE block and a classifier, written the way the release writes them.
    text = """
    layer { name: "data" type: "Input" top: "data" }
    layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
      convolution_param { num_output: 64 bias_term: false kernel_size: 7 } }
    layer { name: "conv1/bn" type: "BatchNorm" bottom: "conv1" top: "conv1" }
    layer { name: "conv1/bn/scale" type: "Scale" bottom: "conv1" top: "conv1"
      scale_param { bias_term: true } }
    layer { name: "pool" type: "Pooling" bottom: "conv1" top: "pool" }
    layer { name: "x_1x1_down" type: "Convolution" bottom: "pool" top: "down"
      convolution_param { num_output: 4 kernel_size: 1 } }
    layer { name: "x_1x1_up" type: "Convolution" bottom: "down" top: "up"
      convolution_param { num_output: 64 kernel_size: 1 } }
    layer { name: "g" type: "Convolution" bottom: "conv1" top: "g"
      convolution_param { num_output: 64 bias_term: false kernel_size: 3 group: 32 } }
    layer { name: "classifier" type: "InnerProduct" bottom: "g" top: "fc"
      inner_product_param { num_output: 10 } }
    """
    counts = count_prototxt(text)
    assert counts["conv"] == 64 * 3 * 49 + 64 * 2 * 9
    assert counts["se"] == SEBlock(64).fc1.weight.numel() + 4 + 64 * 4 + 64
    assert counts["bn"] == 128 and counts["fc"] == 650 and counts["convolutions"] == 4


def test_se_block_equations() -> None:
    se = SEBlock(32).eval()
    x = torch.randn(2, 32, 5, 7)
    with torch.no_grad():
        z = x.mean(dim=(2, 3))  # squeeze
        s = torch.sigmoid(
            se.fc2.weight[:, :, 0, 0]
            @ torch.relu(se.fc1.weight[:, :, 0, 0] @ z.T + se.fc1.bias[:, None])
            + se.fc2.bias[:, None]
        ).T  # excitation, (N, C)
        torch.testing.assert_close(se(x), x * s[:, :, None, None])
    assert se.fc1.out_channels == 32 // 16


def test_se_sits_on_the_residual_before_the_addition() -> None:
    block = SEBottleneck(64, 16, 16, 64).eval()
    seen = {}
    block.bn3.register_forward_hook(lambda m, i, o: seen.update(u=o.clone()))
    block.se.register_forward_hook(lambda m, i, o: seen.update(se=o.clone()))
    x = torch.randn(1, 64, 6, 6)
    with torch.no_grad():
        y = block(x)
        torch.testing.assert_close(seen["se"], seen["u"] * block.se.weights(seen["u"]))
    torch.testing.assert_close(y, torch.relu(seen["se"] + x))


def test_release_layouts() -> None:
    r50, x50, s154 = (
        meta_model("se_resnet50"),
        meta_model("se_resnext50_32x4d"),
        meta_model("senet154"),
    )
    # SE-ResNet: the stride on the first 1×1 (as ResNet's release); the others: on the 3×3.
    assert (r50.layer2[0].conv1.stride, r50.layer2[0].conv2.stride) == ((2, 2), (1, 1))
    assert (x50.layer2[0].conv1.stride, x50.layer2[0].conv2.stride) == ((1, 1), (2, 2))
    assert (s154.layer3[0].conv1.stride, s154.layer3[0].conv2.stride) == ((1, 1), (2, 2))
    assert [x50.layer1[0].conv2.groups, s154.layer1[0].conv2.groups] == [32, 64]
    assert [s154.layer1[0].conv1.out_channels, s154.layer1[0].conv2.out_channels] == [128, 256]
    stem = [m for m in s154.conv1 if isinstance(m, torch.nn.Conv2d)]
    assert [(c.kernel_size, c.stride, c.out_channels) for c in stem] == [
        ((3, 3), (2, 2), 64),
        ((3, 3), (1, 1), 64),
        ((3, 3), (1, 1), 128),
    ]
    assert s154.layer1[0].downsample[0].kernel_size == (1, 1)  # stage 2: no stride
    assert all(
        s154.__getattr__(f"layer{i}")[0].downsample[0].kernel_size == (3, 3) for i in (2, 3, 4)
    )
    assert r50.layer2[0].downsample[0].kernel_size == (1, 1)
    assert s154.dropout.p == 0.2 and isinstance(r50.dropout, torch.nn.Identity)
    assert all(
        b.se.fc1.out_channels * 16 == b.se.fc2.out_channels
        for b in s154.modules()
        if isinstance(b, SEBottleneck)
    )


def test_base_is_torchvision_resnext50() -> None:
    torch.manual_seed(0)
    theirs = randomize_batch_norm(torchvision.models.resnext50_32x4d(weights=None, num_classes=10))
    ours = SENet("se_resnext50_32x4d", num_classes=10, se=False)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in theirs.state_dict().items()
    }
    ours.load_state_dict(theirs.state_dict())
    ours.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=1e-4, atol=1e-4)
    assert (
        n_params(meta_model("se_resnext50_32x4d", num_classes=10)) - n_params(ours)
        == RELEASE_BREAKDOWN["se_resnext50_32x4d"][0]
    )


def test_base_of_se_resnet50_is_the_papers_resnet50() -> None:
    torch.manual_seed(0)
    resnet = randomize_batch_norm(cnnref.create_model("resnet50", num_classes=10))
    base = SENet("se_resnet50", num_classes=10, se=False)
    base.load_state_dict(resnet.state_dict())
    base.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(base(x), resnet(x), rtol=1e-4, atol=1e-4)
    with torch.device("meta"):
        tv = torchvision.models.resnet50(weights=None)
    assert n_params(base) - n_params(base.fc) == n_params(tv) - n_params(tv.fc)


@pytest.mark.parametrize(
    ("name", "top1", "top5"),
    [("se_resnet50", 23.29, 6.62), ("se_resnext50_32x4d", 21.10, 5.49), ("senet154", 18.68, 4.47)],
)
def test_card(name: str, top1: float, top5: float) -> None:
    card = cnnref.get_card(name)
    assert card.family == "senet" and card.paper.year == 2017
    assert "1709.01507" in card.paper.url
    assert card.headline.value == 2.251 and "ILSVRC 2017" in card.headline.benchmark
    paper = [
        (r.metric, r.value)
        for r in card.results
        if r.source.startswith("Hu et al") and r is not card.headline
    ]
    assert paper[:2] == [("top-1 error", top1), ("top-5 error", top5)]
    assert card.key_ideas and card.drawbacks and card.differs_from_paper
    assert card.min_input_size == 1 and card.input_size == (3, 224, 224)


def test_senet154_320_crop_result() -> None:
    results = [r for r in cnnref.get_card("senet154").results if "320" in r.setting]
    assert [(r.metric, r.value) for r in results] == [("top-1 error", 17.28), ("top-5 error", 3.79)]


@pytest.mark.parametrize(
    "name", ["se_resnet50", "se_resnet101", "se_resnet152", "se_resnext50_32x4d"]
)
def test_mult_adds_near_table_2(name: str) -> None:
    summary = torchinfo.summary(
        meta_model(name), input_size=(1, 3, 224, 224), device="meta", verbose=0
    )
    paper = cnnref.get_card(name).extra["paper_mult_adds"]
    assert abs(summary.total_mult_adds / paper - 1) < 0.08


def test_se_cost_over_resnet50() -> None:
    # The paper (§ on model complexity): ~2.5M extra parameters over ResNet-50's ~25M (~10 %).
    extra = n_params(meta_model("se_resnet50")) - n_params(meta_model("resnet50"))
    assert extra == RELEASE_BREAKDOWN["se_resnet50"][0] and 0.09 < extra / 25.557e6 < 0.11


def test_shapes(small: SENet) -> None:
    x = torch.randn(2, 3, 40, 52)
    with torch.no_grad():
        features = small.forward_features(x)
        logits = small.forward_head(features)
    assert features.shape == (2, 2048, 2, 2) and logits.shape == (2, 10)
    assert torch.equal(logits, small(x))


def test_meta_forward_at_224() -> None:
    for name in ("senet154", "se_resnext101_32x4d"):
        out = meta_model(name)(torch.empty(1, 3, 224, 224, device="meta"))
        assert out.shape == (1, 1000)


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.randn(3, 32, 32), ValueError, "SE-ResNet-50 expects a 4-D input"),
        (torch.randn(1, 1, 32, 32), ValueError, "3 input channel"),
        (torch.zeros(1, 3, 32, 32, dtype=torch.uint8), TypeError, "floating-point"),
    ],
)
def test_bad_input(small: SENet, x: torch.Tensor, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        small(x)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        se_resnet50(num_classes=0)
    with pytest.raises(ValueError, match="unknown configuration 'se_resnet18'"):
        SENet("se_resnet18")


def test_channels_last_bfloat16_backward(small: SENet) -> None:
    x = torch.randn(2, 3, 32, 32)
    fast = copy.deepcopy(small).to(memory_format=torch.channels_last)
    with torch.no_grad():
        torch.testing.assert_close(
            fast(x.to(memory_format=torch.channels_last)), small(x), rtol=1e-4, atol=1e-4
        )
        out = copy.deepcopy(small).bfloat16()(x.bfloat16())
    assert out.dtype == torch.bfloat16 and torch.isfinite(out).all()
    model = copy.deepcopy(small).train()
    model(x).logsumexp(1).mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    assert model.layer4[2].se.fc2.weight.grad.abs().sum() > 0
