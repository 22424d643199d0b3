"""Token ids pasted from someone's code, as pipelines print them.

Accepted: ``101, 7592, 102``; ``[101 7592 102]`` (numpy without commas); ``tensor([[101, 7592, 102]])``;
numpy's ``array([...])``; a 2-D batch (one row is inspected at a time); and the dict a tokenizer
returns, ``{'input_ids': [[...]], 'token_type_ids': [[...]], 'attention_mask': [[...]]}`` (also as a
``BatchEncoding``/``tensor`` repr), whose mask and type ids travel with the ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bertinspector.core.errors import InputError

MAX_IDS = 1_000_000
MAX_ID = 2**31 - 1
_FIELD = re.compile(r"""['"]?\b(input_ids|attention_mask|token_type_ids)\b['"]?\s*[:=]\s*""")
_ROW = re.compile(r"\[([^\[\]]*)\]")
_SEPARATORS_ONLY = re.compile(r"[\s,;]*")
_NUMBER = re.compile(r"[+-]?\d+")
_WRAPPER = re.compile(r"\s*(?:[\w.]+\s*\(\s*)?")  # tensor( / array( / np.array( before a field's list
_FLAT_WRAPPERS = re.compile(r"tensor|array|dtype\s*=\s*[\w.]+|device\s*=\s*['\"][^'\"]*['\"]|[(){}]")
Row = np.ndarray  # int64 ids of one row


@dataclass(frozen=True)
class PastedIds:
    """The rows of ``input_ids`` and, when pasted beside them, the attention mask and type ids."""

    input_ids: tuple[Row, ...]
    attention_mask: tuple[Row, ...] | None = None
    token_type_ids: tuple[Row, ...] | None = None

    @property
    def rows(self) -> int:
        return len(self.input_ids)

    def row(self, index: int | None = None) -> tuple[Row, Row | None, Row | None]:
        """(ids, attention mask or None, type ids or None) of one row; ``index`` may be left out for a single row."""
        if index is None:
            if self.rows > 1:
                raise InputError(f"the ids hold a batch of {self.rows} rows: pick one, 0 to {self.rows - 1} (--ids-row N)")
            index = 0
        if not 0 <= index < self.rows:
            raise InputError(f"row {index} does not exist: the ids hold {self.rows} row(s), 0 to {self.rows - 1}")
        extra = [None if rows is None else rows[index] for rows in (self.attention_mask, self.token_type_ids)]
        return (self.input_ids[index], *extra)


def parse(text: str) -> PastedIds:
    """The ids (and mask, type ids) in ``text``; raises :class:`InputError` with one line on anything else."""
    fields = list(_FIELD.finditer(text))
    if not fields:
        return PastedIds(input_ids=_rows(text, "input_ids"))
    found: dict[str, tuple[Row, ...]] = {}
    for match in fields:
        name = match.group(1)
        start = text.find("[", match.end())
        if start < 0 or not _WRAPPER.fullmatch(text[match.end():start]):
            raise InputError(f"'{name}' is not followed by a list of numbers")
        found.setdefault(name, _rows(text[start:_closing(text, start) + 1], name))
    if "input_ids" not in found:
        raise InputError("the pasted dict has no 'input_ids'")
    ids = found["input_ids"]
    for name in ("attention_mask", "token_type_ids"):
        if name in found and [len(r) for r in found[name]] != [len(r) for r in ids]:  # same rows, same lengths
            raise InputError(f"'{name}' does not have the shape of 'input_ids' ({_shape(found[name])} vs {_shape(ids)})")
    mask = found.get("attention_mask")
    if mask is not None and any(np.any((row != 0) & (row != 1)) for row in mask):
        raise InputError("the attention mask holds values other than 0 and 1")
    return PastedIds(input_ids=ids, attention_mask=mask, token_type_ids=found.get("token_type_ids"))


def _rows(text: str, name: str) -> tuple[Row, ...]:
    """One row (a flat list of numbers) or the rows of a 2-D list; the brackets may be missing."""
    if "..." in text or "…" in text:
        raise InputError("the pasted ids are shortened with '...' (torch and numpy abbreviate long tensors): "
                         "paste ids.tolist() instead")
    if "[" not in text:
        return (_numbers(_FLAT_WRAPPERS.sub(" ", text), name),)
    rows: list[Row] = []
    start = text.index("[")
    while start >= 0:  # top-level lists one after the other: one row each (or the rows of each)
        end = _closing(text, start)
        rows.extend(_nested(text[start + 1:end], name))
        start = text.find("[", end + 1)
    if sum(len(r) for r in rows) == 0:
        raise InputError("no token ids given: paste ids like '101, 7592, 102'")
    return tuple(rows)


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (brackets counted with str.find, not per character)."""
    depth, at = 0, start
    while True:
        opening, closing = text.find("[", at), text.find("]", at)
        if closing < 0:
            raise InputError("the pasted ids have an opening '[' without its closing ']'")
        if 0 <= opening < closing:
            depth, at = depth + 1, opening + 1
        else:
            depth, at = depth - 1, closing + 1
            if depth == 0:
                return closing


def _nested(inner: str, name: str) -> list[Row]:
    """The rows inside one top-level list: ``inner`` is a row's numbers, or rows in brackets."""
    if "[" not in inner:
        if "]" in inner:
            raise InputError(f"the pasted {name} have a ']' without its opening '['")
        return [_numbers(inner, name)]
    rows = _ROW.findall(inner)
    if _SEPARATORS_ONLY.fullmatch(_ROW.sub(" ", inner)) is None:
        raise InputError(f"the pasted {name} are neither one row nor rows of ids (more than two dimensions, "
                         "or numbers beside rows)")
    return [_numbers(row, name) for row in rows]


def _numbers(text: str, name: str) -> Row:
    """The whole numbers of one row, separated by commas, semicolons or whitespace."""
    parts = text.replace(",", " ").replace(";", " ").split()
    if not parts and name == "input_ids":
        raise InputError("no token ids given: paste ids like '101, 7592, 102'")
    if len(parts) > MAX_IDS:
        raise InputError(f"too many ids ({len(parts)}); at most {MAX_IDS}")
    if "_" not in text:  # a million ids: numpy converts them at once; a bad one is named below
        try:
            values = np.asarray(parts, dtype=np.int64)
        except (ValueError, OverflowError):
            values = None
        if values is not None and (not len(values) or (values.min() >= 0 and values.max() <= MAX_ID)):
            return values
    for part in parts:
        if not _NUMBER.fullmatch(part):
            raise InputError(f"'{part[:40]}' is not a token id: ids are whole numbers like '101, 7592, 102'")
        checked_id(int(part))
    return np.asarray([int(part) for part in parts], dtype=np.int64)


def checked_id(value: int) -> int:
    if value < 0:
        raise InputError(f"{value} is not a token id: ids are never negative")
    if value > MAX_ID:
        raise InputError(f"{value} is too large to be a token id")
    return value


def _shape(rows: tuple[Row, ...]) -> str:
    lengths = sorted({len(r) for r in rows})
    return f"{len(rows)} x {lengths[0]}" if len(lengths) == 1 else f"{len(rows)} rows of {lengths[0]}-{lengths[-1]}"
