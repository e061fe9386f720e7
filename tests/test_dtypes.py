"""Any dtype: the models with local response normalisation run in half precision on the CPU."""

from __future__ import annotations

import pytest
import torch

import cnnref


@pytest.mark.parametrize(("name", "size"), [("alexnet", 63), ("googlenet", 31), ("vgg11_lrn", 32)])
def test_lrn_models_run_in_every_dtype(name, size):
    # bfloat16 for every model is in tests/test_contract.py; here float16, which PyTorch's own
    # LocalResponseNorm cannot run on the CPU, and float64.
    torch.manual_seed(0)
    model = cnnref.create_model(name, num_classes=5).eval()
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        reference = model(x)
        for dtype in (torch.float16, torch.float64):
            out = model.to(dtype)(x.to(dtype))
            assert out.dtype == dtype and out.shape == (2, 5)
            torch.testing.assert_close(out.float(), reference, atol=0.1, rtol=0.1)


def test_lrn_equals_pytorchs_with_its_gradient():
    from cnnref.models._common import LocalResponseNorm

    torch.manual_seed(0)
    x = torch.randn(2, 7, 4, 3, dtype=torch.float64, requires_grad=True)
    ours = LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
    theirs = torch.nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
    torch.testing.assert_close(ours(x), theirs(x))
    assert torch.autograd.gradcheck(ours, (x,))
    for size in (1, 2, 4):  # even sizes pad unevenly, as PyTorch does
        torch.testing.assert_close(
            LocalResponseNorm(size, 1e-2, 0.75, 1.0)(x), torch.nn.LocalResponseNorm(size, 1e-2)(x)
        )
