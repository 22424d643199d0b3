"""Comparisons as terminal text and as Markdown (the JSON is :func:`bertinspector.core.compare.to_json`).

The aligned tokens print group by group, A above B, with a marker row that names every difference in
characters, not colour:

    text   Hello  Paris   the
    A      hello  paris   the
    B      [UNK]? [UNK]?  the
           ?B     ?B
"""

from __future__ import annotations

import re
import unicodedata

from bertinspector.core import report
from bertinspector.core.compare import AlignedGroup, Comparison, group_text
from bertinspector.core.model import Inspection

BOUNDARY, SPECIAL, MOVED, NOTHING, DIFFERS = "|", "≠", "⇄", "∅", "≠"
LOST_OPEN, LOST_CLOSE = "⟦", "⟧"
LEGEND = (
    f"markers: {BOUNDARY} pieces differ · ?A ?B unknown token in A / B only · {SPECIAL} special tokens differ · "
    f"{report.CUT_MARK}A {report.CUT_MARK}B where A / B is cut · {MOVED} in the other segment in B; {LOST_OPEN}…{LOST_CLOSE} tokens the model never sees; "
    f"{NOTHING} no token"
)
LABELS = ("text", "A", "B", "")
TEXT_CELL_LIMIT = 24
_VISIBLE = str.maketrans({"\n": "⏎", "\r": "␍", "\t": "⇥"})


def render_text(comparison: Comparison, width: int = 100) -> str:
    """What a person reads in a terminal: summary, aligned tokens, config diff, diagnostics of A and B."""
    a, b = comparison.a, comparison.b
    out = [f"A  {report.summary(a)}", f"B  {report.summary(b)}", ""]
    out += _table([("", "A", "B", False)] + summary_rows(comparison), width)
    differing = len(comparison.differing_groups)
    out += [f"{differing} of {len(comparison.alignment)} aligned groups differ", "", "Aligned tokens", ""]
    out += aligned_lines(comparison, width)
    out += ["", LEGEND, "", f"Preprocessing ({DIFFERS} marks a difference)", ""]
    rows = [("", "A", "B", False)] + [(r.field, _value(r.a), _value(r.b), r.differs) for r in comparison.config_diff]
    out += _table(rows, width, marked=True)
    for label, inspection in (("A", a), ("B", b)):
        out += ["", f"Diagnostics of {label} ({inspection.source})"]
        out += report.diagnostic_lines(inspection)
    return "\n".join(out)


def render_markdown(comparison: Comparison) -> str:
    """A report ready to paste into an issue."""
    a, b = comparison.a, comparison.b
    out = [
        f"## bertinspector compare: `{a.source}` vs `{b.source}`", "",
        f"- **A**: {report.summary(a)}", f"- **B**: {report.summary(b)}", "",
        "| | A | B |", "|---|---|---|",
    ]
    out += [f"| {name} | {va} | {vb} |" for name, va, vb, _ in summary_rows(comparison)]
    lines = aligned_lines(comparison, 100)
    fence = "```" + "`" * max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    out += ["", f"{len(comparison.differing_groups)} of {len(comparison.alignment)} aligned groups differ.", "",
            "### Aligned tokens", "", fence, *lines, fence, "", LEGEND, "",
            "### Preprocessing", "", "| | field | A | B |", "|---|---|---|---|"]
    for r in comparison.config_diff:
        mark = f"**{DIFFERS}**" if r.differs else ""
        out.append(f"| {mark} | {r.field} | {_code(r.a)} | {_code(r.b)} |")
    for label, inspection in (("A", a), ("B", b)):
        out += ["", f"### Diagnostics of {label} (`{inspection.source}`)", ""]
        out += report.diagnostic_lines(inspection, markdown=True)
    return "\n".join(out) + "\n"


# -- aligned rows ----------------------------------------------------------------------------


def markers(comparison: Comparison, group: AlignedGroup) -> str:
    """The difference markers of one group, e.g. ``|?B`` or ``✂A``."""
    cut = report.CUT_MARK
    cut_a, cut_b = comparison.a.truncation.cut_token, comparison.b.truncation.cut_token
    parts = [
        BOUNDARY if group.boundary else "",
        "?A" if group.unk_a else "", "?B" if group.unk_b else "",
        SPECIAL if group.special else "",
        f"{cut}A" if cut_a is not None and cut_a in group.a else "",
        f"{cut}B" if cut_b is not None and cut_b in group.b else "",
        MOVED if group.moved else "",
    ]
    return "".join(parts)


