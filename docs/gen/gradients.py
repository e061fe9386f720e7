"""The vanishing-gradient experiment: run the page's snippet, plot and summarise what it measured.

Every sentence this module writes is chosen from the measured results (`verdict`,
`depth_sentences`), so the page's conclusions change with the experiment, and
`tests/test_gradients_experiment.py` asserts them from the same results.
"""

from __future__ import annotations

import statistics

from matplotlib.ticker import MaxNLocator

from gen import Out
from gen.common import pyplot, svg, table
from gen.snippet import snippet

COLOURS = {
    "sigmoid, default init": "#e03131",
    "sigmoid, Glorot init": "#f783ac",
    "ReLU, default init": "#f08c00",
    "ReLU, He init": "#7048e8",
    "ReLU, He init, batch norm": "#1c7ed6",
    "residual, ReLU, He init, batch norm": "#2b8a3e",
    "plain": "#1c7ed6",
    "residual": "#2b8a3e",
}
VANISHED = 1e-3  # a first-layer gradient below this share of the last layer's has vanished


def spread(values: list[float], fmt: str = ".2g") -> str:
    """`median [min – max]` of the values, in `fmt`."""
    lo, mid, hi = min(values), statistics.median(values), max(values)
    return f"{mid:{fmt}} [{lo:{fmt}} – {hi:{fmt}}]"


def verdict(ratios: list[float]) -> str:
    """What the layer-1 / layer-L gradient ratios over all seeds say, in words."""
    if max(ratios) < VANISHED:
        return "vanishes"
    if min(ratios) >= 0.1 and max(ratios) <= 10:
        return "keeps its order of magnitude"
    if min(ratios) > 10:
        return "grows on its way to the input"
    if min(ratios) >= VANISHED:
        return "shrinks but does not vanish"
    return "vanishes for some seeds only"


def ratios(norms: dict, name: str, seeds) -> list[float]:
    """Layer-1 / last-layer gradient ratio of configuration `name`, one per seed."""
    return [norms[name, s][0] / norms[name, s][-1] for s in seeds]


def _band(ax, xs, per_seed: list[list[float]], colour: str, label: str, **kwargs) -> None:
    """The median over seeds as a line, the min–max range as a shaded band."""
    columns = list(zip(*per_seed, strict=True))
    ax.fill_between(
        xs,
        [min(c) for c in columns],
        [max(c) for c in columns],
        color=colour,
        alpha=0.2,
        linewidth=0,
    )
    ax.plot(xs, [statistics.median(c) for c in columns], color=colour, label=label, **kwargs)


def init_sentences(norms: dict, seeds, depth: int) -> list[str]:
    """What part 1 shows, in sentences chosen from the measured ratios."""

    def said(name: str) -> tuple[str, str]:
        r = ratios(norms, name, seeds)
        return verdict(r), spread(r)

    sig, sig_glorot = said("sigmoid, default init"), said("sigmoid, Glorot init")
    relu, he = said("ReLU, default init"), said("ReLU, He init")
    bn, res = said("ReLU, He init, batch norm"), said("residual, ReLU, He init, batch norm")
    out = [
        f"**Sigmoid:** the gradient {sig[0]} with PyTorch's default initialisation (layer 1 "
        f"gets {sig[1]} of layer {depth}'s) and {sig_glorot[0]} with Glorot's ({sig_glorot[1]})."
    ]
    if sig[0] == sig_glorot[0] == "vanishes":
        out[-1] += (
            " Each sigmoid layer multiplies the gradient by its slope, at most 1/4: the "
            "vanishing gradient Hochreiter (1991) analysed, and the saturation Glorot & Bengio "
            "(2010, §3–4) measured in sigmoid networks."
        )
    out.append(
        f"**ReLU with PyTorch's default initialisation:** the gradient {relu[0]} ({relu[1]}). "
        f"**With He initialisation:** it {he[0]} ({he[1]})."
    )
    if relu[0] == "vanishes" and he[0] != "vanishes":
        out[-1] += (
            " So this collapse comes from the initialisation, not from the depth or the "
            "activation: `nn.Linear` and `nn.Conv2d` draw their weights uniformly in "
            "$\\pm 1/\\sqrt{\\text{fan\\_in}}$ (variance $1 / (3\\,\\text{fan\\_in})$, "
            "PyTorch's `reset_parameters`), a sixth of the $2 / \\text{fan\\_in}$ that keeps a "
            "ReLU network's signals at one size in both directions (He et al., ICCV 2015, "
            "§2.2)."
        )
    out.append(
        f"**Batch norm** (Ioffe & Szegedy 2015) on top of He initialisation: the gradient "
        f"{bn[0]} ({bn[1]}); **with shortcuts** it {res[0]} ({res[1]})."
    )
    return out


