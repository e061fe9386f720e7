"""U-Net: the paper's Fig. 1 (572 -> 388, 23 conv layers) as the oracle."""

from __future__ import annotations

import math

import pytest
import torch
import torchinfo
from torch import nn

import cnnref
from cnnref.models.unet import UNet, Up, unet

# Our count for in_channels=1, num_classes=2 (FACTS.md: "about 31.03M"; the paper gives none).
MEASURED_PARAMS = 31_030_658


def meta_unet(**kwargs: object) -> UNet:
    with torch.device("meta"):
        return UNet(**kwargs)


@pytest.fixture(scope="module")
def model() -> UNet:
    torch.manual_seed(0)
    return UNet().eval()


def test_card() -> None:
    card = cnnref.get_card("unet")
    assert cnnref.list_models("unet") == ["unet"]
    assert card.title == "U-Net" and card.family == "unet" and card.task == "segmentation"
    assert card.paper.year == 2015 and "1505.04597" in card.paper.url
    assert [(r.metric, r.value) for r in card.results] == [("IOU", 92.03), ("IOU", 77.56)]
    assert all(r.source == "Ronneberger et al. 2015, Table 2" for r in card.results)
    assert "PhC-U373" in card.results[0].benchmark and "DIC-HeLa" in card.results[1].benchmark
    assert card.extra["isbi2012_rank"] == 1
    assert card.paper_params is None
    assert card.input_size == (1, 572, 572)
    assert card.min_input_size == 188 == UNet.valid_input_sizes(1, 1000)[0]
    assert card.weight_layers == 23
    assert card.key_ideas and card.drawbacks and card.differs_from_paper


def test_create_model_as_segmentation() -> None:
    with torch.device("meta"):
        model = cnnref.create_model("unet", task="segmentation", num_classes=3)
    assert isinstance(model, UNet) and model.num_classes == 3 and model.padding == "valid"


def test_parameter_count() -> None:
    assert sum(p.numel() for p in meta_unet().parameters()) == MEASURED_PARAMS


def test_23_conv_layers() -> None:
    layers = [m for m in meta_unet().modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert len(layers) == 23 == cnnref.get_card("unet").weight_layers
    assert sum(isinstance(m, nn.ConvTranspose2d) for m in layers) == 4


def test_names_and_channels() -> None:
    model = meta_unet()
    names = [name for name, _ in model.named_children()]
    assert names == [
        "inc", "down1", "down2", "down3", "down4", "dropout",
        "up1", "up2", "up3", "up4", "outc",
    ]  # fmt: skip
    assert [model.inc.conv2.out_channels] + [
        getattr(model, f"down{i}").conv.conv2.out_channels for i in range(1, 5)
    ] == [64, 128, 256, 512, 1024]
    assert [getattr(model, f"up{i}").up.out_channels for i in range(1, 5)] == [512, 256, 128, 64]
    assert model.inc.conv1.padding == (0, 0)  # the paper's unpadded convolutions
    assert meta_unet(padding="same").inc.conv1.padding == (1, 1)


def test_572_gives_388_on_meta() -> None:
    summary = torchinfo.summary(meta_unet(), input_size=(1, 1, 572, 572), device="meta")
    assert summary.summary_list[0].output_size == [1, 2, 388, 388]
    assert summary.total_params == MEASURED_PARAMS
    features = meta_unet().forward_features(torch.empty(1, 1, 572, 572, device="meta"))
    assert features.shape == (1, 64, 388, 388)


@pytest.fixture(scope="module")
def tile188() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(1, 1, 188, 188)  # the smallest tile that works


@pytest.fixture(scope="module")
def out188(model: UNet, tile188: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model(tile188)


def test_forward_at_smallest_tile(model: UNet, tile188: torch.Tensor, out188: torch.Tensor) -> None:
    with torch.no_grad():
        features = model.forward_features(tile188)
    assert features.shape == (1, model.num_features, 4, 4)
    assert out188.shape == (1, 2, 4, 4)
    assert torch.equal(model.forward_head(features), out188)


def test_output_and_valid_sizes(model: UNet) -> None:
    assert model.output_size(572) == 388
    assert model.min_input_size == 188 and model.output_size(188) == 4
    sizes = UNet.valid_input_sizes(100, 600)
    assert sizes == [16 * k + 124 for k in range(4, 30)]
    assert all(model.output_size(s) == s - 184 for s in sizes)
    assert UNet.valid_input_sizes(1, 70, padding="same") == [16, 32, 48, 64]
    same = meta_unet(padding="same")
    assert same.min_input_size == 16 and same.output_size(64) == 64


def test_same_padding_keeps_size_also_in_bfloat16() -> None:
    model = unet(in_channels=3, num_classes=4, padding="same").eval()
    x = torch.randn(1, 3, 32, 48)
    with torch.no_grad():
        assert model(x).shape == (1, 4, 32, 48)
        out = model.to(torch.bfloat16)(x.to(torch.bfloat16))
    assert out.dtype == torch.bfloat16 and out.shape == (1, 4, 32, 48)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize(
    ("padding", "shape", "match"),
    [
        ("valid", (570, 570), r"cannot take a 570x570 tile: .* are 556 and 572"),
        ("valid", (572, 574), r"cannot take a 572x574 tile: .*side of 574 .* are 572 and 588"),
        ("same", (100, 96), r"UNet\(padding='same'\) cannot take a 100x96 tile: .* 96 and 112"),
    ],
)
def test_tile_size_refused(padding: str, shape: tuple[int, int], match: str) -> None:
    model = meta_unet(padding=padding)
    with pytest.raises(ValueError, match=match):
        model(torch.empty(1, 1, *shape, device="meta"))
    with pytest.raises(ValueError, match="cannot take"):
        model.output_size(shape[0] + 1)


def test_min_input_size(model: UNet) -> None:
    with pytest.raises(ValueError, match="UNet needs an input of at least 188x188 pixels"):
        model(torch.randn(1, 1, 187, 187))
    with pytest.raises(ValueError, match="at least 16x16"):
        meta_unet(padding="same")(torch.empty(1, 1, 15, 16, device="meta"))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"padding must be 'valid'.* got 'reflect'"):
        UNet(padding="reflect")
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        unet(num_classes=0)
    with pytest.raises(ValueError, match="in_channels must be a positive integer"):
        unet(in_channels=0)
    with pytest.raises(ValueError, match="padding must be"):
        UNet.valid_input_sizes(1, 10, padding="full")


def test_crop_and_concat_is_centred() -> None:
    up = Up(in_channels=4, out_channels=2, padding=0)
    seen = {}
    up.conv.register_forward_pre_hook(lambda mod, inp: seen.update(cat=inp[0]))
    x, skip = torch.randn(1, 4, 3, 3), torch.randn(1, 2, 10, 10)
    with torch.no_grad():
        out = up(x, skip)
    assert out.shape == (1, 2, 2, 2)  # 3 -> 6 by the up-convolution, 6 -> 2 by two 3x3 convs
    assert torch.equal(seen["cat"][:, :2], skip[..., 2:8, 2:8])  # skip first, cropped 2 a side


def test_initialisation_follows_the_paper(model: UNet) -> None:
    weight = model.down4.conv.conv2.weight  # 1024 inputs of 3x3: N = 9 * 1024
    assert weight.std().item() == pytest.approx(math.sqrt(2 / (9 * 1024)), rel=0.02)
    assert model.down4.conv.conv2.bias.abs().sum() == 0
