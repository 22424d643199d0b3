"""Work-arounds for defects of the Qt bindings, applied once when ``bertinspector.qt`` is imported.

PySide6 6.12 returns ``None`` from every ``void`` C++ method without taking a reference to it.
Since Python 3.12 ``None`` is immortal, so nothing happens; on Python 3.10/3.11 each call (``painter.setPen``,
``timer.stop``, ``widget.update`` ...) lowers ``None``'s reference count by one, and after a few
hundred thousand calls (a few seconds of painting 20,000 tokens) the interpreter aborts with
"Fatal Python error: none_dealloc". We do what Python 3.12 does: give ``None`` a reference count
so large that no run can bring it to zero.
"""

from __future__ import annotations

import sys

_NONE_RESERVE = 1 << 60


def immortalize_none() -> bool:
    """Make ``None``'s reference count unreachably large on CPython < 3.12; True when applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    import ctypes

    refcount = ctypes.c_ssize_t.from_address(id(None))
    if refcount.value < _NONE_RESERVE // 2:
        refcount.value += _NONE_RESERVE
    return True
