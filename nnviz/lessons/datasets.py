"""Small seeded 2-D datasets for training a network and drawing its decision boundary.

``make_dataset(name, n, seed=0, noise=None)`` returns ``n`` pairs ``(x, y)``: ``x`` of shape
(2, 1) with both coordinates clipped to [-1, 1], ``y`` of shape (1, 1) holding 0.0 or 1.0,
in the same order for the same arguments on every machine (``numpy.random.default_rng``;
no global random state is touched).  The two classes are as balanced as ``n`` allows.

* ``xor``     — four blobs at (±0.5, ±0.5); label 1 where the two signs differ.
* ``circles`` — a ring of radius 0.85 (label 0) around a disc edge of radius 0.35 (label 1).
* ``moons``   — two interleaving half-moons (scikit-learn's shape, rescaled into [-1, 1]).
* ``spiral``  — two interleaved spiral arms, 1.5 turns each.

``noise`` is the standard deviation of the Gaussian jitter added to both coordinates,
from 0 to ``MAX_NOISE``; ``None`` uses the dataset's default (``DATASETS[name].noise``).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

MAX_N = 5000
MAX_NOISE = 1.0

Array = np.ndarray


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset's name, a one-line description and its default noise."""

    name: str
    title: str
    description: str
    noise: float
    make: Callable[[np.random.Generator, Array], Array]  # (rng, labels) -> points, shape (2, n)


def _xor(rng: np.random.Generator, labels: Array) -> Array:
    n = labels.size
    # label 1: quadrants (+,-) and (-,+); label 0: (+,+) and (-,-).  Pick one of each pair.
    first = rng.choice([-1.0, 1.0], size=n)
    second = np.where(labels == 1, -first, first)
    return 0.5 * np.vstack([first, second])


def _circles(rng: np.random.Generator, labels: Array) -> Array:
    t = rng.uniform(0.0, 2.0 * math.pi, size=labels.size)
    r = np.where(labels == 1, 0.35, 0.85)
    return np.vstack([r * np.cos(t), r * np.sin(t)])


def _moons(rng: np.random.Generator, labels: Array) -> Array:
    t = rng.uniform(0.0, math.pi, size=labels.size)
    # scikit-learn's moons: upper (cos t, sin t), lower (1 - cos t, 0.5 - sin t);
    # together they span x in [-1, 2], y in [-0.5, 1]: centre, then scale by 1/1.5.
    px = np.where(labels == 1, 1.0 - np.cos(t), np.cos(t))
    py = np.where(labels == 1, 0.5 - np.sin(t), np.sin(t))
    return np.vstack([(px - 0.5) / 1.5, (py - 0.25) / 1.5])


def _spiral(rng: np.random.Generator, labels: Array) -> Array:
    s = rng.uniform(0.0, 1.0, size=labels.size)
    r = 0.1 + 0.85 * s
    angle = 3.0 * math.pi * s + math.pi * labels  # 1.5 turns; the second arm is rotated by pi
    return np.vstack([r * np.cos(angle), r * np.sin(angle)])


DATASETS: dict[str, DatasetSpec] = {d.name: d for d in (
    DatasetSpec("xor", "XOR blobs",
                "Four blobs at (±0.5, ±0.5); label 1 where x1 and x2 have opposite signs. "
                "No straight line separates the classes: the network needs a hidden layer.",
                0.15, _xor),
    DatasetSpec("circles", "Two circles",
                "A small circle (label 1) inside a large ring (label 0); the boundary is a closed curve.",
                0.08, _circles),
    DatasetSpec("moons", "Two moons",
                "Two interleaving half-moons; the boundary must bend around each moon's tip.",
                0.1, _moons),
    DatasetSpec("spiral", "Two spirals",
                "Two interleaved spiral arms; hard for a small network (it needs many epochs).",
                0.04, _spiral),
)}


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) and not (
            isinstance(n, float) and n.is_integer()):
        raise ValueError(f"n (the number of points) must be a whole number from 1 to {MAX_N}; got {n!r}.")
    if not 1 <= n <= MAX_N:
        raise ValueError(f"n (the number of points) must be from 1 to {MAX_N}; got {n!r}.")
    return int(n)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0; got {seed!r}.")
    return int(seed)


def _check_noise(noise, default: float) -> float:
    if noise is None:
        return default
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE:g}; got {noise!r}.")
    noise = float(noise)
    if not (math.isfinite(noise) and 0.0 <= noise <= MAX_NOISE):
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE:g}; got {noise!r}.")
    return noise


def get_dataset(name: str) -> DatasetSpec:
    """The spec called ``name``; ValueError lists the known names otherwise."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}.") from None


def make_arrays(name: str, n: int, seed: int = 0, noise: float | None = None) -> tuple[Array, Array]:
    """The dataset as two arrays: X of shape (2, n) and Y of shape (1, n) (examples as columns)."""
    spec = get_dataset(name)
    n, seed, noise = _check_n(n), _check_seed(seed), _check_noise(noise, spec.noise)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)  # balanced: counts differ by at most one
    points = spec.make(rng, labels)
    if noise > 0:
        points = points + noise * rng.standard_normal(points.shape)
    return np.clip(points, -1.0, 1.0), labels.reshape(1, n).astype(float)


def make_dataset(name: str, n: int, seed: int = 0, noise: float | None = None) -> list[tuple[Array, Array]]:
    """``n`` pairs (x, y): x shape (2, 1) in [-1, 1]², y shape (1, 1) in {0.0, 1.0}.

    Raises ValueError for an unknown ``name`` (listing the known ones), ``n`` outside
    1..``MAX_N``, a negative or non-integer ``seed``, or ``noise`` outside 0..``MAX_NOISE``.
    """
    X, Y = make_arrays(name, n, seed, noise)
    return [(X[:, i:i + 1].copy(), Y[:, i:i + 1].copy()) for i in range(X.shape[1])]


def as_arrays(data) -> tuple[Array, Array]:
    """Stack a list of (x, y) pairs into X (2, m) and Y (1, m); ValueError if empty."""
    pairs = list(data)
    if not pairs:
        raise ValueError("The dataset is empty; it needs at least one (x, y) pair.")
    X = np.hstack([np.asarray(x, dtype=float).reshape(-1, 1) for x, _ in pairs])
    Y = np.hstack([np.asarray(y, dtype=float).reshape(-1, 1) for _, y in pairs])
    return X, Y
