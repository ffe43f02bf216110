"""The training view's data: a built-in dataset (with its recipe) or the learner's own CSV.

Own data is uploaded or pasted, parsed by ``nnviz.lessons.csvdata`` (one message per bad
row; the last good data set stays), and kept in ``ss_tr_own`` = {"rows", "source"}; a run
made from it carries its rows (``run["rows"]``), so ``run_data(run)`` gives every view the
same examples.  Session keys: ``ss_tr_dataset``, ``ss_tr_<setting>``, ``ss_tr_inputs``,
``ss_tr_own``, ``ss_tr_csv_text``, ``ss_tr_csv_file``, ``ss_tr_csv_msgs``.
"""
from __future__ import annotations

import streamlit as st

from nnviz.lessons.csvdata import HEADER, MAX_BYTES, MAX_ROWS, as_pairs, parse_csv
from nnviz.lessons.datasets import DATASETS, make_dataset
from nnviz.lessons.training import OWN_DATA_RECIPE, RECIPES

from .panels import md_escape

OWN = "own"
SETTINGS = ("epochs", "eta", "batch", "n", "seed")
SAMPLE = "x1,x2,label\n-0.5,-0.5,0\n0.5,0.5,0\n-0.5,0.5,1\n0.5,-0.5,1\n"


def recipe_for(dataset: str) -> dict:
    return OWN_DATA_RECIPE if dataset == OWN else RECIPES[dataset]


def title(dataset: str) -> str:
    return "Your own data (CSV)" if dataset == OWN else DATASETS[dataset].title


def own_rows(ss) -> list:
    return list((ss.get("ss_tr_own") or {}).get("rows", ()))


def recipe_settings(ss, dataset: str) -> dict:
    r = recipe_for(dataset)
    n = len(own_rows(ss)) if dataset == OWN else r["n"]
    return {"epochs": r["epochs"], "eta": float(r["eta"]), "batch": r["mini_batch_size"], "n": n, "seed": r["seed"]}


def load_recipe(ss) -> None:
    """Put the chosen dataset's recipe defaults into the inputs (a callback)."""
    for k, v in recipe_settings(ss, ss["ss_tr_dataset"]).items():
        ss[f"ss_tr_{k}"] = v


def init_widgets(ss) -> None:
    """Lazily give the training inputs their values: as last seen (``ss_tr_inputs``, which
    outlives the widgets when another mode is shown), else the recipe's."""
    seen = ss.get("ss_tr_inputs", {})
    if ss.get("ss_tr_dataset") not in (*RECIPES, OWN):
        ss["ss_tr_dataset"] = seen.get("dataset", "xor")
    if ss["ss_tr_dataset"] == OWN and not own_rows(ss):
        ss["ss_tr_dataset"] = "xor"
    defaults = {**recipe_settings(ss, ss["ss_tr_dataset"]), **seen.get("settings", {})}
    for k in SETTINGS:
        if f"ss_tr_{k}" not in ss:
            ss[f"ss_tr_{k}"] = defaults[k]
    if ss["ss_tr_dataset"] == OWN:
        ss["ss_tr_n"] = len(own_rows(ss))  # the rows given, not a choice


def run_data(run: dict) -> list:
    """The run's examples as (x, y) pairs: its own rows, or the seeded built-in dataset."""
    if run.get("rows") is not None:
        return as_pairs(run["rows"])
    return make_dataset(run["dataset"], run["n"], run["seed"])


def _use(ss, text: str | bytes, source: str) -> None:
    parsed = parse_csv(text)
    if parsed.ok:
        ss["ss_tr_own"] = {"rows": [list(r) for r in parsed.rows], "source": source}
        ss["ss_tr_dataset"] = OWN
        ss["ss_tr_n"] = len(parsed.rows)
        ss["ss_tr_csv_msgs"] = {"errors": [], "notes": [f"Using {len(parsed.rows):,} rows from {source}.",
                                                        *parsed.notes]}
    else:
        kept = (f" The data set in use is unchanged ({len(own_rows(ss)):,} rows)." if own_rows(ss) else "")
        ss["ss_tr_csv_msgs"] = {"errors": list(parsed.errors), "notes": [f"Nothing was loaded from {source}.{kept}"]}


def _on_upload(ss) -> None:
    f = ss.get("ss_tr_csv_file")
    if f is not None:
        _use(ss, f.getvalue(), f"the file {f.name!r}")


def _on_paste(ss) -> None:
    _use(ss, ss.get("ss_tr_csv_text") or "", "the pasted text")


def own_data_ui(ss) -> None:
    """Upload or paste a CSV; every bad row is listed; the text stays for fixing."""
    msgs = ss.get("ss_tr_csv_msgs") or {}
    with st.expander("Your own data: upload or paste a CSV", expanded=bool(msgs.get("errors"))):
        st.caption(md_escape(f"Rows of x1, x2, label (label 0 or 1), up to {MAX_ROWS:,} rows and "
                             f"{MAX_BYTES // 1024} KiB; a header line {','.join(HEADER)} is optional."))
        st.file_uploader("Upload a CSV file", type=["csv", "txt"], key="ss_tr_csv_file",
                         on_change=_on_upload, args=(ss,))
        st.text_area("…or paste it here", key="ss_tr_csv_text", height=120, placeholder=SAMPLE)
        st.button("Use the pasted data", key="ss_tr_csv_use", on_click=_on_paste, args=(ss,),
                  icon=":material/table_view:")
        if msgs.get("errors"):
            st.error(md_escape("\n".join(f"- {e}" for e in msgs["errors"])), icon=":material/block:")
        for note in msgs.get("notes", []):
            st.caption(md_escape(note))


def dataset_ui(ss) -> None:
    """The dataset choice, its description, and the own-data loader."""
    options = [*RECIPES, OWN] if own_rows(ss) else list(RECIPES)
    st.selectbox("Dataset", options, key="ss_tr_dataset", on_change=load_recipe, args=(ss,), format_func=title)
    dataset = ss["ss_tr_dataset"]
    recipe = recipe_for(dataset)
    about = (f"{len(own_rows(ss)):,} rows from {ss['ss_tr_own']['source']}." if dataset == OWN
             else DATASETS[dataset].description)
    st.caption(md_escape(about) + "  \n"
               f"Network {'-'.join(map(str, recipe['sizes']))}, {recipe['activation']}, "
               f"{recipe['cost'].replace('_', ' ')} cost (the recipe's).")
    own_data_ui(ss)
