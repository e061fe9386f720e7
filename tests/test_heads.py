"""Tasks: every backbone x every task, the heads' own behaviour, the task registry, refusals."""

from __future__ import annotations

import inspect

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import cnnref
from cnnref.factory import create_task_model
from cnnref.models._common import check_input
from cnnref.tasks import TaskModel, get_task, list_tasks
from cnnref.tasks.classification import ClassificationHead, activation, predict
from cnnref.tasks.detection import DetectionHead, encode_detection_targets
from cnnref.tasks.localization import LocalizationHead
from cnnref.tasks.regression import RegressionHead
from cnnref.tasks.segmentation import SegmentationHead

TASKS = list_tasks()

CLASSIFIERS = [n for n in cnnref.list_models() if cnnref.get_card(n).task == "classification"]


class TinyBackbone(nn.Module):
    """The smallest model that follows the contract: two convolutions, stride 4."""

    def __init__(self, num_classes: int = 10, in_channels: int = 3) -> None:
        super().__init__()
        self.in_channels, self.num_classes = in_channels, num_classes
        self.num_features, self.min_input_size = 8, 8
        self.conv1 = nn.Conv2d(in_channels, 4, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        check_input(x, "TinyBackbone", self.in_channels, self.min_input_size)
        return F.relu(self.conv2(F.relu(self.conv1(x))))

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        return self.fc(features.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


def expected_shape(task: str, n: int, size: int, grid: tuple[int, int]) -> tuple[int, ...]:
    """Output shapes for num_classes=3, num_outputs=2, boxes_per_cell=2."""
    return {
        "classification": (n, 3),
        "regression": (n, 2),
        "segmentation": (n, 3, size, size),
        "localization": (n, 4 + 3),
        "detection": (n, *grid, 2 * 5 + 3),
    }[task]


def task_kwargs(task: str) -> dict:
    return {
        "classification": {"num_classes": 3},
        "regression": {"num_outputs": 2},
        "segmentation": {"num_classes": 3},
        "localization": {"num_classes": 3},
        "detection": {"num_classes": 3, "boxes_per_cell": 2},
    }[task]


# --- every registered backbone x every task (meta device: shapes without compute) --------


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_every_backbone_takes_every_head(name: str) -> None:
    card = cnnref.get_card(name)
    size = max(64, card.min_input_size)
    with torch.device("meta"):  # shapes without compute: cheap for the deepest networks
        model = cnnref.create_model(name, task="detection", num_classes=3, boxes_per_cell=2)
        assert isinstance(model, TaskModel)
        backbone = model.eval().backbone
        assert backbone.num_features == model.head.in_features
        x = torch.empty(2, card.input_size[0], size, size)
        grid = tuple(backbone.forward_features(x).shape[-2:])
        assert tuple(model(x).shape) == expected_shape("detection", 2, size, grid)
        for task in TASKS[1:-1]:  # the other heads on the same backbone
            head = {
                "regression": RegressionHead(backbone.num_features, 2),
                "segmentation": SegmentationHead(backbone.num_features, 3),
                "localization": LocalizationHead(backbone.num_features, 3),
            }[task]
            out = TaskModel(backbone, head, task, name)(x)
            assert tuple(out.shape) == expected_shape(task, 2, size, grid), task
        for module in backbone.head_modules:  # the task model carries no classifier
            assert getattr(backbone, module) is None
        classifier = cnnref.create_model(name).eval()  # the network as published
        native = torch.empty(2, *card.input_size)
        assert tuple(classifier(native).shape) == (2, classifier.num_classes)
        assert set(classifier.state_dict()) - set(backbone.state_dict()) == {
            k for k in classifier.state_dict() if k.split(".")[0] in classifier.head_modules
        }


def test_unet_takes_every_head() -> None:
    size = 64
    with torch.device("meta"):
        x = torch.empty(2, 1, size, size)
        native = cnnref.create_model("unet", task="segmentation", num_classes=1, padding="same")
        assert tuple(native(x).shape) == (2, 1, size, size)
        for task in TASKS:
            if task == "segmentation":
                continue
            model = cnnref.create_model("unet", task=task, padding="same", **task_kwargs(task))
            grid = (size, size)  # U-Net's features have the input's resolution
            assert tuple(model(x).shape) == expected_shape(task, 2, size, grid), task


# --- real numbers on small inputs -------------------------------------------------------


@pytest.mark.parametrize("name", ["lenet5", "lenet5_modern", "resnet18"])
@pytest.mark.parametrize("task", TASKS[1:])
def test_small_backbones_compute_every_head(name: str, task: str) -> None:
    torch.manual_seed(0)
    in_channels = cnnref.get_card(name).input_size[0]
    model = cnnref.create_model(name, task=task, **task_kwargs(task)).eval()
    x = torch.randn(2, in_channels, 40, 40)
    out = model(x)
    grid = tuple(model.backbone.forward_features(x).shape[-2:])
    assert tuple(out.shape) == expected_shape(task, 2, 40, grid)
    assert torch.isfinite(out).all()
    out.float().sum().backward()  # gradients reach the first layer
    first = next(p for p in model.backbone.parameters() if p.grad is not None)
    assert torch.isfinite(first.grad).all()


def test_input_padding_makes_lenet_tile_the_picture() -> None:
    model = cnnref.create_model("lenet5", task="detection", in_channels=3, input_padding=14)
    out = model(torch.randn(1, 3, 64, 64))
    assert out.shape == (1, 16, 16, 5 + 1)  # 64 / 4 cells of 4x4 pixels
    segment = cnnref.create_model("lenet5", task="segmentation", input_padding=14)
    assert segment(torch.randn(1, 1, 32, 32)).shape == (1, 1, 32, 32)
    with pytest.raises(ValueError, match="input_padding"):
        cnnref.create_model("lenet5", task="detection", input_padding=-1)


def test_tiny_backbone_with_each_head() -> None:
    backbone = TinyBackbone()
    feats = backbone.forward_features(torch.randn(2, 3, 16, 16))  # (2, 8, 4, 4)
    assert ClassificationHead(8, 5)(feats).shape == (2, 5)
    assert RegressionHead(8, 3)(feats).shape == (2, 3)
    assert SegmentationHead(8, 2)(feats, size=(16, 16)).shape == (2, 2, 16, 16)
    assert LocalizationHead(8)(feats).shape == (2, 4)
    assert DetectionHead(8, 4, boxes_per_cell=3)(feats).shape == (2, 4, 4, 3 * 5 + 4)
    model = TaskModel(backbone, RegressionHead(8), "regression")
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 1)
    with pytest.raises(ValueError, match="TinyBackbone needs an input of at least 8x8"):
        model(torch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"RegressionHead expects a feature map \(N, 8"):
        RegressionHead(8)(torch.randn(2, 7, 4, 4))


# --- activations and predictions --------------------------------------------------------


def test_classification_activation_and_predict() -> None:
    logits = torch.tensor([[2.0, 0.0, -3.0], [0.0, 0.0, 5.0]])
    probs = activation(logits)
    assert torch.allclose(probs.sum(1), torch.ones(2))
    assert predict(logits).tolist() == [0, 2]
    multi = activation(logits, multi_label=True)
    assert torch.allclose(multi, torch.sigmoid(logits))
    assert predict(logits, multi_label=True).tolist() == [
        [True, False, False],
        [False, False, True],
    ]
    head = ClassificationHead(8, 3, multi_label=True)
    assert torch.equal(head.predict(logits), predict(logits, multi_label=True))
    model = cnnref.create_model("lenet5_modern", task="classification")  # the plain network
    assert not isinstance(model, TaskModel)
    model = cnnref.create_model("unet", task="classification", num_classes=4, multi_label=True)
    assert model.head.multi_label and model.head.num_classes == 4


def test_segmentation_and_localization_activation() -> None:
    binary = SegmentationHead(8, 1)
    out = torch.tensor([[[[2.0, -1.0]]]])
    assert binary.predict(out).tolist() == [[[True, False]]]
    assert torch.all((binary.activation(out) > 0) & (binary.activation(out) < 1))
    multi = SegmentationHead(8, 3)
    out = torch.randn(2, 3, 4, 4)
    assert torch.allclose(multi.activation(out).sum(1), torch.ones(2, 4, 4))
    assert torch.equal(multi.predict(out), out.argmax(1))
    loc = LocalizationHead(8, num_classes=2)
    pred = loc.predict(torch.tensor([[0.0, 0.0, -10.0, 10.0, 1.0, 3.0]]))
    assert torch.allclose(pred["boxes"], torch.tensor([[0.5, 0.5, 0.0, 1.0]]), atol=1e-4)
    assert pred["labels"].tolist() == [1]
    assert "labels" not in LocalizationHead(8).predict(torch.zeros(1, 4))


def _perfect_output(target: torch.Tensor, boxes_per_cell: int = 1) -> torch.Tensor:
    """Raw outputs whose activation is the encoded target (confident and right)."""
    eps = 1e-4
    box = torch.logit(target[..., :5].clamp(eps, 1 - eps))
    box[..., 0] = torch.where(target[..., 0] > 0, 12.0, -12.0)
    classes = target[..., 5:] * 10.0
    return torch.cat([box.repeat(1, 1, 1, boxes_per_cell), classes], dim=-1)


def test_detection_encode_then_decode_gives_the_boxes_back() -> None:
    boxes = [torch.tensor([[0.2, 0.3, 0.1, 0.2], [0.7, 0.6, 0.3, 0.1]]), torch.zeros(0, 4)]
    labels = [torch.tensor([2, 0]), torch.zeros(0, dtype=torch.long)]
    target = encode_detection_targets(boxes, labels, grid=(4, 5), num_classes=3)
    assert target.shape == (2, 4, 5, 8)
    assert target[..., 0].sum() == 2
    head = DetectionHead(8, num_classes=3)
    found = head.decode(_perfect_output(target))
    assert len(found) == 2 and len(found[1]["boxes"]) == 0
    order = found[0]["boxes"][:, 0].argsort()
    assert torch.allclose(found[0]["boxes"][order], boxes[0], atol=1e-3)
    assert found[0]["labels"][order].tolist() == [2, 0]
    assert torch.all(found[0]["scores"] > 0.99)


def test_detection_decode_suppresses_duplicates_with_nms() -> None:
    boxes = [torch.tensor([[0.3, 0.3, 0.4, 0.4]])]
    target = encode_detection_targets(boxes, [torch.tensor([1])], (3, 3), num_classes=2)
    head = DetectionHead(8, num_classes=2, boxes_per_cell=2)
    out = _perfect_output(target, boxes_per_cell=2)  # both boxes of the cell say the same
    assert len(head.decode(out, iou_threshold=0.5)[0]["boxes"]) == 1
    assert len(head.decode(out, iou_threshold=1.0)[0]["boxes"]) == 2  # NMS off
    assert len(head.decode(out, score_threshold=1.1)[0]["boxes"]) == 0


def test_detection_activation_places_boxes_in_their_cells() -> None:
    head = DetectionHead(8, num_classes=2, boxes_per_cell=1)
    boxes, probs = head.activation(torch.zeros(1, 2, 4, 7))  # every sigmoid at 0.5
    assert torch.allclose(boxes[0, 1, 3, 0, 1:3], torch.tensor([3.5 / 4, 1.5 / 2]))
    assert torch.allclose(boxes[..., 3], torch.full_like(boxes[..., 3], 0.25))  # 0.5 squared
    assert torch.allclose(probs, torch.full_like(probs, 0.5))


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["classification", "segmentation", "localization", "detection"])
def test_num_classes_zero_is_refused(task: str) -> None:
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        create_task_model("lenet5_modern", task, num_classes=0)


