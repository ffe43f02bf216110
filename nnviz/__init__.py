"""nnviz: step through one backprop call of a small neural network.

Data flows one way: engine (``Network``) -> trace (``trace_backprop``) -> graph -> figures
-> app.  Nothing in this package imports streamlit.
"""
from .functions import ACTIVATIONS, COSTS, Activation, Cost, get_activation, get_cost
from .network import Network, forward_backward
from .trace import Step, Trace, trace_backprop

__all__ = ["ACTIVATIONS", "COSTS", "Activation", "Cost", "Network", "Step", "Trace",
           "forward_backward", "get_activation", "get_cost", "trace_backprop"]
