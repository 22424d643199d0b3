"""A data file's columns without reading its rows: what the window's audit dialog offers to pick from.

Parquet and Arrow give their schema (and Parquet its row count) from the file's metadata, so a 10 GB file
answers at once; CSV/TSV read their first block, JSONL/JSON their first records. Rows are counted only
when the audit plans its shards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bertinspector.core.errors import first_line
from bertinspector.core.audit.readers import DataError, DataFile, _check_gzip_magic, _format_of, _parquet, schema_of


@dataclass(frozen=True)
class Peek:
    format: str
    columns: dict[str, str]  # name -> "string" or another type's name
    rows: int | None  # known without a scan (Parquet), else None

    def strings(self) -> list[str]:
        return [name for name, kind in self.columns.items() if kind == "string"]


def data_format(path: str) -> str | None:
    """The format a file's name says (``.jsonl.gz`` -> ``jsonl``), None for one the audit does not read."""
    return _format_of(Path(path))


def peek(path: str) -> Peek:
    """The columns of one data file; :class:`DataError` in one line for a missing, unknown or unreadable file."""
    file = Path(path)
    fmt = data_format(path)
    if fmt is None:
        raise DataError(f"{file.name}: not a data file the audit reads (.jsonl .csv .tsv .parquet .arrow .txt .json, "
                        "each also .gz)")
    if not file.is_file():
        raise DataError(f"{path}: no such file")
    compressed = file.name.lower().endswith(".gz")
    if compressed:
        _check_gzip_magic(file, file.name)
        if fmt in ("parquet", "arrow"):  # their schema sits at the end of the decompressed file
            return Peek(fmt, {}, None)
    data_file = DataFile(str(file), fmt, compressed, 0, file.name)
    try:
        columns = schema_of(data_file)
        rows = _parquet(data_file).metadata.num_rows if fmt == "parquet" else None
    except DataError:
        raise
    except Exception as error:  # noqa: BLE001 - gzip, JSON and pyarrow errors: one line, never a traceback
        raise DataError(f"{file.name}: cannot read its columns ({first_line(error)})") from None
    return Peek(fmt, columns, rows)
