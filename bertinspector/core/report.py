"""Inspections as the contract's JSON, as terminal text and as Markdown."""

from __future__ import annotations

import json

import numpy as np

from bertinspector.core.diagnostics import merged_runs
from bertinspector.core.model import SCHEMA, Inspection, Severity
from bertinspector.core.readable import readable, readable_run

SEVERITY_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "ℹ"}
CUT_MARK = "✂"
SUMMARY_ABOVE = 5_000  # tokens; a longer encoding's text output shows its ends and the cut
SHOWN_AT_EACH_END = 1_000
SHOWN_AROUND_CUT = 100


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


def from_json(data: dict, text: str, pair: str | None = None) -> Inspection:
    """An inspection back from its contract JSON (the text is not part of the JSON: pass it).

    The model facts hold what the JSON says of the model; facts it does not carry are None.
    """
    from bertinspector.core.facts import ModelFacts
    from bertinspector.core.model import Diagnostic, Settings, Tokens, Truncation, Window

    if data.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} document")
    model = dict(data["model"])
    facts = ModelFacts(
        **{**model, "architectures": tuple(model["architectures"])}, folder="", usable_positions=None,
        tokenizer_model=None, max_input_chars_per_word=None, has_tokenizer_config=True,
        declared_tokenizer_class=None, config_tokenizer_class=None, sentence_max_seq_length=None,
        tokenizer_json_truncation=None,
    )
    rows = data["tokens"]

    def column(key, dtype, missing=-1):
        return np.asarray([missing if row[key] is None else row[key] for row in rows], dtype=dtype)

    type_ids = None if rows and rows[0]["type_id"] is None else column("type_id", np.int64)
    tokens = Tokens(
        strings=tuple(row["token"] for row in rows), ids=column("id", np.int64), starts=column("start", np.int64),
        ends=column("end", np.int64), special=column("special", bool), subword=column("subword", bool),
        unk=column("unk", bool), type_ids=type_ids if rows else None, segments=column("segment", np.int64),
        kept=column("kept", bool),
    )
    t = data["truncation"]
    lost = np.flatnonzero(~tokens.kept)
    cut_token = int(lost[0]) if t["applied"] and len(lost) else None
    truncation = Truncation(
        applied=t["applied"], tokens_total=t["tokens_total"], tokens_kept=t["tokens_kept"],
        tokens_lost=t["tokens_lost"], cut_char=t["cut_char"], cut_token=cut_token,
        cut_segment=None if cut_token is None else int(tokens.segments[cut_token]),
        windows=tuple(Window(**w) for w in t.get("windows", ())),
    )
    settings = {k: v for k, v in data["settings"].items() if k not in ("pair", "input")}
    return Inspection(
        source=model["source"], facts=facts, settings=Settings(**settings), input_kind=data["settings"]["input"],
        text=text, pair=pair, tokens=tokens, truncation=truncation, normalized_text=data["normalized_text"],
        diagnostics=tuple(
            Diagnostic(code=d["code"], severity=Severity(d["severity"]), message=d["message"],
                       tokens=tuple(d["tokens"]), spans=tuple(tuple(span) for span in d["spans"]), fix=d["fix"])
            for d in data["diagnostics"]
        ),
    )


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def token_label(inspection: Inspection, i: int) -> str:
    """A token as printed: as a person reads it (``core.readable``: ``▁`` starts a word, a byte-level
    piece shows its characters), unknown ones marked '?', segment B ones 'ᴮ'. JSON keeps the raw piece."""
    return _marked(inspection, i, readable(inspection).labels[i])


def _marked(inspection: Inspection, i: int, label: str) -> str:
    tokens = inspection.tokens
    if tokens.unk[i]:
        label = f"{label}?"
    if tokens.segments[i] == 1:
        label = f"{label}ᴮ"
    return label


def _run_labels(inspection: Inspection, run: range) -> tuple[str, ...]:
    """The readable labels of the tokens in ``run``: of the run alone when the encoding is summarised
    (a book's 10 million labels are never made for the 2,000 printed)."""
    if len(run) == len(inspection.tokens):
        return readable(inspection).labels
    return readable_run(inspection, run.start, run.stop).labels


