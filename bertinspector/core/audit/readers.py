"""Data sources of an audit: what the user names -> data files -> shards -> streamed batches.

:func:`plan` resolves the sources (files, folders of shards, globs, ``datasets.save_to_disk`` folders,
a dataset id in the local Hugging Face cache), counts each file's rows, picks the columns and cuts the
rows into :class:`Shard` s (one file, one row range). :func:`read_batches` streams one shard as
:class:`Batch` es of at most ``batch_size`` rows and never holds a whole file (a ``.json`` array
excepted, which is parsed whole). Rows are numbered from 0 in reading order over all files (files in
sorted name order); a shard knows the global number of its file's row 0, so every row it yields carries
its global number and no shard needs another.

Formats: ``.txt`` (one example a line, column ``text``), ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson``,
``.json`` (an array of objects), ``.parquet``, ``.arrow`` (IPC file or stream), each optionally ``.gz``.
A row of a line format (txt, jsonl) is a line; a CSV row is a record (quoted newlines allowed).
"""

from __future__ import annotations

import glob as globbing
import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from bertinspector.core.audit import remote
from bertinspector.core.errors import InputError, first_line

FORMATS = {".txt": "txt", ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
           ".parquet": "parquet", ".arrow": "arrow"}
LINE_FORMATS = frozenset({"txt", "jsonl"})
TEXT_FORMATS = frozenset({"txt", "csv", "tsv", "jsonl", "json"})
DEFAULT_COLUMN = "text"
SPLITS = ("train", "validation", "valid", "dev", "test")
SNIFF_BYTES = 64 * 1024
MAX_JSON_ARRAY_BYTES = 1 << 30
_CHUNK = 1 << 20


class DataError(InputError):
    """A data source cannot be found, read or parsed (one line naming the file, and the line if known)."""


@dataclass(frozen=True)
class Columns:
    """Which columns an audit reads: the text, an optional pair (sentence B) and an optional label."""

    text: str | None = None  # None: ``text`` if present, else the only string column
    pair: str | None = None
    label: str | None = None

    def names(self) -> list[str]:
        return [c for c in (self.text, self.pair, self.label) if c is not None]


@dataclass(frozen=True)
class DataFile:
    path: str  # what is read (a decompressed copy for .parquet.gz / .arrow.gz)
    format: str
    compressed: bool
    rows: int
    display: str  # the file as the user knows it, for messages


@dataclass(frozen=True)
class Shard:
    """Rows ``[start, stop)`` of one file; global row number = ``row_base`` + the row's number in the file.

    ``rows`` (file-local numbers within the range, ascending) restricts the shard to a sample.
    Plain data: it pickles, so it can travel to a worker process or a Ray task.
    """

    file: DataFile
    start: int
    stop: int
    row_base: int
    columns: Columns
    rows: tuple[int, ...] | None = None

    @property
    def size(self) -> int:
        """How many rows this shard yields (its progress weight)."""
        return len(self.rows) if self.rows is not None else self.stop - self.start


@dataclass(frozen=True)
class Plan:
    files: tuple[DataFile, ...]
    shards: tuple[Shard, ...]
    columns: Columns
    sources: tuple[str, ...]
    rows_total: int  # rows of all files (before --limit/--sample)

    @property
    def rows(self) -> int:
        """The rows the shards read."""
        return sum(s.size for s in self.shards)


@dataclass
class Batch:
    """Consecutive (or sampled) rows of one shard that hold text, with what was skipped on the way."""

    rows: np.ndarray  # global row numbers (int64) of the examples
    texts: list[str]
    pairs: list[str | None] | None
    labels: list[str] | None
    rows_read: int = 0
    skipped: int = 0  # text (or pair) null or not a string
    bad_rows: int = 0  # malformed rows skipped with skip_bad_rows


# -- planning --------------------------------------------------------------------------------


