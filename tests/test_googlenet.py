"""GoogLeNet: Table 1 row by row, the auxiliary heads, the parameter counts; torchvision as the
oracle for the batch-norm variant."""

from __future__ import annotations

import pytest
import torch
import torchvision
from helpers import n_params, randomize_batch_norm

import cnnref
from cnnref.models.googlenet import (
    TABLE_1,
    GoogLeNet,
    GoogLeNetOutputs,
    Inception,
    torchvision_key,
)

# Table 1's "output size" column: the depth after each inception module.
TABLE_1_DEPTHS = {
    "3a": 256, "3b": 480, "4a": 512, "4b": 512, "4c": 512,
    "4d": 528, "4e": 832, "5a": 832, "5b": 1024,
}  # fmt: skip


def without_aux(model: GoogLeNet) -> int:
    return n_params(model) - n_params(model.aux1) - n_params(model.aux2)


@pytest.fixture(scope="module")
def model() -> GoogLeNet:
    torch.manual_seed(0)
    return cnnref.create_model("googlenet", num_classes=10).eval()


@pytest.fixture(scope="module")
def torchvision_pair():
    """torchvision's GoogLeNet with non-trivial batch-norm statistics, and our copy of it."""
    torch.manual_seed(0)
    tv = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=True)
    randomize_batch_norm(tv)
    with torch.no_grad():
        tv.fc.weight.mul_(10)  # logits of order 1 instead of 0.1
    return tv, cnnref.from_torchvision("googlenet", tv.state_dict()).eval()


def test_table_1_row_by_row(model):
    assert TABLE_1 == {
        "3a": (64, 96, 128, 16, 32, 32),
        "3b": (128, 128, 192, 32, 96, 64),
        "4a": (192, 96, 208, 16, 48, 64),
        "4b": (160, 112, 224, 24, 64, 64),
        "4c": (128, 128, 256, 24, 64, 64),
        "4d": (112, 144, 288, 32, 64, 64),
        "4e": (256, 160, 320, 32, 128, 128),
        "5a": (256, 160, 320, 32, 128, 128),
        "5b": (384, 192, 384, 48, 128, 128),
    }
    in_channels = 192
    for row, depth in TABLE_1_DEPTHS.items():
        module = getattr(model, f"inception{row}")
        n1, n3r, n3, n5r, n5, pp = TABLE_1[row]
        assert isinstance(module, Inception)
        assert module.out_channels == n1 + n3 + n5 + pp == depth
        assert module.conv1x1.conv.in_channels == in_channels
        assert module.conv3x3_reduce.conv.out_channels == n3r
        assert module.conv5x5_reduce.conv.out_channels == n5r
        assert module.conv5x5.conv.kernel_size == (5, 5)  # a true 5×5 branch
        assert module.pool_proj.conv.out_channels == pp
        in_channels = depth  # the max-pools between stages keep the depth
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())


def test_stem_and_classifier_follow_fig_3(model):
    calls: list[str] = []
    hooks = [
        m.register_forward_hook(lambda mod, args, out, name=name: calls.append(name))
        for name, m in model.named_children()
    ]
    with torch.no_grad():
        out = model(torch.randn(1, 3, 64, 64))
    for h in hooks:
        h.remove()
    assert calls == [
        "conv1", "pool1", "norm1", "conv2_reduce", "conv2", "norm2", "pool2",
        "inception3a", "inception3b", "pool3",
        "inception4a", "inception4b", "inception4c", "inception4d", "inception4e", "pool4",
        "inception5a", "inception5b", "avgpool", "dropout", "fc",
    ]  # fmt: skip
    assert out.shape == (1, 10)
    assert (model.conv1.conv.kernel_size, model.conv1.conv.stride) == ((7, 7), (2, 2))
    assert model.pool4.kernel_size == 3 and model.dropout.p == 0.4


def test_parameter_counts():
    with torch.device("meta"):
        paper = cnnref.create_model("googlenet")
        tv_variant = cnnref.create_model("googlenet_tv")
    assert without_aux(paper) == 6_998_552
    assert n_params(paper) == 13_378_280
    # The paper's "about 6.8M" (Table 1's column) is 2.9 % below the exact count.
    assert without_aux(paper) / cnnref.get_card("googlenet").paper_params == pytest.approx(
        1.029, abs=0.001
    )
    card = cnnref.get_card("googlenet_tv")
    with torch.device("meta"):  # the builder arguments the card gives: no auxiliary heads
        theirs = torchvision.models.googlenet(weights=None, **card.torchvision_kwargs)
    assert (
        without_aux(tv_variant) == n_params(theirs) == 6_624_904 == card.extra["torchvision_params"]
    )
    assert cnnref.get_card("googlenet").torchvision_kwargs == card.torchvision_kwargs


