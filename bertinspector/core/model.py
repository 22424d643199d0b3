"""Immutable data of an inspection: settings, tokens, truncation, diagnostics.

Tokens are stored column-wise (numpy arrays) so that an inspection of a 100,000-character text
stays cheap to build and to paint; :meth:`Inspection.token` gives one row as a :class:`Token`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where tokens are made: commands that read no tokens (lint) start faster
    import numpy as np

SCHEMA = "bertinspector.inspection/1"
COMPARISON_SCHEMA = "bertinspector.comparison/1"
TRUNCATION_STRATEGIES = ("longest_first", "only_first", "only_second", "none")
LOWERCASE_MODES = ("auto", "on", "off")


def lowercase_applied(mode: str, files_lowercase) -> bool:
    """Whether a lowercasing mode lowercases: "on"/"off" force it, else what the model's files say."""
    return {"on": True, "off": False}.get(mode, bool(files_lowercase))


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Settings:
    """How the text is encoded; the defaults are exactly ``tokenizer(text, truncation=True)``."""

    add_special_tokens: bool = True
    truncation: str = "longest_first"
    max_length: int | None = None
    stride: int = 0
    lowercase: str = "auto"

    def __post_init__(self):
        if not isinstance(self.add_special_tokens, bool):
            raise TypeError("add_special_tokens must be true or false")
        if self.max_length is not None and (isinstance(self.max_length, bool) or not isinstance(self.max_length, int)):
            raise TypeError("max_length must be a whole number or null")
        if isinstance(self.stride, bool) or not isinstance(self.stride, int) or self.stride < 0:
            raise TypeError("stride must be a whole number >= 0")
        if self.truncation not in TRUNCATION_STRATEGIES:
            raise ValueError(f"truncation must be one of {', '.join(TRUNCATION_STRATEGIES)}")
        if self.lowercase not in LOWERCASE_MODES:
            raise ValueError(f"lowercase must be one of {', '.join(LOWERCASE_MODES)}")

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


@dataclass(frozen=True)
class Token:
    index: int
    token: str
    id: int
    start: int | None
    end: int | None
    special: bool
    subword: bool
    unk: bool
    type_id: int | None
    segment: int | None
    kept: bool


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    tokens: tuple[int, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    fix: str | None = None
    span_segments: tuple[int, ...] = ()
    """The segment (0: text, 1: pair) of each span, for highlighting; not part of the JSON contract."""

    def spans_in(self, segment: int) -> list[tuple[int, int]]:
        """The spans that lie in ``segment``."""
        segments = self.span_segments or (0,) * len(self.spans)
        return [span for span, s in zip(self.spans, segments) if s == segment]


@dataclass(frozen=True)
class Window:
    """One overflow window (``stride`` > 0): the tokens and characters it covers."""

    first_token: int
    last_token: int
    start_char: int | None
    end_char: int | None


@dataclass(frozen=True)
class Truncation:
    applied: bool
    tokens_total: int
    tokens_kept: int
    tokens_lost: int
    cut_char: int | None
    cut_segment: int | None = None
    cut_token: int | None = None
    """Position in ``tokens`` of the first token that is cut off."""
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True, slots=True)
class CharChange:
    """A run of characters of the user's text that normalization changed."""

    start: int
    end: int
    kind: str  # "lowercased", "accent-stripped", "deleted", "changed"
    segment: int = 0


@dataclass(frozen=True, eq=False)
class Tokens:
    """Column-wise tokens of the untruncated encoding. Offsets are -1 where absent."""

    strings: tuple[str, ...]
    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    special: np.ndarray
    subword: np.ndarray
    unk: np.ndarray
    type_ids: np.ndarray | None
    segments: np.ndarray  # -1 for special tokens
    kept: np.ndarray

    def __len__(self) -> int:
        return len(self.strings)

    def row(self, i: int) -> Token:
        start = int(self.starts[i])
        seg = int(self.segments[i])
        return Token(
            index=i,
            token=self.strings[i],
            id=int(self.ids[i]),
            start=None if start < 0 else start,
            end=None if start < 0 else int(self.ends[i]),
            special=bool(self.special[i]),
            subword=bool(self.subword[i]),
            unk=bool(self.unk[i]),
            type_id=None if self.type_ids is None else int(self.type_ids[i]),
            segment=None if seg < 0 else seg,
            kept=bool(self.kept[i]),
        )

    def at_char(self, segment: int, char: int) -> int | None:
        """Index of the token covering ``char`` of ``segment``, or the nearest one before it."""
        import numpy as np

        mask = (self.segments == segment) & (self.starts >= 0) & (self.starts <= char)
        hits = np.flatnonzero(mask)
        return int(hits[-1]) if len(hits) else None


@dataclass(frozen=True, eq=False)
class Inspection:
    """What the model receives from one input, and what is wrong with it."""

    source: str
    facts: "object"  # ModelFacts (core.facts); kept loose to avoid an import cycle
    settings: Settings
    input_kind: str  # "text" | "ids"
    text: str
    pair: str | None
    tokens: Tokens
    truncation: Truncation
    normalized_text: str | None
    changes: tuple[CharChange, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    attention_mask: "np.ndarray | None" = None  # pasted ids: the mask pasted beside them

    def token(self, i: int) -> Token:
        return self.tokens.row(i)

    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def segment_text(self, segment: int) -> str:
        return self.text if segment == 0 else (self.pair or "")
