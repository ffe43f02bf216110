// What a reader sees of the network graph: every text drawn in the plotly SVG (its box on
// the screen and its font size as drawn), the pairs of texts that overlap, the texts cut off
// by the chart's edge, any "hover" note, the graph's share of the viewport and, in the app,
// whether the highlighted seed line(s) and the formula are inside the viewport.
// Called by tests/graph_measure.py as page.evaluate(<this file>, selector).
(sel) => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const gd = document.querySelector(sel);
  if (!gd || !gd._fullLayout) return null;
  const R = gd.getBoundingClientRect();
  const texts = [];
  for (const t of gd.querySelectorAll('svg.main-svg text')) {
    const s = t.textContent.trim();
    if (!s) continue;
    const b = t.getBoundingClientRect();
    if (b.width < 0.5 || b.height < 0.5) continue;
    const cs = getComputedStyle(t);
    let hidden = false;
    for (let e = t; e && e !== gd; e = e.parentElement) {
      const c = getComputedStyle(e);
      if (c.display === 'none' || c.visibility === 'hidden' || parseFloat(c.opacity) === 0) hidden = true;
    }
    if (hidden) continue;
    const m = t.getScreenCTM();
    const scale = m ? Math.hypot(m.a, m.b) : 1;  // the chart drawn smaller or larger than laid out
    const g = t.closest('g.annotation, g.legend, g.colorbar, g.slider-container, g.updatemenu-container, g.g-gtitle, g.trace');
    const kind = !g ? 'other' : g.classList.contains('annotation') ? 'annotation'
      : g.classList.contains('trace') ? 'node' : g.getAttribute('class').split(' ')[0];
    texts.push({text: s, kind, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom,
                px: parseFloat(t.style.fontSize || cs.fontSize) * scale});
  }
  // Two texts overlap when their boxes share more than 1 px each way (glyph cells, so
  // touching lines of one label are one text element and never count).
  const overlaps = [];
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i], b = texts[j];
    const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    if (w > 1 && h > 1) overlaps.push([a.text, b.text]);
  }
  const cut = texts.filter(t => t.x0 < R.left - 1 || t.x1 > R.right + 1 || t.y0 < R.top - 1
                              || t.y1 > R.bottom + 1 || t.x0 < -1 || t.x1 > vw + 1).map(t => t.text);
  const visible = (r) => Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0)) *
                         Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
  const inView = (e) => { const r = e.getBoundingClientRect();
    return r.height > 0 && r.top >= -1 && r.bottom <= vh + 1 && r.left >= -1 && r.right <= vw + 1; };
  const hl = [...document.querySelectorAll('.nnviz-code .hl')].filter(e => e.getClientRects().length > 0);
  const shownOther = [...document.querySelectorAll('.nnviz-code .ln')].filter(e => e.getClientRects().length > 0);
  const tex = [...document.querySelectorAll('.katex-display')].filter(e => e.getClientRects().length > 0);
  return {
    texts, overlaps, cut,
    hover_note: texts.filter(t => /hover/i.test(t.text)).map(t => t.text),
    min_px: Math.min(...texts.map(t => t.px)),
    share: visible(R) / (vw * vh),
    graph: [R.left, R.top, R.width, R.height],
    code_lines: hl.length, code_in_view: hl.length > 0 && hl.every(inView),
    other_code_lines: shownOther.length,
    formulas: tex.length, formula_in_view: tex.length > 0 && inView(tex[0]),
    page_w: document.documentElement.scrollWidth, vw, vh,
  };
}
