"""The lecture outline's claims about each architecture, set against the registry and the code.

The outline this site grew from (quoted in the first column) is right in places and wrong or
loose in others; the second column gives what the paper reports (from the registry, with its
source) and what the code measures. Each family the outline covers has one function here,
registered with `@outline(family)`; a family it does not cover needs nothing here: its page
says so.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

import cnnref
from cnnref import ilsvrc
from gen import Out
from gen.common import (
    FAMILY,
    family_cards,
    inference_params,
    meta_model,
    no_models,
    paper_count,
    percent,
    table,
    torchvision_params,
)

Claims = list[tuple[str, str]]
ClaimsFunction = Callable[[list[cnnref.ModelCard]], Claims]

# family name -> its claims function, filled by `@outline(...)` below.
CLAIMS: dict[str, ClaimsFunction] = {}


def outline(family: str) -> Callable[[ClaimsFunction], ClaimsFunction]:
    """Register the function that checks the outline's claims about `family`."""

    def decorator(fn: ClaimsFunction) -> ClaimsFunction:
        CLAIMS[family] = fn
        return fn

    return decorator


def _featured(cards: list[cnnref.ModelCard]) -> cnnref.ModelCard:
    """The family's featured model (its page shows it first)."""
    return cnnref.get_card(FAMILY[cards[0].family].featured)


# The sentences below quote the papers; each names its section, table or figure.


def _paper_params(card: cnnref.ModelCard) -> str:
    return f"{paper_count(card.paper_params)} in the paper ({card.paper_params_source})"


def _result(card: cnnref.ModelCard, metric: str, word: str) -> cnnref.Result | None:
    return next((r for r in card.results if r.metric == metric and word in r.setting), None)


@outline("lenet")
def _lenet(cards: list[cnnref.ModelCard]) -> Claims:
    c = _featured(cards)
    layers = [n for n, _ in meta_model(c.name).named_children()]
    mnist = c.results[0]
    size = "×".join(map(str, c.input_size[1:]))
    return [
        (
            "Small 7 layers network developed by Yann Lecun",
            f"Yes: {len(layers)} layers with weights ({', '.join(layers)}); "
            f"{_paper_params(c)}, {inference_params(c.name):,} in this code. The paper's "
            f"authors: {c.paper.authors} ({c.paper.venue}).",
        ),
        (
            "Used for recognizing 32x32 hand-written numbers",
            f"Yes: {size} inputs, larger than the digits themselves, which are at most 20×20 "
            "pixels centred in a 28×28 field (§II-B); "
            f"{percent(mnist.value)} {mnist.metric} on {mnist.benchmark} ({mnist.source}).",
        ),
        (
            "It required a lot of resources for training that were not available in 1998",
            "The paper does not say so. It trained LeNet-5 on the 60,000 MNIST training images "
            "(§III), and its cheque reader, built on convolutional character recognisers, "
            "“is deployed commercially and reads several million checks per day” (abstract).",
        ),
    ]


@outline("alexnet")
def _alexnet(cards: list[cnnref.ModelCard]) -> Claims:
    c = _featured(cards)
    head = c.headline
    single = _result(c, "top-5 error", "single")
    convs = [(n, m) for n, m in meta_model(c.name).named_modules() if isinstance(m, nn.Conv2d)]
    kernels = "; ".join(
        f"{n.split('.')[-1]} {m.kernel_size[0]}×{m.kernel_size[1]}" for n, m in convs
    )
    tv = torchvision_params(c.torchvision) if c.torchvision else None
    model = meta_model(c.name)
    layers = (nn.Conv2d, nn.Linear)
    weights = {n: m.weight.numel() for n, m in model.named_modules() if isinstance(m, layers)}
    conv1 = next(n for n, m in model.named_modules() if isinstance(m, nn.Conv2d))
    fc = sum(v for n, v in weights.items() if isinstance(model.get_submodule(n), nn.Linear))
    total = sum(weights.values())
    return [
        (
            "Winner of ILSVRC 2012 with 15.3% of top 5 error",
            f"{percent(head.value)} is the winning entry: {head.setting} ({head.source})."
            + (f" A single CNN: {percent(single.value)} ({single.setting})." if single else ""),
        ),
        (
            "Deeper architecture with huge convolutions 11x11",
            f"Only the first layer is 11×11; measured on the code: {kernels}.",
        ),
        (
            "Was trained on 2 GPU for 6 days",
            "Yes: “between five and six days to train on two GTX 580 3GB GPUs” (§1); the net "
            "is spread over the two GPUs because one 3 GB GPU could not hold it (§3.2).",
        ),
        (
            "60 million parameters",
            f"About right: {_paper_params(c)}; {inference_params(c.name):,} in this code"
            + (f", {tv:,} in torchvision's single-tower variant." if tv else "."),
        ),
        (
            "Huge convolutions with a lots of weights",
            f"The weights sit in the fully connected layers, not in the convolutions: measured "
            f"on the code, the three FC layers hold {fc:,} of the {total:,} weights "
            f"({100 * fc / total:.1f} %); the 11×11 {conv1} holds {weights[conv1]:,}.",
        ),
    ]