def test_unknown_task_and_model_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown task 'captioning'.*regression"):
        cnnref.create_model("lenet5", task="captioning")
    with pytest.raises(ValueError, match="unknown model"):
        create_task_model("lenet6", "regression")


@pytest.mark.parametrize(
    ("task", "kwargs", "message"),
    [
        ("regression", {"num_classes": 3}, r"num_classes is an option of task='classification'"),
        ("detection", {"num_outputs": 2}, "num_outputs is an option of task='regression', not"),
        ("regression", {"multi_label": True}, "multi_label is an option of task='classification'"),
        ("segmentation", {"boxes_per_cell": 2}, "boxes_per_cell is an option of task='detection'"),
        ("classification", {"hidden": 8}, r"whose head takes num_classes, multi_label\)"),
        ("regression", {"num_outputs": 0}, "num_outputs must be a positive integer"),
        ("detection", {"boxes_per_cell": 0}, "boxes_per_cell must be a positive integer"),
    ],
)
def test_misplaced_or_bad_arguments_are_refused(task: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_task_model("lenet5_modern", task, **kwargs)


def test_backbone_too_deep_for_the_input_is_refused() -> None:
    with torch.device("meta"):
        model = cnnref.create_model("vgg11", task="segmentation")
        with pytest.raises(
            ValueError, match=r"VGG-11 \(config A\) needs an input of at least 32x32"
        ):
            model(torch.empty(1, 3, 16, 16))
    model = cnnref.create_model("lenet5", task="regression")
    with pytest.raises(ValueError, match="LeNet5 needs an input of at least 32x32"):
        model(torch.randn(1, 1, 28, 28))


def test_backbone_kwargs_reach_the_builder() -> None:
    model = cnnref.create_model("resnet18", task="regression", in_channels=1)
    assert model.in_channels == 1 and model.backbone.in_channels == 1
    with pytest.raises(TypeError):
        cnnref.create_model("lenet5", task="regression", colour=True)


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("lenet5", 32),
        ("lenet5_modern", 32),
        ("alexnet", 64),
        ("alexnet_tv", 64),
        ("googlenet", 32),
        ("googlenet_tv", 32),
        ("vgg11_bn", 32),
        ("resnet18", 32),
        ("resnet50", 32),
        ("attention56", 32),
        ("unet", 188),
    ],
)
def test_every_parameter_of_a_task_model_gets_a_gradient(name: str, size: int) -> None:
    # So DDP needs no find_unused_parameters, and no dead classifier rides along.
    torch.manual_seed(0)
    model = cnnref.create_model(name, task="regression").train()
    in_channels = cnnref.get_card(name).input_size[0]
    model(torch.randn(2, in_channels, size, size)).sum().backward()
    assert [n for n, p in model.named_parameters() if p.grad is None] == []


