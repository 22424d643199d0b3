"""Pieces of the linted code as the user wrote them, and the same calls rewritten for a fix."""

from __future__ import annotations

import ast

from bertinspector.core.lint.findings import Span


class Code:
    """The source by lines; ``ast`` columns (UTF-8 bytes) turned into characters."""

    def __init__(self, source: str):
        self.lines = source.split("\n")

    def column(self, line: int, byte_column: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> Span:
        return Span(node.lineno, self.column(node.lineno, node.col_offset),
                    node.end_lineno, self.column(node.end_lineno, node.end_col_offset))

    def between(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        (l1, c1), (l2, c2) = start, end
        if l1 == l2:
            return self.lines[l1 - 1][c1:c2]
        return "\n".join([self.lines[l1 - 1][c1:], *self.lines[l1:l2 - 1], self.lines[l2 - 1][:c2]])

    def of(self, node: ast.AST) -> str:
        """The expression exactly as written."""
        s = self.span(node)
        return self.between((s.line, s.column), (s.end_line, s.end_column))

    def indent(self, line: int) -> str:
        text = self.lines[line - 1]
        return text[: len(text) - len(text.lstrip())]


def call_text(code: Code, node: ast.Call, known_spreads, *, func: str | None = None, positional: list[str] | None = None,
              drop=(), add: dict | None = None) -> str:
    """``node`` written again: ``drop`` keywords removed, ``add`` ones set (``name -> source``).

    A ``**kwargs`` whose literal content the flow knows (``known_spreads``: name -> expression)
    is written out as keywords, so that one of its entries can be dropped.
    """
    add = dict(add or {})
    keywords: list[tuple[str | None, str]] = []
    for keyword in node.keywords:
        if keyword.arg is not None:
            keywords.append((keyword.arg, code.of(keyword.value)))
        elif id(keyword) in known_spreads:
            keywords.extend((name, code.of(expr)) for name, expr in known_spreads[id(keyword)].items())
        else:
            keywords.append((None, "**" + code.of(keyword.value)))
    parts = positional if positional is not None else [code.of(a) for a in node.args]
    seen = set()
    out = []
    for name, text in keywords:
        if name in drop or (name is not None and name in seen):
            continue
        if name is not None:
            seen.add(name)
            text = add.pop(name, text)
            out.append(f"{name}={text}")
        else:
            out.append(text)
    out.extend(f"{name}={text}" for name, text in add.items())
    spreads = [p for p in out if p.startswith("**")]
    named = sorted((p for p in out if not p.startswith("**")), key=lambda p: p.startswith("return_tensors="))
    return f"{func if func is not None else code.of(node.func)}({', '.join(parts + named + spreads)})"


def in_statement(code: Code, statement: ast.stmt | None, node: ast.AST, new: str) -> tuple[str, Span]:
    """The statement holding ``node`` with ``node`` replaced by ``new``, and the span it replaces.

    A statement that holds a block (``for``, ``if``, ``with``…) is not rewritten whole: then the
    expression alone is replaced.
    """
    if statement is None or hasattr(statement, "body") or not hasattr(statement, "lineno"):
        return new, code.span(node)
    s, n = code.span(statement), code.span(node)
    before = code.between((s.line, s.column), (n.line, n.column))
    after = code.between((n.end_line, n.end_column), (s.end_line, s.end_column))
    return before + new + after, s


def apply_fix(source: str, span: Span, fix: str) -> str:
    """``source`` with ``span`` replaced by ``fix``; the fix's later lines take the first line's indentation."""
    lines = source.split("\n")
    indent = lines[span.line - 1][: span.column] if lines[span.line - 1][: span.column].strip() == "" else ""
    fix = fix.replace("\n", "\n" + indent)
    head = lines[span.line - 1][: span.column]
    tail = lines[span.end_line - 1][span.end_column:]
    return "\n".join(lines[: span.line - 1] + (head + fix + tail).split("\n") + lines[span.end_line:])
