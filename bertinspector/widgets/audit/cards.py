"""Summary cards: one figure per card with a line that says it in plain words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

CARDS = ("examples", "cut", "lost", "unknown", "fertility")
TITLES = {"examples": "Examples", "cut": "Cut", "lost": "Tokens lost", "unknown": "Unknown tokens",
          "fertility": "Fertility"}


def pct(share: float) -> str:
    return f"{100 * share:.1f} %" if share >= 0.001 or share == 0 else f"{100 * share:.2f} %"


def card_texts(document: dict) -> dict[str, tuple[str, str]]:
    """card -> (figure, plain-words line) for an audit document (live or final)."""
    data, t, u, w = document["data"], document["truncation"], document["unknown"], document["words"]
    n = data["examples"]
    skipped = data["skipped"] + data["bad_rows"]
    limit = f"max_length {t['max_length']}" if t["max_length"] else "no max_length"
    top = u["top"][0]["text"] if u["top"] else None
    return {
        "examples": (f"{n:,}", f"{data['rows_read']:,} rows read" + (f", {skipped:,} without text" if skipped else "")),
        "cut": (pct(t["share_cut"]), f"{pct(t['share_cut'])} of examples lose text ({t['examples_cut']:,} cut at {limit})"
                if t["examples_cut"] else f"no example is cut ({limit})"),
        "lost": (f"{t['tokens_lost']:,}", f"{t['tokens_lost']:,} tokens never reach the model "
                 f"({pct(t['tokens_lost_share'])} of {t['tokens_total']:,})" if t["tokens_lost"] else "every token reaches the model"),
        "unknown": (pct(u["share_of_tokens"]), f"{u['tokens']:,} tokens the model cannot tell apart in {u['examples']:,} examples"
                    + (f", most often {top!r}" if top else "") if u["tokens"] else "no token is unknown"),
        "fertility": (f"{w['fertility']:.2f}", f"tokens per word; {pct(w['single_token_share'])} of {w['count']:,} words are one token"),
    }


class Card(QFrame):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"auditCard-{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#auditCard-{name} {{ background: palette(base); border: 1px solid palette(mid);"
                           " border-radius: 6px; }")
        self.title = QLabel(TITLES[name], self)
        self.title.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")
        self.value = QLabel("—", self)
        self.value.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.line = QLabel("", self)
        self.line.setWordWrap(True)
        self.line.setStyleSheet("font-size: 11px;")
        self.line.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.line, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(120)


class SummaryCards(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cards = {name: Card(name, self) for name in CARDS}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for card in self.cards.values():
            layout.addWidget(card)

    def set_document(self, document: dict | None) -> None:
        texts = card_texts(document) if document else {name: ("—", "") for name in CARDS}
        for name, (value, line) in texts.items():
            self.cards[name].value.setText(value)
            self.cards[name].line.setText(line)

    def line(self, name: str) -> str:
        return self.cards[name].line.text()
