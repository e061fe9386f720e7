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
# # VGG in a notebook
#
# VGG-16, configuration D of Simonyan and Zisserman (ICLR 2015): thirteen 3×3 convolutions and
# three fully connected layers. Build it, compare its parameter count with the paper's, run it
# forward and backward with torchvision's weights loaded, and measure the paper's argument for
# small kernels: two stacked 3×3 convolutions against one 5×5.
# Change `INPUT_SIZE` below and run the notebook again.

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

import torch
import torchinfo
import torchvision
from torch import nn

INPUT_SIZE = 224  # the paper's crop (the summary runs on the meta device: no time, no memory)
SMALL_SIZE = 32  # for the real forward and backward pass on a CPU; 32 is VGG's smallest
NAME = "vgg16"
torch.manual_seed(0)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The network, layer by layer

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME)
print(torchinfo.summary(meta, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta", depth=2))

# %% [markdown]
# ## Parameters: the code against the paper
#
# Table 2 gives the counts in millions, rounded; the tests require the exact count to round to
# the same number of millions.

# %%
card = cnnref.get_card(NAME)
params = n_params(meta)
print(f"counted: {params:,}   paper: {card.paper_params:,} ({card.paper_params_source})")
assert round(params / 1e6) == card.paper_params / 1e6

# %% [markdown]
# ## torchvision's weights, then forward and backward
#
# torchvision's `vgg16` is the paper's configuration D, so cnnref's own `vgg16` takes its
# weights unchanged. This notebook runs offline: `weights=None` gives torchvision's network with
# random weights. Online, change that line to
# `weights=torchvision.models.VGG16_Weights.IMAGENET1K_V1` for the trained ones.
# The forward and backward pass then run on the loaded model, at `SMALL_SIZE`.

# %%
theirs = torchvision.models.vgg16(weights=None).eval()  # online: VGG16_Weights.IMAGENET1K_V1
model = cnnref.from_torchvision("vgg16", theirs.state_dict()).eval()
x = torch.randn(2, 3, SMALL_SIZE, SMALL_SIZE)
with torch.no_grad():
    difference = (model(x) - theirs(x)).abs().max().item()
print(f"{cnnref.torchvision_variant('vgg16')}: largest logit difference {difference:.1e}")
assert difference < 1e-4
del theirs

logits = model.train()(x)
logits.logsumexp(dim=1).sum().backward()
grads = [p.grad for p in model.parameters()]
print("logits:", tuple(logits.shape), " every parameter has a gradient:", all(
    g is not None for g in grads))  # fmt: skip
assert logits.shape == (2, 1000) and all(g is not None for g in grads)

# %% [markdown]
# ## The experiment: two 3×3 convolutions against one 5×5
#
# "A stack of two 3×3 conv. layers (without spatial pooling in between) has an effective
# receptive field of 5×5" with fewer weights and one more non-linearity (§2.3). The receptive
# field is measured here: the output pixel in the centre is differentiated with respect to the
# input, and the pixels with a non-zero gradient are those it sees.

# %%
C = 64  # channels in and out, as in VGG's first block


def receptive_field(net: nn.Module, side: int = 15) -> int:
    """Side of the square of input pixels that the centre output pixel depends on."""
    image = torch.randn(1, C, side, side, requires_grad=True)
    net(image)[0, :, side // 2, side // 2].sum().backward()
    seen = image.grad.abs().sum(dim=(0, 1)) > 0
    return int(seen.any(dim=0).sum())


stacked = nn.Sequential(
    nn.Conv2d(C, C, 3, padding=1), nn.ReLU(), nn.Conv2d(C, C, 3, padding=1), nn.ReLU()
)
single = nn.Sequential(nn.Conv2d(C, C, 5, padding=2), nn.ReLU())
for label, net in (("two 3×3", stacked), ("one 5×5", single)):
    print(f"{label}: receptive field {receptive_field(net)}×{receptive_field(net)}, "
          f"{n_params(net):,} parameters")  # fmt: skip
assert receptive_field(stacked) == receptive_field(single) == 5
assert n_params(stacked) < n_params(single) * 0.75  # 18C² + 2C against 25C² + C

# %% [markdown]
# ## Exercises
#
# 1. How many parameters does VGG-16's fc6 hold, and what share of the total is that?
# 2. Three stacked 3×3 convolutions: what receptive field, and how many weights against one
#    7×7 (both with C = 64 channels in and out, biases included)?
# 3. How many of VGG-16's parameters are in its thirteen convolutions?

# %% tags=["answer"] jupyter={"source_hidden": true}
fc6_params = n_params(meta.classifier.fc6)  # a 25088 × 4096 matrix and 4096 biases
print(f"1. fc6: {fc6_params:,} of {params:,} ({fc6_params / params:.1%})")
assert fc6_params == 512 * 7 * 7 * 4096 + 4096

three = nn.Sequential(*[m for _ in range(3) for m in (nn.Conv2d(C, C, 3, padding=1), nn.ReLU())])
seven = nn.Sequential(nn.Conv2d(C, C, 7, padding=3), nn.ReLU())
print(f"2. three 3×3: {receptive_field(three)}×{receptive_field(three)} and "
      f"{n_params(three):,} parameters; one 7×7: {n_params(seven):,}")  # fmt: skip
assert receptive_field(three) == 7 and n_params(three) == 3 * (9 * C * C + C)

convs = sum(n_params(m) for m in meta.modules() if isinstance(m, nn.Conv2d))
print(f"3. the convolutions: {convs:,} ({convs / params:.1%})")
assert 14e6 < convs < 15e6
