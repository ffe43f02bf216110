"""Train a small network on a 2-D dataset and read its decision boundary off a grid.

* ``train(net, data, epochs, mini_batch_size, eta, seed=None, rng=None, callback=None,
  stop_at=None)`` — a thin wrapper over ``Network.SGD``; returns the per-epoch history
  ``[{"epoch", "cost", "accuracy"}, ...]`` (cost: mean over ``data``; accuracy: fraction of
  ``data`` on the right side of the activation's midpoint: 0.5 for sigmoid, 0 for tanh).
  Labels 0 and 1 are trained towards the activation's targets (``label_targets``: −1 and
  1 for tanh, whose outputs lie in (−1, 1)).
* ``decision_grid(net, bounds, resolution)`` — the network's output over a grid, from one
  batched ``feedforward`` of every grid point (no Python loop over points).
* ``RECIPES`` — settings that train each dataset to at least 95 % training accuracy,
  measured with the fixed seed (see the table below); ``run_recipe(name)`` runs one.

One seed drives a recipe: ``make_dataset(dataset, n, seed)``, ``Network(sizes, seed=seed)``
and the shuffling generator ``numpy.random.default_rng(seed)`` (three separate generators).

Recipes, as measured (sigmoid everywhere; training accuracy after the last epoch, accuracy
on 1000 fresh points drawn with seed + 1000, and the first epoch at 95 % or more):

=======  ========  =============  ===  =====  ======  ===  ====  ===========  ======  ========
name     sizes     cost           eta  batch  epochs  n    seed  train acc.   fresh   95 % at
=======  ========  =============  ===  =====  ======  ===  ====  ===========  ======  ========
xor      2-3-1     quadratic      3.0  10     100     200  0     98.0 %       98.1 %  epoch 18
circles  2-6-1     quadratic      3.0  10     150     300  0     100 %        99.5 %  epoch 18
moons    2-8-1     quadratic      3.0  10     300     300  0     99.7 %       98.8 %  epoch 125
spiral   2-8-8-1   cross_entropy  1.0  10     600     400  0     99.75 %      98.0 %  epoch 427
=======  ========  =============  ===  =====  ======  ===  ====  ===========  ======  ========

Every recipe fits nnviz's stepping limits (at most 5 layers of 8 neurons), so a trained
network can be handed to ``Config.from_network`` and stepped through.  Training takes
about 0.1 s (xor), 0.2 s (circles), 0.4 s (moons) and 1.3 s (spiral) on one core.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnviz.lessons.datasets import as_arrays, make_dataset
from nnviz.engine.text import excerpt
from nnviz.engine.network import Network

Array = np.ndarray

MAX_EPOCHS = 5000
MAX_RESOLUTION = 400
DEFAULT_BOUNDS = (-1.25, 1.25, -1.25, 1.25)

RECIPES: dict[str, dict] = {
    "xor": dict(dataset="xor", sizes=[2, 3, 1], activation="sigmoid", cost="quadratic",
                eta=3.0, mini_batch_size=10, epochs=100, n=200, seed=0),
    "circles": dict(dataset="circles", sizes=[2, 6, 1], activation="sigmoid", cost="quadratic",
                    eta=3.0, mini_batch_size=10, epochs=150, n=300, seed=0),
    "moons": dict(dataset="moons", sizes=[2, 8, 1], activation="sigmoid", cost="quadratic",
                  eta=3.0, mini_batch_size=10, epochs=300, n=300, seed=0),
    "spiral": dict(dataset="spiral", sizes=[2, 8, 8, 1], activation="sigmoid", cost="cross_entropy",
                   eta=1.0, mini_batch_size=10, epochs=600, n=400, seed=0),
}


# A learner's own CSV data (``nnviz.lessons.csvdata``): a 2-8-1 network like the moons'
# recipe; ``n`` is the number of rows given, the seed drives the weights and the shuffling.
OWN_DATA_RECIPE: dict = dict(dataset="own", sizes=[2, 8, 1], activation="sigmoid", cost="quadratic",
                             eta=3.0, mini_batch_size=10, epochs=300, n=None, seed=0)


def _whole(value, what: str, low: int, high: int) -> int:
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and math.isfinite(value) and float(value).is_integer() and low <= value <= high)
    if not ok:
        raise ValueError(f"{what} must be a whole number from {low} to {high}; got {value!r}.")
    return int(value)


def label_targets(data, activation) -> list:
    """``data`` with each label y (0 or 1) replaced by the activation's target for it
    (``activation.targets``: 0/1 for sigmoid and ReLU, −1/1 for tanh); ValueError names
    the first example whose label is neither 0 nor 1."""
    targets = activation.targets
    out = []
    for i, (x, y) in enumerate(data, start=1):
        y = np.asarray(y, dtype=float)
        if y.size != 1 or float(y.reshape(-1)[0]) not in (0.0, 1.0):
            raise ValueError(f"Example {i}: a label must be 0 or 1; got {excerpt(y.ravel().tolist())}.")
        out.append((x, np.full_like(y, targets[int(y.reshape(-1)[0])])))
    return out


def train(net: Network, data, epochs: int, mini_batch_size: int, eta: float,
          seed: int | None = None, rng: np.random.Generator | None = None,
          callback: Callable[[dict], object] | None = None,
          stop_at: float | None = None) -> list[dict]:
    """Run ``net.SGD(data, ...)`` and return its history (one dict per epoch run).

    Shuffling uses ``rng``, else ``numpy.random.default_rng(seed)``, else the network's
    own generator (give at most one of ``seed`` and ``rng``).  ``callback(entry)`` runs
    after every epoch; returning False stops training.  ``stop_at`` (a fraction, e.g.
    0.95) stops as soon as an epoch's accuracy reaches it.  ``epochs`` is at most
    ``MAX_EPOCHS``.  ``net`` is trained in place.
    """
    epochs = _whole(epochs, "epochs", 1, MAX_EPOCHS)
    mini_batch_size = _whole(mini_batch_size, "mini_batch_size", 1, 10**6)
    if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not math.isfinite(eta) or eta <= 0:
        raise ValueError(f"eta (the learning rate) must be a finite number above 0; got {eta!r}.")
    if seed is not None and rng is not None:
        raise ValueError("Give either seed or rng, not both.")
    if stop_at is not None and not (isinstance(stop_at, numbers.Real) and 0 <= stop_at <= 1):
        raise ValueError(f"stop_at must be an accuracy from 0 to 1; got {stop_at!r}.")
    if seed is not None:
        rng = np.random.default_rng(seed)

    def after_epoch(entry: dict):
        if callback is not None and callback(entry) is False:
            return False
        if stop_at is not None and entry["accuracy"] >= stop_at:
            return False
        return None

    data = label_targets(data, net.activation) if net.sizes[-1] == 1 else list(data)
    return net.SGD(data, epochs, mini_batch_size, float(eta), rng=rng, callback=after_epoch)


@dataclass
class TrainResult:
    """What ``run_recipe`` made: the trained network, its data and its history."""

    name: str
    recipe: dict
    net: Network
    data: list
    history: list

    @property
    def accuracy(self) -> float:
        return self.history[-1]["accuracy"]


def get_recipe(name: str) -> dict:
    """A copy of ``RECIPES[name]``; ValueError lists the known names otherwise."""
    try:
        r = RECIPES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown recipe {name!r}; choose one of: {', '.join(RECIPES)}.") from None
    return {**r, "sizes": list(r["sizes"])}


def run_recipe(name: str, callback: Callable[[dict], object] | None = None, **overrides) -> TrainResult:
    """Build the recipe's dataset and network and train it; ``overrides`` replace recipe keys."""
    recipe = get_recipe(name)
    unknown = set(overrides) - set(recipe)
    if unknown:
        raise ValueError(f"Unknown recipe setting(s) {sorted(unknown)}; allowed: {', '.join(recipe)}.")
    recipe.update(overrides)
    data = make_dataset(recipe["dataset"], recipe["n"], recipe["seed"])
    net = Network(recipe["sizes"], seed=recipe["seed"], activation=recipe["activation"],
                  cost=recipe["cost"])
    history = train(net, data, recipe["epochs"], recipe["mini_batch_size"], recipe["eta"],
                    seed=recipe["seed"], callback=callback)
    return TrainResult(name, recipe, net, data, history)


