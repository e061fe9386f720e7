"""The contract every registered model keeps, tested once for all of them.

Parametrised over `cnnref.list_models()` (and `cnnref.TORCHVISION_NAMES` for the twins), so a
new family's models are checked here without a line of test code: forward and backward, a
torchinfo summary on the meta device, channels_last, bfloat16 on the CPU, a clear error for
every class of bad input, the torchvision round trip where a twin exists, and `torch.compile`
on a small subset. With CUDA, the same forward runs on the GPU under float16 and bfloat16
autocast against float64 on the CPU (`-m cuda`). Inputs are each card's smallest size, so the
whole file stays cheap on two CPU cores; the paper-specific checks live in
`tests/test_<family>.py`.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torchinfo
import torchvision
from helpers import n_params, randomize_batch_norm
from torch import nn

import cnnref

MODELS = cnnref.list_models()
NUM_CLASSES = 5


def model_name(model: nn.Module) -> str:
    """The name a model's messages use (`"ResNet-50"`, `"UNet"`)."""
    return getattr(model, "name", type(model).__name__)


def side(name: str) -> int:
    """The smallest input side the card promises, and at least 8 pixels."""
    return max(cnnref.get_card(name).min_input_size, 8)


def train_side(name: str) -> int:
    """An input side for training mode: the smallest, unless that leaves batch norm 1×1 maps.

    With a batch of 2 on 1×1 maps, training-mode batch norm normalises two values per channel
    and its gradient explodes over ResNet-152's 50 blocks; 64 pixels leave the last maps 2×2.
    """
    m = cnnref.get_card(name).min_input_size
    return m if m >= 32 else 64


def batch(name: str, n: int = 2, seed: int = 0, size: int | None = None) -> torch.Tensor:
    card = cnnref.get_card(name)
    s = size or side(name)
    return torch.randn(n, card.input_size[0], s, s, generator=torch.Generator().manual_seed(seed))


def logits(out: torch.Tensor | tuple) -> torch.Tensor:
    """The main output (GoogLeNet returns its auxiliary logits too in training mode)."""
    return out[0] if isinstance(out, tuple) else out


@pytest.fixture(scope="module", params=MODELS)
def name(request: pytest.FixtureRequest) -> str:
    """Each registered model; module-scoped, so pytest runs one model's tests together."""
    return request.param


@pytest.fixture(scope="module")
def cpu_model(name: str) -> nn.Module:
    """The model with `NUM_CLASSES` outputs, seeded, non-trivial BN statistics, in eval mode.

    Built once per name and dropped before the next (VGG's weights take half a gigabyte);
    tests that change it (dtype, memory format) work on a copy.
    """
    torch.manual_seed(0)
    return randomize_batch_norm(cnnref.create_model(name, num_classes=NUM_CLASSES))


def relative_error(got: torch.Tensor, expected: torch.Tensor) -> float:
    expected = expected.double()
    return ((got.double() - expected).norm() / expected.norm().clamp_min(1e-12)).item()


def rounding_error(model: nn.Module, x: torch.Tensor, dtype: torch.dtype) -> float:
    """How far the float64 output moves when only the weights and input are rounded to `dtype`.

    This is the network's own sensitivity: a deep network at random initialisation can turn
    the rounding of its weights into a large change of its logits (Attention-92's move by
    about 16 % under bfloat16 rounding). Arithmetic in `dtype` should add little to it.
    """
    with torch.no_grad():
        exact = copy.deepcopy(model).double()(x.double())
        rounded = copy.deepcopy(model).to(dtype).double()(x.to(dtype).double())
    return relative_error(rounded, exact)


# ------------------------------------------------------------------------ forward, backward
def test_forward_and_backward(name, cpu_model):
    model = copy.deepcopy(cpu_model).train()
    x = batch(name, size=train_side(name)).requires_grad_()
    outs = model(x)
    outs = outs if isinstance(outs, tuple) else (outs,)  # with GoogLeNet's auxiliary logits
    assert all(o.shape[:2] == (2, NUM_CLASSES) and o.dtype == torch.float32 for o in outs)
    sum(o.square().mean() for o in outs).backward()
    missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing, f"{name}: no gradient reaches {missing[:5]}"
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    assert x.grad is not None and x.grad.abs().sum() > 0


