"""ZFNet: the paper's Fig. 3 and Table 2 as the oracle."""

from __future__ import annotations

import copy

import pytest
import torch
from helpers import meta_model, n_params

import cnnref
from cnnref.models.zfnet import RENORM_RADIUS, ZFNet, zfnet

# Fig. 3, layer by layer: (in maps, out maps, kernel) of the convolutions, then the FC sizes.
FIG3_CONVS = [(3, 96, 7), (96, 256, 5), (256, 384, 3), (384, 384, 3), (384, 256, 3)]
FIG3_FCS = [(6 * 6 * 256, 4096), (4096, 4096), (4096, 1000)]


@pytest.fixture(scope="module")
def model() -> ZFNet:
    torch.manual_seed(0)
    return zfnet(num_classes=10).eval()


def test_registered() -> None:
    assert cnnref.list_models("zfnet") == ["zfnet"]
    card = cnnref.get_card("zfnet")
    assert card.paper.year == 2013 and "1311.2901" in card.paper.url
    assert card.weight_layers == 8 and card.min_input_size == 63
    assert card.torchvision is None


def test_parameters_follow_fig_3() -> None:
    expected = sum(o * i * k * k + o for i, o, k in FIG3_CONVS)
    expected += sum(i * o + o for i, o in FIG3_FCS)
    assert n_params(meta_model("zfnet")) == expected == 62_357_608


def test_fig_3_sizes_at_224() -> None:
    m = meta_model("zfnet").eval()
    shapes = {}
    for name in ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5"):
        getattr(m, name).register_forward_hook(
            lambda mod, i, o, name=name: shapes.update({name: tuple(o.shape[1:])})
        )
    m(torch.empty(1, 3, 224, 224, device="meta"))
    assert shapes == {
        "conv1": (96, 110, 110),
        "pool1": (96, 55, 55),
        "conv2": (256, 26, 26),
        "pool2": (256, 13, 13),
        "conv3": (384, 13, 13),
        "conv4": (384, 13, 13),
        "conv5": (256, 13, 13),
        "pool5": (256, 6, 6),
    }
    convs = [(c.kernel_size[0], c.stride[0], c.groups) for c in m.convolutions()]
    assert convs == [(7, 2, 1), (5, 2, 1), (3, 1, 1), (3, 1, 1), (3, 1, 1)]  # dense 3-5


def test_normalisation_after_pooling(model: ZFNet) -> None:
    order = []
    for name in ("conv1", "pool1", "norm1"):
        getattr(model, name).register_forward_hook(lambda m, i, o, name=name: order.append(name))
    with torch.no_grad():
        model(torch.randn(1, 3, 63, 63))
    assert order == ["conv1", "pool1", "norm1"]  # Fig. 3: ReLU, pool, then normalise
    for h in (model.conv1, model.pool1, model.norm1):
        h._forward_hooks.clear()


def test_renormalize_filters() -> None:
    m = ZFNet(num_classes=3)
    with torch.no_grad():
        m.conv1.weight[:4].mul_(100)  # RMS about 1, above the radius
        m.conv3.weight[0].fill_(0.5)
    before = m.conv2.weight.clone()
    assert m.renormalize_filters() == 5
    rms = m.conv1.weight.pow(2).mean(dim=(1, 2, 3)).sqrt()
    torch.testing.assert_close(rms[:4], torch.full((4,), RENORM_RADIUS))
    assert torch.equal(m.conv2.weight, before)  # below the radius: untouched
    assert m.renormalize_filters() == 0


@pytest.mark.parametrize(
    ("metric", "value", "words"),
    [
        ("top-5 error", 14.8, "test set, 6 convnets"),
        ("top-1 error", 38.4, "validation set, 1 convnet"),
        ("top-5 error", 16.5, "validation set, 1 convnet"),
        ("top-5 error", 15.3, "test set, 5 convnets"),
        ("top-1 error", 36.0, "validation set, 6 convnets"),
        ("top-5 error", 14.7, "validation set, 6 convnets"),
    ],
)
def test_table_2(metric: str, value: float, words: str) -> None:
    card = cnnref.get_card("zfnet")
    found = [r for r in card.results if r.metric == metric and r.value == value]
    assert found and words in found[0].setting
    assert found[0].source == "Zeiler & Fergus 2014, Table 2"
    assert card.headline.value == 14.8


def test_min_input_size(model: ZFNet) -> None:
    with torch.no_grad():
        assert model(torch.randn(1, 3, 63, 63)).shape == (1, 10)
    with pytest.raises(ValueError, match="ZFNet needs an input of at least 63x63"):
        model(torch.randn(1, 3, 62, 62))


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.randn(3, 64, 64), ValueError, "ZFNet expects a 4-D input"),
        (torch.randn(1, 1, 64, 64), ValueError, "3 input channel"),
        (torch.zeros(1, 3, 64, 64, dtype=torch.uint8), TypeError, "floating-point"),
    ],
)
def test_bad_input(model: ZFNet, x: torch.Tensor, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        model(x)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="ZFNet: num_classes must be a positive integer"):
        zfnet(num_classes=0)


def test_channels_last_bfloat16_backward(model: ZFNet) -> None:
    x = torch.randn(2, 3, 64, 64)
    fast = copy.deepcopy(model).to(memory_format=torch.channels_last)
    with torch.no_grad():
        torch.testing.assert_close(
            fast(x.to(memory_format=torch.channels_last)), model(x), rtol=1e-4, atol=1e-4
        )
        out = copy.deepcopy(model).bfloat16()(x.bfloat16())
    assert out.dtype == torch.bfloat16 and torch.isfinite(out).all()
    trained = copy.deepcopy(model).train()
    trained(x).logsumexp(1).mean().backward()
    assert all(p.grad is not None for p in trained.parameters())
    assert trained.conv1.weight.grad.abs().sum() > 0
