# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tasks in a notebook: one backbone, five heads
#
# "What is the output of the network?" decides the task. `cnnref.create_model(name, task=...)`
# keeps a network's convolutional trunk and puts a task's head on its feature map. Here one
# backbone, ResNet-18, gets each of the five heads in turn; each section builds the model, runs
# a batch of synthetic pictures forward, turns the raw scores into the quantity the task
# asks for, computes a loss against the pictures' labels and runs it backward.
# Change `BACKBONE` or `IMAGE_SIZE` below and run the notebook again.

# %%
# Runs as is in Colab or a fresh Jupyter: installs cnnref from its repository when missing.
import math
import subprocess
import sys

try:
    import cnnref
except ImportError:
    subprocess.check_call(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/cnnref/cnnref"]
    )
    import cnnref

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import display
from matplotlib.patches import Rectangle

from cnnref import recipes
from cnnref.data import SHAPES, ShapesDataset, collate_shapes

BACKBONE = "resnet18"  # any name from cnnref.list_models() with a classification card
IMAGE_SIZE = 64
torch.manual_seed(0)

data = ShapesDataset(4, image_size=IMAGE_SIZE, seed=0)
images, targets = collate_shapes([data[i] for i in range(len(data))])
print("images:", tuple(images.shape), " labels:", sorted(targets))

# %% [markdown]
# ## The pictures and their labels
#
# Every picture of `ShapesDataset` carries all the labels at once: the number of objects, each
# object's class and box, and a mask of every pixel.

# %%
fig, axes = plt.subplots(1, 2, figsize=(6, 3))
axes[0].imshow(images[0].permute(1, 2, 0))
for (cx, cy, w, h), label in zip(targets["boxes"][0], targets["labels"][0], strict=True):
    s = IMAGE_SIZE
    axes[0].add_patch(
        Rectangle(((cx - w / 2) * s, (cy - h / 2) * s), w * s, h * s, fill=False, color="#f03e3e")
    )
    axes[0].text((cx - w / 2) * s, (cy - h / 2) * s - 1, SHAPES[label], color="#f03e3e", fontsize=8)
axes[0].set_title(f"{int(targets['count'][0])} objects, their boxes")
axes[1].imshow(targets["mask"][0], cmap="viridis", vmin=0, vmax=len(SHAPES))
axes[1].set_title("mask: 0 background, 1 + class")
for ax in axes:
    ax.axis("off")
alt = (
    "A picture of coloured shapes on a dark background with a red box and the class name "
    "around each object, and beside it the picture's mask, which colours each object's "
    "pixels by class"
)
display(fig, metadata={"image/png": {"alt": alt}})  # alt: the page's image text
plt.close(fig)

# %% [markdown]
# ## Classification: one class per picture
#
# A classification backbone's task is its own, so `task="classification"` (or no task) gives
# the published network with `num_classes` outputs. Softmax turns the logits into
# probabilities. Target here: the class of each picture's first object.

# %%
model = cnnref.create_model(BACKBONE, task="classification", num_classes=len(SHAPES))
logits = model(images)  # (N, 3)
probs = logits.softmax(dim=1)
first = torch.stack([labels[0] for labels in targets["labels"]])
loss = F.cross_entropy(logits, first)
loss.backward()
print("logits", tuple(logits.shape), "| probabilities sum to", probs.sum(dim=1).tolist())
print(f"cross-entropy {loss:.3f}; a uniform guess gives ln 3 = {math.log(len(SHAPES)):.3f}")
assert logits.shape == (len(data), len(SHAPES))

# %% [markdown]
# ## Regression: real numbers per picture
#
# No activation: the output is the number itself. Target: how many objects the picture holds.

# %%
model = cnnref.create_model(BACKBONE, task="regression", num_outputs=1)
count = model(images).squeeze(1)  # (N,)
loss = F.mse_loss(count, targets["count"])
loss.backward()
print("predicted counts", [round(v, 2) for v in count.tolist()])
print("true counts", targets["count"].tolist())
assert count.shape == (len(data),)

# %% [markdown]
# ## Segmentation: a class for every pixel
#
# The head scores each class at every pixel, at the input's resolution; softmax over the
# classes, then the most likely class per pixel is the mask. Target: the mask (4 classes: the
# background and the three shapes).

