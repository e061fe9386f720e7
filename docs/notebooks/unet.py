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
# # U-Net in a notebook
#
# U-Net (Ronneberger, Fischer and Brox, MICCAI 2015) as the paper's Fig. 1 draws it: unpadded
# 3×3 convolutions, so a 572×572 tile gives a 388×388 map. Build it, count its parameters from
# the figure, run it forward and backward, and segment a picture larger than one tile with the
# paper's overlap-tile strategy, which gives the same map as one pass over the whole picture.
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

import math
from itertools import pairwise

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
import torchinfo
from IPython.display import display
from matplotlib.patches import Rectangle

from cnnref.data import ShapesDataset
from cnnref.models.unet import UNet

INPUT_SIZE = 572  # the paper's tile (the summary runs on the meta device: no time, no memory)
NAME = "unet"
torch.manual_seed(0)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The network, block by block
#
# `inc`, `down1`-`down4` are the contracting path, `up1`-`up4` the expanding one.

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME)
print(torchinfo.summary(meta, input_size=(1, 1, INPUT_SIZE, INPUT_SIZE), device="meta", depth=1))

# %% [markdown]
# ## Parameters: the code against the paper's figure
#
# The paper states no parameter count, so the card has none. Fig. 1 gives every layer's
# channels, though, for 1 input channel and 2 classes; the count they imply is computed here
# and must equal the model's exactly.

# %%
card = cnnref.get_card(NAME)
assert card.paper_params is None
widths = [1, 64, 128, 256, 512, 1024]


def conv(c_in: int, c_out: int, k: int) -> int:
    return c_in * c_out * k * k + c_out  # weights and biases


down = sum(conv(a, b, 3) + conv(b, b, 3) for a, b in pairwise(widths))
up = sum(
    conv(b, a, 2) + conv(b, a, 3) + conv(a, a, 3)  # 2×2 up-conv halves the channels
    for a, b in pairwise(widths[1:])
)
from_figure = down + up + conv(64, 2, 1)  # the final 1×1 convolution to 2 classes
params = n_params(meta)
print(f"counted: {params:,}   from Fig. 1: {from_figure:,}   paper: not stated")
assert params == from_figure

# %% [markdown]
# ## Forward and backward, on the smallest tile

# %%
model = cnnref.create_model(NAME)
tile = card.min_input_size
x = torch.randn(1, 1, tile, tile)
scores = model(x)
scores.sum().backward()
print(f"{tile}×{tile} in, {tuple(scores.shape)} out; |dL/dW| of the first conv:",
      f"{model.inc[0].weight.grad.norm():.3g}")  # fmt: skip
assert scores.shape == (1, 2, tile - 184, tile - 184)

# %% [markdown]
# ## torchvision's weights
#
# torchvision has no U-Net, so there is no twin to load weights into.
#
# ## The experiment: overlap-tile segmentation
#
# "To predict the pixels in the border region of the image, the missing context is
# extrapolated by mirroring the input image" (§2, Fig. 2). Each output pixel needs a
# 185×185 window of input around it (92 pixels on each side), so a picture is padded by
# 92 pixels of its own mirror image and cut into overlapping input tiles whose output maps
# fit edge to edge. Here a 36×68 picture is segmented with two tiles of 220×220 (36×36 out)
# and then with one pass over the whole padded picture: the maps are the same.

# %%
model.eval()
margin = (tile - model.output_size(tile)) // 2  # 92
picture = ShapesDataset(1, image_size=68, channels=1, seed=3)[0][0][:, 16:52]  # (1, 36, 68)
padded = picture[None]
while padded.shape[-2] < picture.shape[-2] + 2 * margin:  # mirror, again if the picture is small
    step = min(margin - (padded.shape[-2] - picture.shape[-2]) // 2, min(padded.shape[-2:]) - 1)
    padded = F.pad(padded, [step] * 4, mode="reflect")  # ends at (1, 1, 220, 252)
out_side = 36  # one tile's output; its input is 36 + 2 × 92 = 220
with torch.no_grad():
    whole = model(padded)  # (1, 2, 36, 68)
    left = model(padded[..., : out_side + 2 * margin])  # output columns 0 to 35
    right = model(padded[..., -(out_side + 2 * margin) :])  # output columns 32 to 67
overlap = 2 * out_side - picture.shape[-1]  # 4 columns both tiles predict
stitched = torch.cat([left, right[..., overlap:]], dim=-1)
difference = (stitched - whole).abs().max().item()
print(f"picture {tuple(picture.shape[1:])}, padded {tuple(padded.shape[2:])}, "
      f"tiles {out_side + 2 * margin}×{out_side + 2 * margin}")  # fmt: skip
print(f"two tiles stitched against one pass: largest difference {difference:.1e}")
assert stitched.shape == whole.shape and difference < 1e-4

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.imshow(padded[0, 0], cmap="gray")
for x0, colour in ((0, "#e8590c"), (padded.shape[-1] - (out_side + 2 * margin), "#1971c2")):
    ax.add_patch(Rectangle((x0 - 0.5, -0.5), out_side + 2 * margin, out_side + 2 * margin,
                           fill=False, lw=2, ls="--", color=colour))  # fmt: skip
    ax.add_patch(Rectangle((x0 + margin - 0.5, margin - 0.5), out_side, out_side,
                           fill=False, lw=2, color=colour))  # fmt: skip
ax.add_patch(Rectangle((margin - 0.5, margin - 0.5), 68, 36, fill=False, lw=1, color="#2f9e44"))
ax.set_title("the picture (green), mirrored 92 px; two input tiles (dashed), their outputs")
ax.axis("off")
alt = (
    "The picture of shapes, framed in green, inside a border of its own mirror image; two "
    "dashed input tiles, orange on the left and blue on the right, and inside each the "
    "smaller square its output covers, the two squares overlapping by a few columns"
)
display(fig, metadata={"image/png": {"alt": alt}})  # alt: the page's image text
plt.close(fig)

# %% [markdown]
# ## Exercises
#
# 1. What share of a 572×572 tile's pixels get a prediction?
# 2. Which tile sides between 560 and 600 work, and why do sides step by 16?
# 3. How many 572×572 tiles does a 1000×1000 picture need?

# %% tags=["answer"] jupyter={"source_hidden": true}
out = model.output_size(572)
print(f"1. {out}×{out} of 572×572: {out**2 / 572**2:.1%}")
assert out == 388

sides = UNet.valid_input_sizes(560, 600)
print(f"2. {sides}: four 2×2 max-pools, each needing an even map: 2⁴ = 16")
assert all(b - a == 16 for a, b in pairwise(sides))

per_axis = math.ceil(1000 / out)
print(f"3. {per_axis} × {per_axis} = {per_axis**2} tiles (each gives {out}×{out})")
assert per_axis**2 == 9
