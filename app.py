"""nnviz — the Streamlit layer (placeholder until the explorer lands)."""
import streamlit as st

from nnviz.presets import load_preset
from nnviz.trace import trace_backprop


def main() -> None:
    st.set_page_config(page_title="nnviz — backprop, step by step", layout="wide")
    cfg = load_preset("seed").config
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    st.title("nnviz")
    st.write(f"{len(trace)} steps in one backprop call of the seed's 3-2-1 network.")


main()
