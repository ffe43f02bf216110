"""Every colour nnviz draws with, in one place, built on ``plotly.colors``.

Values are coloured on ColorBrewer's diverging RdBu (colour-blind safe): red < 0 < blue.
Text on a coloured node is black or white, whichever contrasts more with the node's fill
(WCAG 2 relative luminance); ``text_on`` computes it from the colour itself.
"""
from __future__ import annotations

from plotly.colors import diverging, hex_to_rgb, sample_colorscale, unlabel_rgb

COLORSCALE = "RdBu"
_RDBU = diverging.RdBu  # 11 colours, dark red ... white ... dark blue


def _hex(rgb: str) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c) for c in unlabel_rgb(rgb)))


POS, NEG = _hex(_RDBU[9]), _hex(_RDBU[1])        # a positive / negative value: lines, curves
POS_TEXT, NEG_TEXT = _hex(_RDBU[10]), _hex(_RDBU[0])  # a signed number written on white
LIGHT_POS, WHITE, LIGHT_NEG = _hex(_RDBU[7]), _hex(_RDBU[5]), _hex(_RDBU[3])
ZERO = "#8c8c8c"       # a zero weight
GOLD = "#e69f00"       # "written by this step" (Okabe-Ito orange, apart from red and blue)
INK = "#111111"        # text
GREY = "#555555"       # secondary text, node outlines
DIM = "#595959"        # labels of edges the step does not touch (7 : 1 on white)
UNKNOWN_FILL, UNKNOWN_LINE = "#eeeeee", "#9e9e9e"  # a value not computed yet ("?")
UNKNOWN_TEXT = "#595959"
UNKNOWN_EDGE = "#c8c8c8"
GRID = "#e5e5e5"
BLACK_TEXT, WHITE_TEXT = "#000000", "#ffffff"
# the decision-boundary heat map (output 0 … 1) and its two classes
HEAT_SCALE = ((0.0, LIGHT_POS), (0.5, WHITE), (1.0, LIGHT_NEG))
CLASS_COLOURS = {0: POS, 1: NEG}


def rgb(color: str) -> tuple[float, float, float]:
    """(r, g, b) 0-255 of '#rrggbb' or 'rgb(r, g, b)'."""
    return tuple(float(c) for c in (hex_to_rgb(color) if color.startswith("#") else unlabel_rgb(color)))


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of a colour (0 black … 1 white)."""
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(lin, rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 … 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def scale_color(value: float, limit: float) -> str:
    """The fill plotly gives ``value`` on the RdBu scale from -limit to +limit."""
    t = 0.5 if limit <= 0 else min(max((value + limit) / (2 * limit), 0.0), 1.0)
    return sample_colorscale(COLORSCALE, [t])[0]


def text_on(fill: str) -> str:
    """Black or white: whichever reads better on ``fill``."""
    return BLACK_TEXT if contrast(fill, BLACK_TEXT) >= contrast(fill, WHITE_TEXT) else WHITE_TEXT
