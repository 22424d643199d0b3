"""The model facts card: what the model's files say, with mismatches highlighted.

A row whose facts disagree (sizes, length limits, tokenizer class …) is marked with the severity
of its finding and links to it (``diagnosticRequested(code)``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from bertinspector.core.model import Diagnostic, Severity
from bertinspector.qt.resources import SEVERITY_COLORS

# Which findings each row of the card explains.
ROW_CODES = {
    "tokenizer": ("tokenizer-class-mismatch", "tokenizer-config-missing"),
    "vocabulary": ("tokenizer-larger-than-embeddings", "embeddings-larger-than-tokenizer", "token-id-out-of-range"),
    "length": ("max-length-exceeds-positions", "model-max-length-unset", "max-length-disagreement",
               "exceeds-model-max-length"),
    "types": ("token-type-out-of-range", "pair-segments-missing"),
    "normalization": ("case-mismatch",),
    "specials": ("missing-special-tokens", "special-token-text-not-special"),
    "code": ("trust-remote-code-required",),
    "weights": ("weights-newly-initialized",),
}


@dataclass(frozen=True)
class FactRow:
    key: str
    title: str
    value_html: str


def _fmt(value) -> str:
    if value is None:
        return "<span style='color:gray'>—</span>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def fact_rows(facts, weights: str | None = None) -> list[FactRow]:
    """The card's rows for ``facts`` (a ModelFacts)."""
    rows = []
    arch = ", ".join(facts.architectures) or "—"
    rows.append(FactRow("model", "Model", f"{_fmt(facts.model_type)} · {html.escape(arch)}"))
    tok = f"{html.escape(facts.tokenizer_class)}"
    model_kind = getattr(facts, "tokenizer_model", None)
    if model_kind:
        tok += f" ({html.escape(model_kind)})"
    declared = facts.declared_tokenizer_class
    if declared and declared not in (facts.tokenizer_class, facts.tokenizer_class.removesuffix("Fast")):
        tok += f"<br>declared: {html.escape(declared)}"
    if not facts.has_tokenizer_config:
        tok += "<br>no tokenizer_config.json"
    rows.append(FactRow("tokenizer", "Tokenizer", tok))
    rows.append(FactRow(
        "vocabulary", "Vocabulary",
        f"config {_fmt(facts.vocab_size)} · tokenizer {_fmt(facts.tokenizer_size)} · "
        f"embedding rows {_fmt(facts.embedding_rows)}",
    ))
    positions = _fmt(facts.max_position_embeddings)
    if facts.usable_positions is not None and facts.usable_positions != facts.max_position_embeddings:
        positions += f" ({facts.usable_positions:,} usable)"
    mml = "unset (1e30)" if facts.model_max_length is None else f"{facts.model_max_length:,}"
    length = f"positions {positions}<br>model_max_length {mml}"
    if facts.sentence_max_seq_length is not None:
        length += f"<br>sentence-transformers {facts.sentence_max_seq_length:,}"
    if facts.tokenizer_json_truncation is not None:
        length += f"<br>tokenizer.json truncation {facts.tokenizer_json_truncation:,}"
    rows.append(FactRow("length", "Length limits", length))
    rows.append(FactRow("types", "Type vocabulary", _fmt(facts.type_vocab_size)))
    norm = f"lowercase {_fmt(facts.lowercase)} · strip accents {_fmt(facts.strip_accents)}"
    cased = getattr(facts, "cased_vocab", None)
    if cased is not None:
        norm += f"<br>vocabulary {'cased' if cased else 'uncased'}"
    rows.append(FactRow("normalization", "Normalization", norm))
    roles: dict[tuple[str, int], list[str]] = {}  # <s> is often both cls and bos: list it once
    for role, token in facts.special_tokens.items():
        roles.setdefault(tuple(token), []).append(role)
    specials = " ".join(
        f"<code>{html.escape(token)}</code>&nbsp;{token_id}&nbsp;<span style='color:gray'>"
        f"{html.escape('/'.join(names))}</span>" for (token, token_id), names in roles.items()
    ) or "none"
    rows.append(FactRow("specials", "Special tokens", specials))
    if facts.needs_remote_code:
        rows.append(FactRow("code", "Custom code", "yes (auto_map): runs only if you allow it"))
    files = ", ".join(facts.weights_files) or "none"
    rows.append(FactRow("weights", "Weights", html.escape(files) + (f"<br>{weights}" if weights else "")))
    return rows


