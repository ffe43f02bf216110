"""The engine: activations and costs, the forward and backward passes, the network (Nielsen's contract), validation, presets, gradient check.

Imports nothing of nnviz above it (trace, draw, lessons, export)."""