def test_load_backbone_takes_a_classification_checkpoint() -> None:
    torch.manual_seed(0)
    classifier = cnnref.create_model("vgg11_bn", num_classes=10)
    with torch.device("meta"):
        skeleton = cnnref.create_model("vgg11_bn", num_classes=10)
    fc_params = sum(p.numel() for p in skeleton.classifier.parameters())
    model = cnnref.create_model("vgg11_bn", task="detection", num_classes=3)
    assert sum(p.numel() for p in model.parameters()) == (
        sum(p.numel() for p in skeleton.parameters())
        - fc_params
        + sum(p.numel() for p in model.head.parameters())
    )
    state = classifier.state_dict()
    model.load_backbone(state)
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, state[key]), key
    foreign = {**classifier.state_dict(), "features.99.weight": torch.zeros(1)}
    with pytest.raises(RuntimeError, match=r"features\.99\.weight"):
        model.load_backbone(foreign)
    missing = dict(classifier.state_dict())
    del missing["features.conv1_1.weight"]
    with pytest.raises(RuntimeError, match=r"features\.conv1_1\.weight"):
        model.load_backbone(missing)


# --- the task registry and the task model's contract ------------------------------------


def test_every_task_is_registered_once_with_its_pieces() -> None:
    assert TASKS == ["classification", "regression", "segmentation", "localization", "detection"]
    for name in TASKS:
        task = get_task(name)
        assert task.name == name and task.head.__module__ == f"cnnref.tasks.{name}"
        params = inspect.signature(task.head).parameters
        assert set(task.options) <= set(params), name  # every option reaches the head
        assert callable(task.head.activation) and callable(task.head.predict), name
    with pytest.raises(ValueError, match=r"unknown task 'captioning': choose one of classif"):
        get_task("captioning")


