"""Any dtype: the models with local response normalisation run in half precision on the CPU."""

from __future__ import annotations

import pytest
import torch

import cnnref


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
@pytest.mark.parametrize(("name", "size"), [("alexnet", 63), ("googlenet", 31), ("vgg11_lrn", 32)])
def test_lrn_models_run_in_every_dtype(name, size, dtype):
    torch.manual_seed(0)
    model = cnnref.create_model(name, num_classes=5).eval()
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        reference = model(x)
        out = model.to(dtype)(x.to(dtype))
    assert out.dtype == dtype and out.shape == (2, 5)
    torch.testing.assert_close(out.float(), reference, atol=0.1, rtol=0.1)
