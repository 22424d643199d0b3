"""An audit as one self-contained HTML file: the histogram as inline SVG, the worst rows with the cut and
the unknown tokens marked as the window marks them (the tail the model never sees shaded behind ✂)."""

from __future__ import annotations

from html import escape

from bertinspector.core.audit import report

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#b00020}.warning{color:#a15c00}.info{color:#1a5fb4}
.text{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.cut{background:repeating-linear-gradient(135deg,#fde2e2 0 6px,#fff 6px 12px);color:#777}
.scissors{color:#c01c28;font-weight:bold}
mark.unk{background:none;border:2px solid #c01c28;border-radius:3px;padding:0 1px}
"""


def render_html(document: dict) -> str:
    t = document["truncation"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>bertinspector audit: {escape(', '.join(document['data']['sources']))}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>bertinspector audit</h1>", f"<p>{escape(report.headline(document))}</p>",
        "<table>",
        _row("length (tokens)", report.length_line(document["length"])),
        _row("truncation", report.truncation_line(document)),
        _row("unknown tokens", report.unknown_line(document)),
        _row("dropped characters", report.dropped_line(document)),
        _row("words", report.words_line(document)),
        "</table>",
        "<h2>Length histogram</h2>", histogram_svg(document),
    ]
    if document["diagnostics"]:
        parts.append("<h2>Findings</h2><table><tr><th>severity</th><th>code</th><th>examples</th><th>first rows</th><th>message</th></tr>")
        for d in document["diagnostics"]:
            examples = "" if d["examples"] is None else f"{d['examples']:,}"
            parts.append(f"<tr><td class='{d['severity']}'>{d['severity']}</td><td><code>{escape(d['code'])}</code></td>"
                         f"<td class='n'>{examples}</td>"
                         f"<td>{escape(', '.join(map(str, d['rows'][:20])))}</td><td>{escape(d['message'])}</td></tr>")
        parts.append("</table>")
    worst = [w for w in document["worst"] if w["metric"] != "tokens_total"]
    if worst:
        parts.append("<h2>Worst rows</h2><table><tr><th>metric</th><th>row</th><th>value</th><th>text (✂: where the model stops "
                     "reading; boxed: unknown tokens)</th></tr>")
        for w in worst:
            parts.append(f"<tr><td>{w['metric']}</td><td class='n'>{w['row']}</td><td class='n'>{w['value']:,}</td>"
                         f"<td class='text'>{marked_preview(w)}</td></tr>")
        parts.append("</table>")
    if document["slices"]:
        parts.append(f"<h2>Slices by {escape(str(document['data']['label_column']))}</h2><table><tr><th>label</th>"
                     "<th>examples</th><th>cut</th><th>unknown</th><th>mean length</th></tr>")
        for s in document["slices"]:
            parts.append(f"<tr><td>{escape(s['label'])}</td><td class='n'>{s['examples']:,}</td><td class='n'>"
                         f"{100 * s['share_cut']:.1f}%</td><td class='n'>{100 * s['unknown_share']:.2f}%</td>"
                         f"<td class='n'>{s['mean_length']:.1f}</td></tr>")
        parts.append("</table>")
    skew = report._b_lines(document) + report._against_lines(document)
    if skew:
        parts.append("<h2>Skew</h2><pre>" + escape("\n".join(line for line in skew if line)) + "</pre>")
    parts.append(f"<p><small>max_length {t['max_length'] or '—'} · {escape(document['schema'])}</small></p></body></html>")
    return "\n".join(parts)


def _row(name: str, value: str) -> str:
    return f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>"


def histogram_svg(document: dict, width: int = 720, height: int = 220) -> str:
    """Bars per histogram bin, the ``max_length`` bin edge drawn as a red line."""
    rows = report.histogram_rows(document)
    peak = max((c for _, c, _ in rows), default=0) or 1
    left, bottom, top = 48, 40, 10
    slot = (width - left - 10) / max(1, len(rows))
    shapes = [f"<line x1='{left}' y1='{height - bottom}' x2='{width - 10}' y2='{height - bottom}' stroke='#444'/>",
              f"<text x='{left - 6}' y='{top + 10}' text-anchor='end' font-size='11'>{peak:,}</text>"]
    for i, (label, count, at_cut) in enumerate(rows):
        x = left + i * slot
        h = (height - bottom - top) * count / peak
        color = "#e01b24" if at_cut or (i and rows[i - 1][2]) else "#3584e4"
        shapes.append(f"<rect x='{x + 2:.1f}' y='{height - bottom - h:.1f}' width='{slot - 4:.1f}' height='{h:.1f}' "
                      f"fill='{color}'><title>{escape(label)}: {count:,} examples</title></rect>")
        shapes.append(f"<text x='{x + slot / 2:.1f}' y='{height - bottom + 14}' text-anchor='middle' font-size='10'>{escape(label)}</text>")
        if at_cut:
            shapes.append(f"<line x1='{x:.1f}' y1='{top}' x2='{x:.1f}' y2='{height - bottom}' stroke='#c01c28' stroke-width='2' "
                          f"stroke-dasharray='4 3'/><text x='{x + 3 if x < width * 0.6 else x - 3:.1f}' y='{top + 10}' "
                          f"text-anchor='{'start' if x < width * 0.6 else 'end'}' font-size='11' fill='#c01c28'>✂ max_length "
                          f"{document['truncation']['max_length']}</text>")
    shapes.append(f"<text x='{width / 2}' y='{height - 6}' text-anchor='middle' font-size='11'>tokens per example "
                  f"(specials included)</text>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
            f"role='img' aria-label='length histogram'>{''.join(shapes)}</svg>")


def marked_preview(worst: dict) -> str:
    """The preview with unknown-token spans boxed and everything from the cut on shaded behind ✂."""
    text, start = worst["preview"], worst["preview_start"]
    cut = worst["cut_char"] - start if worst["cut_char"] is not None and worst["cut_char"] >= start else None
    marks = sorted((s - start, e - start) for s, e in worst["unknown_spans"] if s >= start and e - start <= len(text))
    out, position = [], 0
    prefix = "…" if start else ""

    def plain(upto: int) -> None:
        nonlocal position
        if upto <= position:
            return
        if cut is not None and position < cut < upto:
            out.append(escape(text[position:cut]))
            position = cut
        piece = escape(text[position:upto])
        out.append(f"<span class='cut'>{piece}</span>" if cut is not None and position >= cut else piece)
        position = upto

    for s, e in marks:
        plain(s)
        if cut is not None and s >= cut:
            out.append(f"<span class='cut'><mark class='unk'>{escape(text[s:e])}</mark></span>")
        else:
            out.append(f"<mark class='unk'>{escape(text[s:e])}</mark>")
        position = max(position, e)
    plain(len(text))
    body = "".join(out)
    if cut is not None:
        # the ✂ goes before the first shaded piece
        body = body.replace("<span class='cut'>", "<span class='scissors'>✂</span><span class='cut'>", 1)
    return prefix + body
