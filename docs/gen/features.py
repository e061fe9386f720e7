"""What a CNN learns: LeNet-5's first-layer filters and feature maps after training on digits."""

from __future__ import annotations

import torch

from gen import Out
from gen.common import bare, pyplot, svg
from gen.tasks import recipe_result


def features(layer: str = "c1") -> Out:
    """The trained filters of `layer` and the maps they produce for a few test digits."""
    result = recipe_result("digits")
    model = result.model.cpu().eval()
    conv = getattr(model, layer)
    weight = conv.weight.detach()  # (out, in, k, k)
    out_channels, k = weight.shape[0], weight.shape[-1]
    plt = pyplot()
    out = Out()

    fig, axes = plt.subplots(1, out_channels, figsize=(1.1 * out_channels, 1.3))
    for i, ax in enumerate(axes):
        w = weight[i, 0]
        limit = w.abs().max()
        ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {i}", fontsize=8)
        bare(ax)
    out.figure(
        f"features/{layer}-filters.svg",
        svg(fig),
        f"The {out_channels} learned {k}x{k} filters of LeNet-5's {layer.upper()} layer after "
        "training on digits, drawn red for positive and blue for negative weights: each is a "
        "small oriented stroke or edge detector",
    )

    digits, labels = [], []
    for i in range(len(result.test_data)):
        image, label = result.test_data[i]
        if int(label) not in labels:
            digits.append(image)
            labels.append(int(label))
        if len(digits) == 3:
            break
    with torch.no_grad():
        maps = conv(torch.stack(digits))  # (3, out, h, w)
    fig, axes = plt.subplots(
        len(digits), out_channels + 1, figsize=(1.1 * (out_channels + 1), 1.15 * len(digits))
    )
    for r, image in enumerate(digits):
        axes[r, 0].imshow(image[0], cmap="gray_r")
        axes[r, 0].set_ylabel(f"digit {labels[r]}", fontsize=8)
        for c in range(out_channels):
            axes[r, c + 1].imshow(maps[r, c], cmap="magma")
            if r == 0:
                axes[r, c + 1].set_title(f"map {c}", fontsize=8)
        for ax in axes[r]:
            bare(ax)
    axes[0, 0].set_title("input", fontsize=8)
    size = maps.shape[-1]
    out.figure(
        f"features/{layer}-maps.svg",
        svg(fig),
        f"Three test digits ({', '.join(map(str, labels))}) and the {out_channels} {size}x{size} "
        f"feature maps {layer.upper()} computes from each: every map lights up where its filter's "
        "stroke appears in the digit",
    )
    accuracy = result.metrics.get("accuracy")
    if accuracy is not None:
        out.add(
            f'The network behind these pictures: `cnnref.recipes.run("digits", quick=True)`, '
            f"{result.recipe.config.epochs} epochs at build time, held-out accuracy "
            f"{accuracy:.1%} on {len(result.test_data)} test digits."
        )
    return out
