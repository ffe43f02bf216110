"""The seed's source as HTML, with the lines a step runs highlighted (no user text involved)."""
from __future__ import annotations

import html

from nnviz.trace.seed_source import SOURCES


def code_html(source: str, lines: tuple[int, ...], note: str = "", font_px: int = 14) -> str:
    """``SOURCES[source]`` as a <pre> block; ``lines`` (1-based) marked with class ``hl``."""
    rows = []
    for n, text in enumerate(SOURCES[source].splitlines(), start=1):
        mark = n in lines
        rows.append(
            f'<div class="{"hl" if mark else "ln"}"{" data-hl=1" if mark else ""}>'
            f'<span class="no">{n:>2}</span> {html.escape(text) or " "}</div>'
        )
    style = (
        f"<style>.nnviz-code{{font-family:'DejaVu Sans Mono',monospace;font-size:{font_px}px;"
        "line-height:1.22;background:#f7f7f9;border:1px solid #ddd;border-radius:6px;padding:6px 0;"
        "overflow-x:auto;margin:0}.nnviz-code div{white-space:pre;padding:0 8px}"
        ".nnviz-code .hl{background:#ffe08a;font-weight:700;border-left:5px solid #b35806}"
        ".nnviz-code .ln{border-left:5px solid transparent;color:#333}"
        ".nnviz-code .no{color:#888;user-select:none}"
        ".nnviz-note{font-size:0.9em;color:#444;margin-top:4px}</style>"
    )
    note_html = f'<div class="nnviz-note">{html.escape(note)}</div>' if note else ""
    return f'{style}<div class="nnviz-code" data-source="{source}">{"".join(rows)}</div>{note_html}'