# %%
model = cnnref.create_model(BACKBONE, task="segmentation", num_classes=1 + len(SHAPES))
scores = model(images)  # (N, 4, H, W)
mask = scores.argmax(dim=1)  # (N, H, W)
loss = F.cross_entropy(scores, targets["mask"])
loss.backward()
print("scores", tuple(scores.shape), "-> mask", tuple(mask.shape), f"| loss {loss:.3f}")
assert scores.shape == (len(data), 1 + len(SHAPES), IMAGE_SIZE, IMAGE_SIZE)

# %% [markdown]
# ## Localization: one box and its class
#
# Four numbers for the box, `(cx, cy, w, h)` as fractions of the picture (a sigmoid keeps them
# in `[0, 1]`), then the class scores. Target: each picture's first object.

# %%
model = cnnref.create_model(BACKBONE, task="localization", num_classes=len(SHAPES))
out = model(images)  # (N, 4 + 3)
box, class_logits = out[:, :4].sigmoid(), out[:, 4:]
true_box = torch.stack([boxes[0] for boxes in targets["boxes"]])
loss = F.l1_loss(box, true_box) + F.cross_entropy(class_logits, first)
loss.backward()
print("output", tuple(out.shape), "| first box", [round(v, 2) for v in box[0].tolist()])
assert out.shape == (len(data), 4 + len(SHAPES))

# %% [markdown]
# ## Detection: a grid of cells, each predicting boxes
#
# The feature map is the grid: ResNet-18 divides the picture by 32, so a 64×64 picture gives
# 2×2 cells. Each cell predicts `B` boxes of five numbers (confidence, x, y, w, h) and one set
# of class scores. The cell responsible for an object is the one that holds the object's
# centre.

# %%
model = cnnref.create_model(BACKBONE, task="detection", num_classes=len(SHAPES))
grid = model(images)  # (N, S, S, B·5 + C)
S = grid.shape[1]
confidence, classes = grid[..., 0].sigmoid(), grid[..., 5:].softmax(dim=-1)
grid.sum().backward()
print("grid", tuple(grid.shape), f"| confidences start near {confidence.mean():.3f}")
for (cx, cy, _, _), label in zip(targets["boxes"][0], targets["labels"][0], strict=True):
    print(f"  a {SHAPES[label]} centred at ({cx:.2f}, {cy:.2f}) belongs to cell "
          f"(row {int(cy * S)}, column {int(cx * S)})")  # fmt: skip
assert grid.shape == (len(data), IMAGE_SIZE // 32, IMAGE_SIZE // 32, 5 + len(SHAPES))

# %% [markdown]
# ## Training them
#
# `cnnref.recipes` trains a head on these pictures end to end; each recipe states the goal it
# reaches on held-out pictures (`recipes.run(name)`; `quick=True` for a shorter run).

# %%
for name, recipe in recipes.RECIPES.items():
    print(f"{name:13s} {recipe.task:15s} {recipe.backbone:14s} {recipe.metric} goal {recipe.goal}")

# %% [markdown]
# ## Exercises
#
# 1. YOLO v1 outputs 7×7×30 for 20 classes and two boxes per cell: which input size and
#    arguments give that grid here?
# 2. How many numbers does the segmentation head output for one 64×64 picture with 4 classes?
# 3. Which backbones in `cnnref.list_models()` could not carry a head, and why?

# %% tags=["answer"] jupyter={"source_hidden": true}
with torch.device("meta"):
    yolo = cnnref.create_model(BACKBONE, task="detection", num_classes=20, boxes_per_cell=2)
    shape = yolo(torch.empty(1, 3, 224, 224)).shape
print(f"1. 224×224 (224 / 32 = 7), num_classes=20, boxes_per_cell=2: {tuple(shape)}")
assert tuple(shape[1:]) == (7, 7, 30)

numbers = (1 + len(SHAPES)) * IMAGE_SIZE * IMAGE_SIZE
print(f"2. 4 × 64 × 64 = {numbers:,}")
assert numbers == scores[0].numel()

refused = []
for name in cnnref.list_models():
    try:
        with torch.device("meta"):
            cnnref.create_model(name, task="regression")
    except ValueError as error:
        refused.append(f"{name}: {error}")
print("3.", refused or "none: every registered model splits forward_features from its head")
assert not refused
