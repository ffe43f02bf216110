"""nnviz: step through one backprop call of a small neural network.

Data flows one way, room by room: ``nnviz.engine`` (``Network``) -> ``nnviz.trace``
(``trace_backprop``) -> ``nnviz.draw`` (graph, layout, figures) -> ``nnviz.lessons`` ->
``nnviz.export`` -> hosts (``nnviz.cli``, ``nnviz.notebook``, the Streamlit layer ``nnviz_app``);
tests/test_layering.py checks it.  Nothing in this package imports streamlit.

Conventions (Nielsen's): w^l has shape (sizes[l], sizes[l-1]) and w^l_jk is the weight from
neuron k of layer l-1 to neuron j of layer l; vectors are columns, shape (n, 1).
"""
from nnviz.engine.config import Config, ConfigError
from nnviz.engine.functions import ACTIVATIONS, COSTS, Activation, Cost, get_activation, get_cost
from nnviz.engine.gradcheck import GradCheck, gradient_check, gradient_check_batch
from nnviz.engine.network import Network
from nnviz.engine.passes import forward_backward
from nnviz.engine.presets import PRESETS, Preset, load_preset
from nnviz.trace.minibatch import trace_mini_batch
from nnviz.trace.record import Step, Trace, trace_backprop


def __getattr__(name: str):
    """``nnviz.show`` and ``nnviz.Player`` (the notebook player), imported on first use."""
    if name in ("show", "Player"):
        from nnviz import notebook
        return getattr(notebook, name)
    raise AttributeError(f"module 'nnviz' has no attribute {name!r}")


__all__ = ["ACTIVATIONS", "COSTS", "PRESETS", "Activation", "Config", "ConfigError", "Cost",
           "GradCheck", "Network", "Player", "Preset", "Step", "Trace", "forward_backward", "get_activation",
           "get_cost", "gradient_check", "gradient_check_batch", "load_preset", "show", "trace_backprop", "trace_mini_batch"]
