"""Errors that reach the user as one clear line (never a traceback)."""


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
