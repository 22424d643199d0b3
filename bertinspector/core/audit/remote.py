"""Data behind a URI (``s3://``, ``gs://``, ``hf://``, ``file://``…): what every node of a cluster can read.

A URI is opened with ``pyarrow.fs.FileSystem.from_uri`` (S3, GCS, HDFS, ABFS, local files), else with the
fsspec filesystem registered for its scheme (``hf://`` through huggingface_hub, ``memory://``, and any
installed fsspec package), wrapped as a pyarrow filesystem. Credentials come from the usual environment
(``AWS_*``, ``GOOGLE_APPLICATION_CREDENTIALS``, ``HF_TOKEN``…) and are never part of a message: messages
name the URI as the user typed it.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from bertinspector.core.errors import InputError, first_line

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")


def is_uri(text: str) -> bool:
    return bool(_URI.match(text))


@dataclass(frozen=True)
class RemotePath:
    """A file behind a URI, with the parts of a path that picking formats and splits looks at."""

    uri: str

    def __str__(self) -> str:
        return self.uri

    @property
    def _path(self) -> PurePosixPath:
        return PurePosixPath(self.uri.split("://", 1)[1])

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def stem(self) -> str:
        return self._path.stem

    @property
    def parent(self) -> PurePosixPath:
        return self._path.parent


@functools.lru_cache(maxsize=64)
def filesystem(uri: str):
    """(pyarrow filesystem, path inside it) for ``uri``; one line when no filesystem reads it."""
    import pyarrow.fs as pafs

    try:
        return pafs.FileSystem.from_uri(uri)
    except Exception as arrow_error:  # noqa: BLE001 - an unknown scheme for pyarrow: try fsspec
        try:
            from fsspec.core import url_to_fs

            fs, path = url_to_fs(uri)
        except ImportError:
            raise _error(uri, f"no filesystem for this scheme ({first_line(arrow_error, 200)})") from None
        except Exception as error:  # noqa: BLE001 - fsspec: "protocol not known", a missing s3fs...
            raise _error(uri, first_line(error, 200)) from None
        return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


def list_files(uri: str) -> list[str]:
    """The URIs of the files ``uri`` names: itself when a file, the files under it (sorted) when a folder."""
    import pyarrow.fs as pafs

    fs, path = filesystem(uri)
    scheme = uri.split("://", 1)[0]
    try:
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.File:
            return [uri]
        if info.type == pafs.FileType.NotFound:
            raise _error(uri, "no such file or folder")
        found = fs.get_file_info(pafs.FileSelector(path, recursive=True))
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 - OSError, ArrowIOError, a store's own errors: one line
        raise _error(uri, first_line(error, 200)) from None
    return sorted(f"{scheme}://{f.path}" for f in found if f.type == pafs.FileType.File
                  and not any(part.startswith(".") for part in PurePosixPath(f.path).relative_to(path).parts))


def open_stream(uri: str, display: str):
    """The file's bytes as a buffered Python stream (lines, ``read``, ``gzip``)."""
    fs, path = filesystem(uri)
    try:
        return io.BufferedReader(_RawStream(fs.open_input_stream(path, compression=None)), buffer_size=1 << 20)
    except Exception as error:  # noqa: BLE001
        raise _error(display, first_line(error, 200)) from None


def open_random(uri: str, display: str):
    """The file as a pyarrow random-access file (Parquet, Arrow IPC)."""
    fs, path = filesystem(uri)
    try:
        return fs.open_input_file(path)
    except Exception as error:  # noqa: BLE001
        raise _error(display, first_line(error, 200)) from None


class _RawStream(io.RawIOBase):
    """A pyarrow input stream as a raw Python stream, so ``io.BufferedReader`` can iterate its lines."""

    def __init__(self, native):
        self._native = native

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._native.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._native.close()
        super().close()


def _error(where: str, why: str) -> InputError:
    from bertinspector.core.audit.readers import DataError

    return DataError(f"{where}: {why}")