def _check_bounds(bounds) -> tuple[float, float, float, float]:
    try:
        x0, x1, y0, y1 = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be four numbers (x_min, x_max, y_min, y_max); got {bounds!r}.") from None
    if not all(map(math.isfinite, (x0, x1, y0, y1))) or not (x0 < x1 and y0 < y1):
        raise ValueError("bounds must be finite with x_min < x_max and y_min < y_max; "
                         f"got {bounds!r}.")
    return x0, x1, y0, y1


def data_bounds(data, margin: float = 0.25) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) around the inputs of ``data``, widened by ``margin``."""
    X, _ = as_arrays(data)
    lo, hi = X.min(axis=1) - margin, X.max(axis=1) + margin
    hi = np.maximum(hi, lo + 1e-9)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def decision_grid(net: Network, bounds=DEFAULT_BOUNDS, resolution: int = 80,
                  output: int = 0) -> tuple[Array, Array, Array]:
    """``(xs, ys, Z)``: the network's output neuron ``output`` over a resolution² grid.

    ``xs`` and ``ys`` (each ``resolution`` evenly spaced values) span ``bounds`` =
    (x_min, x_max, y_min, y_max); ``Z[i, j]`` is the output at (xs[j], ys[i]) — rows
    follow y, as plotly's Heatmap expects.  One ``feedforward`` on a (2, resolution²)
    matrix computes every point.  The network needs 2 inputs.
    """
    if net.sizes[0] != 2:
        raise ValueError(f"A decision grid needs a network with 2 inputs; this one has {net.sizes[0]}.")
    output = _whole(output, "output", 0, net.sizes[-1] - 1)
    resolution = _whole(resolution, "resolution", 2, MAX_RESOLUTION)
    x0, x1, y0, y1 = _check_bounds(bounds)
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)  # gx[i, j] = xs[j], gy[i, j] = ys[i]
    out = net.feedforward(np.vstack([gx.ravel(), gy.ravel()]))
    return xs, ys, out[output].reshape(resolution, resolution)
