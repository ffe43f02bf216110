"""One backprop call recorded step by step: the operations, their formulas, numbers and seed lines.

Built on ``nnviz.engine`` only."""