def test_multi_label_classification_on_a_classifier() -> None:
    torch.manual_seed(0)
    model = cnnref.create_model("resnet18", task="classification", multi_label=True)
    assert isinstance(model, TaskModel) and model.head.multi_label
    x = torch.randn(2, 3, 32, 32)
    logits = model(x)
    assert logits.shape == (2, 1000)
    target = torch.zeros(2, 1000)
    target[0, 3] = target[1, 7] = 1.0
    loss = get_task("classification").loss(logits, target, model.head)
    assert torch.allclose(loss, F.binary_cross_entropy_with_logits(logits, target))
    assert model.predict(x).dtype == torch.bool
    # ResNet's own classifier is global average pooling and one linear layer: the same size.
    assert sum(p.numel() for p in model.parameters()) == sum(
        p.numel() for p in cnnref.create_model("resnet18").parameters()
    )


@pytest.mark.parametrize("name", ["vgg11_bn", "resnet18", "googlenet"])
def test_a_task_model_never_changes_the_backbone_passed_to_it(name: str) -> None:
    torch.manual_seed(0)
    backbone = cnnref.create_model(name, num_classes=5).eval()
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    children = dict(backbone.named_children())
    x = torch.randn(1, 3, 64, 64)
    expected = backbone(x)
    head = RegressionHead(backbone.num_features, 1)
    model = TaskModel(backbone, head, "regression", name)
    assert dict(backbone.named_children()) == children  # its classifier is still there
    assert backbone.state_dict().keys() == before.keys()
    assert torch.equal(backbone(x), expected)
    for module in backbone.head_modules:
        assert getattr(backbone, module) is not None and getattr(model.backbone, module) is None
    # The task model shares the layers (and so the weights) it keeps.
    first = next(iter(model.backbone.parameters()))
    assert any(first is p for p in backbone.parameters())
    model.train()(x).sum().backward()  # training the task model trains those layers
    assert first.grad is not None
