"""The seed-code panel (``nnviz.trace.codeview.code_html``): parsed back with html.parser, every
row is one source line with its number, exactly the step's lines are marked, the syntax
colours are pygments' token classes, and nothing inserted is unescaped."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from nnviz import load_preset, trace_backprop
from nnviz.trace.codeview import code_html
from nnviz.trace.seed_source import SOURCES

CSS_FILE = Path(__file__).resolve().parent.parent / "nnviz" / "trace" / "codeview.css"


class Panel(HTMLParser):
    """Rows of the panel: (class, data-hl, number text, line text, token classes); the note."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.note, self.style, self.tags, self.source = [], None, "", [], None
        self._where = []  # stack of (tag, class)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        self.tags.append(tag)
        parent = self._where[-1][1] if self._where else None
        if tag == "div" and cls == "nnviz-code":
            self.source = a.get("data-source")
        elif tag == "div" and parent == "nnviz-code":
            self.rows.append({"class": cls, "data-hl": a.get("data-hl"), "no": "", "text": "", "tokens": []})
        elif tag == "div" and cls == "nnviz-note":
            self.note = ""
        elif tag == "span" and self.rows and cls.startswith("pg-"):
            self.rows[-1]["tokens"].append(cls)
        self._where.append((tag, cls))

    def handle_endtag(self, tag):
        self._where.pop()

    def handle_data(self, data):
        if self._where and self._where[-1][0] == "style":
            self.style += data
        elif self._where and self._where[-1][1] == "nnviz-note":
            self.note += data
        elif self.rows and any(c == "nnviz-code" for _, c in self._where):
            key = "no" if self._where[-1][1] == "no" else "text"
            self.rows[-1][key] += data


def parse(html: str) -> Panel:
    p = Panel()
    p.feed(html)
    p.close()
    assert not p._where, "unbalanced markup"
    return p


def every_step_code():
    """(source, lines, note) of every step of each preset's backprop call."""
    out = set()
    for name in ("seed", "mazur", "xor"):
        cfg = load_preset(name).config
        trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
        out |= {(s.code.source, tuple(s.code.lines), s.code.note) for s in trace.steps}
    return sorted(out)


@pytest.mark.parametrize("source, lines, note", every_step_code())
def test_rows_are_the_source_lines_with_the_step_s_lines_marked(source, lines, note):
    panel = parse(code_html(source, lines, note))
    seed = SOURCES[source].splitlines()
    assert panel.source == source
    assert len(panel.rows) == len(seed) > 0
    for n, (row, line) in enumerate(zip(panel.rows, seed, strict=True), start=1):
        assert int(row["no"]) == n
        assert row["text"] == " " + (line or " "), (n, row["text"], line)
        runs = n in lines
        assert row["class"] == ("hl" if runs else "ln") and (row["data-hl"] == "1") == runs
    assert [n for n, r in enumerate(panel.rows, start=1) if r["class"] == "hl"] == sorted(lines)
    assert panel.note == (note or None)


def test_syntax_colours_are_pygments_token_classes():
    panel = parse(code_html("backprop", (1,)))
    seed = SOURCES["backprop"].splitlines()
    keyword_rows = 0
    for row, line in zip(panel.rows, seed, strict=True):
        if line.split()[:1] in (["def"], ["for"], ["return"]):
            keyword_rows += 1
            assert [t for t in row["tokens"] if t != "pg-w"][0] == "pg-k", (line, row["tokens"])
    assert keyword_rows >= 3
    assert ".nnviz-code .pg-k" in panel.style  # the token colours ship with the panel


def test_css_comes_from_the_package_file():
    css = CSS_FILE.read_text(encoding="utf-8")
    assert css.strip() and css in code_html("update_mini_batch", (2,))


def test_note_and_size_cannot_inject_markup():
    nasty = '<script>alert(1)</script> & "quotes" <b>'
    html = code_html("backprop", (3,), note=nasty, font_px=13)
    panel = parse(html)
    assert panel.note == nasty and "<script>" not in html and "<b>" not in html
    assert panel.tags.count("script") == 0 and 'style="font-size: 13px"' in html
    with pytest.raises((ValueError, TypeError)):
        code_html("backprop", (3,), font_px="13px; background: url(x)")
    with pytest.raises(KeyError):
        code_html("not a seed function", (1,))
