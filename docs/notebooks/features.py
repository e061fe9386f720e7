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
# # What the network learns, in a notebook
#
# Train LeNet-5 (its modern variant: ReLU and max-pooling) on handwritten digits for one
# epoch, then look inside: the 5×5 filters of its first layer before and after training, and
# the feature maps they compute from a few digits. The digits are scikit-learn's 1,797
# (`cnnref.data.DigitsDataset`), so nothing is downloaded. Change `EPOCHS` or `SEEDS` below
# and run the notebook again.

# %%
# Runs as is in Colab or a fresh Jupyter: installs cnnref from its repository when missing.
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
from IPython.display import display

from cnnref import recipes

EPOCHS = 1  # the full recipe trains 20; one is enough to see the filters take shape
SEEDS = (0, 1)

# %% [markdown]
# ## Training
#
# `recipes.run("digits")` is the recipe the site trains: LeNet-5 (modern) with AdamW on the
# 1,437 training digits; the accuracy is measured on the 360 held-out ones. Two seeds, to see
# that the result is not one lucky run.

# %%
torch.manual_seed(0)
untrained = cnnref.create_model("lenet5_modern", in_channels=1).eval()
runs = [recipes.run("digits", quick=True, epochs=EPOCHS, seed=seed) for seed in SEEDS]
for seed, run in zip(SEEDS, runs, strict=True):
    print(f"seed {seed}: held-out accuracy {run.metrics['accuracy']:.1%} after {EPOCHS} epoch(s)")
model, test = runs[0].model.cpu().eval(), runs[0].test_data
assert all(run.metrics["accuracy"] > 0.5 for run in runs)  # chance is 10 %

# %% [markdown]
# ## The first layer's filters, before and after
#
# Red is a positive weight, blue a negative one. Before training the filters are noise; after,
# they become smooth strokes and edges, the detectors the layers above build on.

# %%
fig, axes = plt.subplots(2, 6, figsize=(7, 2.6))
for row, (label, net) in enumerate((("before", untrained), ("after", model))):
    weight = net.c1.weight.detach()[:, 0]  # (6, 5, 5)
    for i, ax in enumerate(axes[row]):
        limit = weight[i].abs().max()
        ax.imshow(weight[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
        if i == 0:
            ax.set_ylabel(label)
alt = (
    "The six 5×5 filters of C1 in two rows, before training (noise) and after one epoch on "
    "digits (smoother strokes and edges), red for positive and blue for negative weights"
)
display(fig, metadata={"image/png": {"alt": alt}})  # alt: the page's image text
plt.close(fig)

# %% [markdown]
# ## What the filters see
#
# Each row is a test digit and the six 28×28 maps C1 computes from it: a map is bright where
# its filter's stroke appears in the digit.

# %%
picked, labels = [], []
for i in range(len(test)):
    image, label = test[i]
    if int(label) not in labels:
        picked.append(image)
        labels.append(int(label))
    if len(picked) == 3:
        break
with torch.no_grad():
    maps = model.c1(torch.stack(picked))  # (3, 6, 28, 28)
fig, axes = plt.subplots(3, 7, figsize=(7, 3.2))
for r, image in enumerate(picked):
    axes[r, 0].imshow(image[0], cmap="gray_r")
    for c in range(6):
        axes[r, c + 1].imshow(maps[r, c], cmap="magma")
    for ax in axes[r]:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[r, 0].set_ylabel(f"digit {labels[r]}")
alt = (
    "Three test digits, one per row, each followed by the six 28×28 feature maps C1 "
    "computes from it; each map is bright where its filter's stroke appears in the digit"
)
display(fig, metadata={"image/png": {"alt": alt}})  # alt: the page's image text
plt.close(fig)
assert maps.shape == (3, 6, 28, 28)

# %% [markdown]
# ## Exercises
#
# 1. How many numbers does C1 learn, and how many of those are weights?
# 2. How large is the patch of the input that one unit of C5 sees?
# 3. What accuracy does the untrained network reach on the held-out digits?

# %% tags=["answer"] jupyter={"source_hidden": true}
weights, biases = model.c1.weight.numel(), model.c1.bias.numel()
print(f"1. {weights + biases} numbers: {weights} weights (6 filters of 5×5) and {biases} biases")
assert (weights, biases) == (150, 6)

# The receptive field is the architecture's: the paper's LeNet-5 (average-pooling S2 and S4,
# no ReLU that could cut a path) shows it in the gradient of one C5 unit.
image = torch.randn(1, 1, 32, 32, requires_grad=True)
cnnref.create_model("lenet5").forward_features(image)[0, 0].sum().backward()  # C5 is 1×1
seen = image.grad[0, 0] != 0
rows, cols = seen.any(dim=1).sum().item(), seen.any(dim=0).sum().item()
print(f"2. {rows}×{cols} pixels: the whole 32×32 picture")
assert rows == cols == 32

with torch.no_grad():
    images = torch.stack([test[i][0] for i in range(len(test))])
    targets = torch.tensor([int(test[i][1]) for i in range(len(test))])
    accuracy = (untrained(images).argmax(dim=1) == targets).float().mean().item()
print(f"3. {accuracy:.1%}: about chance (10 %), against {runs[0].metrics['accuracy']:.1%} trained")
assert accuracy < 0.3
