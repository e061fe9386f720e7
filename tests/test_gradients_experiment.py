"""The vanishing-gradients page's conclusions, asserted from its experiment's results.

The fixture runs the page's snippet (`docs/snippets/vanishing_gradients.py`) as the site build
does, same size, same seeds, so a change to the experiment that breaks the page's story (the
sigmoid's vanishing gradient, He initialisation's healthy one, the plain network's degradation
at depth and the residual network's absence of it) fails here, over every seed.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def experiment() -> dict:
    """The snippet's global variables after it ran (about 10 s on one core)."""
    return runpy.run_path(str(DOCS / "snippets" / "vanishing_gradients.py"), run_name="__main__")


@pytest.fixture(scope="module")
def gen_gradients():
    """The page's generator module (`docs/gen/gradients.py`), whose words the page prints."""
    sys.path.insert(0, str(DOCS))
    try:
        from gen import gradients
    finally:
        sys.path.remove(str(DOCS))
    return gradients


def ratios(experiment: dict, name: str) -> list[float]:
    """Layer-1 / layer-L gradient norm ratio of one configuration, one per seed."""
    return [g[0] / g[-1] for (n, _), g in experiment["norms"].items() if n == name]


def test_at_least_three_seeds(experiment):
    assert len(experiment["SEEDS"]) >= 3
    assert len(set(experiment["SEEDS"])) == len(experiment["SEEDS"])


def test_sigmoid_gradients_vanish(experiment, gen_gradients):
    for name in ("sigmoid, default init", "sigmoid, Glorot init"):
        r = ratios(experiment, name)
        assert max(r) < 1e-6, (name, r)
        assert gen_gradients.verdict(r) == "vanishes"


def test_default_init_relu_gradients_vanish(experiment, gen_gradients):
    r = ratios(experiment, "ReLU, default init")
    assert max(r) < 1e-3, r
    assert gen_gradients.verdict(r) == "vanishes"


def test_he_init_relu_gradients_do_not_vanish(experiment, gen_gradients):
    r = ratios(experiment, "ReLU, He init")
    assert min(r) >= 0.1 and max(r) <= 10, r  # the same order of magnitude, every seed
    assert gen_gradients.verdict(r) == "keeps its order of magnitude"


def test_batch_norm_and_residual_gradients_do_not_vanish(experiment, gen_gradients):
    for name in ("ReLU, He init, batch norm", "residual, ReLU, He init, batch norm"):
        r = ratios(experiment, name)
        assert min(r) >= 1, (name, r)  # layer 1 gets at least what the last layer gets
        assert gen_gradients.verdict(r) != "vanishes"


def test_plain_network_degrades_with_depth(experiment):
    """He et al. 2016's degradation: the deeper plain network trains worse, with every seed."""
    runs, depths = experiment["runs"], experiment["DEPTHS"]
    shallow, deep = depths[0], depths[-1]
    for seed in experiment["SEEDS"]:
        loss = {d: runs["plain", d, seed][2] for d in depths}
        error = {d: runs["plain", d, seed][3] for d in depths}
        assert loss[deep] > 3 * loss[shallow], (seed, loss)
        assert error[deep] > error[shallow] + 0.1, (seed, error)
        # ... while its gradients have not vanished (He et al. 2016, §4.1: "healthy norms")
        g = runs["plain", deep, seed][0]
        assert g[0] / g[-1] >= 1, (seed, g[0], g[-1])


def test_residual_network_does_not_degrade(experiment):
    runs, depths = experiment["runs"], experiment["DEPTHS"]
    deep = depths[-1]
    for seed in experiment["SEEDS"]:
        residual, plain = runs["residual", deep, seed], runs["plain", deep, seed]
        assert residual[2] < plain[2] / 3, (seed, residual[2], plain[2])
        assert residual[3] < 0.15, (seed, residual[3])  # it learns the training set


def test_page_sentences_follow_the_results(experiment, gen_gradients):
    """The generated conclusions are the ones the page states (not the fallback wording)."""
    text = " ".join(
        gen_gradients.depth_sentences(experiment["runs"], experiment["DEPTHS"], experiment["SEEDS"])
    )
    assert "The deeper plain network trains worse" in text
    assert "Its gradients have not vanished" in text
    assert "The residual network does not degrade" in text
    init = " ".join(
        gen_gradients.init_sentences(experiment["norms"], experiment["SEEDS"], experiment["DEPTH"])
    )
    assert "comes from the initialisation" in init
    assert "Hochreiter (1991)" in init