def plan(sources: list[str], columns: Columns = Columns(), *, split: str | None = None, shard_rows: int = 20_000,
         limit: int | None = None, sample: int | None = None, seed: int = 0, skip_bad_rows: bool = False,
         workdir: str | None = None) -> Plan:
    """Resolve ``sources`` into files and shards; raises :class:`DataError` in one line.

    ``workdir``: where ``.parquet.gz`` / ``.arrow.gz`` files are decompressed (a temporary folder the
    caller removes); ``limit`` keeps the first N rows, ``sample`` N rows drawn uniformly with ``seed``.
    """
    if not sources:
        raise DataError("no data given")
    paths: list[tuple[Path, str]] = []
    for source in sources:
        paths.extend(resolve_source(source, split))
    files = [_data_file(path, display, workdir, skip_bad_rows) for path, display in paths]
    if not any(f.rows for f in files):
        raise DataError(f"{', '.join(sources)}: no rows to audit (the data is empty)")
    columns = choose_columns(next(f for f in files if f.rows), columns)
    for other in files:
        if other.rows and other is not files[0]:
            _check_columns(other, columns)
    shards, base = [], 0
    for data_file in files:
        for start in range(0, data_file.rows, shard_rows):
            shards.append(Shard(data_file, start, min(start + shard_rows, data_file.rows), base, columns))
        base += data_file.rows
    total = base
    if sample is not None and sample < total:
        chosen = np.sort(np.random.default_rng(seed).choice(total, size=sample, replace=False))
        shards = _restrict(shards, chosen)
    elif limit is not None and limit < total:
        shards = _restrict(shards, np.arange(limit))
    return Plan(tuple(files), tuple(shards), columns, tuple(sources), total)


def _restrict(shards: list[Shard], global_rows: np.ndarray) -> list[Shard]:
    """The shards cut down to the given global rows (ascending)."""
    kept = []
    for shard in shards:
        lo, hi = shard.row_base + shard.start, shard.row_base + shard.stop
        mine = global_rows[(global_rows >= lo) & (global_rows < hi)] - shard.row_base
        if len(mine) == 0:
            continue
        if len(mine) == hi - lo:
            kept.append(shard)
        elif mine[-1] - mine[0] + 1 == len(mine):
            kept.append(replace(shard, start=int(mine[0]), stop=int(mine[-1]) + 1))
        else:
            kept.append(replace(shard, rows=tuple(int(r) for r in mine)))
    return kept


def resolve_source(source: str, split: str | None = None) -> list[tuple[Path, str]]:
    """The data files ``source`` names, in reading order, each with the name to show the user."""
    if remote.is_uri(source):  # s3://, gs://, hf://, file://...: a file or a folder of files
        files = [remote.RemotePath(uri) for uri in remote.list_files(source)]
        if len(files) == 1 and files[0].uri == source:
            if _format_of(files[0]) is None:
                raise DataError(f"{source}: unknown data format (supported: {', '.join(sorted(FORMATS))}, each also .gz)")
            return [(files[0], source)]
        files = [f for f in files if _format_of(f) is not None]
        if not files:
            raise DataError(f"{source}: the folder holds no supported data file ({', '.join(sorted(FORMATS))}, each also .gz)")
        return [(f, f.uri) for f in _only_split(files, split, source)]
    path = Path(source).expanduser()
    if any(c in source for c in "*?["):
        matches = sorted(Path(p) for p in globbing.glob(str(path), recursive=True))
        files = [p for p in matches if p.is_file() and _format_of(p) is not None]
        if not files:
            raise DataError(f"{source}: no supported data file matches")
        return [(p, str(p)) for p in _only_split(files, split, source)]
    if path.is_file():
        if _format_of(path) is None:
            raise DataError(f"{source}: unknown data format (supported: {', '.join(sorted(FORMATS))}, each also .gz)")
        return [(path, source)]
    if path.is_dir():
        return [(p, str(p)) for p in _folder_files(path, split, source)]
    if path.exists():
        raise DataError(f"{source}: not a regular file")
    if _looks_like_dataset_id(source):
        from bertinspector.core.audit.hub import cached_dataset_folder

        return [(p, f"{source}:{p.name}") for p in _folder_files(cached_dataset_folder(source), split, source)]
    raise DataError(f"{source}: no such file or folder")