@outline("googlenet")
def _googlenet(cards: list[cnnref.ModelCard]) -> Claims:
    c = _featured(cards)
    head = c.headline
    g = ilsvrc.GOOGLENET_ON_HUMAN_IMAGES
    tv = torchvision_params(c.torchvision) if c.torchvision else None
    modules = [n for n, _ in meta_model(c.name).named_children() if n.startswith("inception")]
    return [
        (
            "Winner of ILSVRC 2014 with 6.67% of top 5 error",
            f"Yes: {percent(head.value)}, {head.setting} ({head.source}).",
        ),
        (
            "Right now it is better than human",
            f"No: a trained human made about {percent(ilsvrc.HUMAN.value)} top-5 error on "
            f"1,500 test images, GoogLeNet {percent(g.value)} on the same images "
            f"({ilsvrc.HUMAN.source}).",
        ),
        (
            "Huge block structure with 22 layers",
            f"Yes: {c.weight_layers} layers counting only those with parameters, 27 with the "
            f"pools (§5); {len(modules)} inception modules (Table 1).",
        ),
        (
            "Small number of parameters (4 million)",
            f"Small, but not 4 million: {_paper_params(c)}; {inference_params(c.name):,} in this "
            "code"
            + (f", {tv:,} in torchvision's batch-norm variant" if tv else "")
            + ", auxiliary classifiers left out.",
        ),
        (
            "Need a lot of time to reach a good quality",
            "Not what the paper reports: it estimates that GoogLeNet “could be trained to "
            "convergence using few high-end GPUs within a week, the main limitation being the "
            "memory usage” (§6), and it was designed for a budget of 1.5 billion multiply-adds "
            "at inference (§1, §5).",
        ),
    ]


@outline("vgg")
def _vgg(cards: list[cnnref.ModelCard]) -> Claims:
    from cnnref.models import vgg

    c = _featured(cards)
    head = c.headline
    one_by_one = sorted({e for cfg in vgg.CONFIGS.values() for e in cfg if e.startswith("conv1-")})
    with_1x1 = [name for name, cfg in vgg.CONFIGS.items() if any(e in one_by_one for e in cfg)]
    paper = [x for x in cards if x.paper_params]
    depths = sorted({x.weight_layers for x in cards if x.weight_layers})
    counts = vgg.parameter_breakdown(meta_model(c.name))
    table3 = {
        x.title: r.value
        for x in cards
        for r in x.results
        if r.metric == "top-5 error" and "Table 3" in r.source
    }
    best = sorted(table3, key=table3.get)[:2]
    linear = sum(n for layer, n in counts.items() if layer.startswith("fc"))
    total = sum(counts.values())
    return [
        (
            "2d place on ILSVRC 2014 with 7.32% of top 5 error",
            f"{percent(head.value)}: {head.setting} ({head.source}).",
        ),
        (
            "Only 3x3 convolutions and poolings!",
            f"Almost: configuration {', '.join(with_1x1)} also has {', '.join(one_by_one)} "
            "convolutions, and every configuration ends in three fully connected layers.",
        ),
        (
            "A lot of different versions from small VGG7 to huge VGG19 "
            "(133 - 144 million parameters)",
            f"The paper's configurations have {depths[0]} to {depths[-1]} weight layers; "
            f"{paper_count(min(x.paper_params for x in paper))} to "
            f"{paper_count(max(x.paper_params for x in paper))} parameters "
            f"({paper[0].paper_params_source}).",
        ),
        (
            "All parameters in fully connected layers in the end of the network",
            f"Most: in VGG-16 the three FC layers hold {linear:,} of {total:,} "
            f"({100 * linear / total:.1f} %).",
        ),
        (
            "Vanishing gradients",
            f"Not what the paper reports. It trained the {depths[0]}-layer net A from random "
            "weights and "
            "started the deeper nets from A's first four convolutional layers and last three "
            "fully connected layers, the layers between random, because “bad initialisation can "
            "stall learning due to the instability of gradient in deep nets”; after submitting, "
            "the authors found that the random initialisation of Glorot & Bengio (2010) trains "
            "them without this pre-training (§3.1). At the single scale the cards quote from "
            "Table 3, the two lowest top-5 errors are "
            f"{' and '.join(f'{t}, {percent(table3[t])},' for t in best)} "
            "See [Vanishing gradients](vanishing-gradients.md).",
        ),
    ]


