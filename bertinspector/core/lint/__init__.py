"""Lint preprocessing code: read a Python file or notebook with ``ast`` (never run it) and name the
tokenizer mistakes it makes, each with a fix (``bertinspector.lint/1``).

    report = lint(code, "train.py")
    report.findings, report.calls, report.call_settings
"""

from __future__ import annotations

from dataclasses import replace

from bertinspector.core.lint import flow as f
from bertinspector.core.lint.findings import LINT_SCHEMA, Call, Finding, LintReport, Span
from bertinspector.core.lint.rewrite import Code, apply_fix
from bertinspector.core.lint.rules import Rules
from bertinspector.core.lint.settings import call_settings
from bertinspector.core.lint.source import Program, parse

__all__ = ["LINT_SCHEMA", "Finding", "LintReport", "apply_fix", "lint"]

POSITIONAL = {"from_pretrained": ("pretrained_model_name_or_path",), "tokenizer-call": ("text", "text_pair"),
              "encode": ("text", "text_pair")}


def lint(data: bytes | str, name: str = "<stdin>") -> LintReport:
    """Findings, calls and the first call's settings for the code in ``data`` (a .py or .ipynb's content)."""
    program = parse(data, name)
    if program.tree is None:
        return LintReport(name, findings=tuple(program.errors))
    flow = f.Flow(program.tree).run()
    findings = [_placed(finding, program) for finding in Rules(flow, Code(program.source)).run()]
    calls = [_call(site, flow, program) for site in flow.ordered_sites()]
    return LintReport(name, tuple(calls), tuple(program.errors + findings), call_settings(flow, program.place))


def _placed(finding: Finding, program: Program) -> Finding:
    if not program.cells:
        return finding
    cell, line = program.place(finding.line)
    shift = finding.line - line
    span = finding.replaces
    if span is not None:
        span = Span(span.line - shift, span.column, span.end_line - shift, span.end_column)
    return replace(finding, cell=cell, line=line, end_line=finding.end_line - shift, replaces=span)


def _call(site: f.Site, flow: f.Flow, program: Program) -> Call:
    arguments = {}
    for key, node in zip(POSITIONAL.get(site.kind, ()), site.node.args):
        _put(arguments, key, flow.literal(node))
    for key, node in site.keywords.items():
        _put(arguments, key, flow.literal(node))
    cell, line = program.place(site.node.lineno)
    return Call(line, site.kind, site.target, arguments, cell)


def _put(arguments: dict, key: str, value) -> None:
    value = _jsonable(value)
    if value is not f.UNKNOWN_LITERAL:
        arguments[key] = value


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_jsonable(v) for v in value]
        return f.UNKNOWN_LITERAL if any(v is f.UNKNOWN_LITERAL for v in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _jsonable(v) for k, v in value.items()}
        return f.UNKNOWN_LITERAL if any(v is f.UNKNOWN_LITERAL for v in items.values()) else items
    return f.UNKNOWN_LITERAL
