"""The engine: activations and costs, the network (Nielsen's contract), validation, presets, gradient check.

Imports nothing of nnviz above it (trace, draw, lessons, export)."""
