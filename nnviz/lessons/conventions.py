"""The notation nnviz uses (Nielsen's), in one paragraph, worded for the cost of the network shown."""
from __future__ import annotations

from nnviz.engine.functions import get_cost


def conventions(cost="quadratic") -> str:
    """The conventions, with the cost of the network shown (a name or a ``Cost``)."""
    text = get_cost(cost).text.replace("‖a ", "‖a^L ")
    return CONVENTIONS_TEMPLATE.format(cost=f"the {get_cost(cost).name.replace('_', '-')} cost of one "
                                            f"example is {text}")


CONVENTIONS_TEMPLATE = (
    "Conventions used by nnviz (Nielsen's): {cost}, summed over the output neurons, not averaged "
    "(the mean over the examples only enters through the η/m of the update). w^l_jk is the weight from neuron k of layer "
    "l−1 to neuron j of layer l, so w^l has one row per neuron of layer l and one column per "
    "neuron of layer l−1, and z^l = w^l·a^(l−1) + b^l. The input layer (layer 0) has no bias "
    "and no δ: the first bias and the first δ belong to layer 1. δ^l = ∂C/∂z^l, "
    "∂C/∂b^l = δ^l and ∂C/∂w^l = δ^l·(a^(l−1))ᵀ. Neurons are numbered from 1 in the text "
    "(δ^2_1 is the first neuron of layer 2) and from 0 in the code."
)


CONVENTIONS = conventions("quadratic")  # the seed's cost