SEVERITY_GLYPHS = {Severity.ERROR: "\u2716", Severity.WARNING: "\u25b2", Severity.INFO: "\u25cf"}


class FactsCard(QFrame):
    """One rich-text label (a table), so wrapping and heights stay right at any width."""

    diagnosticRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("factsCard")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._facts = None
        self._weights: str | None = None
        self._diagnostics: tuple[Diagnostic, ...] = ()
        self._values: dict[str, str] = {}  # row key -> its value's HTML
        self.title = QLabel("<b>Model facts</b>", self)
        self.body = QLabel(self)
        self.body.setObjectName("factsBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.body.setMinimumWidth(120)
        self.body.linkActivated.connect(self._on_link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)
        self.set_facts(None)

    def facts(self):
        return self._facts

    def set_facts(self, facts, diagnostics: tuple[Diagnostic, ...] = (), weights: str | None = None) -> None:
        self._facts = facts
        self._diagnostics = tuple(diagnostics)
        self._weights = weights
        self._rebuild()

    def set_diagnostics(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        if tuple(d.code for d in diagnostics) != tuple(d.code for d in self._diagnostics):
            self._diagnostics = tuple(diagnostics)
            self._rebuild()

    def set_weights(self, weights: str | None) -> None:
        self._weights = weights
        self._rebuild()

    def flagged_rows(self) -> dict[str, list[str]]:
        """Row key -> codes of the findings marked on it."""
        codes = {d.code for d in self._diagnostics}
        return {key: [c for c in row_codes if c in codes] for key, row_codes in ROW_CODES.items()
                if any(c in codes for c in row_codes)}

    def value_text(self, key: str) -> str:
        """The plain text of a row's value (for tests and copy)."""
        value = self._values.get(key)
        return "" if value is None else QTextDocumentFragment.fromHtml(value).toPlainText()

    def _rebuild(self) -> None:
        facts = self._facts
        self._values = {}
        if facts is None:
            self.body.setText("<span style='color:gray'>No model loaded.</span>")
            return
        by_code = {d.code: d for d in self._diagnostics}
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        muted = "#9aa0a6" if dark else "#6e7781"
        parts = [f"<p style='margin:0 0 6px 0'><b>{html.escape(facts.source)}</b><br>"
                 f"<span style='color:{muted}; font-size:small'>{html.escape(str(facts.folder))}</span></p>",
                 "<table width='100%' cellspacing='0' cellpadding='3'>"]
        for row in fact_rows(facts, self._weights):
            self._values[row.key] = row.value_html
            flagged = [by_code[c] for c in ROW_CODES.get(row.key, ()) if c in by_code]
            value = row.value_html
            glyph = ""
            background = ""
            if flagged:
                worst = max((Severity(d.severity) for d in flagged), key=lambda s: s.rank)
                color = SEVERITY_COLORS[worst]
                glyph = f"<span style='color:{color}'>{SEVERITY_GLYPHS[worst]}</span> "
                tint = {Severity.ERROR: ("#fdecea", "#3d1f1d"), Severity.WARNING: ("#fff4e0", "#3d2f14"),
                        Severity.INFO: ("#e8f0fe", "#1b2a40")}[worst][1 if dark else 0]
                background = f" bgcolor='{tint}'"
                links = " ".join(
                    f"<a href='diag:{d.code}' style='color:{SEVERITY_COLORS[d.severity]}'>{d.code}&nbsp;›</a>"
                    for d in flagged
                )
                value += f"<br>{links}"
            parts.append(
                f"<tr><td{background}><span style='color:{muted}; font-size:small'>{glyph}{html.escape(row.title)}"
                f"</span><br>{value}</td></tr>"
            )
        parts.append("</table>")
        self.body.setText("".join(parts))

    def _on_link(self, link: str) -> None:
        if link.startswith("diag:"):
            self.diagnosticRequested.emit(link[len("diag:"):])
