import torch
from torch import nn

torch.manual_seed(0)
DEPTH, WIDTH = 20, 8  # 20 convolutions of 8 channels, no batch norm (the pre-ResNet setting)


class Plain(nn.Module):
    """A stack of 3x3 convolutions, each followed by the activation."""

    def __init__(self, activation: type[nn.Module], residual: bool = False):
        super().__init__()
        self.stem = nn.Conv2d(1, WIDTH, 3, padding=1)
        self.convs = nn.ModuleList(nn.Conv2d(WIDTH, WIDTH, 3, padding=1) for _ in range(DEPTH))
        self.act = activation()
        self.residual = residual
        self.fc = nn.Linear(WIDTH, 10)

    def forward(self, x):
        x = self.act(self.stem(x))
        for i in range(0, DEPTH, 2):  # pairs of convolutions: a ResNet block's two layers
            out = self.act(self.convs[i + 1](self.act(self.convs[i](x))))
            x = x + out if self.residual else out  # the shortcut: F(x) + x
        return self.fc(x.mean(dim=(2, 3)))


def gradient_norms(model: nn.Module, x, y) -> list[float]:
    """The norm of dL/dW for each of the DEPTH convolutions, input side first."""
    model.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    return [conv.weight.grad.norm().item() for conv in model.convs]


def train(model: nn.Module, x, y, steps: int = 150) -> list[float]:
    """Plain SGD on one fixed batch; returns the loss at every step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    losses = []
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# A small task: 10 classes, each a fixed random 4x4 pattern seen through noise.
templates = torch.randn(10, 1, 4, 4)
y = torch.arange(64) % 10
x = templates[y] + 0.5 * torch.randn(64, 1, 4, 4)

nets = {
    "plain, sigmoid": lambda: Plain(nn.Sigmoid),
    "plain, ReLU": lambda: Plain(nn.ReLU),
    "residual, sigmoid": lambda: Plain(nn.Sigmoid, residual=True),
    "residual, ReLU": lambda: Plain(nn.ReLU, residual=True),
}
results = {}
header = ["|dL/dW| layer 1", f"layer {DEPTH}", "ratio", "loss after 150 steps"]
print(f"{'network':17s} {header[0]:>16s} {header[1]:>10s} {header[2]:>9s} {header[3]:>21s}")
for name, make in nets.items():
    torch.manual_seed(1)
    model = make()
    norms = gradient_norms(model, x, y)
    losses = train(model, x, y)
    results[name] = norms, losses
    ratio = norms[0] / norms[-1]
    print(f"{name:17s} {norms[0]:16.2e} {norms[-1]:10.2e} {ratio:9.1e} {losses[-1]:21.3f}")
