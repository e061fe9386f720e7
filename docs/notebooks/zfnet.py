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
# # ZFNet in a notebook
#
# ZFNet (Zeiler and Fergus, ECCV 2014) is AlexNet with its first two layers changed where the
# paper's visualisations showed them going wrong: 7×7 filters at stride 2 in layer 1, stride 2
# in layer 2, and dense layers 3 to 5. Build it, count its parameters from the paper's Fig. 3,
# run it forward and backward, and measure why a first layer with stride 4 shows "aliasing
# artifacts" (§4.1) and one with stride 2 does not.
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

import matplotlib.pyplot as plt
import torch
import torchinfo
from IPython.display import display

INPUT_SIZE = 224  # the paper's crop; the smallest ZFNet accepts is 63 (as for AlexNet)
NAME = "zfnet"
torch.manual_seed(0)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The network, layer by layer
#
# Built on PyTorch's meta device: shapes and parameter counts without memory or time. At
# 224×224 the maps are Fig. 3's: 110, 55, 26, 13 and 6 pixels wide.

# %%
with torch.device("meta"):
    meta = cnnref.create_model(NAME)
summary = torchinfo.summary(meta, input_size=(1, 3, INPUT_SIZE, INPUT_SIZE), device="meta")
print(summary)

# %% [markdown]
# ## Parameters: the code against the paper's figure
#
# The paper states no parameter count, so the card has none. Its Fig. 3 gives every layer,
# though: five convolutions (maps in, maps out, filter size) and three fully connected layers
# for a C-way output (C = 1000 for ImageNet). The count they imply, weights and biases, is
# computed here and must equal the model's exactly.

# %%
card = cnnref.get_card(NAME)
assert card.paper_params is None
FIG3_CONVS = [(3, 96, 7), (96, 256, 5), (256, 384, 3), (384, 384, 3), (384, 256, 3)]
FIG3_FCS = [(6 * 6 * 256, 4096), (4096, 4096), (4096, 1000)]
fig3 = sum(c_out * c_in * k * k + c_out for c_in, c_out, k in FIG3_CONVS)
fig3 += sum(n_in * n_out + n_out for n_in, n_out in FIG3_FCS)
params = n_params(meta)
print(f"counted: {params:,}   paper: not given   Fig. 3's layers: {fig3:,}")
assert params == fig3

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
# ## No torchvision twin
#
# torchvision has no ZFNet, so there are no weights to load and no twin to compare with. Its
# nearest network, `alexnet`, fits cnnref's `alexnet_tv` (see the AlexNet notebook), and its
# first layer has 11×11 filters at stride 4: not ZFNet's.

# %%
print(card.differs_from_torchvision)
assert card.torchvision is None

# %% [markdown]
# ## The experiment: a first layer at stride 4 aliases, at stride 2 it does not
#
# The paper's Fig. 6 shows AlexNet's second-layer features with "aliasing artifacts caused by
# the large stride 4 used in the 1st layer convolutions" (§4.1). A convolution at stride s
# samples its output every s pixels, so it can represent frequencies up to 1/(2s) cycles per
# pixel; a frequency above that which the filter lets through is folded onto a false, lower
# one. AlexNet's first-layer filters held "extremely high" frequencies (§4.1), and so do the
# untrained, random filters here.
#
# The measurement: feed each network's own first layer a grating cos(2π f x) and find the
# frequency at which its 96 output maps vary (the peak of their summed spectra, in cycles per
# input pixel). Theory says the apparent frequency is f below 1/(2s) and the fold of f above.

# %%
with torch.device("meta"):
    alexnet = cnnref.create_model("alexnet")
first_layers = {"AlexNet": alexnet.conv1, "ZFNet": meta.conv1}
for label, conv in first_layers.items():
    side = (INPUT_SIZE + 2 * conv.padding[0] - conv.kernel_size[0]) // conv.stride[0] + 1
    macs = conv.out_channels * conv.in_channels * conv.kernel_size[0] ** 2 * side**2
    print(f"{label}: {conv.kernel_size[0]}×{conv.kernel_size[0]} filters at stride "
          f"{conv.stride[0]}: {side}×{side} maps, {macs / 1e6:.0f} M multiply-adds")  # fmt: skip

WIDTH = 256  # pixels along the grating: the spectra resolve about 1/WIDTH cycles per pixel
columns = torch.arange(WIDTH, dtype=torch.float32)
frequencies = [(2 * k + 1) / 128 for k in range(32)]  # 0.008 to 0.49 cycles per pixel


def apparent_frequency(conv: torch.nn.Conv2d, f: float) -> float:
    grating = torch.cos(2 * torch.pi * f * columns).expand(1, 3, 16, WIDTH)
    with torch.no_grad():
        rows = conv(grating)[0, :, 2]  # (96, W_out): one row of every map
    spectrum = torch.fft.rfft(rows - rows.mean(dim=1, keepdim=True), dim=1).abs().sum(dim=0)
    return spectrum.argmax().item() / rows.shape[1] / conv.stride[0]


def folded(f: float, stride: int) -> float:
    return abs(f * stride - round(f * stride)) / stride  # f folded into [0, 1/(2s)]


real_layers = {"AlexNet": cnnref.create_model("alexnet").conv1, "ZFNet": model.conv1}
measured = {
    label: [apparent_frequency(c, f) for f in frequencies] for label, c in real_layers.items()
}
for label, conv in real_layers.items():
    s = conv.stride[0]
    faithful = sum(
        abs(a - f) < 1 / WIDTH for a, f in zip(measured[label], frequencies, strict=True)
    )
    print(f"{label}: {faithful} of {len(frequencies)} frequencies come through unchanged "
          f"(those below 1/(2·{s}) = {1 / (2 * s):.3f} cycles per pixel)")  # fmt: skip
    for a, f in zip(measured[label], frequencies, strict=True):
        assert abs(a - folded(f, s)) < 1 / WIDTH  # the measurement follows the theory
    assert faithful == sum(f < 1 / (2 * s) for f in frequencies)

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot([0, 0.5], [0, 0.5], color="#868e96", lw=1, ls=":", label="no aliasing")
for (label, values), colour in zip(measured.items(), ("#e8590c", "#1971c2"), strict=True):
    ax.plot(frequencies, values, "o-", ms=3, color=colour, label=f"{label}'s first layer")
ax.set_xlabel("frequency of the grating (cycles per pixel)")
ax.set_ylabel("frequency in the maps")
ax.legend()
alt = (
    "The frequency seen in the first layer's maps against the grating's frequency: ZFNet's "
    "follows the diagonal up to 0.25 cycles per pixel and then folds back down, AlexNet's "
    "follows it only up to 0.125 and zigzags between 0 and 0.125 above it"
)
display(fig, metadata={"image/png": {"alt": alt}})  # alt: the page's image text
plt.close(fig)

# %% [markdown]
# Stride 2 keeps twice the band of stride 4 free of aliasing, and the paper's smaller 7×7
# filters were meant to drop the extreme frequencies besides. The price: four times as many
# positions in layer 1, so more multiply-adds (the first exercise below).

# %% [markdown]
# ## Exercises
#
# 1. How many multiply-adds does ZFNet need at 224×224, and how many times AlexNet's?
# 2. How many input pixels does one unit of layer 2 see in ZFNet and in AlexNet, and how far
#    apart are neighbouring units?
# 3. Layers 3, 4 and 5 are dense in ZFNet where AlexNet splits two of them over two GPUs: how
#    many parameters does that add?

# %% tags=["answer"] jupyter={"source_hidden": true}
stats = torchinfo.summary(meta, input_size=(1, 3, 224, 224), device="meta", verbose=0)
alex_stats = torchinfo.summary(alexnet, input_size=(1, 3, 224, 224), device="meta", verbose=0)
ratio = stats.total_mult_adds / alex_stats.total_mult_adds
print(f"1. {stats.total_mult_adds / 1e9:.2f} G against {alex_stats.total_mult_adds / 1e9:.2f} G:"
      f" {ratio:.2f} times")  # fmt: skip
assert 1.5 < ratio < 1.7


def field_and_spacing(layers: list[torch.nn.Module]) -> tuple[int, int]:
    field, spacing = 1, 1  # in input pixels
    for layer in layers:
        k, s = layer.kernel_size, layer.stride
        k, s = (k[0] if isinstance(k, tuple) else k), (s[0] if isinstance(s, tuple) else s)
        field += (k - 1) * spacing
        spacing *= s
    return field, spacing


zf_field = field_and_spacing([meta.conv1, meta.pool1, meta.conv2])
alex_field = field_and_spacing([alexnet.conv1, alexnet.pool1, alexnet.conv2])
print(f"2. ZFNet: {zf_field[0]}×{zf_field[0]} pixels, {zf_field[1]} apart; "
      f"AlexNet: {alex_field[0]}×{alex_field[0]} pixels, {alex_field[1]} apart")  # fmt: skip
assert zf_field == (27, 8) and alex_field == (51, 8)

dense = sum(n_params(getattr(meta, f"conv{i}")) for i in (3, 4, 5))
towers = sum(n_params(getattr(alexnet, f"conv{i}")) for i in (3, 4, 5))
print(f"3. conv3-conv5: {dense:,} dense against {towers:,} in AlexNet: +{dense - towers:,}")
groups = [getattr(alexnet, f"conv{i}").groups for i in (3, 4, 5)]
assert groups == [1, 2, 2] and dense - towers == (384 * 384 + 384 * 256) * 9 // 2
