"""The vanishing-gradient experiment: run the page's snippet, plot what it measured."""

from __future__ import annotations

from matplotlib.ticker import MaxNLocator

from gen import Out
from gen.common import pyplot, svg
from gen.snippet import snippet

COLOURS = {
    "plain, sigmoid": "#e03131",
    "plain, ReLU": "#f08c00",
    "residual, sigmoid": "#1c7ed6",
    "residual, ReLU": "#2b8a3e",
}


def gradient_experiment(path: str) -> Out:
    """The snippet, its printed table, per-layer gradient norms and training losses as plots."""
    scope: dict = {}
    out = snippet(path, scope=scope)  # the code and what it printed
    results: dict[str, tuple[list[float], list[float]]] = scope["results"]
    depth = scope["DEPTH"]

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, (norms, _) in results.items():
        ax.plot(
            range(1, depth + 1),
            norms,
            marker="o",
            markersize=3,
            label=name,
            color=COLOURS.get(name),
        )
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("convolution (1 = next to the input)")
    ax.set_ylabel("norm of dL/dW (log scale)")
    ax.legend(fontsize=8)
    desc = "; ".join(
        f"{name}: {norms[0]:.1e} at layer 1 and {norms[-1]:.1e} at layer {depth}"
        for name, (norms, _) in results.items()
    )
    out.figure(
        "vanishing-gradients/gradient-norms.svg",
        svg(fig),
        f"Line chart, log scale, of the gradient norm of each of the {depth} convolutions at "
        f"initialisation: {desc}",
    )

    fig, ax = plt.subplots(figsize=(7, 3.4))
    for name, (_, losses) in results.items():
        ax.plot(range(1, len(losses) + 1), losses, label=name, color=COLOURS.get(name))
    ax.set_xlabel("SGD step")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.legend(fontsize=8)
    desc = "; ".join(f"{name} ends at {losses[-1]:.2f}" for name, (_, losses) in results.items())
    out.figure(
        "vanishing-gradients/training-loss.svg",
        svg(fig),
        f"Line chart of the training loss over {len(next(iter(results.values()))[1])} SGD steps, "
        f"starting near ln 10 = 2.30: {desc}",
    )
    return out
