"""Offsets between Python strings (code points) and Qt text positions (UTF-16 code units).

The core reports character offsets into the user's text as Python indices; Qt's text documents
count UTF-16 code units, so every character outside the Basic Multilingual Plane (emoji, many CJK
extension characters) is two positions in Qt and one in Python.
"""

from __future__ import annotations

import numpy as np


class OffsetMap:
    """Maps Python indices of ``text`` to Qt positions and back (vectorised, cheap for plain text)."""

    __slots__ = ("_extra", "_length", "_qt")

    def __init__(self, text: str):
        self._length = len(text)
        self._extra: np.ndarray | None = None
        self._qt: np.ndarray | None = None
        if text.isascii() or max(text, default="\0") < "\U00010000":
            return
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        astral = codes > 0xFFFF
        if astral.any():
            # _extra[i] = number of astral characters before Python index i
            self._extra = np.concatenate(([0], np.cumsum(astral, dtype=np.int64)))

    @property
    def identity(self) -> bool:
        return self._extra is None

    def to_qt(self, index: int) -> int:
        index = max(0, min(int(index), self._length))
        return index if self._extra is None else index + int(self._extra[index])

    def to_qt_array(self, indices: np.ndarray) -> np.ndarray:
        indices = np.clip(np.asarray(indices, dtype=np.int64), 0, self._length)
        return indices if self._extra is None else indices + self._extra[indices]

    def to_py(self, position: int) -> int:
        position = max(0, int(position))
        if self._extra is None:
            return min(position, self._length)
        # the largest i with i + extra[i] <= position
        if self._qt is None:
            self._qt = np.arange(self._length + 1, dtype=np.int64) + self._extra
        return int(np.searchsorted(self._qt, position, side="right") - 1)