# ------------------------------------------------------------------------ meta device
def test_meta_device_summary(name):
    card = cnnref.get_card(name)
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    assert all(p.is_meta for p in model.parameters())
    stats = torchinfo.summary(model, input_size=(1, *card.input_size), device="meta", verbose=0)
    assert stats.total_params == n_params(model)
    assert stats.total_mult_adds > 0
    out = model(torch.empty(2, *card.input_size, device="meta"))
    assert out.is_meta and out.shape[0] == 2
    assert model.min_input_size == card.min_input_size


# ------------------------------------------------------------------------ memory format, dtype
def test_channels_last_gives_the_same_function(name, cpu_model):
    model = copy.deepcopy(cpu_model)
    x = batch(name)
    with torch.no_grad():
        expected = model(x)
        model = model.to(memory_format=torch.channels_last)
        out = model(x.to(memory_format=torch.channels_last))
    assert relative_error(out, expected) < 1e-4


def test_bfloat16_on_the_cpu(name, cpu_model):
    model = copy.deepcopy(cpu_model)
    x = batch(name)
    with torch.no_grad():
        expected = model(x)
        out = model.to(torch.bfloat16)(x.bfloat16())
    assert out.dtype == torch.bfloat16 and out.shape == expected.shape
    assert torch.isfinite(out).all()
    error = relative_error(out, expected)
    if error > 0.02:  # only then is the network's own sensitivity worth measuring
        assert error < 2 * rounding_error(cpu_model, x, torch.bfloat16) + 0.02


# ------------------------------------------------------------------------ bad input
def _bad_inputs(name: str) -> list[tuple[str, object, type[Exception], list[str]]]:
    """(kind, input, error, words the message must contain besides the model's name)."""
    card = cnnref.get_card(name)
    c, m = card.input_size[0], card.min_input_size
    ok = side(name)
    return [
        ("rank", torch.empty(c, ok, ok), ValueError, ["4-D", "3-D", f"({c}, {ok}, {ok})"]),
        (
            "channels",
            torch.empty(1, c + 1, ok, ok),
            ValueError,
            [f"{c} input channel", f"got {c + 1}"],
        ),
        ("size", torch.empty(1, c, m - 1, m - 1), ValueError, [f"{m}x{m}", f"got {m - 1}x{m - 1}"]),
        ("dtype", torch.empty(1, c, ok, ok, dtype=torch.int64), TypeError, ["floating", "int64"]),
        ("type", [[0.0]], TypeError, ["torch.Tensor", "list"]),
    ]


BAD_KINDS = ["rank", "channels", "size", "dtype", "type"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_is_refused_clearly(name, kind):
    with torch.device("meta"):
        model = cnnref.create_model(name).eval()
    _, x, error, words = next(b for b in _bad_inputs(name) if b[0] == kind)
    if isinstance(x, torch.Tensor):
        x = x.to("meta")
    with pytest.raises(error) as info:
        model(x)
    message = str(info.value)
    assert message.startswith(model_name(model)), message
    for word in words:
        assert word in message, (word, message)


def test_bad_constructor_arguments_are_refused_clearly(name):
    with torch.device("meta"):
        with pytest.raises(
            ValueError, match=r"^\S.*: num_classes must be a positive integer, got 0"
        ):
            cnnref.create_model(name, num_classes=0)
        with pytest.raises(TypeError, match=r"^\S.*: in_channels must be an int, got str"):
            cnnref.create_model(name, in_channels="3")


# ------------------------------------------------------------------------ torchvision twins
def torchvision_model(tv_name: str) -> nn.Module:
    """torchvision's `tv_name` with random weights and BN statistics, in eval mode.

    Built on the meta device and filled with He-uniform weights, which is much faster than
    torchvision's own initialisation (VGG's 120M fully connected weights, GoogLeNet's
    truncated normals). The state dict is the full one: GoogLeNet's includes the auxiliary
    classifiers, torchvision's default.
    """
    with torch.device("meta"):  # no time spent on torchvision's own initialisation
        model = getattr(torchvision.models, tv_name)(weights=None, num_classes=NUM_CLASSES)
    model.to_empty(device="cpu")
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                bound = (6 / m.weight[0].numel()) ** 0.5
                m.weight.uniform_(-bound, bound, generator=gen)
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1, generator=gen)
    return randomize_batch_norm(model)


