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
# # SENet in a notebook
#
# Squeeze-and-Excitation Networks (Hu, Shen and Sun, CVPR 2018) add one small unit to every
# residual block: average each channel over the image (squeeze), turn these C numbers into C
# weights between 0 and 1 with two small fully connected layers (excitation), and multiply each
# channel by its weight. Build SE-ResNet-50, compare the parameters of all six networks with
# the authors' released definitions, run it forward and backward, load torchvision's
# ResNeXt-50 into the base of SE-ResNeXt-50, then look at the channel weights on a picture and
# measure what the SE blocks cost. Change `INPUT_SIZE` below and run the notebook again.

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

from cnnref.data import ShapesDataset
from cnnref.models.senet import SEBlock, SENet

INPUT_SIZE = 224  # the paper's crop (the summary runs on the meta device: no time, no memory)
SMALL_SIZE = 64  # for the real forward and backward pass on a CPU
NAME = "se_resnet50"
torch.manual_seed(0)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def se_blocks(model: nn.Module) -> list[SEBlock]:
    return [m for m in model.modules() if isinstance(m, SEBlock)]


# %% [markdown]
# ## The network, stage by stage
#
# `layer1` to `layer4` are the stages conv2_x to conv5_x of ResNet-50; every bottleneck block
# in them ends with an SE block (`se`), before the shortcut is added.

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME)
summary = torchinfo.summary(
    meta, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta", depth=1, verbose=0
)
print(summary)
print(meta.layer1[0])  # one block, its SE block included

# %% [markdown]
# ## Parameters: the code against the authors' release
#
# The paper gives no parameter counts (its §4 puts SE-ResNet-50's SE blocks at about 2.5
# million parameters, checked below), so the card has none. The authors released every network
# as a Caffe definition, and the card carries the count read from it, layer by layer. All six
# networks, built on the meta device, must match their release exactly.

# %%
card = cnnref.get_card(NAME)
assert card.paper_params is None
print(f"{'model':22s} {'counted':>12s} {'release':>12s}")
for name in cnnref.list_models("senet"):
    with torch.device("meta"):
        counted = n_params(cnnref.create_model(name))
    release = cnnref.get_card(name).extra["release_params"]
    print(f"{name:22s} {counted:12,} {release:12,}")
    assert counted == release
params = n_params(meta)
print(f"\n{NAME}: {params:,} ({card.extra['release_params_source']})")

# %% [markdown]
# ## Forward and backward

# %%
model = cnnref.create_model(NAME)
x = torch.randn(2, 3, SMALL_SIZE, SMALL_SIZE)
logits = model(x)
logits.logsumexp(dim=1).sum().backward()
fc1 = model.layer4[-1].se.fc1
print("logits:", tuple(logits.shape), " |dL/dW| of the last SE block's fc1:",
      f"{fc1.weight.grad.norm():.3g}")  # fmt: skip
assert logits.shape == (2, 1000) and all(p.grad is not None for p in model.parameters())

# %% [markdown]
# ## torchvision's weights in the base network
#
# torchvision has no SE network. But `SENet("se_resnext50_32x4d", se=False)`, the same code
# without its SE blocks, is exactly torchvision's `resnext50_32x4d`: the same parameter names
# and shapes, so its weights load as they are and give the same logits. This notebook runs
# offline: `weights=None` gives torchvision's network with random weights. Online, change that
# line to `weights=torchvision.models.ResNeXt50_32X4D_Weights.IMAGENET1K_V1` (or its name,
# `weights="IMAGENET1K_V1"`).

# %%
theirs = torchvision.models.resnext50_32x4d(weights=None)  # online: weights="IMAGENET1K_V1"
theirs.eval()
base = SENet("se_resnext50_32x4d", se=False)
base.load_state_dict(theirs.state_dict())  # strict: every name and shape matches
base.eval()
with torch.no_grad():
    image = torch.randn(1, 3, SMALL_SIZE, SMALL_SIZE)
    difference = (base(image) - theirs(image)).abs().max().item()
print(f"{base.name}: largest logit difference {difference:.1e}")
assert difference < 1e-4

# %% [markdown]
# The SE network holds every one of those parameters and its SE blocks besides, so the same
# weights are a start for SE-ResNeXt-50: load them with `strict=False` and only the SE blocks
# are left at their initial values.

# %%
se_resnext = cnnref.create_model("se_resnext50_32x4d")
missing, unexpected = se_resnext.load_state_dict(theirs.state_dict(), strict=False)
print(f"{len(missing)} tensors not in torchvision's file, e.g. {missing[:2]}")
assert not unexpected and all(".se." in key for key in missing)
assert len(missing) == 4 * len(se_blocks(se_resnext))  # fc1 and fc2, weight and bias each

# %% [markdown]
# ## The experiment: the channel weights, and what they cost
#
# **The weights.** Hooks on the SE blocks catch each block's input U on two pictures and
# compute its weights s = sigmoid(W₂ relu(W₁ z + b₁) + b₂), z being the channel means of U.
# The network is untrained, so its weights sit near 0.5 and hardly differ from picture to
# picture: they say nothing about which channels matter, which training teaches them. What
# they show is the mechanism: one weight per channel and picture, in (0, 1), the same at every
# position, and the block's output is U scaled by it.

