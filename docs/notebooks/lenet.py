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
# # LeNet-5 in a notebook
#
# LeNet-5 (LeCun et al., Proc. IEEE 1998, §II-B): build it, compare its parameter count with
# the paper's, run it forward and backward, and look at the C3 layer's partial connection
# table, the paper's Table I. Change `INPUT_SIZE` below and run the notebook again.

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

torch.manual_seed(0)
INPUT_SIZE = 32  # the paper's 32×32 digits; LeNet-5 needs exactly this size (C5 must be 1×1)
NAME = "lenet5"

# %% [markdown]
# ## The network, layer by layer
#
# The summary names the layers as the paper does (C1, S2, C3, S4, C5, F6, output).

# %%
model = cnnref.create_model(NAME)
print(torchinfo.summary(model, input_size=(1, 1, INPUT_SIZE, INPUT_SIZE), verbose=0))

# %% [markdown]
# ## Parameters: the code against the paper
#
# The paper counts the *trainable* parameters (§II-B); the output layer's RBF centres are
# fixed by hand, so they are a buffer here, not a parameter. The tests require an exact match.

# %%
card = cnnref.get_card(NAME)
params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"counted: {params:,}   paper: {card.paper_params:,} ({card.paper_params_source})")
assert params == card.paper_params

# %% [markdown]
# ## Forward and backward
#
# The output is one squared distance per class to that class's RBF centre: the smallest
# distance wins, so the logits are the negated distances.

# %%
x = torch.randn(4, 1, INPUT_SIZE, INPUT_SIZE)
logits = model(x)
logits.sum().backward()
print("logits:", tuple(logits.shape))
print("gradient norm of C1's weights:", f"{model.c1.weight.grad.norm():.3g}")
assert logits.shape == (4, 10) and model.c1.weight.grad is not None

# %% [markdown]
# ## The experiment: C3 reads only some of S2's maps
#
# Table I of the paper connects each of C3's 16 maps to 3, 4 or all 6 of S2's maps: such a
# scheme "keeps the number of connections within reasonable bounds" and "forces a break of
# symmetry in the network" (§II-B).
# `PartialConv2d.dense_weight()` expands the shared weights into an ordinary convolution
# kernel, zero where the table has no connection.

# %%
connected = (model.c3.dense_weight() != 0).any(dim=(2, 3))  # (16 C3 maps, 6 S2 maps)
print("S2 map →  " + " ".join(str(i) for i in range(6)))
for j, row in enumerate(connected.tolist()):
    print(f"C3 map {j:2d}  " + " ".join("X" if c else "." for c in row))

partial = sum(p.numel() for p in model.c3.parameters())
full = torch.nn.Conv2d(6, 16, kernel_size=5)
dense = sum(p.numel() for p in full.parameters())
print(f"C3 as in the paper: {partial:,} parameters; fully connected: {dense:,}")
assert partial == 1_516 and dense == 2_416  # the paper's 1,516 (§II-B)

# %% [markdown]
# ## Exercises
#
# 1. How many of C3's 16 maps read all six S2 maps, and how many read exactly three?
# 2. Which layer holds most of LeNet-5's parameters, and what share of the total is it?
# 3. How many multiply-adds does C1 compute on one 32×32 image?

# %% tags=["answer"] jupyter={"source_hidden": true}
fan_in = connected.sum(dim=1)
print("1. all six:", int((fan_in == 6).sum()), " exactly three:", int((fan_in == 3).sum()))
assert int((fan_in == 6).sum()) == 1 and int((fan_in == 3).sum()) == 6

sizes = {name: sum(p.numel() for p in m.parameters()) for name, m in model.named_children()}
largest = max(sizes, key=sizes.get)
print(f"2. {largest.upper()}: {sizes[largest]:,} of {params:,} ({sizes[largest] / params:.1%})")
assert largest == "c5" and sizes["c5"] == 48_120

c1_macs = 6 * 28 * 28 * 5 * 5  # 6 maps of 28×28, each output a 5×5 dot product
print(f"3. C1: {c1_macs:,} multiply-adds")
assert c1_macs == 117_600
