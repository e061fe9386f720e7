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
# # AlexNet in a notebook
#
# AlexNet (Krizhevsky, Sutskever and Hinton, NIPS 2012) as the paper describes it: two towers,
# one per GPU, local response normalisation and dropout. Build it, compare its parameter count
# with the paper's, run it forward and backward, load torchvision's weights into its
# single-tower twin, and see why the two towers are one grouped convolution.
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
import torch.nn.functional as F
import torchinfo
import torchvision

INPUT_SIZE = 224  # the paper's crop; the smallest AlexNet accepts is 63 (see the exercises)
NAME = "alexnet"
torch.manual_seed(0)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The network, layer by layer
#
# Built on PyTorch's meta device: shapes and parameter counts without memory or time.

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME)
summary = torchinfo.summary(meta, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta")
print(summary)

# %% [markdown]
# ## Parameters: the code against the paper
#
# The paper's "60 million parameters" (abstract) is a round figure: the exact count is 1.6 %
# higher, and the tests accept it within 1.6 % ± 0.1 %.

# %%
card = cnnref.get_card(NAME)
params = n_params(meta)
print(f"counted: {params:,}   paper: {card.paper_params:,} ({card.paper_params_source})")
print(f"ratio: {params / card.paper_params:.4f}")
assert abs(params / card.paper_params - 1.016) <= 0.001

# %% [markdown]
# ## Forward and backward
#
# A real model this time, on a small batch.

# %%
model = cnnref.create_model(NAME)
x = torch.randn(2, 3, INPUT_SIZE, INPUT_SIZE)
logits = model(x)
logits.logsumexp(dim=1).sum().backward()
print("logits:", tuple(logits.shape), " |dL/dW| of conv1:", f"{model.conv1.weight.grad.norm():.3g}")
assert logits.shape == (2, 1000) and all(p.grad is not None for p in model.parameters())

# %% [markdown]
# ## torchvision's weights in the twin
#
# torchvision's `alexnet` is the single-tower variant of Krizhevsky's later "one weird trick"
# paper (64 conv1 kernels, no LRN), so its weights fit cnnref's twin `alexnet_tv`, not the
# paper's network. This notebook runs offline: `weights=None` gives torchvision's network with
# random weights. Online, change that line to
# `weights=torchvision.models.AlexNet_Weights.IMAGENET1K_V1` for the trained ones.

# %%
theirs = torchvision.models.alexnet(weights=None).eval()  # online: AlexNet_Weights.IMAGENET1K_V1
twin = cnnref.from_torchvision("alexnet", theirs.state_dict()).eval()
with torch.no_grad():
    image = torch.randn(1, 3, INPUT_SIZE, INPUT_SIZE)
    difference = (twin(image) - theirs(image)).abs().max().item()
print(f"{cnnref.torchvision_variant('alexnet')}: largest logit difference {difference:.1e}")
assert difference < 1e-4

# %% [markdown]
# ## The experiment: two towers are one grouped convolution
#
# "A single GTX 580 GPU has only 3GB of memory", so the paper spread the network over two
# (§3.2): the kernels of conv2, conv4 and conv5 take input only from the kernel maps of the
# previous layer that reside on the same GPU (Fig. 2). That is a convolution with `groups=2`:
# each half of the output reads only its half of the input. Run the two towers one by one with
# conv2's own weights and compare with the grouped convolution.

# %%
conv2 = model.conv2
print(conv2)
maps = torch.randn(1, 96, 27, 27)  # conv2's input at 224×224: 96 maps of 27×27
with torch.no_grad():
    grouped = conv2(maps)
    half_in, half_out = conv2.in_channels // 2, conv2.out_channels // 2
    towers = [
        F.conv2d(
            maps[:, g * half_in : (g + 1) * half_in],
            conv2.weight[g * half_out : (g + 1) * half_out],
            conv2.bias[g * half_out : (g + 1) * half_out],
            padding=2,
        )
        for g in range(2)
    ]
difference = (torch.cat(towers, dim=1) - grouped).abs().max().item()
print(f"two towers concatenated vs groups=2: largest difference {difference:.1e}")
assert difference < 1e-5

one_tower = torch.nn.Conv2d(96, 256, kernel_size=5, padding=2)
print(f"conv2 parameters: two towers {n_params(conv2):,}; one tower {n_params(one_tower):,}")
assert n_params(conv2) * 2 - 256 == n_params(one_tower)  # half the weights, the same biases

# %% [markdown]
# ## Exercises
#
# 1. What share of AlexNet's parameters sit in the three fully connected layers?
# 2. What is the smallest square input AlexNet accepts, and what error does a smaller one give?
# 3. How many of conv3's input maps does each of its kernels read, and why is it not 48?

# %% tags=["answer"] jupyter={"source_hidden": true}
fc = sum(n_params(getattr(meta, f"fc{i}")) for i in (6, 7, 8))
print(f"1. fc6-fc8: {fc:,} of {params:,} ({fc / params:.1%})")
assert fc / params > 0.96

smallest = card.min_input_size
model.eval()
with torch.no_grad():
    model(torch.randn(1, 3, smallest, smallest))
    try:
        model(torch.randn(1, 3, smallest - 1, smallest - 1))
        raise AssertionError("a smaller input went through")
    except ValueError as error:
        print(f"2. {smallest}×{smallest} works; {smallest - 1}×{smallest - 1}: {error}")

conv3_reads = meta.conv3.in_channels // meta.conv3.groups
print(f"3. each conv3 kernel reads {conv3_reads} maps: conv3 is not grouped (groups=1)")
assert conv3_reads == 256