def cells(comparison: Comparison, group: AlignedGroup, _lost_ends: tuple | None = None) -> tuple[str, str, str, str]:
    """(text, A tokens, B tokens, markers) of one group, as printed."""
    text = group_text(comparison, group)
    if text is None:
        text_cell = ""
    else:
        text_cell = text.translate(_VISIBLE)
        if len(text_cell) > TEXT_CELL_LIMIT:
            text_cell = text_cell[: TEXT_CELL_LIMIT - 1] + "…"
    last_a, last_b = _lost_ends or (report.last_lost(comparison.a), report.last_lost(comparison.b))
    return (text_cell, _side_cell(comparison.a, group.a, last_a), _side_cell(comparison.b, group.b, last_b),
            markers(comparison, group))


def aligned_lines(comparison: Comparison, width: int = 100) -> list[str]:
    """The groups as columns, wrapped to ``width``: a text row, an A row, a B row and a marker row."""
    label_width = max(_width(label) for label in LABELS) + 2
    lost_ends = (report.last_lost(comparison.a), report.last_lost(comparison.b))
    lines: list[str] = []
    block: list[tuple[tuple[str, ...], int]] = []
    used = label_width
    for group in comparison.alignment:
        column = cells(comparison, group, lost_ends)
        column_width = max(_width(c) for c in column)
        if block and used + column_width > width:
            lines += _block_lines(block, label_width)
            block, used = [], label_width
        block.append((column, column_width))
        used += column_width + 2
    if block:
        lines += _block_lines(block, label_width)
    return lines[:-1]  # blocks are separated by a blank line, none after the last


def _block_lines(block, label_width: int) -> list[str]:
    rows = []
    for r, label in enumerate(LABELS):
        line = _pad(label, label_width) + "  ".join(_pad(column[r], w) for column, w in block)
        rows.append(line.rstrip())
    if not rows[-1]:
        rows.pop()
    return rows + [""]


def _side_cell(inspection: Inspection, positions: tuple[int, ...], last_lost: int | None) -> str:
    """The tokens of one side of a group; the run the model never sees opens with ⟦ and closes with ⟧."""
    if not positions:
        return NOTHING
    cut = inspection.truncation.cut_token
    pieces = []
    for i in positions:
        piece = report.token_label(inspection, i)
        if i == cut:
            piece = LOST_OPEN + piece
        if i == last_lost:
            piece += LOST_CLOSE
        pieces.append(piece)
    return " ".join(pieces)


# -- tables ----------------------------------------------------------------------------------


def summary_rows(comparison: Comparison, grouped: bool = False) -> list[tuple[str, str, str, bool]]:
    """(name, A, B, differs) for the token counts, unknown tokens, tokens lost and cut character of A and B;
    ``grouped`` writes the numbers with thousands separators."""
    sa, sb = comparison.summary_a, comparison.summary_b
    number = "{:,}".format if grouped else str

    def cut(summary):
        if summary.cut_char is None:
            return "—"
        return number(summary.cut_char) + (" (pair)" if summary.cut_segment == 1 else "")

    rows = [
        ("tokens", number(sa.tokens), number(sb.tokens)),
        ("tokens kept", number(sa.kept), number(sb.kept)),
        ("unknown tokens", number(sa.unknown), number(sb.unknown)),
        ("tokens lost", number(sa.lost), number(sb.lost)),
        ("cut at character", cut(sa), cut(sb)),
    ]
    return [(name, va, vb, va != vb) for name, va, vb in rows]


def _table(rows, width: int, marked: bool = False) -> list[str]:
    """Rows (name, A, B, differs) as aligned columns; a row too wide for ``width`` is stacked."""
    mark_width = 2 if marked else 0
    name_width = max(_width(name) for name, *_ in rows) + 2
    room = (width - mark_width - name_width - 2) // 2
    fitting = [row for row in rows if _width(row[1]) <= room and _width(row[2]) <= room]
    a_width = max((_width(row[1]) for row in fitting), default=0) + 2
    lines = []
    for name, va, vb, differs in rows:
        mark = (f"{DIFFERS} " if differs else "  ") if marked else ""
        if _width(va) <= room and _width(vb) <= room:
            lines.append((mark + _pad(name, name_width) + _pad(va, a_width) + vb).rstrip())
        else:
            lines.append((mark + name).rstrip())
            lines += [f"{' ' * (mark_width + 4)}A: {va}", f"{' ' * (mark_width + 4)}B: {vb}"]
    return lines


def _value(value) -> str:
    return "—" if value is None else str(value)


def _code(value) -> str:
    return "—" if value is None else "`" + str(value).replace("|", "\\|") + "`"


def _width(text: str) -> int:
    """Columns a string takes in a terminal: wide (CJK, emoji) characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)
