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
# # GoogLeNet in a notebook
#
# GoogLeNet (Szegedy et al., CVPR 2015) as the paper's Table 1 lays it out: nine inception
# modules and two auxiliary classifiers. Build it, compare its parameter count with the paper's,
# run it forward and backward, load torchvision's weights into its twin, and watch the four
# branches of an inception module and the auxiliary heads at work in training mode.
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

INPUT_SIZE = 224  # the paper's crop; the auxiliary heads' 5×5/3 pool expects 223 to 270
NAME = "googlenet"
torch.manual_seed(0)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The network, module by module
#
# Built on PyTorch's meta device (shapes and counts, no memory), in evaluation mode, where the
# auxiliary classifiers do not run; `depth=1` lists Table 1's rows.

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME).eval()
print(torchinfo.summary(meta, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta", depth=1))

# %% [markdown]
# ## Parameters: the code against the paper
#
# Table 1's parameter column leaves out the auxiliary classifiers and adds up to "about 6.8M";
# the exact count of the same layers is 2.9 % higher, which the tests accept within ± 0.1 %.
# The auxiliary heads, used in training only, nearly double the total.

# %%
card = cnnref.get_card(NAME)
aux = n_params(meta.aux1) + n_params(meta.aux2)
params = n_params(meta) - aux
print(f"counted without aux heads: {params:,}   paper: {card.paper_params:,}")
print(f"({card.paper_params_source}); ratio {params / card.paper_params:.4f}")
print(f"the two auxiliary heads add {aux:,}")
assert abs(params / card.paper_params - 1.029) <= 0.001

# %% [markdown]
# ## Forward and backward, with the auxiliary heads
#
# In training mode the network returns three sets of logits, as torchvision's does: the main
# classifier's and those of the auxiliary heads on inception (4d) and (4a). The paper adds the
# auxiliary losses "with a discount weight" of 0.3 (§5).

# %%
model = cnnref.create_model(NAME, num_classes=10).train()
x, y = torch.randn(2, 3, INPUT_SIZE, INPUT_SIZE), torch.tensor([3, 7])
out = model(x)
print(type(out).__name__, {k: tuple(v.shape) for k, v in out._asdict().items()})
main_loss = F.cross_entropy(out.logits, y)
aux_loss = F.cross_entropy(out.aux_logits1, y) + F.cross_entropy(out.aux_logits2, y)

weight = model.inception4a.conv1x1.conv.weight  # a layer the first auxiliary head reads
main_only = torch.autograd.grad(main_loss, weight, retain_graph=True)[0].norm().item()
(main_loss + 0.3 * aux_loss).backward()
print(f"|dL/dW| at inception (4a): main loss only {main_only:.3g}, with the aux heads "
      f"{weight.grad.norm().item():.3g}")  # fmt: skip
assert weight.grad is not None

model.eval()
with torch.no_grad():
    eval_out = model(x)
print("in evaluation mode:", type(eval_out).__name__, tuple(eval_out.shape))
assert isinstance(eval_out, torch.Tensor)

# %% [markdown]
# ## torchvision's weights in the twin
#
# torchvision's `googlenet` adds batch norm and its "5×5" branch is really 3×3, so its weights
# fit cnnref's twin `googlenet_tv`. This notebook runs offline: `weights=None` gives
# torchvision's network with random weights. Online, change that line to
# `weights=torchvision.models.GoogLeNet_Weights.IMAGENET1K_V1` for the trained ones.

# %%
theirs = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=True).eval()
twin = cnnref.from_torchvision("googlenet", theirs.state_dict()).eval()
with torch.no_grad():
    image = torch.randn(1, 3, INPUT_SIZE, INPUT_SIZE)
    difference = (twin(image) - theirs(image)).abs().max().item()
print(f"{cnnref.torchvision_variant('googlenet')}: largest logit difference {difference:.1e}")
assert difference < 1e-4

# %% [markdown]
# ## The experiment: the four branches of inception (3a)
#
# An inception module runs a 1×1, a 3×3 and a 5×5 convolution and a 3×3 max-pool side by side
# and stacks their outputs along the channels; the 1×1 "reduce" convolutions before the 3×3 and
# 5×5 branches and after the pool keep the cost down (§4). Hooks catch each branch's output.

# %%
branches = ("conv1x1", "conv3x3", "conv5x5", "pool_proj")
seen = {}
hooks = [
    getattr(model.inception3a, b).register_forward_hook(
        lambda m, i, o, b=b: seen.__setitem__(b, tuple(o.shape))
    )
    for b in branches
]
with torch.no_grad():
    model.eval()(x[:1])
for hook in hooks:
    hook.remove()
for b in branches:
    print(f"{b:10s} {seen[b]}")
total = sum(seen[b][1] for b in branches)
print(f"stacked: {total} channels, what inception (3b) reads")
assert total == model.inception3b.conv1x1.conv.in_channels == 256

reduced = n_params(model.inception3a.conv5x5_reduce) + n_params(model.inception3a.conv5x5)
direct = n_params(torch.nn.Conv2d(192, 32, kernel_size=5, padding=2))
print(f"5×5 branch: {reduced:,} parameters with the 1×1 reduction, {direct:,} without")
assert reduced < direct / 6

# %% [markdown]
# ## Exercises
#
# 1. What is the smallest square input GoogLeNet accepts, and how big is inception (5b)'s map
#    then?
# 2. What share of inception (3a)'s parameters is in its 3×3 branch (reduction included)?
# 3. How many parameters does the first auxiliary head hold, and which of its layers holds most?

# %% tags=["answer"] jupyter={"source_hidden": true}
smallest = card.min_input_size
with torch.device("meta"):
    features = meta.forward_features(torch.empty(1, 3, smallest, smallest))
print(f"1. {smallest}×{smallest}: inception (5b) gives {tuple(features.shape[1:])}")
assert features.shape[-2:] == (1, 1)
try:
    meta.forward_features(torch.empty(1, 3, smallest - 1, smallest - 1, device="meta"))
    raise AssertionError("a smaller input went through")
except ValueError as error:
    print(f"   {smallest - 1}×{smallest - 1}: {error}")

block = model.inception3a
share = (n_params(block.conv3x3_reduce) + n_params(block.conv3x3)) / n_params(block)
print(f"2. the 3×3 branch holds {share:.1%} of inception (3a)")
assert 0.75 < share < 0.85

layers = {name: n_params(m) for name, m in meta.aux1.named_children() if n_params(m)}
print(f"3. aux1: {n_params(meta.aux1):,} parameters; {layers}")
assert max(layers, key=layers.get) == "fc1"