@outline("resnet")
def _resnet(cards: list[cnnref.ModelCard]) -> Claims:
    head = _featured(cards).headline
    depths = sorted({x.weight_layers for x in cards if x.weight_layers})
    deepest = next(x for x in cards if x.weight_layers == depths[-1])
    return [
        (
            "Winner of ILSVRC 2015 with top 5 error 3.5%",
            f"{percent(head.value)}: {head.setting} ({head.source}).",
        ),
        (
            "No vanishing gradients",
            "Not the paper's argument. Its plain networks, which train worse as they get deeper, "
            "use batch norm, and the authors checked that their backward gradients “exhibit "
            "healthy norms”: the failure is “unlikely to be caused by vanishing gradients” "
            "(§4.1). What the shortcuts address is the *degradation problem*: the 34-layer plain "
            "net has a higher training error than the 18-layer one, and with shortcuts the "
            "34-layer net has the lower error (Fig. 4, Table 2). See [What the shortcuts "
            "change](#what-the-shortcuts-change) and "
            "[Vanishing gradients](vanishing-gradients.md).",
        ),
        (
            "Really huge networks, started from ResNet18 to ResNet152",
            f"Deep, from {', '.join(f'ResNet-{d}' for d in depths)} (the paper's Table 1), but "
            f"not large: ResNet-{depths[-1]} has {inference_params(deepest.name):,} parameters "
            "in this code, "
            "and fewer multiply-adds than VGG-16 or VGG-19 (§4.1, Table 1; measured on "
            "[Comparison](comparison.md)).",
        ),
    ]


@outline("attention")
def _attention(cards: list[cnnref.ModelCard]) -> Claims:
    paper = cards[0].paper
    return [
        (
            "ResNet-Attention",
            f"The paper's name is the Residual Attention Network (*{paper.title}*, "
            f"{paper.venue}); its models are {', '.join(x.title for x in cards)}.",
        )
    ]


@outline("unet")
def _unet(cards: list[cnnref.ModelCard]) -> Claims:
    c = _featured(cards)
    model = meta_model(c.name)
    idea = next((k for k in c.key_ideas if "softmax" in k or "Binary" in k), "")
    return [
        (
            "Binary segmentation",
            f"{idea} This code's default: {getattr(model, 'num_classes', '?')} output maps for "
            f"{c.input_size[0]} input channel(s), {inference_params(c.name):,} parameters.",
        )
    ]


def claims(family: str) -> Out:
    """The outline's claims about `family` and what the registry and the code say."""
    cards = family_cards(family)
    if not cards:
        return Out().add(no_models(family))
    if family not in CLAIMS:
        return Out().add(
            f"The lecture outline this site grew from does not cover {FAMILY[family].title}."
        )
    rows = [[f"“{quote}”", answer] for quote, answer in CLAIMS[family](cards)]
    return Out().add(table(["the lecture outline says", "the paper and this code"], rows))
