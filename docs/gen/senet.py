"""What the SE blocks cost: each SENet against its own base network, measured on the meta device."""

from __future__ import annotations

import torch
import torchinfo

import cnnref
from cnnref.models.senet import CONFIGS, SENet
from gen import Out
from gen.common import family_cards, giga, table, thousands


def _measure(model: torch.nn.Module) -> tuple[int, int]:
    """Parameters and multiply-adds at 224×224."""
    stats = torchinfo.summary(model, input_size=(1, 3, 224, 224), device="meta", verbose=0)
    return sum(p.numel() for p in model.parameters()), int(stats.total_mult_adds)


def se_cost() -> Out:
    """One row per SENet: parameters and multiply-adds with and without its SE blocks."""
    rows = []
    for card in family_cards("senet"):
        with torch.device("meta"):
            se_model = SENet(card.name)
            base = SENet(card.name, se=False)
        (p_se, m_se), (p_base, m_base) = _measure(se_model), _measure(base)
        base_name = card.extra.get("base") or "the same network without SE blocks"
        if base_name in cnnref.list_models():
            base_name = f"`{base_name}`"
        rows.append(
            [
                f"`{card.name}`",
                base_name,
                thousands(p_base),
                f"+{thousands(p_se - p_base)} (+{100 * (p_se / p_base - 1):.1f} %)",
                giga(m_base, 3),
                f"+{(m_se - m_base) / 1e6:.2f} M (+{100 * (m_se / m_base - 1):.2f} %)",
            ]
        )
    names = ", ".join(f"`{n}`" for n in CONFIGS)
    return Out().add(
        table(
            [
                "model",
                "base network",
                "base parameters",
                "SE blocks add",
                "base mult-adds",
                "SE blocks add",
            ],
            rows,
            "llrrrr",
        ),
        f"Measured on the meta device at 224×224 ({names}; the base is the same code with "
        "`se=False`: the same layers without the SE blocks). The SE blocks' two FC layers hold "
        "about 2·C²/16 weights per block, which is a lot in the last stage (C = 2048); their "
        "multiply-adds are the same 2·C²/16 per image, next to nothing beside a convolution "
        "that runs at every position (torchinfo counts the weight layers only, so the "
        "channel-wise scaling, C·H·W multiplications per block, is not in these figures). "
        "The paper: about 2.5 million more parameters than "
        "ResNet-50's 25 million, and 3.87 against 3.86 GFLOPs (Hu et al. 2018, §4 and Table 2).",
    )