def test_auxiliary_heads_in_training_only(model):
    aux = model.aux1
    assert (aux.pool.kernel_size, aux.pool.stride) == (5, 3)
    assert aux.conv.conv.out_channels == 128 and aux.fc1.out_features == 1024
    assert aux.dropout.p == 0.7 and aux.fc2.out_features == 10
    assert (model.aux1.conv.conv.in_channels, model.aux2.conv.conv.in_channels) == (512, 528)
    aux.eval()
    x = torch.randn(2, 512, 14, 14)  # inception (4a) at 224×224
    with torch.no_grad():
        expected = aux.fc2(torch.relu(aux.fc1(aux.conv(aux.pool(x)).flatten(1))))
        torch.testing.assert_close(aux(x), expected)
        assert aux.pool(x).shape == (2, 512, 4, 4)
    with torch.device("meta"):
        meta = cnnref.create_model("googlenet", num_classes=10)
    assert meta.training
    out = meta(torch.empty(2, 3, 224, 224, device="meta"))
    assert isinstance(out, GoogLeNetOutputs)
    assert [t.shape for t in out] == [(2, 10)] * 3
    # Other sizes: the heads pool adaptively to 4×4, as torchvision's do.
    assert [t.shape for t in meta(torch.empty(1, 3, 64, 64, device="meta"))] == [(1, 10)] * 3
    meta.eval()
    assert meta(torch.empty(2, 3, 224, 224, device="meta")).shape == (2, 10)


def test_training_without_aux_heads_takes_any_size():
    with torch.device("meta"):
        model = cnnref.create_model("googlenet", num_classes=3, aux_logits=False)
    assert model.aux1 is None and model.aux2 is None and model.training
    out = model(torch.empty(2, 3, 64, 64, device="meta"))
    assert isinstance(out, torch.Tensor) and out.shape == (2, 3)


def test_torchvision_equivalence_in_training_mode(torchvision_pair):
    """Batch statistics and the auxiliary heads too (dropout off on both sides)."""
    tv, ours = torchvision_pair
    dropouts = [m for net in (tv, ours) for m in net.modules() if isinstance(m, torch.nn.Dropout)]
    saved = [(m, m.p) for m in dropouts]
    norms = [m for net in (tv, ours) for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    momenta = [(m, m.momentum) for m in norms]
    try:
        for m in dropouts:
            m.p = 0.0
        for m, _ in momenta:
            m.momentum = 0.0  # keep the running statistics of the shared fixture
        tv.train()
        ours.train()
        x = torch.randn(2, 3, 64, 64)
        with torch.no_grad():
            expected, got = tv(x), ours(x)
        for e, g in zip(expected, got, strict=True):
            assert (e - g).abs().max() <= 1e-4
    finally:
        for m, p in saved:
            m.p = p
        for m, momentum in momenta:
            m.momentum = momentum
        tv.eval()
        ours.eval()


def test_torchvision_variant_structure(torchvision_pair):
    _, ours = torchvision_pair
    assert ours.inception3a.conv5x5.conv.kernel_size == (3, 3)  # torchvision's "5×5" is 3×3
    assert ours.conv1.bn is not None and ours.conv1.conv.bias is None
    assert ours.norm1 is None and ours.norm2 is None
    assert ours.pool4.kernel_size == 2 and ours.dropout.p == 0.2


def test_torchvision_keys_all_map(torchvision_pair):
    tv, ours = torchvision_pair
    assert {torchvision_key(k) for k in tv.state_dict()} == set(ours.state_dict())


def assert_min_input_size_is_tight(model: GoogLeNet, name: str, minimum: int) -> None:
    assert model.min_input_size == cnnref.get_card(name).min_input_size == minimum
    with torch.no_grad():
        assert model(torch.randn(1, 3, minimum, minimum)).shape[0] == 1
        small = torch.randn(1, 3, minimum - 1, minimum - 1)
        with pytest.raises(ValueError, match=rf"at least {minimum}x{minimum} pixels"):
            model(small)
        model.min_input_size = 1
        try:
            with pytest.raises(RuntimeError):  # without the check it fails deep inside
                model(small)
        finally:
            model.min_input_size = minimum


def test_min_input_size_is_tight(model):
    assert_min_input_size_is_tight(model, "googlenet", 31)


def test_min_input_size_is_tight_torchvision_variant(torchvision_pair):
    assert_min_input_size_is_tight(torchvision_pair[1], "googlenet_tv", 15)


@pytest.mark.parametrize("name", ["googlenet", "googlenet_tv"])
def test_model_contract_and_card(name):
    with torch.device("meta"):
        model = cnnref.create_model(name, num_classes=5, in_channels=1)
    assert (model.in_channels, model.num_classes, model.num_features) == (1, 5, 1024)
    card = cnnref.get_card(name)
    assert card.family == "googlenet" and card.torchvision == "googlenet"
    assert card.weight_layers == 22
    assert any(r.value == 6.67 and r.metric == "top-5 error" for r in card.results)
    assert "time" in " ".join(card.drawbacks).lower()
