"""The code to lint: a Python file or a notebook's code cells, parsed with ``ast`` (never run).

A notebook's code cells are read as one program (a tokenizer loaded in cell 1 is the one called in
cell 3); IPython magics and shell lines (``%``, ``%%``, ``!``, ``?``) become ``pass`` so that line
numbers stay those of the cell. A cell that does not parse is one ``syntax-error`` finding and is
left out of the program.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
import warnings
from dataclasses import dataclass, field

from bertinspector.core.errors import InputError
from bertinspector.core.lint.findings import Finding

MAX_CODE_BYTES = 16 * 1024 * 1024
MAGIC = re.compile(r"^(\s*)(%|!|\?)")
HELP = re.compile(r"^\s*[\w.]+\?\??\s*$")


@dataclass
class Program:
    """Parsed code, and where each line came from (a notebook cell, or the file itself)."""

    source: str
    tree: ast.Module | None
    cells: list[tuple[int, int]] = field(default_factory=list)  # (cell number, first line in ``source``)
    errors: list[Finding] = field(default_factory=list)

    def place(self, line: int) -> tuple[int | None, int]:
        """(cell, line in that cell) of a line of ``source``; cell None for a plain file."""
        cell = None
        first = 1
        for number, start in self.cells:
            if start > line:
                break
            cell, first = number, start
        return cell, line - first + 1


def parse_python(code: str) -> Program:
    tree, error = _parse(code)
    return Program(code, tree, errors=[error] if error else [])


def parse_notebook(data: bytes | str, name: str = "notebook") -> Program:
    """The code cells of an ``.ipynb`` document (nbformat 4, or 3's worksheets)."""
    try:
        notebook = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{name} is not a notebook: not valid JSON ({error})") from None
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to be a notebook") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if cells is None and isinstance(notebook, dict) and isinstance(notebook.get("worksheets"), list):
        cells = [c for sheet in notebook["worksheets"] if isinstance(sheet, dict) for c in sheet.get("cells", [])]
    if not isinstance(cells, list):
        raise InputError(f"{name} is not a notebook: no list of cells")
    parts, spans, errors = [], [], []
    line = 1
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code = _cell_code(cell.get("source", cell.get("input", "")), name, number)
        _tree, error = _parse(code)
        if error is not None:
            errors.append(Finding(error.code, error.line, error.column, error.end_line, error.message, cell=number))
            code = "\n" * code.count("\n")  # keep the cell's place, without its code
        spans.append((number, line))
        parts.append(code if code.endswith("\n") else code + "\n")
        line += parts[-1].count("\n")
    source = "".join(parts)
    tree, error = _parse(source)
    if error is not None:  # the cells parse alone but not together (cannot happen with whole lines)
        tree = None
    return Program(source, tree, spans, errors)


def _cell_code(source, name: str, number: int) -> str:
    if isinstance(source, list) and all(isinstance(piece, str) for piece in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise InputError(f"{name}: cell {number} has no text source")
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n" * (len(lines) - 1)  # a cell magic (%%bash, %%time…): not Python
    out = []
    for text in lines:
        match = MAGIC.match(text)
        if match or HELP.match(text):
            indent = match.group(1) if match else text[: len(text) - len(text.lstrip())]
            out.append(indent + "pass")
        else:
            out.append(text)
    return "\n".join(out)


def _parse(code: str) -> tuple[ast.Module | None, Finding | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our findings
            return ast.parse(code), None
    except SyntaxError as error:
        line = error.lineno or 1
        message = f"the code does not parse: {error.msg} (nothing after it is checked)"
        return None, Finding("syntax-error", line, error.offset or 1, error.end_lineno or line, message)
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        reason = "it is nested too deeply" if isinstance(error, RecursionError) else str(error) or type(error).__name__
        return None, Finding("syntax-error", 1, 1, 1, f"the code cannot be parsed: {reason}")


def decode(data: bytes, name: str) -> str:
    """The text in the encoding its ``# -*- coding: … -*-`` line declares (UTF-8 by default, a byte-order
    mark allowed), or one clear :class:`InputError`."""
    if len(data) > MAX_CODE_BYTES:
        raise InputError(f"{name}: larger than {MAX_CODE_BYTES // 2**20} MB, not a source file")
    if b"\x00" in data[:65536]:
        raise InputError(f"{name} is not a text file (it holds binary data)")
    try:
        encoding = "utf-8-sig" if name.endswith(".ipynb") else tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        return data.decode(encoding)
    except SyntaxError as error:  # an unknown coding declaration
        raise InputError(f"{name}: {error.msg if hasattr(error, 'msg') else error}") from None
    except (UnicodeDecodeError, LookupError) as error:
        where = f" (byte {error.start})" if isinstance(error, UnicodeDecodeError) else ""
        raise InputError(f"{name} is not text in its declared encoding{where}") from None


def parse(data: bytes | str, name: str) -> Program:
    """A program from a file's bytes: a notebook when the name ends in .ipynb (or the text is one)."""
    text = data if isinstance(data, str) else decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # the columns of findings count in lines split at \n
    if name.endswith(".ipynb") or (text.lstrip().startswith("{") and '"cells"' in text[:100_000] and not name.endswith(".py")):
        return parse_notebook(text, name)
    return parse_python(text)