def depth_sentences(runs: dict, depths, seeds) -> list[str]:
    """The degradation result, in sentences computed from the training runs."""
    lo, hi = depths[0], depths[-1]

    def final(kind: str, depth: int) -> list[float]:
        return [runs[kind, depth, s][2] for s in seeds]

    def errors(kind: str, depth: int) -> list[float]:
        return [runs[kind, depth, s][3] for s in seeds]

    plain_worse = all(runs["plain", hi, s][2] > runs["plain", lo, s][2] for s in seeds)
    residual_better = all(runs["residual", hi, s][2] < runs["plain", hi, s][2] for s in seeds)
    out = []
    if plain_worse:
        out.append(
            f"**The deeper plain network trains worse.** With every seed, the {hi}-layer plain "
            f"network ends with a higher training loss than the {lo}-layer one: median "
            f"{statistics.median(final('plain', hi)):.2f} against "
            f"{statistics.median(final('plain', lo)):.2f}, training error "
            f"{spread(errors('plain', hi), '.1%')} against {spread(errors('plain', lo), '.1%')}. "
            "The deeper network could represent whatever the shallower one does (its extra "
            "layers could be identities), and this is the error on the training data, so it is "
            "a failure of optimisation, not of capacity or overfitting: the *degradation "
            "problem* of He et al. (2016, §1, Fig. 1)."
        )
    else:
        out.append(
            f"In this run the {hi}-layer plain network does not end above the {lo}-layer one "
            "with every seed: no degradation is measured."
        )
    plain_ratios = [runs["plain", hi, s][0][0] / runs["plain", hi, s][0][-1] for s in seeds]
    said = verdict(plain_ratios)
    if said == "vanishes":
        out.append(
            f"**Its gradients vanish**: at initialisation the {hi}-layer plain network's "
            f"first-layer gradient is {spread(plain_ratios)} of its last layer's."
        )
    else:
        out.append(
            f"**Its gradients have not vanished.** At initialisation the {hi}-layer plain "
            f"network's first-layer gradient is {spread(plain_ratios)} times its last layer's: "
            f"it {said}. He et al. (2016, §4.1) found the same for their plain networks with "
            'batch norm ("healthy norms"), and ruled out vanishing gradients as the cause.'
        )
        if said.startswith("grows"):
            out[-1] += (
                " That batch norm makes a plain network's gradients grow towards the input at "
                "initialisation, the more so the deeper it is, is what Yang et al. (ICLR 2019) "
                "derive."
            )
    if residual_better:
        out.append(
            f"**The residual network does not degrade.** With the same layers, initialisation "
            f"and steps, the {hi}-layer residual network ends at a training loss of "
            f"{spread(final('residual', hi))} (error {spread(errors('residual', hi), '.1%')}), "
            f"below the plain one with every seed."
        )
    else:
        out.append(
            f"In this run the {hi}-layer residual network does not end below the plain one "
            "with every seed."
        )
    return out


