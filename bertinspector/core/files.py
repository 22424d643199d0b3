"""Writing files so that a failure (a full disk, a crash) never leaves a partial file behind."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def file_mode(path: Path) -> int:
    """The mode ``path`` keeps when it is replaced: its own, else what ``open()`` gives under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once: setting it is process-wide, so never while other threads write


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in the same folder, flush it to disk, then rename it over
    ``path``. On any failure the temporary file is removed and the previous ``path`` stays intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, file_mode(path))  # mkstemp's 0600 would make every export private
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
