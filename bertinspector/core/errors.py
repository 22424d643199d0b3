"""Errors that reach the user as one clear line (never a traceback)."""

from __future__ import annotations


class BertInspectorError(Exception):
    """Base class: ``str(error)`` is the one-line message shown to the user."""


class SourceError(BertInspectorError):
    """The model source cannot be resolved or read."""


class InputError(BertInspectorError):
    """The text, ids or settings cannot be encoded as asked."""


class Cancelled(BertInspectorError):
    """A long task was cancelled cooperatively."""


class HostError(BertInspectorError):
    """The model host (the helper process that runs the model) failed or stopped."""


def first_line(error: BaseException, limit: int | None = None, default: str | None = None) -> str:
    """The first line of ``str(error)``, at most ``limit`` characters; when it is empty, ``default``
    (the error's type name unless given)."""
    text = str(error).strip()
    if not text:
        return type(error).__name__ if default is None else default
    return text.splitlines()[0][:limit]


def user_message(error: BaseException, where: str = "") -> str:
    """The one line the user sees for ``error`` (``where``: e.g. " in the model host")."""
    if isinstance(error, BertInspectorError):
        return first_line(error)
    if isinstance(error, MemoryError):
        return f"out of memory{where}"
    first = first_line(error, 300, default="")
    return f"unexpected error{where}: {type(error).__name__}" + (f": {first}" if first else "")
