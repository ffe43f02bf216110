"""Plotly figures for training: the decision boundary over the data, and the loss curve.

* ``decision_boundary_figure(net, data=None, resolution=80, bounds=None)`` — a heatmap of
  the network's output a(x) over the plane, spanning the activation's two class targets
  (sigmoid 0 blue … 1 red, tanh −1 … 1), the contour at their midpoint (0.5, or 0 for
  tanh), and the data points coloured by label (0 or 1).
* ``training_curve_figure(history)`` — mean cost and accuracy per epoch.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnviz.draw.palette import CLASS_COLOURS, HEAT_SCALE, NEG, POS
from nnviz.lessons.datasets import as_arrays
from nnviz.engine.network import Network
from nnviz.lessons.training import DEFAULT_BOUNDS, data_bounds, decision_grid

# colours from nnviz.draw.palette: blue for label 0 (and output 0), red for label 1


def decision_boundary_figure(net: Network, data=None, resolution: int = 80, bounds=None,
                             title: str | None = None) -> go.Figure:
    """The output heatmap, its midpoint contour and (if given) the labelled data points.

    ``bounds`` defaults to the data's extent plus a margin, or ``DEFAULT_BOUNDS``.
    """
    if bounds is None:
        bounds = data_bounds(data) if data else DEFAULT_BOUNDS
    xs, ys, Z = decision_grid(net, bounds, resolution)
    low, high = net.activation.targets
    mid = net.activation.midpoint
    fig = go.Figure()
    fig.add_trace(go.Heatmap(x=xs, y=ys, z=Z, zmin=low, zmax=high, colorscale=[list(c) for c in HEAT_SCALE],
                             colorbar=dict(title="output a"), name="output",
                             hovertemplate="x₁=%{x:.3f}<br>x₂=%{y:.3f}<br>a=%{z:.3f}<extra></extra>"))
    if float(Z.min()) < mid < float(Z.max()):
        fig.add_trace(go.Contour(x=xs, y=ys, z=Z, contours=dict(start=mid, end=mid, size=1,
                                                                coloring="none"),
                                 line=dict(color="black", width=2), showscale=False,
                                 name=f"boundary a = {mid:g}", hoverinfo="skip", showlegend=True))
    if data:
        X, Y = as_arrays(data)
        labels = (Y[0] >= 0.5).astype(int)  # labels 0/1 (or targets −1/1): class 1 at y ≥ 0.5
        predicted = (net.feedforward(X)[0] >= mid).astype(int)
        for c in (0, 1):
            pick = labels == c
            wrong = predicted[pick] != c
            fig.add_trace(go.Scatter(
                x=X[0, pick], y=X[1, pick], mode="markers", name=f"label {c}",
                marker=dict(color=CLASS_COLOURS[c], size=7,
                            line=dict(color=np.where(wrong, "yellow", "white").tolist(),
                                      width=np.where(wrong, 2.5, 0.8).tolist())),
                hovertemplate=f"label {c}<br>x₁=%{{x:.3f}}<br>x₂=%{{y:.3f}}<extra></extra>"))
        acc = float(np.mean(predicted == labels))
        title = title or f"Decision boundary — {acc:.1%} of {labels.size} points right"
    fig.update_layout(title=title or "Decision boundary", xaxis_title="x₁", yaxis_title="x₂",
                      legend=dict(orientation="h", y=-0.15), margin=dict(l=40, r=20, t=50, b=40))
    x0, x1, y0, y1 = float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])
    fig.update_xaxes(range=[x0, x1], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[y0, y1], scaleanchor="x", scaleratio=1, constrain="domain",
                     showgrid=False, zeroline=False)
    return fig


def training_curve_figure(history: list[dict]) -> go.Figure:
    """Mean cost (left axis, log scale) and accuracy (right axis, 0–100 %) per epoch."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    epochs = [h["epoch"] for h in history]
    fig.add_trace(go.Scatter(x=epochs, y=[h["cost"] for h in history], mode="lines",
                             name="cost (mean)", line=dict(color=NEG)), secondary_y=False)
    fig.add_trace(go.Scatter(x=epochs, y=[100 * h["accuracy"] for h in history], mode="lines",
                             name="accuracy %", line=dict(color=POS)), secondary_y=True)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="cost", type="log", secondary_y=False)
    fig.update_yaxes(title_text="accuracy (%)", range=[0, 101], tickmode="array",
                     tickvals=[0, 25, 50, 75, 100], showgrid=False, secondary_y=True)
    fig.update_layout(title="Training", legend=dict(orientation="h", y=-0.2),
                      margin=dict(l=40, r=40, t=50, b=40))
    return fig
