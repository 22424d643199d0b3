"""What the window hands to its workers (plain functions: nothing Qt in, nothing Qt out), and what a
path dropped on it or named on the command line opens."""

from __future__ import annotations

import sys
import time
from importlib import metadata
from pathlib import Path

from bertinspector.app import sessions
from bertinspector.core.audit.peek import data_format
from bertinspector.core.model import Settings
from bertinspector.core.readable import readable

MAX_TEXT_FILE = 64 * 1024 * 1024
MODEL_FILES = {"config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json",
               "model.safetensors", "modules.json", "sentence_bert_config.json"}


def open_model(cancel, src: str, trust_remote_code: bool):
    from bertinspector.core.inspector import Inspector

    cancel.check()
    inspector = Inspector.open(src, trust_remote_code=trust_remote_code)
    cancel.check()
    return src, inspector


def run_inspection(cancel, inspector, mode: str, text: str, pair: str | None, settings: Settings, ids_row: int = 0):
    """The inspection, its seconds and, in ids mode, (rows, inspected row, ids before it) of the pasted batch:
    ``ids_row`` is clamped to the rows there are."""
    from bertinspector.core.pasted_ids import parse

    started = time.perf_counter()
    batch = None
    if mode == "ids":
        pasted = parse(text)
        row = min(max(0, ids_row), pasted.rows - 1)
        inspection = inspector.inspect_ids(pasted, settings, row=row)
        batch = pasted.rows, row, sum(len(ids) for ids in pasted.input_ids[:row])
    else:
        inspection = inspector.inspect(text, pair, settings)
    elapsed = time.perf_counter() - started
    readable(inspection)  # the token view's readable labels, worked out here rather than on the GUI thread
    return inspection, elapsed, batch


def scan_cache(cancel):
    from bertinspector.core.sources import cached_hub_models

    return cached_hub_models()


def read_text_file(path: str) -> str:
    """The file's text, or ValueError with one clear line (binary, too large, not UTF-8)."""
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError as error:
        raise ValueError(f"{file.name}: {error.strerror or error}") from None
    if size > MAX_TEXT_FILE:
        raise ValueError(f"{file.name} is {size / 1e6:.0f} MB: text files up to {MAX_TEXT_FILE // 2**20} MB open here")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ValueError(f"{file.name}: {error.strerror or error}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValueError(f"{file.name} is not valid UTF-16 text") from None
    if b"\x00" in data[:65536]:
        raise ValueError(f"{file.name} is not a text file (it holds binary data); nothing was changed")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{file.name} is not UTF-8 text (byte {error.start}); save it as UTF-8 and open it again") from None


def path_kind(path: str) -> str:
    """What a path opens in the window: "model" (a folder or a model's file), "session", "data" (a dataset
    to audit) or "text"."""
    p = Path(path)
    if p.is_dir() or p.name in MODEL_FILES:
        return "model"
    if p.name.endswith(sessions.core_session.SUFFIX):
        return "session"
    return "data" if data_format(path) not in (None, "txt") else "text"  # a .txt opens as text (File ▸ Audit reads it)


def versions() -> dict[str, str]:
    """Versions for the About box, read without importing torch or transformers."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    found = {"bertinspector": "", "Python": sys.version.split()[0], "Qt": qVersion(), "PySide6": pyside_version}
    for dist in ("bertinspector", "torch", "transformers", "tokenizers"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found
