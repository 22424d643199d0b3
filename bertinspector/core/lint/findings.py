"""What a lint run produces: the calls it read, its findings, the report (``bertinspector.lint/1``)."""

from __future__ import annotations

from dataclasses import dataclass

LINT_SCHEMA = "bertinspector.lint/1"

SEVERITIES = {
    "encode-into-model": "error",
    "special-tokens-disabled": "error",
    "no-truncation": "warning",
    "max-length-without-truncation": "warning",
    "call-time-preprocessing-option": "error",
    "tokenizer-model-mismatch": "warning",
    "tokens-bypass-tokenizer": "warning",
    "pair-as-one-string": "warning",
    "padding-without-attention-mask": "warning",
    "per-example-tokenization": "info",
    "syntax-error": "error",
}
SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}


@dataclass(frozen=True)
class Span:
    """A region of the code: 1-based lines, 0-based character columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Finding:
    code: str
    line: int
    column: int  # 1-based, as editors show it
    end_line: int
    message: str
    fix: str | None = None
    cell: int | None = None  # notebooks: the cell (1-based, every cell counted); lines are then lines of that cell
    replaces: Span | None = None
    """The code the fix replaces (in the file, or in the cell): a whole statement, or the expression
    when the statement holds a block. Not part of the JSON."""

    @property
    def severity(self) -> str:
        return SEVERITIES[self.code]

    def to_json(self) -> dict:
        data = {"code": self.code, "severity": self.severity, "line": self.line, "column": self.column,
                "end_line": self.end_line, "message": self.message, "fix": self.fix}
        if self.cell is not None:
            data["cell"] = self.cell
        return data


@dataclass(frozen=True)
class Call:
    line: int
    kind: str  # "from_pretrained" | "tokenizer-call" | "encode" | "model-call" | "other"
    target: str
    arguments: dict
    cell: int | None = None

    def to_json(self) -> dict:
        data = {"line": self.line, "kind": self.kind, "target": self.target, "arguments": self.arguments}
        if self.cell is not None:
            data["cell"] = self.cell
        return data


@dataclass(frozen=True)
class CallSettings:
    """The literal settings of the first tokenizer call, as the inspector's settings."""

    line: int
    cell: int | None
    settings: "object"  # core.model.Settings
    checkpoint: str | None  # the literal checkpoint its tokenizer was loaded from, when the code names one
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LintReport:
    source: str
    calls: tuple[Call, ...] = ()
    findings: tuple[Finding, ...] = ()
    call_settings: tuple[CallSettings, ...] = ()
    """The settings of each tokenizer call, in the order of the code."""
    inspection: "object" = None  # core.model.Inspection of --text, when asked for

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def settings_at(self, line: int | None = None, cell: int | None = None) -> CallSettings | None:
        """The tokenizer call on that line (of that cell), else the first one; None when there is none."""
        for settings in self.call_settings:
            if settings.line == line and settings.cell == cell:
                return settings
        return self.call_settings[0] if self.call_settings else None

    def worst(self) -> int:
        return max((SEVERITY_RANK[f.severity] for f in self.findings), default=-1)
