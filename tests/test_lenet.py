"""LeNet-5: the paper's layer table, Table I, the parameter counts and the RBF output."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import cnnref
from cnnref.models.lenet import (
    C3_CONNECTIONS,
    DIGIT_BITMAPS,
    TABLE_I,
    LeNet5,
    PartialConv2d,
    lenet5,
    lenet5_modern,
    squash,
)

# §II-B of the paper, layer by layer.
PAPER_PARAMS = {"c1": 156, "s2": 12, "c3": 1516, "s4": 32, "c5": 48120, "f6": 10164, "output": 0}


def trainable(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@pytest.fixture
def model() -> LeNet5:
    torch.manual_seed(0)
    return lenet5().eval()


def test_table_i_as_the_paper_describes_it():
    # The S2 maps read by each C3 map, column by column of Table I.
    assert C3_CONNECTIONS == (
        (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
        (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
        (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
        (0, 1, 2, 3, 4, 5),
    )  # fmt: skip
    assert len(TABLE_I) == 6 and all(len(row) == 16 for row in TABLE_I)

    def cyclic_run(maps: tuple[int, ...], start: int) -> set[int]:
        return {(start + k) % 6 for k in range(len(maps))}

    for j in range(6):  # 3 contiguous maps, starting at map j
        assert set(C3_CONNECTIONS[j]) == cyclic_run((0, 0, 0), j)
    for j in range(6, 12):  # 4 contiguous maps
        assert set(C3_CONNECTIONS[j]) == cyclic_run((0, 0, 0, 0), j - 6)
    for j in range(12, 15):  # 4 maps, not contiguous
        maps = set(C3_CONNECTIONS[j])
        assert len(maps) == 4 and all(maps != cyclic_run((0,) * 4, s) for s in range(6))
    assert C3_CONNECTIONS[15] == tuple(range(6))
    assert sum(len(c) for c in C3_CONNECTIONS) == 60


def test_parameter_counts_layer_by_layer(model):
    counts = {name: trainable(child) for name, child in model.named_children()}
    assert counts == PAPER_PARAMS
    assert trainable(model) == 60_000 == cnnref.get_card("lenet5").paper_params
    # Only the 60 used 5×5 kernels of C3 are parameters, not a dense 16×6×5×5 kernel.
    assert model.c3.weight.shape == (60, 5, 5)


def test_c3_equals_one_convolution_per_output_map(model):
    s2 = torch.randn(2, 6, 14, 14)
    c3 = model.c3
    k = 0
    expected = []
    for j, inputs in enumerate(C3_CONNECTIONS):
        w = c3.weight[k : k + len(inputs)].unsqueeze(0)  # (1, |inputs|, 5, 5)
        expected.append(F.conv2d(s2[:, list(inputs)], w, c3.bias[j : j + 1]))
        k += len(inputs)
    torch.testing.assert_close(c3(s2), torch.cat(expected, 1))


def test_c3_ignores_unconnected_maps(model):
    s2 = torch.randn(1, 6, 14, 14)
    base = model.c3(s2)
    for i in range(6):
        bumped = s2.clone()
        bumped[:, i] += 1.0
        changed = (model.c3(bumped) - base).abs().amax(dim=(0, 2, 3)) > 0
        assert changed.tolist() == [i in inputs for inputs in C3_CONNECTIONS]
    dense = model.c3.dense_weight()
    mask = torch.tensor([[row[j] == "X" for row in TABLE_I] for j in range(16)])
    assert (dense.abs().sum(dim=(2, 3)) > 0).equal(mask)


def test_subsampling_is_a_scaled_window_sum(model):
    x = torch.randn(2, 6, 28, 28)
    s2 = model.s2
    expected = x.unfold(2, 2, 2).unfold(3, 2, 2).sum(dim=(-1, -2))
    expected = expected * s2.weight[:, None, None] + s2.bias[:, None, None]
    torch.testing.assert_close(s2(x), expected)


def test_squashing_function():
    # f(a) = 1.7159 tanh(2a/3): f(±1) = ±1, asymptotes ±1.7159.
    ones = torch.tensor([1.0, -1.0])
    torch.testing.assert_close(squash(ones), ones, atol=1e-4, rtol=0)
    assert squash(torch.tensor(100.0)).item() == pytest.approx(1.7159)


def test_rbf_codes_are_fixed_plus_minus_one_bitmaps(model):
    codes = model.output.codes
    assert codes.shape == (10, 84)
    assert set(codes.unique().tolist()) == {-1.0, 1.0}
    assert "output.codes" in dict(model.named_buffers())
    assert not codes.requires_grad
    assert len(DIGIT_BITMAPS) == 10 and all(len(b) == 7 * 12 for b in DIGIT_BITMAPS)
    assert DIGIT_BITMAPS[1][7 * 10 : 7 * 11] == ".XXXXX."  # row 10 of the "1": its foot
    distances = torch.cdist(codes, codes)
    assert distances[~torch.eye(10, dtype=torch.bool)].min() > 0  # all ten differ
    # Same codes in every model, whatever the seed.
    torch.manual_seed(123)
    assert lenet5().output.codes.equal(codes)
    more = lenet5(num_classes=26).output.codes
    assert more.shape == (26, 84) and more[:10].equal(codes) and more.unique().numel() == 2


def test_output_is_the_negative_rbf_distance(model):
    x = torch.randn(3, 1, 32, 32)
    f6 = squash(model.f6(model.forward_features(x).flatten(1)))
    distances = ((f6[:, None, :] - model.output.codes) ** 2).sum(-1)
    out = model(x)
    torch.testing.assert_close(out, -distances)
    assert out.argmax(1).equal(distances.argmin(1))  # the smallest distance is the class


def test_training_updates_parameters_not_the_codes(model):
    model.train()
    loss = F.cross_entropy(model(torch.randn(4, 1, 32, 32)), torch.tensor([0, 1, 2, 3]))
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    assert model.output.codes.grad is None


def test_paper_initialisation_range(model):
    fan_in = torch.tensor([len(C3_CONNECTIONS[j]) * 25 for j in model.c3.out_index.tolist()])
    assert (model.c3.weight.abs().amax(dim=(1, 2)) <= 2.4 / fan_in).all()
    assert model.c1.weight.abs().max() <= 2.4 / 25
    assert model.f6.weight.abs().max() <= 2.4 / 120


def test_modern_variant():
    model = lenet5_modern().eval()
    assert trainable(model) == 61_706
    assert trainable(model.c3) == 2_416  # C3 reads all six maps
    assert isinstance(model.s2, torch.nn.MaxPool2d)
    assert isinstance(model.output, torch.nn.Linear)
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 10)


@pytest.mark.parametrize("name", ["lenet5", "lenet5_modern"])
def test_model_contract_and_card(name):
    model = cnnref.create_model(name, num_classes=7, in_channels=3).eval()
    card = cnnref.get_card(name)
    assert (model.in_channels, model.num_classes, model.num_features) == (3, 7, 120)
    assert model.min_input_size == card.min_input_size == 32
    assert card.family == "lenet" and card.input_size == (1, 32, 32)
    x = torch.randn(2, 3, 32, 32)
    features = model.forward_features(x)
    assert features.shape == (2, 120, 1, 1)
    torch.testing.assert_close(model.forward_head(features), model(x))
    assert model(x).shape == (2, 7)


@pytest.mark.parametrize("name", ["lenet5", "lenet5_modern"])
def test_min_input_size_is_tight(name):
    model = cnnref.create_model(name).eval()
    assert model(torch.randn(1, 1, 32, 32)).shape == (1, 10)
    with pytest.raises(ValueError, match=r"at least 32x32 pixels, got 31x31"):
        model(torch.randn(1, 1, 31, 31))
    model.min_input_size = 1  # without the check, 31×31 fails deep inside
    with pytest.raises(RuntimeError):
        model(torch.randn(1, 1, 31, 31))


@pytest.mark.parametrize("name", ["lenet5", "lenet5_modern"])
def test_head_refuses_inputs_larger_than_the_paper(name):
    model = cnnref.create_model(name).eval()
    assert model(torch.randn(1, 1, 35, 35)).shape == (1, 10)  # C5 still 1×1
    with pytest.raises(ValueError, match=r"head takes C5's 120×1×1 output.*\(1, 120, 2, 2\)"):
        model(torch.randn(1, 1, 36, 36))


def test_state_dict_round_trip(model):
    copy = lenet5()
    copy.load_state_dict(model.state_dict())
    x = torch.randn(1, 1, 32, 32)
    torch.testing.assert_close(copy.eval()(x), model(x))
    assert isinstance(copy.c3, PartialConv2d)
