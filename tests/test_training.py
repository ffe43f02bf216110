"""nnviz.lessons.training: the recipes reach 95 %, the loss falls, the decision grid is one batch."""
import numpy as np
import plotly.graph_objects as go
import pytest

from nnviz.engine.config import MAX_LAYERS, MAX_NEURONS
from nnviz.lessons.datasets import make_dataset
from nnviz.engine.network import Network
from nnviz.lessons.training import (MAX_EPOCHS, RECIPES, decision_grid, get_recipe, run_recipe,
                            train)
from nnviz.lessons.training_figures import decision_boundary_figure, training_curve_figure

RECIPE_KEYS = {"sizes", "eta", "mini_batch_size", "epochs", "n", "seed"}


@pytest.fixture(scope="module")
def trained():
    return {name: run_recipe(name) for name in ("xor", "circles")}


def test_recipes_are_plain_data():
    assert {"xor", "circles"} <= set(RECIPES)
    for name, r in RECIPES.items():
        assert RECIPE_KEYS <= set(r), name
        assert r["activation"] == "sigmoid"
        assert r["epochs"] <= 1000 and r["n"] <= 500  # bounded, fast
        # small enough to step through afterwards (Config's limits)
        assert len(r["sizes"]) <= MAX_LAYERS and max(r["sizes"]) <= MAX_NEURONS


@pytest.mark.parametrize("name", ["xor", "circles"])
def test_recipe_reaches_95_percent(trained, name):
    result = trained[name]
    assert result.accuracy >= 0.95
    assert len(result.history) == RECIPES[name]["epochs"]
    # and it generalises: fresh points from another seed
    fresh = make_dataset(name, 500, seed=12345)
    assert result.net.accuracy(fresh) >= 0.95


@pytest.mark.parametrize("name", ["moons", "spiral"])
def test_the_other_recipes_reach_95_percent_too(name):
    result = run_recipe(name)
    assert result.accuracy >= 0.95
    assert result.net.accuracy(make_dataset(name, 500, seed=12345)) >= 0.9


def test_xor_recipe_is_a_small_sigmoid_net():
    assert RECIPES["xor"]["sizes"] == [2, 3, 1]


@pytest.mark.parametrize("name", ["xor", "circles"])
def test_loss_history_falls(trained, name):
    costs = [h["cost"] for h in trained[name].history]
    assert costs[-1] < costs[0] / 10
    assert np.mean(costs[-10:]) < np.mean(costs[:10])
    assert [h["epoch"] for h in trained[name].history] == list(range(1, len(costs) + 1))


def test_recipes_are_deterministic(trained):
    again = run_recipe("xor")
    assert again.history == trained["xor"].history
    assert all(np.array_equal(a, b) for a, b in zip(again.net.weights, trained["xor"].net.weights, strict=True))


def test_train_matches_sgd_with_the_same_generator():
    data = make_dataset("xor", 40, 1)
    a, b = Network([2, 3, 1], seed=5), Network([2, 3, 1], seed=5)
    ha = train(a, data, 5, 4, 2.0, seed=9)
    hb = b.SGD(data, 5, 4, 2.0, rng=np.random.default_rng(9))
    assert ha == hb


