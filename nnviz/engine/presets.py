"""Presets: named networks with an example and a learning rate, as data.

* ``seed``  — the seed notebook's 3-2-1 example (3 inputs, 2 hidden, 1 output), with
  small round numbers a student can check by hand.
* ``mazur`` — Matt Mazur's "A Step by Step Backpropagation Example" (2-2-2): inputs
  0.05, 0.10; targets 0.01, 0.99; w1..w8 = 0.15 ... 0.55; biases 0.35 and 0.60; eta 0.5.
* ``xor``   — XOR on 2-2-1, with the four XOR examples for stepping through an epoch.
* ``deep`` / ``deep_relu`` — the same 4-4-4-4-1 network (same weights, x, y, eta) under the
  sigmoid and under ReLU: stepping backwards, δ shrinks layer by layer under the sigmoid
  (vanishing gradients; see ``nnviz.lessons.vanishing``) and keeps its size under ReLU,
  whose every hidden unit has z > 0 here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from nnviz.engine.config import Config


def _frozen(value):
    """Nested lists as nested tuples."""
    return tuple(map(_frozen, value)) if isinstance(value, (list, tuple)) else value


@dataclass(frozen=True)
class Preset:
    """A named network.  Shared by every session, so nothing in it can be changed: ``config``
    is a fresh deep copy on each access (≈ 14 µs), ``examples`` nested tuples."""

    name: str
    title: str
    description: str
    _config: Config = field(repr=False)
    examples: tuple = field(default=())  # ((x, y), ...) columns as nested tuples, for "next example"

    def __post_init__(self):
        object.__setattr__(self, "examples", _frozen(self.examples))

    @property
    def config(self) -> Config:
        return self._config.model_copy(deep=True)

    def __repr__(self) -> str:
        return f"Preset({self.name!r}: {self._config!r})"


PRESETS: MappingProxyType[str, Preset] = MappingProxyType({p.name: p for p in (
    Preset("seed", "Seed 3-2-1",
           "The seed notebook's network: 3 inputs, 2 hidden neurons, 1 output, sigmoid, quadratic cost.",
           Config.parse({"sizes": [3, 2, 1],
                         "weights": [[[0.2, -0.4, 0.7], [-0.5, 0.1, 0.3]], [[0.6, -0.9]]],
                         "biases": [[[0.1], [-0.2]], [[0.05]]],
                         "x": [[0.5], [-1.0], [0.8]], "y": [[1.0]], "eta": 3.0})),
    Preset("mazur", "Mazur 2-2-2",
           "Matt Mazur's step-by-step backpropagation example (2015): every number is published.",
           Config.parse({"sizes": [2, 2, 2],
                         "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                         "biases": [[[0.35], [0.35]], [[0.60], [0.60]]],
                         "x": [[0.05], [0.10]], "y": [[0.01], [0.99]], "eta": 0.5})),
    Preset("xor", "XOR 2-2-1",
           "XOR on a 2-2-1 sigmoid network; steps through the four XOR examples in turn.",
           Config.parse({"sizes": [2, 2, 1],
                         "weights": [[[0.8, -0.6], [0.4, 0.9]], [[1.2, -0.7]]],
                         "biases": [[[-0.2], [0.1]], [[0.3]]],
                         "x": [[1.0], [0.0]], "y": [[1.0]], "eta": 2.0}),
           examples=(([[0.0], [0.0]], [[0.0]]), ([[0.0], [1.0]], [[1.0]]),
                     ([[1.0], [0.0]], [[1.0]]), ([[1.0], [1.0]], [[0.0]]))),
)})

# Mazur's published figures (forward pass, error, and weights after one update).
DEEP = {"sizes": [4, 4, 4, 4, 1],
        "weights": [[[0.1, 0.9, -0.8, 0.8], [-0.1, 0.7, 0.7, -0.4], [0.6, -0.6, -0.3, 0.2], [0.7, 0.6, -0.7, -0.8]],
                    [[-0.5, 0.6, -1.0, 0.6], [0.4, 0.1, 0.6, -0.2], [0.0, 0.9, 1.0, -0.3], [-0.3, 0.6, 0.2, -1.0]],
                    [[0.3, -0.2, 0.3, -0.2], [0.2, 0.9, 0.3, 0.8], [-0.5, -0.3, 0.9, -0.1], [-0.6, 0.8, 0.3, 0.8]],
                    [[-0.3, 0.9, 0.4, -0.5]]],
        "biases": [[[0.1], [0.4], [0.5], [0.4]], [[0.3], [0.2], [0.3], [0.5]], [[0.3], [0.3], [0.1], [0.3]], [[0.4]]],
        "x": [[0.5], [0.8], [0.3], [0.6]], "y": [[1.0]], "eta": 0.5}
PRESETS = MappingProxyType({**PRESETS, **{p.name: p for p in (
    Preset("deep", "Deep 4-4-4-4-1 (sigmoid)",
           "Four layers of sigmoids: stepping backwards, δ shrinks layer by layer (vanishing gradients).",
           Config.parse({**DEEP, "activation": "sigmoid"})),
    Preset("deep_relu", "Deep 4-4-4-4-1 (ReLU)",
           "The same deep network under ReLU: δ keeps its size on the way back (ReLU′ = 1 where z > 0).",
           Config.parse({**DEEP, "activation": "relu"})),
)}})
CONTRAST = MappingProxyType({"deep": "deep_relu", "deep_relu": "deep"})  # the one-click switch

MAZUR_PUBLISHED = MappingProxyType({
    "out_o1": 0.75136507, "out_o2": 0.772928465, "E_total": 0.298371109,
    "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121,
    "w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
})


def load_preset(name: str) -> Preset:
    """The preset called ``name``; ValueError lists the known names otherwise."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown preset {name!r}; choose one of: {', '.join(PRESETS)}.") from None