def gradient_experiment(path: str) -> Out:
    """The setting, the snippet and its per-seed table, figures, and computed conclusions."""
    scope: dict = {}
    code = snippet(path, scope=scope)  # the code and what it printed
    norms, runs, configs = scope["norms"], scope["runs"], scope["CONFIGS"]
    seeds, depth, depths = scope["SEEDS"], scope["DEPTH"], scope["DEPTHS"]
    steps, batch, lr, width = scope["STEPS"], scope["BATCH"], scope["LR"], scope["WIDTH"]
    n = len(scope["x"])

    out = Out().add(
        f"**Setting.** Data: the {n:,} training images of scikit-learn's handwritten digits "
        f"(`cnnref.data.DigitsDataset`, 8×8 pixels, 10 classes). Network: fully connected, an "
        f"input layer of {width} units, $L$ hidden layers of {width} units in pairs (with "
        f"shortcuts: one ResNet block per pair), a 10-way output; sigmoid or ReLU. "
        f"Initialisation: PyTorch's default, Glorot (normal) or He (Kaiming-normal). Part 1 "
        f"measures $\\lVert \\partial L / \\partial W_k \\rVert$ of every hidden layer at "
        f"initialisation ($L = {depth}$, cross-entropy on all {n:,} digits). Part 2 trains "
        f"ReLU networks with He initialisation and batch norm at $L$ = "
        f"{', '.join(map(str, depths))}, plain and residual, for {steps} steps of SGD "
        f"(momentum 0.9, learning rate {lr:g}, batches of {batch} drawn at random), and "
        f"measures the loss and error on the training set. Seeds {', '.join(map(str, seeds))} "
        f"(initial weights and batches); every figure is the median over the seeds with the "
        "range from the lowest to the highest."
    )
    out.parts += code.parts

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    layers = range(1, depth + 1)
    for name in configs:
        _band(
            ax,
            layers,
            [norms[name, s] for s in seeds],
            COLOURS[name],
            name,
            marker="o",
            markersize=2.5,
        )
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("hidden layer (1 = next to the input)")
    ax.set_ylabel("norm of dL/dW (log scale)")
    ax.legend(fontsize=7, loc="lower right")
    desc = "; ".join(
        f"{name}: layer 1 / layer {depth} ratio {spread(ratios(norms, name, seeds))}"
        for name in configs
    )
    out.figure(
        "vanishing-gradients/gradient-norms.svg",
        svg(fig),
        f"Line chart, log scale, of the gradient norm of each of the {depth} hidden layers at "
        f"initialisation, median over {len(seeds)} seeds with the min–max range shaded: {desc}",
    )
    rows = []
    for name in configs:
        r = ratios(norms, name, seeds)
        rows.append([name, spread(r), f"it {verdict(r)}"])
    out.add(
        f"Layer 1's gradient norm divided by layer {depth}'s, over seeds "
        f"{', '.join(map(str, seeds))} (median [min – max]); the words are chosen from the "
        f"numbers (below {VANISHED:g} with every seed: vanishes):",
        table(["configuration", f"layer 1 / layer {depth}", "the gradient"], rows, "lrl"),
    )
    out.add(*init_sentences(norms, seeds, depth))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    for kind in ("plain", "residual"):
        _band(
            ax1,
            depths,
            [[runs[kind, d, s][3] for d in depths] for s in seeds],
            COLOURS[kind],
            kind,
            marker="o",
        )
        _band(
            ax2,
            depths,
            [[runs[kind, d, s][0][0] / runs[kind, d, s][0][-1] for d in depths] for s in seeds],
            COLOURS[kind],
            kind,
            marker="o",
        )
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.set_xticks(depths, [str(d) for d in depths])
        ax.set_xlabel("hidden layers L")
        ax.legend(fontsize=8)
    ax1.set_ylabel(f"training error after {steps} steps")
    ax1.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax2.set_yscale("log")
    ax2.set_ylabel("gradient norm, layer 1 / layer L")
    desc = "; ".join(
        f"L={d}: plain {spread([runs['plain', d, s][3] for s in seeds], '.1%')}, residual "
        f"{spread([runs['residual', d, s][3] for s in seeds], '.1%')}"
        for d in depths
    )
    out.figure(
        "vanishing-gradients/degradation.svg",
        svg(fig),
        f"Two charts against depth, median over {len(seeds)} seeds with the range shaded. Left, "
        f"training error after {steps} steps: {desc}. Right, layer 1 / layer L gradient ratio "
        "at initialisation, log scale, at or above 1 for both kinds at every depth",
    )

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    shades = plt.get_cmap("viridis")
    for ax, kind in zip(axes, ("plain", "residual"), strict=True):
        for i, d in enumerate(depths):
            _band(
                ax,
                range(1, steps + 1),
                [runs[kind, d, s][1] for s in seeds],
                shades(0.85 * i / max(1, len(depths) - 1)),
                f"L = {d}",
                linewidth=1,
            )
        ax.set_title(kind, fontsize=10)
        ax.set_xlabel("SGD step")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("training loss of the batch")
    desc = "; ".join(
        f"{kind} L={d} ends at {spread([runs[kind, d, s][2] for s in seeds])}"
        for kind in ("plain", "residual")
        for d in depths
    )
    out.figure(
        "vanishing-gradients/training-loss.svg",
        svg(fig),
        f"Training loss per step, plain (left) and residual (right) at each depth, median over "
        f"{len(seeds)} seeds with the range shaded; loss on all training digits at the end: "
        f"{desc}",
    )

    def cell(kind: str, d: int, i: int, fmt: str) -> str:
        if i == 0:
            return spread([runs[kind, d, s][0][0] / runs[kind, d, s][0][-1] for s in seeds], fmt)
        return spread([runs[kind, d, s][i] for s in seeds], fmt)

    rows = [
        [
            str(d),
            *[
                cell(k, d, i, f)
                for k in ("plain", "residual")
                for i, f in ((0, ".2g"), (2, ".3f"), (3, ".1%"))
            ],
        ]
        for d in depths
    ]
    out.add(
        f"ReLU, He initialisation, batch norm; median [min – max] over seeds "
        f"{', '.join(map(str, seeds))}; the loss and error after {steps} steps, on all "
        f"{n:,} training digits:",
        table(
            [
                "L",
                "plain: ratio 1/L",
                "plain: loss",
                "plain: error",
                "residual: ratio 1/L",
                "residual: loss",
                "residual: error",
            ],
            rows,
            "r" * 7,
        ),
    )
    out.add(*depth_sentences(runs, depths, seeds))
    return out
