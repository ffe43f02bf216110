"""The cost (and accuracy) per epoch or step of training, as a plotly figure: ``loss_figure``."""
from __future__ import annotations

import plotly.graph_objects as go

from nnviz.draw.layout import get_theme
from nnviz.draw.marks import FONT, GOLD, GREY, INK, POS
from nnviz.trace.numfmt import fmt


def loss_figure(history, *, theme: str = "light", height: int | None = None,
                cost_label: str = "cost C") -> go.Figure:
    """Cost per epoch (or step), and accuracy on a right-hand axis when present.

    ``history``: dicts with "epoch" (or "step") and "cost", optionally "accuracy" (0 to 1);
    ``cost_label`` names what "cost" is (e.g. the mean over a data set's examples)."""
    th, rows = get_theme(theme), list(history)
    key = "epoch" if rows and all("epoch" in r for r in rows) else "step"
    xs = [r.get(key, i) for i, r in enumerate(rows)]
    acc = [(x, r["accuracy"]) for x, r in zip(xs, rows) if r.get("accuracy") is not None]
    series = [(cost_label, "y", POS, "solid", [(x, r["cost"]) for x, r in zip(xs, rows)])]
    series += [("accuracy", "y2", GOLD, "dash", acc)] if acc else []
    fig = go.Figure([go.Scatter(
        x=[p[0] for p in pts], y=[p[1] for p in pts], name=name, yaxis=ax, mode="lines+markers",
        line={"color": color, "width": th.ring, "dash": dash}, marker={"size": th.ring + 4},
        hoverinfo="text", hovertext=[f"{key} {x}: {name} = {fmt(v, 9)}" for x, v in pts])
        for name, ax, color, dash, pts in series])
    axis = {"gridcolor": "#e5e5e5", "automargin": True, "rangemode": "tozero"}
    fig.update_layout(
        height=height or (260 if th.font < 16 else 360),
        font={"family": FONT, "size": th.font, "color": INK},
        title={"text": f"cost per {key}", "font": {"size": th.title}}, hovermode="closest",
        margin={"l": 10, "r": 10, "t": 30 + 2 * th.title, "b": 10}, plot_bgcolor="white",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        xaxis={**axis, "title": {"text": key}}, yaxis={**axis, "title": {"text": cost_label}},
        **({"yaxis2": {**axis, "title": {"text": "accuracy"}, "overlaying": "y", "side": "right",
                       "showgrid": False, "tickformat": ".0%", "range": [0, 1.05]}} if acc else {}))
    if not rows:
        fig.add_annotation(text="no training yet", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"size": th.label, "color": GREY})
    return fig
