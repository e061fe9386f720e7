"""Helpers shared by the test modules (pytest puts this folder on `sys.path`)."""

from __future__ import annotations

import torch
from torch import nn


def randomize_batch_norm(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every batch norm non-trivial affine weights and running statistics.

    With PyTorch's defaults (weight 1, bias 0, mean 0, variance 1) a BN layer in eval mode is
    nearly the identity, so a test that loads weights into the wrong BN would still pass.

    Returns:
        The model, in eval mode.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.uniform_(-0.2, 0.2, generator=gen)
                m.running_mean.uniform_(-0.5, 0.5, generator=gen)
                m.running_var.uniform_(0.5, 2.0, generator=gen)
                m.num_batches_tracked.fill_(1)
    return model.eval()


def meta_model(name: str, **kwargs: object) -> nn.Module:
    """`cnnref.create_model(name, **kwargs)` on the meta device: shapes and counts, no memory."""
    import cnnref

    with torch.device("meta"):
        return cnnref.create_model(name, **kwargs)


def n_params(module: nn.Module) -> int:
    """All parameters of `module`, trainable or not."""
    return sum(p.numel() for p in module.parameters())
