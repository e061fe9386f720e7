import torch
from torch import nn
from torch.nn import functional as F

from cnnref.data import DigitsDataset

SEEDS = (0, 1, 2)
WIDTH = 32  # units in every hidden layer
DEPTH = 20  # hidden layers in the gradient measurement
DEPTHS = (4, 8, 16, 32)  # hidden layers in the training runs
STEPS, BATCH, LR = 100, 64, 0.05  # SGD with momentum 0.9

digits = DigitsDataset("train", size=8)  # scikit-learn's 1,437 training digits, 8x8 pixels
x, y = digits.images.flatten(1), digits.labels  # (1437, 64) pixels, (1437,) classes


class Net(nn.Module):
    """An input layer, `depth` hidden layers in pairs, a 10-way output layer.

    With `residual=True` each pair is a ResNet block: x -> act(x + F(x)) (He et al. 2016).
    """

    def __init__(self, depth, act="relu", init="default", batch_norm=False, residual=False):
        super().__init__()
        self.act = nn.Sigmoid() if act == "sigmoid" else nn.ReLU()
        self.residual = residual
        self.stem = nn.Linear(64, WIDTH)
        self.layers = nn.ModuleList(nn.Linear(WIDTH, WIDTH) for _ in range(depth))
        norm = nn.BatchNorm1d if batch_norm else lambda _: nn.Identity()
        self.norms = nn.ModuleList(norm(WIDTH) for _ in range(depth))
        self.fc = nn.Linear(WIDTH, 10)
        for layer in (self.stem, *self.layers):
            if init == "he":  # Kaiming-normal: variance 2 / fan_in (He et al. 2015)
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            elif init == "glorot":  # variance 2 / (fan_in + fan_out) (Glorot & Bengio 2010)
                nn.init.xavier_normal_(layer.weight)
            if init != "default":
                nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = self.act(self.stem(x))
        for i in range(0, len(self.layers), 2):
            out = self.act(self.norms[i](self.layers[i](x)))
            out = self.norms[i + 1](self.layers[i + 1](out))
            x = self.act(x + out if self.residual else out)
        return self.fc(x)


def gradient_norms(model):
    """The norm of dL/dW of every hidden layer (input side first), on all training digits."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return [layer.weight.grad.norm().item() for layer in model.layers]


def train(model, seed):
    """STEPS steps of SGD on random batches; the loss at every step, then on all digits."""
    batches = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    losses = []
    for _ in range(STEPS):
        i = torch.randint(len(x), (BATCH,), generator=batches)
        loss = F.cross_entropy(model(x[i]), y[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():  # batch norm in training mode: statistics of all 1,437 digits
        out = model(x)
    error = (out.argmax(1) != y).float().mean().item()
    return losses, F.cross_entropy(out, y).item(), error


# 1. Does the gradient reach the first layer? Norms at initialisation, DEPTH hidden layers.
CONFIGS = {
    "sigmoid, default init": {"act": "sigmoid"},
    "sigmoid, Glorot init": {"act": "sigmoid", "init": "glorot"},
    "ReLU, default init": {},
    "ReLU, He init": {"init": "he"},
    "ReLU, He init, batch norm": {"init": "he", "batch_norm": True},
    "residual, ReLU, He init, batch norm": {"init": "he", "batch_norm": True, "residual": True},
}
norms = {}  # (configuration, seed) -> DEPTH gradient norms
print(f"{'configuration':36s} seed  |dL/dW1|  |dL/dW{DEPTH}|  ratio 1/{DEPTH}")
for name, kwargs in CONFIGS.items():
    for seed in SEEDS:
        torch.manual_seed(seed)
        g = norms[name, seed] = gradient_norms(Net(DEPTH, **kwargs))
        print(f"{name:36s} {seed:4d} {g[0]:9.1e} {g[-1]:10.1e} {g[0] / g[-1]:12.1e}")

# 2. Does a deeper network train as well? ReLU, He init, batch norm; plain vs residual.
runs = {}  # (kind, depth, seed) -> (gradient norms at init, losses per step, loss, error)
print(f"\n{'network':9s} depth seed  ratio 1/L  loss   error  (after {STEPS} steps)")
for depth in DEPTHS:
    for kind in ("plain", "residual"):
        for seed in SEEDS:
            torch.manual_seed(seed)
            model = Net(depth, init="he", batch_norm=True, residual=kind == "residual")
            g = gradient_norms(model)
            runs[kind, depth, seed] = (g, *train(model, seed))
            _, _, loss, error = runs[kind, depth, seed]
            print(f"{kind:9s} {depth:5d} {seed:4d} {g[0] / g[-1]:10.1e} {loss:6.3f} {error:6.1%}")
