"""``Config``: one network + example + learning rate, validated in one place.

Every way a network enters nnviz (presets, the app's fields and URL, uploaded JSON, the
CLI) goes through ``Config``.  Limits: 2 to ``MAX_LAYERS`` layers of 1 to ``MAX_NEURONS``
neurons, every number finite with magnitude at most ``MAX_ABS``, 0 < eta <= ``MAX_ETA``,
JSON text at most ``MAX_JSON_BYTES``.  ``ConfigError`` carries one readable sentence.
"""
from __future__ import annotations

import json
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nnviz.engine.network import Network
from nnviz.engine.text import excerpt

MAX_LAYERS = 5
MAX_NEURONS = 8
MAX_ABS = 1e6
MAX_ETA = 100.0
MAX_JSON_BYTES = 64 * 1024

Matrix = list[list[float]]


class ConfigError(ValueError):
    """Invalid input, with a message that says what is wrong and what is allowed."""


def _check_matrix(value, shape, what):
    try:
        arr = np.asarray(value, dtype=float) if value is not None else None
    except ValueError:  # ragged rows
        arr = None
    if arr is None or arr.shape != shape:
        got = "rows of different lengths" if arr is None else arr.shape
        raise ValueError(f"{what} must have shape {shape[0]}×{shape[1]}; got {got}")
    if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > MAX_ABS):
        raise ValueError(f"{what} must hold finite numbers between -{MAX_ABS:g} and {MAX_ABS:g}")


class Config(BaseModel):
    """A network (sizes, weights, biases, activation, cost), one example (x, y) and eta.

    ``weights[l-1]`` is w^l, a list of sizes[l] rows of sizes[l-1] numbers (w_jk: from
    neuron k of layer l-1 to neuron j of layer l); ``biases[l-1]`` is b^l, a list of
    sizes[l] one-element rows; ``x`` and ``y`` are columns (lists of one-element rows).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sizes: list[int] = Field(min_length=2, max_length=MAX_LAYERS)
    weights: list[Matrix]
    biases: list[Matrix]
    x: Matrix
    y: Matrix
    eta: float = Field(gt=0, le=MAX_ETA, allow_inf_nan=False)
    activation: Literal["sigmoid", "tanh", "relu"] = "sigmoid"
    cost: Literal["quadratic", "cross_entropy"] = "quadratic"

    @model_validator(mode="after")
    def _shapes(self):
        if any(s < 1 or s > MAX_NEURONS for s in self.sizes):
            raise ValueError(f"each layer size must be from 1 to {MAX_NEURONS}; got {excerpt(self.sizes)}")
        n = len(self.sizes) - 1
        if len(self.weights) != n or len(self.biases) != n:
            raise ValueError(f"sizes {self.sizes} need {n} weight matrices and {n} bias vectors; "
                             f"got {len(self.weights)} and {len(self.biases)}")
        for l in range(1, n + 1):
            _check_matrix(self.weights[l - 1], (self.sizes[l], self.sizes[l - 1]), f"weights w^{l}")
            _check_matrix(self.biases[l - 1], (self.sizes[l], 1), f"biases b^{l}")
        _check_matrix(self.x, (self.sizes[0], 1), "x")
        _check_matrix(self.y, (self.sizes[-1], 1), "y")
        if self.cost == "cross_entropy" and self.activation != "sigmoid":
            raise ValueError("the cross-entropy cost needs the sigmoid activation (outputs between 0 and 1)")
        return self

    # ---- constructors -----------------------------------------------------------
    @classmethod
    def parse(cls, data) -> "Config":
        """Validate a dict; raise ConfigError with one readable sentence."""
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise ConfigError(describe(e)) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> "Config":
        """Validate JSON text (at most 64 KiB); nnviz trace files are accepted too."""
        data = load_json(text)
        if isinstance(data, dict) and data.get("format") == "nnviz-trace":
            data = {k: data.get(k) for k in ("sizes", "weights", "biases", "x", "y", "eta",
                                             "activation", "cost")}
        return cls.parse(data)

    @classmethod
    def from_network(cls, net: Network, x, y, eta: float) -> "Config":
        return cls.parse({
            "sizes": net.sizes, "weights": [np.asarray(w).tolist() for w in net.weights],
            "biases": [np.asarray(b).tolist() for b in net.biases],
            "x": np.asarray(x, dtype=float).tolist(), "y": np.asarray(y, dtype=float).tolist(),
            "eta": eta, "activation": net.activation.name, "cost": net.cost.name,
        })

    # ---- use --------------------------------------------------------------------
    def network(self) -> Network:
        net = Network(self.sizes, seed=0, activation=self.activation, cost=self.cost)
        net.weights = [np.array(w, dtype=float) for w in self.weights]
        net.biases = [np.array(b, dtype=float) for b in self.biases]
        return net

    @property
    def x_array(self) -> np.ndarray:
        return np.array(self.x, dtype=float)

    @property
    def y_array(self) -> np.ndarray:
        return np.array(self.y, dtype=float)

    def replace(self, **changes) -> "Config":
        """A validated copy with some fields changed (ConfigError if the result is invalid)."""
        return Config.parse({**self.model_dump(), **changes})

    def __repr__(self) -> str:
        return f"Config(sizes={self.sizes}, activation={self.activation!r}, cost={self.cost!r}, eta={self.eta})"


def load_json(text: str | bytes):
    """Parse JSON of at most 64 KiB, or raise ConfigError saying why not."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_JSON_BYTES:
        raise ConfigError(f"The file is {size:,} bytes; at most {MAX_JSON_BYTES:,} bytes (64 KiB) are allowed.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError, int too long
        raise ConfigError(f"The file is not valid JSON ({type(e).__name__}: {str(e)[:80]}).") from None


# pydantic messages that do not say what is allowed, in words that do (by error type).
PLAIN_ERRORS = {"int_parsing_size": "should be a whole number; this one has too many digits"}


def describe(e: ValidationError) -> str:
    """One sentence from a pydantic error: where, and what is wrong."""
    parts = []
    for err in e.errors()[:3]:
        where = excerpt(".".join(str(p) for p in err["loc"])) or "config"
        msg = PLAIN_ERRORS.get(err["type"], err["msg"].removeprefix("Value error, "))
        parts.append(f"{where}: {msg}")
    more = f" (and {len(e.errors()) - 3} more problems)" if len(e.errors()) > 3 else ""
    return "Invalid network configuration — " + excerpt("; ".join(parts), 300) + more + "."


def random_config(sizes, seed: int, activation="sigmoid", cost="quadratic", eta=1.0) -> Config:
    """A network of ``sizes`` drawn from ``seed`` (rounded to 2 decimals), with a random example."""
    rng = np.random.default_rng(seed)
    r = lambda *shape: np.round(rng.standard_normal(shape), 2).tolist()  # noqa: E731
    y = np.round(rng.uniform(0, 1, (sizes[-1], 1)), 2).tolist()
    return Config.parse({"sizes": list(sizes), "weights": [r(n, k) for k, n in zip(sizes[:-1], sizes[1:])],
                         "biases": [r(n, 1) for n in sizes[1:]], "x": r(sizes[0], 1), "y": y,
                         "eta": eta, "activation": activation, "cost": cost})


