"""Recipes: every quick recipe learns its task on held-out data; runs are reproducible."""

from __future__ import annotations

import pytest
import torch

from cnnref import recipes
from cnnref.__main__ import main as cnnref_main
from cnnref.tasks import TaskModel, list_tasks


@pytest.fixture(autouse=True)
def one_thread():
    """LeNet-sized networks gain little from a second thread, and on a busy 2-core machine
    OpenMP's waiting threads cost more than they give: train on one, then restore."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("name", sorted(recipes.RECIPES))
def test_quick_recipe_reaches_its_goal(name: str) -> None:
    recipe = recipes.RECIPES[name]
    result = recipes.run(name, quick=True)
    assert result.recipe.metric in result.metrics
    assert result.reached, (name, result.metrics, recipe.quick_goal)
    assert len(result.history) == recipe.quick["epochs"]
    assert not result.model.training
    assert len(result.test_data) > 0 and len(result.train_data) > len(result.test_data)
    if recipe.task != "classification":
        assert isinstance(result.model, TaskModel) and result.model.task == recipe.task


def test_every_registered_task_has_a_recipe() -> None:
    assert sorted({r.task for r in recipes.RECIPES.values()}) == sorted(list_tasks())


def test_the_full_goals() -> None:
    goals = {name: (r.metric, r.goal, r.higher_is_better) for name, r in recipes.RECIPES.items()}
    assert goals == {
        "digits": ("accuracy", 0.97, True),
        "counting": ("mae", 0.5, False),
        "segmentation": ("iou", 0.8, True),
        "localization": ("box_iou", 0.6, True),
        "detection": ("map50", 0.5, True),
    }
    for recipe in recipes.RECIPES.values():
        assert recipe.reached(recipe.goal) and recipe.reached(recipe.quick_goal, quick=True)
        easier = (
            recipe.quick_goal < recipe.goal
            if recipe.higher_is_better
            else recipe.quick_goal > recipe.goal
        )
        assert easier, recipe.name


def test_runs_are_reproducible() -> None:
    a = recipes.run("digits", quick=True, steps=6, seed=1)
    b = recipes.run("digits", quick=True, steps=6, seed=1)
    assert a.metrics == b.metrics
    for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(p, q)
    c = recipes.run("digits", quick=True, steps=6, seed=2)
    pairs = zip(a.model.parameters(), c.model.parameters(), strict=True)
    assert any(not torch.equal(p, q) for p, q in pairs)


def test_another_backbone_can_run_a_recipe() -> None:
    result = recipes.run("localization", quick=True, steps=1, backbone="resnet18")
    assert result.model.name == "resnet18" and result.model.input_padding == 0
    result = recipes.run("localization", quick=True, steps=1, backbone="lenet5")
    assert result.model.name == "lenet5" and result.model.input_padding == 14


def test_command_line_prints_the_held_out_result(capsys: pytest.CaptureFixture) -> None:
    code = recipes.main(["digits", "--quick", "--steps", "3", "--no-progress", "--seed", "1"])
    out = capsys.readouterr().out
    assert "epoch 1/1  step 3" in out and "held-out: accuracy " in out
    assert (code == 0) == ("reached" in out) and (code == 1) == ("MISSED" in out)
    code = cnnref_main(["train", "digits", "--quick", "--steps", "2", "--no-progress"])
    assert code in (0, 1) and "goal accuracy >= 0.85" in capsys.readouterr().out


def test_bad_requests_are_refused(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(ValueError, match=r"unknown recipe 'dogs'.*digits"):
        recipes.run("dogs")
    with pytest.raises(SystemExit):
        recipes.main(["dogs"])
    with pytest.raises(SystemExit):
        recipes.main(["digits", "--resume"])
    assert "--resume needs --checkpoint-dir" in capsys.readouterr().err
