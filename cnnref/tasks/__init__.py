"""The tasks a CNN can end in, one module each; importing this package registers every one.

"What is the output of the network?" decides the task. Every registered classification model
splits `forward_features` (the convolutional trunk, giving an `(N, num_features, h, w)` feature
map) from `forward_head` (its classifier); `cnnref.create_model(name, task=...)` keeps the
trunk and puts the task's head on the feature map instead (a `TaskModel`):

| task | module | head | output |
|---|---|---|---|
| `classification` | `cnnref.tasks.classification` | `ClassificationHead` | `(N, num_classes)` |
| `regression` | `cnnref.tasks.regression` | `RegressionHead` | `(N, num_outputs)` |
| `segmentation` | `cnnref.tasks.segmentation` | `SegmentationHead` | `(N, num_classes, H, W)` |
| `localization` | `cnnref.tasks.localization` | `LocalizationHead` | `(N, 4 + num_classes)` |
| `detection` | `cnnref.tasks.detection` | `DetectionHead` | `(N, S_h, S_w, B*5 + num_classes)` |

Each module holds its task's head, loss, evaluation and output decoding, and registers them
once (`register_task`); `list_tasks()` and `get_task(name)` find them. Every head returns raw
scores (logits), which is what its loss takes; its `activation` turns them into probabilities
or a box in `[0, 1]`, its `predict` into an answer (a class, a mask, boxes). Boxes are
`(cx, cy, w, h)`, normalised to the image.

A task module is found here by itself: adding `cnnref/tasks/<task>.py` with its
`register_task(Task(...))` is all the package needs.

Example:
    >>> import torch, cnnref
    >>> from cnnref.tasks import TaskModel, list_tasks
    >>> model = cnnref.create_model("resnet18", task="detection", num_classes=3).eval()
    >>> isinstance(model, TaskModel), model(torch.randn(1, 3, 64, 64)).shape
    (True, torch.Size([1, 2, 2, 8]))
    >>> len(list_tasks())
    5
"""

import importlib
import pkgutil

from cnnref.tasks.base import Task, TaskModel, check_features, get_task, list_tasks, register_task

__all__ = ["Task", "TaskModel", "check_features", "get_task", "list_tasks", "register_task"]

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base" and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