# %%
model.eval()
pictures = torch.stack([ShapesDataset(2, image_size=SMALL_SIZE)[i][0] for i in range(2)])
caught = []


def catch(block: SEBlock, inputs: tuple, output: torch.Tensor) -> None:
    u = inputs[0]
    caught.append((u, block.weights(u), output))


hooks = [block.register_forward_hook(catch) for block in se_blocks(model)]
with torch.no_grad():
    model(pictures)
for hook in hooks:
    hook.remove()

print("stage  C     weights: min   mean   max    |picture 1 - picture 2|")
stage_of = [i for i in range(1, 5) for _ in getattr(model, f"layer{i}")]
for i in range(1, 5):
    s = torch.cat(
        [w.flatten(1) for (_, w, _), st in zip(caught, stage_of, strict=True) if st == i], 1
    )
    print(f"layer{i} {s.shape[1] // stage_of.count(i):5d}  {s.min():.3f}  {s.mean():.3f}  "
          f"{s.max():.3f}  {(s[0] - s[1]).abs().mean():.3f}")  # fmt: skip
for u, s, out in caught:
    assert s.shape == (2, u.shape[1], 1, 1)  # one weight per picture and channel
    assert s.min() > 0 and s.max() < 1
    assert torch.allclose(out, u * s)  # channel c of U times s_c, at every position

# %% [markdown]
# **The cost.** The same network without its SE blocks (`se=False`) is the base; both are
# measured at `INPUT_SIZE` on the meta device. An SE block on C channels holds 2·C²/16 weights
# and C/16 + C biases; its two FC layers run once per picture, on a 1×1 map, so torchinfo
# counts one multiply-add per weight and bias for them. torchinfo counts weight layers only,
# so the squeeze (C·H·W additions) and the scaling (C·H·W multiplications) are added here
# from the maps' sizes. The paper: about 2.5 million more parameters than ResNet-50 (§4), and
# 3.87 against 3.86 GFLOPs (Table 2).

# %%
with torch.device("meta"):
    meta_base = SENet(NAME, se=False)
base_stats = torchinfo.summary(
    meta_base, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta", verbose=0
)
maps = []
hooks = [b.register_forward_hook(lambda b, i, o: maps.append(o.numel())) for b in se_blocks(meta)]
meta(torch.empty(1, 3, INPUT_SIZE, INPUT_SIZE, device="meta"))
for hook in hooks:
    hook.remove()

channels = [block.fc2.out_channels for block in se_blocks(meta)]
added_params = params - n_params(meta_base)
assert added_params == sum(2 * c * c // 16 + c // 16 + c for c in channels)
fc_mult_adds = summary.total_mult_adds - base_stats.total_mult_adds
assert fc_mult_adds == added_params  # once per picture, not per position
squeeze_and_scale = 2 * sum(maps)
all_added = fc_mult_adds + squeeze_and_scale
print(f"parameters: base {n_params(meta_base):,}, SE blocks +{added_params:,} "
      f"(+{added_params / n_params(meta_base):.1%})")  # fmt: skip
base_mult_adds = base_stats.total_mult_adds
print(f"multiply-adds at {INPUT_SIZE}×{INPUT_SIZE}: base {base_mult_adds / 1e9:.3f} G, SE FC "
      f"layers +{fc_mult_adds / 1e6:.2f} M, squeeze and scale +{squeeze_and_scale / 1e6:.2f} M "
      f"(+{all_added / base_mult_adds:.2%} in all)")  # fmt: skip
assert 2.4e6 < added_params < 2.6e6  # the paper's "about 2.5 million"
assert all_added / base_mult_adds < 0.005

# %% [markdown]
# A tenth more parameters for a fraction of a per cent more arithmetic: the SE blocks' weights
# sit where C is large, and their multiply-adds run once per picture, not once per position.

# %% [markdown]
# ## Exercises
#
# 1. What share of SE-ResNet-50's SE parameters sit in `layer4` (conv5_x), and why so many?
# 2. With a reduction ratio r = 8 instead of 16, how many parameters do the SE blocks add to
#    ResNet-50?
# 3. How many of SENet-154's parameters sit in its SE blocks, and what share is that?

# %% tags=["answer"] jupyter={"source_hidden": true}
in_layer4 = sum(n_params(block) for block in se_blocks(meta.layer4))
print(f"1. {in_layer4:,} of {added_params:,} ({in_layer4 / added_params:.1%}): C = 2048 there, "
      "and a block's SE weights grow as C²")  # fmt: skip
assert 0.6 < in_layer4 / added_params < 0.65

with torch.device("meta"):
    r8 = SENet(NAME, reduction=8)
added_r8 = n_params(r8) - n_params(meta_base)
print(f"2. {added_r8:,} with r = 8 against {added_params:,} with r = 16 "
      f"({added_r8 / added_params:.2f} times)")  # fmt: skip
assert added_r8 == sum(2 * c * c // 8 + c // 8 + c for c in channels)

with torch.device("meta"):
    senet154 = cnnref.create_model("senet154")
    senet154_base = SENet("senet154", se=False)
in_se, total = sum(n_params(b) for b in se_blocks(senet154)), n_params(senet154)
print(f"3. {in_se:,} of {total:,} ({in_se / total:.1%})")
assert in_se == total - n_params(senet154_base)
