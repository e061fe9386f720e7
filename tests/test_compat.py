"""`from_torchvision`: the strict loader's errors (equivalence is tested per family)."""

from __future__ import annotations

import pytest
import torchvision

import cnnref


@pytest.fixture(scope="module")
def resnet18_state():
    return torchvision.models.resnet18(weights=None).state_dict()


def test_every_torchvision_name_has_a_registered_twin():
    for name in cnnref.TORCHVISION_NAMES:
        assert cnnref.torchvision_variant(name) in cnnref.list_models()


def test_unsupported_name():
    with pytest.raises(ValueError, match="no cnnref twin for torchvision's 'mobilenet_v2'"):
        cnnref.from_torchvision("mobilenet_v2", {})


def test_missing_key_is_named(resnet18_state):
    state = dict(resnet18_state)
    del state["layer2.0.conv1.weight"]
    with pytest.raises(ValueError, match=r"missing keys \[.*layer2\.0\.conv1\.weight"):
        cnnref.from_torchvision("resnet18", state)


def test_unexpected_key_is_named(resnet18_state):
    state = dict(resnet18_state, **{"extra.weight": resnet18_state["fc.bias"]})
    with pytest.raises(ValueError, match=r"unexpected keys \[.*extra\.weight"):
        cnnref.from_torchvision("resnet18", state)


def test_misshaped_key_is_named(resnet18_state):
    state = dict(resnet18_state)
    state["layer1.0.conv1.weight"] = state["layer1.0.conv1.weight"][:, :32]
    with pytest.raises(ValueError, match=r"mis-shaped keys .*conv1\.weight: expected"):
        cnnref.from_torchvision("resnet18", state)


def test_loaded_model_shares_no_storage(resnet18_state):
    model = cnnref.from_torchvision("resnet18", resnet18_state)
    ours = model.state_dict()["fc.weight"]
    assert ours.data_ptr() != resnet18_state["fc.weight"].data_ptr()
    assert not ours.is_meta
