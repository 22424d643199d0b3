"""A lint report as the contract's JSON (``bertinspector.lint/1``) and as terminal text."""

from __future__ import annotations

from bertinspector.core.lint.findings import LINT_SCHEMA, LintReport

MARKS = {"error": "✖", "warning": "▲", "info": "ℹ"}


def to_json(report: LintReport) -> dict:
    inspection = None
    if report.inspection is not None:
        from bertinspector.core import report as inspection_report  # numpy: only with an inspection

        inspection = inspection_report.to_json(report.inspection)
    return {
        "schema": LINT_SCHEMA,
        "source": report.source,
        "calls": [call.to_json() for call in report.calls],
        "findings": [finding.to_json() for finding in report.findings],
        "inspection": inspection,
    }


def location(report: LintReport, finding) -> str:
    where = f"{report.source}:" + (f"cell {finding.cell}:" if finding.cell is not None else "")
    return f"{where}{finding.line}:{finding.column}"


def render_text(report: LintReport) -> str:
    counts = {severity: 0 for severity in MARKS}
    for finding in report.findings:
        counts[finding.severity] += 1
    counts = {severity: n for severity, n in counts.items() if n}
    if counts:
        summary = ", ".join(f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in counts.items())
        lines = [f"{report.source}: {summary}", ""]
    else:
        lines = [f"{report.source}: no findings ({len(report.calls)} calls read)"]
    for finding in report.findings:
        lines.append(f"{location(report, finding)}: {MARKS[finding.severity]} {finding.severity} {finding.code}: {finding.message}")
        if finding.fix:
            fix = finding.fix.replace("\n", "\n         ")
            lines.append(f"    fix: {fix}")
    if report.inspection is not None:
        from bertinspector.core import report as inspection_report

        settings = report.settings_at()
        where = f"cell {settings.cell}, line {settings.line}" if settings.cell is not None else f"line {settings.line}"
        lines += ["", f"What the first tokenizer call ({where}) makes of the text:"]
        lines += [f"  note: {note}" for note in settings.notes]
        lines += ["", inspection_report.render_text(report.inspection)]
    return "\n".join(lines)
