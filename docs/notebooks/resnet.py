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
# # ResNet in a notebook
#
# ResNet-50 (He et al., CVPR 2016): bottleneck blocks, each computing F(x) + x. Build it, compare
# its size and cost with the paper's Table 1, run it forward and backward, load torchvision's
# weights into its twin, and train plain and residual networks of two depths side by side to
# see the degradation the shortcuts cure. Change `INPUT_SIZE` below and run the notebook again.

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
from torch import nn

from cnnref.data import DigitsDataset
from cnnref.models.resnet import BasicBlock

INPUT_SIZE = 224  # the paper's crop (the summary runs on the meta device: no time, no memory)
SMALL_SIZE = 64  # for the real forward and backward pass on a CPU
NAME = "resnet50"
torch.manual_seed(0)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The network, stage by stage
#
# `layer1` to `layer4` are Table 1's conv2_x to conv5_x.

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME)
summary = torchinfo.summary(
    meta, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta", depth=1, verbose=0
)
print(summary)

# %% [markdown]
# ## Size and cost: the code against the paper
#
# The paper gives no parameter counts, only each network's cost ("FLOPs", multiply-adds) in
# Table 1: 3.8 × 10⁹ for ResNet-50. So the parameters are checked against torchvision's
# identical network (exactly, as the tests do) and the multiply-adds against Table 1 (within
# 2 %, the tests' tolerance: the table rounds to one decimal).

# %%
card = cnnref.get_card(NAME)
params, tv_params = n_params(meta), card.extra["torchvision_params"]
print(f"counted: {params:,}   paper: not given   torchvision: {tv_params:,}")
assert card.paper_params is None
assert params == tv_params
mult_adds, paper = summary.total_mult_adds, card.extra["paper_mult_adds"]
print(f"multiply-adds at 224×224: {mult_adds / 1e9:.2f} G   Table 1: {paper / 1e9:.1f} G")
assert abs(mult_adds / paper - 1) < 0.02

# %% [markdown]
# ## Forward and backward

# %%
model = cnnref.create_model(NAME)
x = torch.randn(2, 3, SMALL_SIZE, SMALL_SIZE)
logits = model(x)
logits.logsumexp(dim=1).sum().backward()
print("logits:", tuple(logits.shape), " |dL/dW| of conv1:", f"{model.conv1.weight.grad.norm():.3g}")
assert logits.shape == (2, 1000) and all(p.grad is not None for p in model.parameters())

# %% [markdown]
# ## torchvision's weights in the twin
#
# torchvision's ResNet-50 is "v1.5": it puts the stride of a down-sampling block on the 3×3
# convolution, the paper on the first 1×1. Its weights fit cnnref's twin `resnet50_tv`. This
# notebook runs offline: `weights=None` gives torchvision's network with random weights.
# Online, change that line to `weights=torchvision.models.ResNet50_Weights.IMAGENET1K_V1`.

# %%
theirs = torchvision.models.resnet50(weights=None).eval()  # online: ResNet50_Weights.IMAGENET1K_V1
twin = cnnref.from_torchvision("resnet50", theirs.state_dict()).eval()
with torch.no_grad():
    image = torch.randn(1, 3, SMALL_SIZE, SMALL_SIZE)
    difference = (twin(image) - theirs(image)).abs().max().item()
print(f"{cnnref.torchvision_variant('resnet50')}: largest logit difference {difference:.1e}")
assert difference < 1e-4

# %% [markdown]
# ## The experiment: plain against residual, shallow against deep
#
# The paper's Fig. 1 and Fig. 4: a deeper *plain* network (batch norm included) reaches a
# higher training error than a shallower one, which is not overfitting but an optimisation
# problem; with shortcuts the deeper network trains better. A CPU-sized version: stacks of
# ResNet-18's `BasicBlock` (8 channels) on 8×8 handwritten digits, with and without the
# shortcut, 2 and 12 blocks deep (5 and 25 weight layers), 50 Adam steps, 3 seeds each. The
# figure is the mean training loss over the last 10 steps (chance: ln 10 ≈ 2.30).


# %%
class PlainBlock(BasicBlock):
    """`BasicBlock` without its shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))


def stack(blocks: int, residual: bool, width: int = 8) -> nn.Sequential:
    block = BasicBlock if residual else PlainBlock
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1, bias=False),
        nn.BatchNorm2d(width),
        nn.ReLU(),
        *[block(width, width) for _ in range(blocks)],
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(width, 10),
    )


digits = DigitsDataset("train", size=8)


def training_loss(net: nn.Module, seed: int, steps: int = 50) -> float:
    batches = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        i = torch.randint(len(digits), (32,), generator=batches)
        loss = F.cross_entropy(net(digits.images[i]), digits.labels[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses[-10:]) / 10


results = {}
for blocks in (2, 12):
    for residual in (False, True):
        runs = []
        for seed in range(3):
            torch.manual_seed(seed)
            runs.append(training_loss(stack(blocks, residual), seed))
        results[blocks, residual] = runs
        label = f"{'residual' if residual else 'plain'}, {2 * blocks + 1} layers"
        print(f"{label:22s} " + "  ".join(f"{v:.3f}" for v in runs))

worst = {key: max(runs) for key, runs in results.items()}
best = {key: min(runs) for key, runs in results.items()}
assert best[12, False] > worst[2, False]  # degradation: the deeper plain net trains worse
assert worst[12, True] < best[12, False]  # the shortcuts cure it, at every seed

# %% [markdown]
# ## Exercises
#
# 1. How many bottleneck blocks does ResNet-50 have, and how do its 50 layers add up?
# 2. What share of ResNet-50's parameters sit in `layer4` (conv5_x)?
# 3. In the experiment above, how many parameters does the 25-layer residual stack have, and
#    how many would the plain one have?

# %% tags=["answer"] jupyter={"source_hidden": true}
blocks = [len(getattr(meta, f"layer{i}")) for i in range(1, 5)]
layers = 1 + 3 * sum(blocks) + 1  # conv1, three convolutions per block, fc
print(f"1. {sum(blocks)} blocks {blocks}: 1 + 3 × {sum(blocks)} + 1 = {layers} layers")
assert blocks == [3, 4, 6, 3] and layers == 50

share = n_params(meta.layer4) / params
print(f"2. layer4 holds {n_params(meta.layer4):,} parameters, {share:.1%} of the total")
assert 0.55 < share < 0.65

with_shortcut, without = n_params(stack(12, True)), n_params(stack(12, False))
print(f"3. {with_shortcut:,} and {without:,}: an identity shortcut has no parameters")
assert with_shortcut == without