@pytest.mark.filterwarnings("ignore:The default weight initialization:FutureWarning")
@pytest.mark.parametrize("tv_name", cnnref.TORCHVISION_NAMES)
def test_from_torchvision_gives_torchvision_logits(tv_name):
    twin = cnnref.get_card(cnnref.torchvision_variant(tv_name))
    assert twin.torchvision == tv_name and twin.is_torchvision_twin
    theirs = torchvision_model(tv_name)
    ours = cnnref.from_torchvision(tv_name, theirs.state_dict()).eval()
    assert n_params(ours) == n_params(theirs)
    x = batch(twin.name, seed=1)
    with torch.no_grad():
        expected = theirs(x)
        assert expected.std() > 0  # the weights are not trivial
        assert relative_error(ours(x), expected) < 1e-4


def test_torchvision_twins_have_a_key_map(name):
    card = cnnref.get_card(name)
    if card.is_torchvision_twin:
        assert cnnref.torchvision_variant(card.torchvision) == name
        assert card.torchvision in cnnref.TORCHVISION_NAMES
    elif card.torchvision:  # a paper network beside torchvision's: its twin is registered
        assert cnnref.torchvision_variant(card.torchvision) in cnnref.list_models(card.family)


# ------------------------------------------------------------------------ torch.compile
COMPILE_SUBSET = ["lenet5", "resnet18"]  # a custom layer (C3, RBF) and a standard network


@pytest.mark.parametrize("name", [n for n in COMPILE_SUBSET if n in MODELS])
def test_torch_compile_traces_without_graph_breaks(name):
    if not hasattr(torch, "compile"):
        pytest.skip("torch.compile is not available")
    torch.manual_seed(0)
    model = cnnref.create_model(name, num_classes=NUM_CLASSES).eval()
    x = batch(name)
    try:
        compiled = torch.compile(model, backend="eager", fullgraph=True)
        with torch.no_grad():
            out = compiled(x)
    except (RuntimeError, ImportError) as e:  # no dynamo on this platform or Python
        if "graph break" in str(e).lower() or "Unsupported" in type(e).__name__:
            raise
        pytest.skip(f"torch.compile unavailable: {type(e).__name__}: {e}")
    finally:
        torch._dynamo.reset()
    with torch.no_grad():
        torch.testing.assert_close(out, model(x))


# ------------------------------------------------------------------------ CUDA
AUTOCAST = [torch.float16, torch.bfloat16]


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", AUTOCAST, ids=str)
def test_cuda_autocast_against_float64_on_the_cpu(name, cpu_model, dtype):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    model = cpu_model
    x = batch(name)
    with torch.no_grad():
        expected = copy.deepcopy(model).double()(x.double())
        gpu = copy.deepcopy(model).cuda()
        with torch.autocast("cuda", dtype=dtype):
            out = gpu(x.cuda())
        out_fp32 = gpu(x.cuda())
    assert out.is_cuda and out.shape == expected.shape
    assert relative_error(out_fp32.cpu(), expected) < 1e-2  # cuDNN may use TF32 by default
    # Autocast adds little to what rounding the weights and input to `dtype` does anyway.
    assert relative_error(out.float().cpu(), expected) < 2 * rounding_error(model, x, dtype) + 0.02


@pytest.mark.cuda
def test_cuda_forward_and_backward(name):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    torch.manual_seed(0)
    model = cnnref.create_model(name, num_classes=NUM_CLASSES).cuda().train()
    x = batch(name, size=train_side(name)).cuda()
    with torch.autocast("cuda", dtype=torch.bfloat16):
        outs = model(x)
    outs = outs if isinstance(outs, tuple) else (outs,)
    sum(o.float().square().mean() for o in outs).backward()
    assert all(p.grad is not None and p.grad.is_cuda for p in model.parameters() if p.requires_grad)
