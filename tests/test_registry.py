"""The registry: names, cards and the errors for unknown names."""

from __future__ import annotations

import re

import pytest
import torch

import cnnref
from cnnref.registry import ModelCard

REQUIRED = [
    "lenet5",
    "alexnet",
    "googlenet",
    "vgg11",
    "vgg11_lrn",
    "vgg13",
    "vgg16c",
    "vgg16",
    "vgg19",
    "vgg11_bn",
    "vgg13_bn",
    "vgg16_bn",
    "vgg19_bn",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "attention56",
    "attention92",
    "unet",
    "zfnet",
    "se_resnet50",
    "se_resnet101",
    "se_resnet152",
    "se_resnext50_32x4d",
    "se_resnext101_32x4d",
    "senet154",
]


def test_every_required_name_is_registered():
    names = cnnref.list_models()
    assert [n for n in REQUIRED if n not in names] == []
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", cnnref.list_models())
def test_card_is_complete(name):
    card = cnnref.get_card(name)
    assert isinstance(card, ModelCard)
    assert card.name == name == card.builder.__name__
    family = cnnref.get_family(card.family)  # declared by its model file
    assert family.name == card.builder.__module__.rsplit(".", 1)[-1]
    assert card.title and card.paper.title and card.paper.authors and card.paper.url
    assert 1989 <= card.year <= 2026
    assert card.results, "every model states its reported result"
    for result in card.results:
        assert result.source and result.metric and result.benchmark
        assert 0 < result.value < 100
    assert len(card.input_size) == 3
    assert 0 < card.min_input_size <= card.input_size[1]
    assert card.key_ideas
    assert card.task in ("classification", "segmentation")
    if card.torchvision is not None:
        assert card.torchvision in cnnref.TORCHVISION_NAMES


@pytest.mark.parametrize(
    ("family", "drawback"),
    [
        ("alexnet", "weights"),
        ("googlenet", "time"),
        ("vgg", "fully connected"),
        ("vgg", "vanishing"),
    ],
)
def test_the_drawbacks_the_history_names(family, drawback):
    for name in cnnref.list_models(family):
        drawbacks = " ".join(cnnref.get_card(name).drawbacks).lower()
        assert drawback in drawbacks, name


def test_list_models_by_family_and_year():
    assert set(cnnref.list_models("resnet")) >= {"resnet18", "resnet152"}
    years = [cnnref.get_card(n).year for n in cnnref.list_models()]
    assert years == sorted(years)


def test_list_models_takes_shell_style_patterns_as_timm():
    everything = cnnref.list_models()
    assert cnnref.list_models("*") == everything
    assert cnnref.list_models("resnet*") == [n for n in everything if n.startswith("resnet")]
    assert cnnref.list_models("*_tv") == [
        "alexnet_tv",
        "googlenet_tv",
        *[n for n in everything if n.startswith("resnet") and n.endswith("_tv")],
    ]
    assert cnnref.list_models("vgg1[13]") == ["vgg11", "vgg13"]
    assert cnnref.list_models("vgg16") == ["vgg16"]  # a whole name is a pattern too
    for family in cnnref.list_families():  # a family's name: its models, whatever their names
        assert cnnref.list_models(family.name) == [
            n for n in everything if cnnref.get_card(n).family == family.name
        ]


@pytest.mark.parametrize(
    ("query", "hint"), [("nope", "Families: alexnet"), ("resnt*", "'resnet'"), ("vgg_16", "vgg16")]
)
def test_list_models_that_matches_nothing_says_so(query, hint):
    with pytest.raises(
        ValueError, match=rf"list_models\('{re.escape(query)}'\): no family.*{hint}"
    ):
        cnnref.list_models(query)


@pytest.mark.parametrize(
    ("typo", "suggestion"), [("resnet51", "resnet50"), ("vgg_16", "vgg16"), ("LeNet5", "lenet5")]
)
def test_unknown_name_suggests_the_closest(typo, suggestion):
    with pytest.raises(ValueError, match=rf"unknown model '{typo}'.*'{suggestion}'"):
        cnnref.create_model(typo)


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="task"):
        cnnref.create_model("resnet18", task="painting")


@pytest.mark.parametrize("name", cnnref.list_models())
def test_num_classes_zero_is_refused(name):
    with torch.device("meta"), pytest.raises(ValueError, match="num_classes"):
        cnnref.create_model(name, num_classes=0)


@pytest.mark.parametrize("name", cnnref.list_models())
def test_model_contract(name):
    # What heads.TaskModel and the site rely on: feature/head split and the attributes.
    with torch.device("meta"):
        model = cnnref.create_model(name)
    assert callable(model.forward_features) and callable(model.forward_head)
    for attr in ("in_channels", "num_classes", "num_features", "min_input_size"):
        assert isinstance(getattr(model, attr), int), attr
    children = dict(model.named_children())
    assert model.head_modules and set(model.head_modules) <= set(children)
