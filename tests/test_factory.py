"""create_model: torchvision's weights (offline), timm's spellings, and the layers of the core."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
import torchvision
from helpers import randomize_batch_norm
from torchvision.models import WeightsEnum

import cnnref

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def offline_weights(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """Every Weights member's `get_state_dict` gives a state dict made here, not a download."""
    made: dict[str, dict] = {}

    def get_state_dict(self: WeightsEnum, *args: object, **kwargs: object) -> dict:
        builder = self.__class__.__name__.removesuffix("_Weights").lower()
        if builder not in made:
            torch.manual_seed(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # GoogLeNet's note on its initialisation
                model = getattr(torchvision.models, builder)(weights=None)
            randomize_batch_norm(model)
            made[builder] = model.state_dict()
        return made[builder]

    monkeypatch.setattr(WeightsEnum, "get_state_dict", get_state_dict)
    return made


@pytest.mark.parametrize(
    ("name", "weights"),
    [
        ("resnet18", "IMAGENET1K_V1"),
        ("resnet50_tv", "DEFAULT"),
        ("vgg11_bn", torchvision.models.VGG11_BN_Weights.IMAGENET1K_V1),
        ("alexnet_tv", "AlexNet_Weights.IMAGENET1K_V1"),
    ],
)
def test_weights_come_through_torchvision(offline_weights: dict, name: str, weights) -> None:
    model = cnnref.create_model(name, weights=weights).eval()
    twins = {cnnref.torchvision_variant(n): n for n in cnnref.TORCHVISION_NAMES}
    tv_name = twins[name]
    tv = getattr(torchvision.models, tv_name)(weights=None)
    tv.load_state_dict(offline_weights[tv_name])
    x = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(model(x), tv.eval()(x), atol=1e-4, rtol=1e-4)


def test_googlenet_weights_keep_the_auxiliary_classifiers(offline_weights: dict) -> None:
    model = cnnref.create_model("googlenet_tv", weights="IMAGENET1K_V1").eval()
    assert model(torch.randn(1, 3, 64, 64)).shape == (1, 1000)


def test_weights_go_to_a_task_models_backbone(offline_weights: dict) -> None:
    model = cnnref.create_model("resnet18", task="detection", num_classes=3, weights="DEFAULT")
    tv = offline_weights["resnet18"]
    assert torch.equal(model.backbone.conv1.weight, tv["conv1.weight"])
    assert model(torch.randn(1, 3, 64, 64)).shape == (1, 2, 2, 8)


@pytest.mark.parametrize(
    ("name", "twin"),
    [("alexnet", "alexnet_tv"), ("googlenet", "googlenet_tv"), ("resnet50", "resnet50_tv")],
)
def test_a_paper_network_without_weights_names_its_twin(name: str, twin: str) -> None:
    with pytest.raises(ValueError, match=rf"no weights for .* create_model\('{twin}', weights="):
        cnnref.create_model(name, weights="IMAGENET1K_V1")


@pytest.mark.parametrize("name", ["lenet5", "vgg11_lrn", "vgg16c", "unet", "attention56"])
def test_a_network_torchvision_lacks_has_no_weights(name: str) -> None:
    with pytest.raises(ValueError, match=r"no weights for .*the networks that have them: alex"):
        cnnref.create_model(name, weights="DEFAULT")


def test_unknown_or_foreign_weights_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown weights 'IMAGENET22K' .* IMAGENET1K_V1"):
        cnnref.create_model("resnet18", weights="IMAGENET22K")
    with pytest.raises(ValueError, match="are not weights of torchvision's resnet18"):
        cnnref.create_model("resnet18", weights=torchvision.models.VGG16_Weights.IMAGENET1K_V1)


def test_pretrained_says_what_to_write_instead() -> None:
    with pytest.raises(ValueError, match=r"timm's spelling.*create_model\('resnet18', weights="):
        cnnref.create_model("resnet18", pretrained=True)
    with pytest.raises(ValueError, match=r"create_model\('alexnet_tv', weights='DEFAULT'\)"):
        cnnref.create_model("alexnet", pretrained=True)
    assert cnnref.create_model("lenet5", pretrained=False).num_classes == 10  # as timm


def test_the_import_contracts_hold() -> None:
    # The layers of pyproject.toml: the registry is a leaf, the core has no cycle.
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout
