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
# # Vanishing gradients in a notebook
#
# Back-propagation multiplies one local derivative per layer. A sigmoid's derivative,
# $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$, is at most $1/4$, so through a deep stack of
# sigmoids the gradient that reaches the first layers shrinks geometrically, and those layers
# barely learn. ReLU (derivative 1 where active) and the shortcut of a residual block,
# $x + F(x)$, whose derivative is $1 + F'(x)$, keep it alive. This notebook measures it on
# stacks of 3×3 convolutions without batch norm (the setting
# before ResNet), over three seeds. Change `DEPTH` below and run the notebook again.

# %%
# Runs as is in Colab or a fresh Jupyter: installs cnnref from its repository when missing.
import subprocess
import sys

try:
    import cnnref  # noqa: F401  (the experiment below needs only PyTorch)
except ImportError:
    subprocess.check_call(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/cnnref/cnnref"]
    )

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import display
from torch import nn

DEPTH, WIDTH = 20, 8  # 20 convolutions of 8 channels
SEEDS = (0, 1, 2)
STEPS = 60

# %% [markdown]
# ## The networks
#
# A stem convolution, then `DEPTH` 3×3 convolutions in pairs (a ResNet block's two layers),
# each followed by the activation; the residual version adds the pair's input to its output.


# %%
class Stack(nn.Module):
    def __init__(self, activation: type[nn.Module], residual: bool = False) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, WIDTH, 3, padding=1)
        self.convs = nn.ModuleList(nn.Conv2d(WIDTH, WIDTH, 3, padding=1) for _ in range(DEPTH))
        self.act, self.residual = activation(), residual
        self.fc = nn.Linear(WIDTH, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.stem(x))
        for i in range(0, DEPTH, 2):
            out = self.act(self.convs[i + 1](self.act(self.convs[i](x))))
            x = x + out if self.residual else out  # the shortcut: F(x) + x
        return self.fc(x.mean(dim=(2, 3)))


NETS = {
    "plain, sigmoid": (nn.Sigmoid, False),
    "plain, ReLU": (nn.ReLU, False),
    "residual, sigmoid": (nn.Sigmoid, True),
    "residual, ReLU": (nn.ReLU, True),
}

# A small task: 10 classes, each a fixed random 4×4 pattern seen through noise.
torch.manual_seed(0)
templates = torch.randn(10, 1, 4, 4)
y = torch.arange(64) % 10
x = templates[y] + 0.5 * torch.randn(64, 1, 4, 4)

# %% [markdown]
# ## The gradient at each layer, at initialisation, and the loss after training


# %%
def gradient_norms(model: nn.Module) -> torch.Tensor:
    """The norm of dL/dW for each convolution, input side first."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return torch.tensor([conv.weight.grad.norm().item() for conv in model.convs])


def train(model: nn.Module) -> float:
    """SGD with momentum on the fixed batch; the loss after `STEPS` steps."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(STEPS):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


norms, losses = {}, {}
for name, (activation, residual) in NETS.items():
    runs, final = [], []
    for seed in SEEDS:
        torch.manual_seed(seed)
        model = Stack(activation, residual)
        runs.append(gradient_norms(model))
        final.append(train(model))
    norms[name], losses[name] = torch.stack(runs), torch.tensor(final)

print(f"{'network':18s} {'layer 1':>9s} {f'layer {DEPTH}':>9s} {'ratio':>9s} {'loss':>15s}")
for name in NETS:
    first, last = norms[name][:, 0].mean(), norms[name][:, -1].mean()
    lo, hi = losses[name].min(), losses[name].max()
    print(f"{name:18s} {first:9.1e} {last:9.1e} {last / first:9.1e} {lo:7.3f}-{hi:.3f}")

fig, ax = plt.subplots(figsize=(7, 3.6))
for name in NETS:
    ax.plot(range(1, DEPTH + 1), norms[name].mean(dim=0), marker="o", markersize=3, label=name)
ax.set_yscale("log")
ax.set_xlabel("convolution (1 = next to the input)")
ax.set_ylabel("norm of dL/dW, mean of 3 seeds")
ax.legend(fontsize=8)
alt = (
    "Line chart, log scale, of the gradient norm at each convolution, input side on the "
    "left, for the four networks: the plain stacks' gradients fall by many orders of "
    "magnitude towards the input, the residual stacks' stay within about one"
)
display(fig, metadata={"image/png": {"alt": alt}})  # alt: the page's image text
plt.close(fig)

ratio = {name: (n[:, -1] / n[:, 0]) for name, n in norms.items()}
assert (ratio["plain, sigmoid"] > 100).all()  # vanishes, at every seed
assert (ratio["residual, ReLU"] < 10).all()
assert losses["plain, sigmoid"].min() > losses["residual, ReLU"].max()

# %% [markdown]
# ## Exercises
#
# 1. What is the largest value of the sigmoid's derivative, and where is it reached?
# 2. By how much can ten sigmoids in a row at most scale a gradient (leaving the weights out)?
# 3. A residual block y = x + F(x) with F's last weights set to zero: what is dy/dx?

# %% tags=["answer"] jupyter={"source_hidden": true}
z = torch.linspace(-6, 6, 1201, requires_grad=True)
torch.sigmoid(z).sum().backward()
best = int(z.grad.argmax())
print(f"1. {z.grad[best]:.4f} at z = {z[best]:.2f}")
assert abs(z.grad[best] - 0.25) < 1e-6 and abs(z[best]) < 1e-6

print(f"2. at most 0.25¹⁰ = {0.25**10:.1e}")
assert 0.25**10 < 1e-6

block = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.ReLU(), nn.Conv2d(1, 1, 3, padding=1))
nn.init.zeros_(block[2].weight)
nn.init.zeros_(block[2].bias)
inp = torch.randn(1, 1, 5, 5)
jacobian = torch.autograd.functional.jacobian(lambda t: t + block(t), inp).reshape(25, 25)
print("3. the identity:", torch.equal(jacobian, torch.eye(25)))
assert torch.equal(jacobian, torch.eye(25))