def _looks_like_dataset_id(source: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?", source)) and not source.endswith(tuple(FORMATS))


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(Path(name).suffix)


def _folder_files(folder: Path, split: str | None, source: str) -> list[Path]:
    """The data files of a folder: a ``save_to_disk`` dataset (or dict of splits), else its shards."""
    if (folder / "dataset_dict.json").is_file():
        splits = _json_file(folder / "dataset_dict.json").get("splits") or []
        chosen = split or ("train" if "train" in splits else (splits[0] if splits else None))
        if chosen not in splits:
            raise DataError(f"{source}: no split {chosen!r} (splits: {', '.join(map(str, splits)) or 'none'})")
        return _folder_files(folder / chosen, None, source)
    if (folder / "state.json").is_file():
        state = _json_file(folder / "state.json")
        names = [entry.get("filename") for entry in state.get("_data_files") or [] if isinstance(entry, dict)]
        files = [folder / n for n in names if isinstance(n, str)]
        missing = [f.name for f in files if not f.is_file()]
        if missing or not files:
            raise DataError(f"{source}: the dataset's state.json names missing arrow files ({', '.join(missing) or 'none listed'})")
        return files
    files = sorted(p for p in folder.iterdir() if p.is_file() and _format_of(p) is not None)
    if not files:
        files = sorted(p for p in folder.rglob("*") if p.is_file() and _format_of(p) is not None
                       and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    if not files:
        raise DataError(f"{source}: the folder holds no supported data file ({', '.join(sorted(FORMATS))}, each also .gz)")
    return _only_split(files, split, source)


def _only_split(files: list[Path], split: str | None, source: str) -> list[Path]:
    """The files of one split when the names say which split they hold (``train-0000.parquet``, ``test/…``)."""
    named = {f: _split_name(f) for f in files}
    present = sorted({s for s in named.values() if s})
    if not present:
        if split is not None:
            raise DataError(f"{source}: the files are not named by split, so --split {split} cannot pick any")
        return files
    chosen = split or ("train" if "train" in present else present[0])
    picked = [f for f, s in named.items() if s == chosen]
    if not picked:
        raise DataError(f"{source}: no files of split {chosen!r} (splits: {', '.join(present)})")
    return picked


def _split_name(path: Path) -> str | None:
    for part in reversed([path.stem.lower(), *[p.lower() for p in path.parent.parts[-2:]]]):
        for split in SPLITS:
            if re.search(rf"(^|[\W_]){split}($|[\W_])", part):
                return split
    return None


def _json_file(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: not a JSON object")
    return data


def _data_file(path: Path, display: str, workdir: str | None, skip_bad_rows: bool) -> DataFile:
    fmt = _format_of(path)
    compressed = path.name.lower().endswith(".gz")
    if compressed:
        _check_gzip_magic(path, display)
    read_path = str(path)
    if compressed and fmt in ("parquet", "arrow"):
        read_path = _decompressed_copy(path, display, workdir)
        compressed = False
    data_file = DataFile(read_path, fmt, compressed, 0, display)
    if fmt in TEXT_FORMATS:
        _sniff_text(data_file)
    return replace(data_file, rows=_count_rows(data_file, skip_bad_rows))


def _check_gzip_magic(path: Path, display: str) -> None:
    with _open_raw(path, display) as f:
        if f.read(2) != b"\x1f\x8b":
            raise DataError(f"{display}: not a gzip file although it ends in .gz")


def _decompressed_copy(path: Path, display: str, workdir: str | None) -> str:
    if workdir is None:
        raise DataError(f"{display}: compressed {_format_of(path)} files need a working folder to decompress into")
    target = Path(workdir) / f"{abs(hash(str(path))):x}-{path.name[:-3]}"
    try:
        with _open_raw(path, display) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as source, open(target, "wb") as out:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{display}: truncated or corrupt gzip ({error})") from None
    return str(target)


def _open_raw(path, display: str):
    if remote.is_uri(str(path)):
        return remote.open_stream(str(path), display)
    try:
        return open(path, "rb")
    except OSError as error:
        raise DataError(f"{display}: {error.strerror or error}") from None


def open_binary(data_file: DataFile):
    """The file's bytes as a stream (decompressed when gzip)."""
    raw = _open_raw(data_file.path, data_file.display)
    return gzip.GzipFile(fileobj=raw, mode="rb") if data_file.compressed else raw


def _sniff_text(data_file: DataFile) -> None:
    """Refuse a binary file given a text format's name: a NUL byte or bytes that are not UTF-8."""
    try:
        with open_binary(data_file) as f:
            head = f.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{data_file.display}: truncated or corrupt gzip ({error})") from None
    nul = head.find(b"\x00")
    if nul >= 0 and data_file.format not in ("csv", "tsv"):
        raise DataError(f"{data_file.display}: not a text file (a NUL byte at byte {nul}); is it a binary file?")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not a character cut by the sniff's end
            raise DataError(f"{data_file.display}: not UTF-8 text (byte {error.start}); is it a binary file?") from None


# -- row counts and columns -------------------------------------------------------------------


def _count_rows(data_file: DataFile, skip_bad_rows: bool) -> int:
    fmt = data_file.format
    try:
        if fmt in LINE_FORMATS:
            return _count_lines(data_file)
        if fmt in ("csv", "tsv"):
            return sum(b.num_rows for _, b in _csv_batches(data_file, None, skip_bad_rows))
        if fmt == "json":
            return len(_json_array(data_file))
        if fmt == "parquet":
            return _parquet(data_file).metadata.num_rows
        return sum(b.num_rows for _, b in _arrow_batches(data_file, None))
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise DataError(f"{data_file.display}: truncated or corrupt gzip ({error})") from None
    except OSError as error:
        raise DataError(f"{data_file.display}: {error.strerror or error}") from None


def _count_lines(data_file: DataFile) -> int:
    lines, last = 0, b"\n"
    with open_binary(data_file) as f:
        while chunk := f.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def schema_of(data_file: DataFile) -> dict[str, str]:
    """Column name -> kind ("string" or another type name) from the file's head."""
    fmt = data_file.format
    if fmt == "txt":
        return {DEFAULT_COLUMN: "string"}
    if fmt == "parquet":
        return {f.name: _kind(f.type) for f in _parquet(data_file).schema_arrow}
    if fmt == "arrow":
        return {f.name: _kind(f.type) for f in _arrow_reader(data_file).schema}
    if fmt in ("csv", "tsv"):
        for _, batch in _csv_batches(data_file, None, True, infer=True):
            return {f.name: _kind(f.type) for f in batch.schema}
        return {}
    records = _json_array(data_file)[:1000] if fmt == "json" else _jsonl_head(data_file)
    kinds: dict[str, str] = {}
    for record in records:
        if isinstance(record, dict):
            for key, value in record.items():
                if value is not None and kinds.get(key) != "string":
                    kinds[key] = "string" if isinstance(value, str) else type(value).__name__
    return kinds


def _kind(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type):
        return "string"
    return str(arrow_type)


def _jsonl_head(data_file: DataFile, lines: int = 1000) -> list:
    records = []
    with open_binary(data_file) as f:
        for line in f:
            try:
                records.append(json.loads(line))
            except ValueError:
                pass
            if len(records) >= lines:
                break
    return records


def choose_columns(data_file: DataFile, columns: Columns) -> Columns:
    """``columns`` with the text column chosen: ``text`` when present, else the only string column."""
    schema = schema_of(data_file)
    strings = [name for name, kind in schema.items() if kind == "string"]
    text = columns.text
    if text is None:
        if DEFAULT_COLUMN in schema:
            text = DEFAULT_COLUMN
        elif len(strings) == 1:
            text = strings[0]
        else:
            listed = ", ".join(strings) if strings else "none"
            raise DataError(f"{data_file.display}: no column 'text' and {'no' if not strings else 'several'} string "
                            f"columns to choose from; pick one with --column (string columns: {listed})")
    chosen = replace(columns, text=text)
    _check_columns(data_file, chosen, schema)
    return chosen


def _check_columns(data_file: DataFile, columns: Columns, schema: dict[str, str] | None = None) -> None:
    schema = schema_of(data_file) if schema is None else schema
    strings = [name for name, kind in schema.items() if kind == "string"]
    for role, name in (("text", columns.text), ("pair", columns.pair), ("label", columns.label)):
        if name is None:
            continue
        if name not in schema and (data_file.format not in ("jsonl", "json") or not schema):
            raise DataError(f"{data_file.display}: no column {name!r} (columns: {', '.join(schema) or 'none'}; "
                            f"string columns: {', '.join(strings) or 'none'})")
        if name not in schema:
            raise DataError(f"{data_file.display}: no row of the first ones has a field {name!r} "
                            f"(fields: {', '.join(schema)}; string fields: {', '.join(strings) or 'none'})")
        if role != "label" and schema[name] != "string" and data_file.format not in ("jsonl", "json"):
            raise DataError(f"{data_file.display}: column {name!r} holds {schema[name]}, not text "
                            f"(string columns: {', '.join(strings) or 'none'})")


# -- streaming one shard ------------------------------------------------------------------------


def read_batches(shard: Shard, batch_size: int = 1000, skip_bad_rows: bool = False) -> Iterator[Batch]:
    """Stream the shard's rows that hold text as batches of at most ``batch_size`` examples."""
    wanted = None if shard.rows is None else np.asarray(shard.rows, dtype=np.int64)
    pending = _Pending(shard, batch_size)
    try:
        for local_start, block, bad in _blocks(shard, skip_bad_rows):
            n = len(block[shard.columns.text])
            lo, hi = max(local_start, shard.start), min(local_start + n, shard.stop)
            if hi <= lo:
                if local_start >= shard.stop:
                    break
                continue
            local = np.arange(lo, hi)
            if wanted is not None:
                local = local[np.isin(local, wanted)]
            yield from pending.add(local, local_start, block, bad)
        yield from pending.flush()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise DataError(f"{shard.file.display}: truncated or corrupt gzip ({error})") from None
    except OSError as error:
        raise DataError(f"{shard.file.display}: {error.strerror or error}") from None


class _Pending:
    """Collects rows into batches of ``batch_size`` examples."""

    def __init__(self, shard: Shard, batch_size: int):
        self.shard, self.size = shard, batch_size
        self._reset()

    def _reset(self):
        c = self.shard.columns
        self.batch = Batch(np.empty(0, np.int64), [], [] if c.pair else None, [] if c.label else None)
        self.rows: list[int] = []

    def add(self, local: np.ndarray, local_start: int, block: dict, bad: set[int]):
        c = self.shard.columns
        texts, pairs = block[c.text], block.get(c.pair) if c.pair else None
        labels = block.get(c.label) if c.label else None
        for row in local.tolist():
            i = row - local_start
            batch = self.batch
            batch.rows_read += 1
            if row in bad:
                batch.bad_rows += 1
                continue
            text = texts[i]
            pair = pairs[i] if pairs is not None else None
            if not isinstance(text, str) or (pairs is not None and not isinstance(pair, str)):
                batch.skipped += 1
                continue
            self.rows.append(self.shard.row_base + row)
            batch.texts.append(text)
            if pairs is not None:
                batch.pairs.append(pair)
            if labels is not None:
                label = labels[i]
                batch.labels.append("(null)" if label is None else str(label))
            if len(batch.texts) >= self.size:
                yield from self.flush()

    def flush(self):
        if self.batch.rows_read:
            self.batch.rows = np.asarray(self.rows, dtype=np.int64)
            yield self.batch
        self._reset()


def _blocks(shard: Shard, skip_bad_rows: bool) -> Iterator[tuple[int, dict, set[int]]]:
    """(file-local number of the first row, {column: values}, file-local numbers of bad rows)."""
    data_file, names = shard.file, shard.columns.names()
    fmt = data_file.format
    if fmt == "txt":
        yield from _txt_blocks(data_file, shard.stop)
    elif fmt == "jsonl":
        yield from _jsonl_blocks(data_file, names, shard.start, shard.stop, skip_bad_rows)
    elif fmt == "json":
        records = _json_array(data_file)[shard.start:shard.stop]
        yield shard.start, {n: [r.get(n) if isinstance(r, dict) else None for r in records] for n in names}, set()
    else:
        if fmt == "parquet":
            batches = _parquet_batches(data_file, names, shard.start)
        elif fmt == "arrow":
            batches = _arrow_batches(data_file, names)
        else:
            batches = _csv_batches(data_file, names, skip_bad_rows)
        yield from _arrow_blocks(batches, names, shard, fmt == "parquet")


def _txt_blocks(data_file: DataFile, stop: int, block_rows: int = 1000):
    with open_binary(data_file) as f:
        row, lines = 0, []
        for line in io.TextIOWrapper(f, encoding="utf-8", errors="surrogateescape", newline="\n"):
            lines.append(line.removesuffix("\n").removesuffix("\r"))
            if len(lines) >= block_rows:
                yield row, {DEFAULT_COLUMN: _valid_utf8(lines)}, set()
                row += len(lines)
                lines = []
                if row >= stop:
                    return
        if lines:
            yield row, {DEFAULT_COLUMN: _valid_utf8(lines)}, set()


def _valid_utf8(lines: list[str]) -> list:
    """Lines with bytes that are not UTF-8 become None (skipped and counted, as a null)."""
    return [line if not _has_surrogates(line) else None for line in lines]


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _jsonl_blocks(data_file: DataFile, names: list[str], start: int, stop: int, skip_bad_rows: bool, block_rows: int = 1000):
    with open_binary(data_file) as f:
        row, values, bad = 0, {n: [] for n in names}, set()
        first = 0
        for line in f:
            if row >= start:
                record = _json_line(line, data_file, row, skip_bad_rows)
                if record is None:
                    bad.add(row)
                for n in names:
                    values[n].append(record.get(n) if isinstance(record, dict) else None)
            else:
                first = row + 1
            row += 1
            if row - first >= block_rows:
                yield first, values, bad
                values, bad, first = {n: [] for n in names}, set(), row
            if row >= stop:
                break
        if values[names[0]]:
            yield first, values, bad


def _json_line(line: bytes, data_file: DataFile, row: int, skip_bad_rows: bool):
    """The object of one JSONL line; None for a bad line skipped with ``skip_bad_rows``; {} for a blank line."""
    if not line.strip():
        return {}
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        reason = f"not JSON ({getattr(error, 'msg', type(error).__name__)})"
    else:
        if isinstance(record, dict):
            return record
        reason = f"a JSON {type(record).__name__}, not an object"
    if skip_bad_rows:
        return None
    raise DataError(f"{data_file.display}: line {row + 1}: {reason} (--skip-bad-rows skips and counts such lines)")


def _json_array(data_file: DataFile) -> list:
    with open_binary(data_file) as f:
        data = f.read(MAX_JSON_ARRAY_BYTES + 1)
    if len(data) > MAX_JSON_ARRAY_BYTES:
        raise DataError(f"{data_file.display}: a JSON array over 1 GB; write it as JSONL (one object a line) to stream it")
    try:
        records = json.loads(data)
    except ValueError as error:
        raise DataError(f"{data_file.display}: not valid JSON ({getattr(error, 'msg', error)}, line {getattr(error, 'lineno', '?')})") from None
    except RecursionError:
        raise DataError(f"{data_file.display}: nested too deeply") from None
    if not isinstance(records, list):
        raise DataError(f"{data_file.display}: a .json file must hold an array of objects (one object a line: name it .jsonl)")
    return records


def _arrow_blocks(batches, names: list[str], shard: Shard, positioned: bool):
    """Blocks from arrow record batches; parquet batches start at the shard's row group."""
    row = None
    for first, batch in batches:
        row = first if positioned else (0 if row is None else row)
        n = batch.num_rows
        if row + n > shard.start:
            yield row, {name: batch.column(name).to_pylist() for name in names}, set()
        row += n
        if row >= shard.stop:
            return


def _parquet(data_file: DataFile):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(remote.open_random(data_file.path, data_file.display)
                              if remote.is_uri(data_file.path) else data_file.path)
    except Exception as error:  # ArrowInvalid and friends: one line
        raise DataError(f"{data_file.display}: not a readable Parquet file ({first_line(error, 200)})") from None


def _parquet_batches(data_file: DataFile, names: list[str], start: int):
    """(first row, batch) from the row group holding ``start`` on."""
    parquet = _parquet(data_file)
    meta = parquet.metadata
    first, groups = 0, []
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if first + n > start or groups:
            groups.append(g)
        else:
            first += n
    try:
        for batch in parquet.iter_batches(batch_size=4096, row_groups=groups, columns=names):
            yield first, batch
            first += batch.num_rows
    except Exception as error:
        raise DataError(f"{data_file.display}: not a readable Parquet file ({first_line(error, 200)})") from None


def _arrow_reader(data_file: DataFile):
    import pyarrow as pa

    try:
        source = (remote.open_random(data_file.path, data_file.display) if remote.is_uri(data_file.path)
                  else pa.memory_map(data_file.path))
    except Exception as error:
        raise DataError(f"{data_file.display}: {first_line(error, 200)}") from None
    for opener in (pa.ipc.open_file, pa.ipc.open_stream):
        try:
            return opener(source)
        except Exception:
            source.seek(0)
    raise DataError(f"{data_file.display}: not an Arrow IPC file or stream")


def _arrow_batches(data_file: DataFile, names: list[str] | None):
    import pyarrow as pa

    reader = _arrow_reader(data_file)
    try:
        if isinstance(reader, pa.ipc.RecordBatchFileReader):
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
        else:
            batches = iter(reader)
        for batch in batches:
            yield 0, batch.select(names) if names else batch
    except Exception as error:
        raise DataError(f"{data_file.display}: not a readable Arrow file ({first_line(error, 200)})") from None


def _csv_batches(data_file: DataFile, names: list[str] | None, skip_bad_rows: bool, *, infer: bool = False):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad_row = []

    def on_invalid(row):
        if skip_bad_rows:
            return "skip"
        bad_row.append(row)
        return "error"

    parse = pacsv.ParseOptions(delimiter="\t" if data_file.format == "tsv" else ",", newlines_in_values=True,
                               invalid_row_handler=on_invalid)
    convert = pacsv.ConvertOptions(
        include_columns=names or None,
        column_types={} if infer or not names else {n: pa.string() for n in names},
        strings_can_be_null=False, quoted_strings_can_be_null=False,
    )
    stream = open_binary(data_file)
    try:
        reader = pacsv.open_csv(stream, read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 20),
                                parse_options=parse, convert_options=convert)
        for batch in reader:
            yield 0, batch
            if infer:
                return
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        where = f"line {bad_row[0].number}: " if bad_row and bad_row[0].number and bad_row[0].number > 0 else ""
        hint = " (--skip-bad-rows skips and counts such rows)" if bad_row else ""
        raise DataError(f"{data_file.display}: {where}{first_line(error, 200)}{hint}") from None
    finally:
        stream.close()
