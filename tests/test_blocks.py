"""Block diagrams (`docs/gen/blocks.py`): drawn from the code, so a changed block changes them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import cnnref

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS))

from gen import blocks  # noqa: E402  (docs/ is not a package on the path by default)


@pytest.mark.parametrize("family", [f.name for f in cnnref.list_families()])
def test_every_family_has_legible_diagrams(family: str) -> None:
    out = blocks.block(family)
    figures = re.findall(r"<svg.*?</svg>", out.markdown, re.S)
    assert figures, family
    for svg in figures:
        assert 'role="img"' in svg and "<title>" in svg and "aria-label=" in svg
        assert "viewBox=" in svg and "currentColor" in svg
        assert not re.search(r'(fill|stroke)="#', svg), "fixed colours break the dark palette"
        assert int(re.search(r'font-size="(\d+)"', svg)[1]) >= 11
        assert "\n\n" not in svg  # a blank line would end the raw HTML block in Markdown


def test_the_papers_blocks_are_drawn() -> None:
    """Inception's concatenation, ResNet's shortcuts, U-Net's crops, the attention mask."""
    googlenet = blocks.block("googlenet").markdown
    assert "concatenate" in googlenet and googlenet.count("conv 1×1") >= 4
    resnet = blocks.block("resnet").markdown
    assert "Bottleneck" in resnet and "BasicBlock" in resnet
    assert "downsample" in resnet  # a projection shortcut
    unet = blocks.block("unet").markdown
    assert "crop (copy and crop)" in unet and "stroke-dasharray" in unet  # the U's skips
    attention = blocks.block("attention").markdown
    assert "SoftMaskBranch" in attention and "multiply" in attention
    alexnet = blocks.block("alexnet").markdown
    assert "conv 11×11, 96 /4" in alexnet


def _bottleneck_svg(model: nn.Module) -> str:
    traced = blocks.trace(model, (224, 224))
    return blocks.diagram("resnet50", "layer1.1", traced)[0]


def test_changing_a_block_changes_its_diagram() -> None:
    with torch.device("meta"):
        model = cnnref.create_model("resnet50").eval()
    before = _bottleneck_svg(model)
    assert "conv 3×3, 64" in before
    with torch.device("meta"):
        model.layer1[1].conv2 = nn.Conv2d(64, 64, 5, padding=2, bias=False)
    after = _bottleneck_svg(model)
    assert after != before
    assert "conv 5×5, 64" in after and "conv 3×3, 64" not in after


def test_identity_and_projection_shortcuts_differ() -> None:
    identity = blocks.diagram("resnet18", "layer1.0")[0]
    projection = blocks.diagram("resnet18", "layer2.0")[0]
    assert "downsample" not in identity
    assert "downsample" in projection and "conv 1×1, 128 /2" in projection