def test_callback_false_and_stop_at_stop_training():
    data = make_dataset("xor", 40, 1)
    seen = []
    h = train(Network([2, 3, 1], seed=0), data, 50, 10, 3.0, seed=0,
              callback=lambda e: seen.append(e["epoch"]) or len(seen) < 3)
    assert len(h) == 3 and seen == [1, 2, 3]
    h = train(Network([2, 3, 1], seed=0), data, 500, 10, 3.0, seed=0, stop_at=0.95)
    assert h[-1]["accuracy"] >= 0.95 and len(h) < 500
    assert all(e["accuracy"] < 0.95 for e in h[:-1])


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=0), "epochs"), (dict(epochs=MAX_EPOCHS + 1), "epochs"), (dict(epochs=10**9), "epochs"),
    (dict(epochs=2.5), "epochs"), (dict(mini_batch_size=0), "mini_batch_size"),
    (dict(eta=0.0), "eta"), (dict(eta=float("nan")), "eta"), (dict(eta=-1.0), "eta"),
    (dict(seed=1, rng=np.random.default_rng(1)), "either seed or rng"),
    (dict(stop_at=1.5), "stop_at"),
])
def test_train_rejects_bad_settings(kwargs, match):
    args = dict(epochs=2, mini_batch_size=2, eta=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        train(Network([2, 2, 1], seed=0), make_dataset("xor", 8), **args)


def test_unknown_recipe_and_setting():
    with pytest.raises(ValueError, match="xor, circles"):
        get_recipe("nope")
    with pytest.raises(ValueError, match="Unknown recipe setting"):
        run_recipe("xor", colour="red")
    assert run_recipe("xor", epochs=2).recipe["epochs"] == 2


def test_decision_grid_shape_and_orientation(trained):
    net = trained["xor"].net
    xs, ys, Z = decision_grid(net, (-1, 1, -0.5, 0.5), resolution=7)
    assert xs.shape == (7,) and ys.shape == (7,) and Z.shape == (7, 7)
    assert xs[0] == -1 and xs[-1] == 1 and ys[0] == -0.5 and ys[-1] == 0.5
    for i, j in [(0, 0), (0, 6), (6, 0), (3, 5)]:
        expect = net.feedforward(np.array([[xs[j]], [ys[i]]]))[0, 0]
        assert Z[i, j] == pytest.approx(expect, abs=1e-12)
    assert np.all((Z > 0) & (Z < 1))


def test_decision_grid_is_one_batched_feedforward(trained, monkeypatch):
    net = trained["circles"].net.copy()
    calls = []
    original = net.feedforward

    def spy(a):
        calls.append(np.shape(a))
        return original(a)

    monkeypatch.setattr(net, "feedforward", spy)
    _, _, Z = decision_grid(net, resolution=50)
    assert calls == [(2, 2500)]
    assert Z.shape == (50, 50)


def test_decision_grid_separates_the_circles(trained):
    _, _, Z = decision_grid(trained["circles"].net, (-1, 1, -1, 1), resolution=21)
    assert Z[10, 10] > 0.5  # the centre is the inner class
    assert Z[0, 0] < 0.5 and Z[-1, -1] < 0.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(bounds=(1, -1, 0, 1)), "x_min < x_max"), (dict(bounds=(0, 1, 0)), "four numbers"),
    (dict(bounds=(0, float("inf"), 0, 1)), "finite"), (dict(resolution=1), "resolution"),
    (dict(resolution=10**6), "resolution"), (dict(output=1), "output"),
])
def test_decision_grid_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        decision_grid(Network([2, 2, 1], seed=0), **kwargs)


def test_decision_grid_needs_two_inputs():
    with pytest.raises(ValueError, match="2 inputs"):
        decision_grid(Network([3, 2, 1], seed=0))


def test_decision_boundary_figure(trained):
    result = trained["circles"]
    fig = decision_boundary_figure(result.net, result.data, resolution=30)
    assert isinstance(fig, go.Figure)
    kinds = [t.type for t in fig.data]
    assert kinds[0] == "heatmap" and "contour" in kinds
    heat = fig.data[0]
    assert np.asarray(heat.z).shape == (30, 30)
    scatters = [t for t in fig.data if t.type == "scatter"]
    assert sum(len(t.x) for t in scatters) == len(result.data)
    assert f"of {len(result.data)} points right" in fig.layout.title.text


def test_decision_boundary_figure_without_data():
    fig = decision_boundary_figure(Network([2, 2, 1], seed=0), resolution=10)
    assert fig.data[0].type == "heatmap"


def test_training_curve_figure(trained):
    history = trained["xor"].history
    fig = training_curve_figure(history)
    assert [t.name for t in fig.data] == ["cost (mean)", "accuracy %"]
    assert list(fig.data[0].y) == [h["cost"] for h in history]
    assert max(fig.data[1].y) <= 100
