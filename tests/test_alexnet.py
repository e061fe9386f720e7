"""AlexNet: the paper's layers, LRN, towers and parameter count; torchvision as the oracle."""

from __future__ import annotations

import pytest
import torch
import torchvision
from helpers import n_params

import cnnref
from cnnref.models.alexnet import AlexNet, torchvision_key


@pytest.fixture(scope="module")
def meta_model() -> AlexNet:
    with torch.device("meta"):
        return cnnref.create_model("alexnet")


@pytest.fixture(scope="module")
def model() -> AlexNet:
    torch.manual_seed(0)
    return cnnref.create_model("alexnet", num_classes=10).eval()


@pytest.fixture(scope="module")
def torchvision_meta() -> torch.nn.Module:
    """torchvision's AlexNet on the meta device: names and shapes only."""
    with torch.device("meta"):
        return torchvision.models.alexnet(weights=None)


def test_parameter_count(meta_model):
    layers = {name: n_params(m) for name, m in meta_model.named_children() if n_params(m)}
    assert layers == {
        "conv1": 96 * 3 * 11 * 11 + 96,
        "conv2": 256 * 48 * 5 * 5 + 256,  # each kernel sees the 48 maps of its own tower
        "conv3": 384 * 256 * 3 * 3 + 384,  # reads both towers
        "conv4": 384 * 192 * 3 * 3 + 384,
        "conv5": 256 * 192 * 3 * 3 + 256,
        "fc6": 256 * 6 * 6 * 4096 + 4096,
        "fc7": 4096 * 4096 + 4096,
        "fc8": 4096 * 1000 + 1000,
    }
    total = n_params(meta_model)
    assert total == 60_965_224
    # The paper's "60 million parameters" is this figure rounded down (1.6 % off).
    assert total / cnnref.get_card("alexnet").paper_params == pytest.approx(1.016, abs=0.001)
    # "Huge convolutions with many weights": most of them are in fact in fc6-fc8.
    fully_connected = n_params(meta_model.fc6) + n_params(meta_model.fc7) + n_params(meta_model.fc8)
    assert fully_connected == 58_631_144 and fully_connected / total > 0.96


def test_two_towers_are_grouped_convolutions(meta_model):
    groups = {f"conv{i}": getattr(meta_model, f"conv{i}").groups for i in range(1, 6)}
    assert groups == {"conv1": 1, "conv2": 2, "conv3": 1, "conv4": 2, "conv5": 2}
    kernels = [getattr(meta_model, f"conv{i}").out_channels for i in range(1, 6)]
    assert kernels == [96, 256, 384, 384, 256]
    assert meta_model.conv1.kernel_size == (11, 11) and meta_model.conv1.stride == (4, 4)
    assert [meta_model.fc6.out_features, meta_model.fc7.out_features] == [4096, 4096]


def test_lrn_computes_the_paper_formula(model):
    a = torch.rand(2, 96, 5, 5) * 10
    # b = a / (k + α Σ_{j within n/2 maps} a_j²)^β with k = 2, n = 5, α = 1e-4, β = 0.75.
    squares = torch.nn.functional.pad(a**2, (0, 0, 0, 0, 2, 2))
    sums = sum(squares[:, j : j + 96] for j in range(5))
    expected = a / (2 + 1e-4 * sums) ** 0.75
    torch.testing.assert_close(model.norm1(a), expected)
    torch.testing.assert_close(model.norm2(a), expected)


def test_layer_order_lrn_after_relu_before_pooling(model):
    calls: list[str] = []
    hooks = [
        m.register_forward_hook(lambda mod, args, out, name=name: calls.append(name))
        for name, m in model.named_children()
    ]
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        out = model(x)
    for h in hooks:
        h.remove()
    assert calls == [
        "conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3", "conv4", "conv5",
        "pool5", "avgpool", "fc6", "drop6", "fc7", "drop7", "fc8",
    ]  # fmt: skip
    assert out.shape == (1, 10)
    # At 224×224 the maps are the paper's and the adaptive pool is the identity.
    assert model.forward_features(x).shape == (1, 256, 6, 6)
    assert (model.norm1.size, model.norm1.beta, model.norm1.k) == (5, 0.75, 2.0)


def test_dropout_only_in_training(model):
    assert [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)] == [0.5, 0.5]
    x = torch.randn(1, 3, 63, 63)
    torch.testing.assert_close(model(x), model(x))
    model.train()
    try:
        torch.manual_seed(1)
        assert not torch.equal(model(x), model(x))
    finally:
        model.eval()


def test_paper_initialisation(model):
    for name in ("conv2", "conv4", "conv5", "fc6", "fc7"):
        assert (getattr(model, name).bias == 1).all(), name
    for name in ("conv1", "conv3", "fc8"):
        assert (getattr(model, name).bias == 0).all(), name
    assert model.fc6.weight.std().item() == pytest.approx(0.01, rel=0.01)


def test_min_input_size_is_tight(model):
    assert model.min_input_size == cnnref.get_card("alexnet").min_input_size == 63
    assert model(torch.randn(1, 3, 63, 63)).shape == (1, 10)
    with pytest.raises(ValueError, match=r"^AlexNet needs an input of at least 63x63 pixels"):
        model(torch.randn(1, 3, 62, 62))
    model.min_input_size = 1
    try:
        with pytest.raises(RuntimeError):
            model(torch.randn(1, 3, 62, 62))
    finally:
        model.min_input_size = 63


def test_torchvision_keys_all_map(torchvision_meta):
    # The logits are compared in tests/test_contract.py; here, the names and the counts.
    keys = torchvision_meta.state_dict().keys()
    with torch.device("meta"):
        ours = cnnref.create_model("alexnet_tv")
    assert {torchvision_key(k) for k in keys} == set(ours.state_dict())
    assert torchvision_key("features.10.bias") == "conv5.bias"
    assert (
        n_params(ours)
        == n_params(torchvision_meta)
        == cnnref.get_card("alexnet_tv").extra["torchvision_params"]
    )
    kernels = [getattr(ours, f"conv{i}").out_channels for i in range(1, 6)]
    assert kernels == [64, 192, 384, 256, 256]  # torchvision's, not "One weird trick"'s 384
    assert not any(isinstance(m, torch.nn.LocalResponseNorm) for m in ours.modules())


@pytest.mark.parametrize("name", ["alexnet", "alexnet_tv"])
def test_model_contract_and_card(name):
    with torch.device("meta"):
        model = cnnref.create_model(name, num_classes=5, in_channels=1)
    assert (model.in_channels, model.num_classes, model.num_features) == (1, 5, 256)
    features = model.forward_features(torch.empty(2, 1, 224, 224, device="meta"))
    assert features.shape == (2, 256, 6, 6)
    assert model.forward_head(features).shape == (2, 5)
    card = cnnref.get_card(name)
    assert card.min_input_size == model.min_input_size
    assert card.torchvision == "alexnet" and card.weight_layers == 8
    assert "weights" in " ".join(card.drawbacks).lower()