def shown_tokens(inspection: Inspection, all_tokens: bool = False) -> list[range]:
    """The runs of token positions the text output prints: every token up to :data:`SUMMARY_ABOVE`
    tokens (or with ``all_tokens``), else the first and last :data:`SHOWN_AT_EACH_END` and the tokens
    around the cut."""
    n = len(inspection.tokens)
    if all_tokens or n <= SUMMARY_ABOVE:
        return [range(n)]
    wanted = [(0, SHOWN_AT_EACH_END), (n - SHOWN_AT_EACH_END, n)]
    cut = inspection.truncation.cut_token
    if cut is not None:
        wanted.append((max(cut - SHOWN_AROUND_CUT, 0), min(cut + SHOWN_AROUND_CUT, n)))
    return [range(start, end) for start, end in merged_runs(wanted)]


def token_line(inspection: Inspection, width: int = 100, all_tokens: bool = False) -> list[str]:
    """The tokens wrapped to ``width`` columns; the tokens the model never sees stand in ⟦ ⟧ after a cut mark.
    A long encoding is summarised (see :func:`shown_tokens`), each gap named on a line of its own."""
    lines, line = [], ""
    cut = inspection.truncation.cut_token
    last = last_lost(inspection)
    runs = shown_tokens(inspection, all_tokens)
    for run, following in zip(runs, [*runs[1:], None]):
        labels = _run_labels(inspection, run)
        for i in run:
            piece = _marked(inspection, i, labels[i - run.start])
            if i == cut:
                piece = f"{CUT_MARK} cut at token {i} {CUT_MARK} ⟦{piece}"
            if i == last:
                piece += "⟧"
            if len(line) + len(piece) + 1 > width and line:
                lines.append(line)
                line = ""
            line = f"{line} {piece}" if line else piece
        if following is not None:
            lines += [line, f"… {following.start - run.stop:,} tokens not shown (--all-tokens prints every one) …"]
            line = ""
    if line:
        lines.append(line)
    return lines


def last_lost(inspection: Inspection) -> int | None:
    """The last token truncation cuts off, or None."""
    lost = np.flatnonzero(~inspection.tokens.kept)
    return int(lost[-1]) if len(lost) else None


def summary(inspection: Inspection) -> str:
    f = inspection.facts
    t = inspection.truncation
    kept = f"{t.tokens_kept} of {t.tokens_total} tokens reach the model"
    if t.tokens_lost:
        kept += f", {t.tokens_lost} cut off at character {t.cut_char}"
    return f"{inspection.source} ({f.model_type or 'unknown type'}, {f.tokenizer_class}): {kept}"


def render_text(inspection: Inspection, width: int = 100, all_tokens: bool = False) -> str:
    """What a person reads in a terminal: the tokens with the cut marked (a long encoding summarised
    unless ``all_tokens``), then the findings."""
    out = [summary(inspection), ""]
    out += token_line(inspection, width, all_tokens)
    out.append("")
    out += diagnostic_lines(inspection)
    return "\n".join(out)


def render_markdown(inspection: Inspection, all_tokens: bool = False) -> str:
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
            "### Tokens", "", "```", *token_line(inspection, all_tokens=all_tokens), "```", "", "### Diagnostics", ""]
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


def render_outputs_markdown(kind: str, outputs: dict, labels: list[str]) -> str:
    """A model run's outputs as Markdown (``kind`` and ``outputs`` as ``core.inference`` gives them)."""
    lines = [f"### Model output ({kind})", ""]
    if kind == "masked-lm":
        masks = outputs.get("masks", [])
        if not masks:
            lines.append("No [MASK] token in the input.")
        for mask in masks:
            guesses = ", ".join(f"`{t}` {p:.1%}" for t, p in zip(mask["tokens"], mask["probabilities"]))
            lines.append(f"- mask at token {mask['position']}: {guesses}")
    elif kind == "sequence-classification":
        lines += ["| label | probability |", "|---|---|"]
        lines += [f"| {label} | {p:.1%} |" for label, p in zip(outputs["labels"], outputs["probabilities"])]
    elif kind == "token-classification":
        lines += ["| token | label |", "|---|---|"]
        lines += [f"| `{token}` | {label} |" for token, label in zip(labels, outputs["labels"])]
    elif kind == "question-answering":
        answer = outputs.get("answer")
        lines.append(f"Answer: `{answer}` (characters {outputs['start']}–{outputs['end']} of "
                     f"{'the pair' if outputs['segment'] == 1 else 'the text'})" if answer else "No answer span found.")
    else:
        lines.append(f"[CLS] vector norm {outputs.get('cls_norm', 0):.3f}; mean-pooled vector norm "
                     f"{outputs.get('mean_norm', 0):.3f}")
    return "\n".join(lines) + "\n"
