"""Inspections as the contract's JSON, as terminal text and as Markdown."""

from __future__ import annotations

import json

from bertinspector.core.model import SCHEMA, Inspection, Severity

SEVERITY_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "ℹ"}
CUT_MARK = "✂"


def to_json(inspection: Inspection) -> dict:
    """The contract's ``bertinspector.inspection/1`` object."""
    s = inspection.settings
    t = inspection.truncation
    truncation = {
        "applied": t.applied, "tokens_total": t.tokens_total, "tokens_kept": t.tokens_kept,
        "tokens_lost": t.tokens_lost, "cut_char": t.cut_char,
    }
    if t.windows:
        truncation["windows"] = [
            {"first_token": w.first_token, "last_token": w.last_token, "start_char": w.start_char, "end_char": w.end_char}
            for w in t.windows
        ]
    return {
        "schema": SCHEMA,
        "model": inspection.facts.to_json(),
        "settings": {
            "add_special_tokens": s.add_special_tokens, "truncation": s.truncation, "max_length": s.max_length,
            "stride": s.stride, "lowercase": s.lowercase, "pair": inspection.pair is not None,
            "input": inspection.input_kind,
        },
        "tokens": [vars(inspection.token(i)) for i in range(len(inspection.tokens))],
        "truncation": truncation,
        "normalized_text": inspection.normalized_text,
        "diagnostics": [
            {"code": d.code, "severity": d.severity.value, "message": d.message, "tokens": list(d.tokens),
             "spans": [list(span) for span in d.spans], "fix": d.fix}
            for d in inspection.diagnostics
        ],
    }


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def token_label(inspection: Inspection, i: int) -> str:
    """A token as printed: subword pieces joined with '·', unknown ones marked '?'."""
    row = inspection.token(i)
    label = row.token
    if row.unk:
        label = f"{label}?"
    if row.segment == 1:
        label = f"{label}ᴮ"
    return label


def token_line(inspection: Inspection, width: int = 100) -> list[str]:
    """The tokens wrapped to ``width`` columns; the tokens the model never sees stand in ⟦ ⟧ after a cut mark."""
    lines, line = [], ""
    cut = inspection.truncation.cut_token
    lost = [i for i in range(len(inspection.tokens)) if not inspection.tokens.kept[i]]
    for i in range(len(inspection.tokens)):
        piece = token_label(inspection, i)
        if i == cut:
            piece = f"{CUT_MARK} cut at token {i} {CUT_MARK} ⟦{piece}"
        if lost and i == lost[-1]:
            piece += "⟧"
        if len(line) + len(piece) + 1 > width and line:
            lines.append(line)
            line = ""
        line = f"{line} {piece}" if line else piece
    if line:
        lines.append(line)
    return lines


def summary(inspection: Inspection) -> str:
    f = inspection.facts
    t = inspection.truncation
    kept = f"{t.tokens_kept} of {t.tokens_total} tokens reach the model"
    if t.tokens_lost:
        kept += f", {t.tokens_lost} cut off at character {t.cut_char}"
    return f"{inspection.source} ({f.model_type or 'unknown type'}, {f.tokenizer_class}): {kept}"


def render_text(inspection: Inspection, width: int = 100) -> str:
    """What a person reads in a terminal: the tokens with the cut marked, then the findings."""
    out = [summary(inspection), ""]
    out += token_line(inspection, width)
    out.append("")
    out += diagnostic_lines(inspection)
    return "\n".join(out)


def render_markdown(inspection: Inspection) -> str:
    """A report ready to paste into an issue."""
    f = inspection.facts
    s = inspection.settings
    out = [
        f"## bertinspector: `{inspection.source}`", "",
        f"**{summary(inspection)}**", "",
        "| model fact | value |", "|---|---|",
    ]
    for key, value in f.to_json().items():
        out.append(f"| {key} | `{value}` |")
    out += ["", f"Settings: add_special_tokens={s.add_special_tokens}, truncation={s.truncation}, "
                f"max_length={s.max_length}, stride={s.stride}, lowercase={s.lowercase}", "",
            "### Tokens", "", "```", *token_line(inspection), "```", "", "### Diagnostics", ""]
    out += diagnostic_lines(inspection, markdown=True)
    return "\n".join(out) + "\n"


def diagnostic_lines(inspection: Inspection, markdown: bool = False) -> list[str]:
    """The findings, each with its fix on the next line: for a terminal, or as a Markdown list."""
    if not inspection.diagnostics:
        return ["No problems found."]
    lines = []
    for d in inspection.diagnostics:
        if markdown:
            lines.append(f"- **{d.severity.value}** `{d.code}`: {_escape(d.message)}")
        else:
            lines.append(f"{SEVERITY_MARK[d.severity]} {d.severity.value} {d.code}: {d.message}")
        if d.fix:
            lines.append(f"  - fix: `{d.fix}`" if markdown else f"    fix: {d.fix}")
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
