"""Session files (``.bertinspector.json``): what the user typed and chose, written atomically.

A session holds data only: model sources are strings the app resolves like anything typed in the model
picker, and nothing in a session file is ever executed.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bertinspector.core.errors import BertInspectorError
from bertinspector.core.files import write_atomic
from bertinspector.core.model import Settings

SESSION_SCHEMA = "bertinspector.session"
SESSION_VERSION = 1
SUFFIX = ".bertinspector.json"
MAX_SESSION_BYTES = 256 * 1024 * 1024
MAX_LENGTH_SETTING = 10_000_000  # max_length and stride beyond this are no settings a user typed


class SessionError(BertInspectorError):
    """A session file that cannot be read (corrupt, not a session, from a newer version)."""


@dataclass(frozen=True)
class Slot:
    source: str = "default"
    settings: Settings = Settings()


@dataclass(frozen=True)
class Session:
    text: str = ""
    pair: str | None = None
    input_kind: str = "text"  # "text" | "ids"
    ids: str = ""
    slots: tuple[Slot, ...] = (Slot(),)
    compare: bool = False
    extra: dict = field(default_factory=dict)  # view state the app keeps (selected layer, pane sizes...)

    def to_json(self) -> dict:
        return {
            "schema": f"{SESSION_SCHEMA}/{SESSION_VERSION}",
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "text": self.text, "pair": self.pair, "input": self.input_kind, "ids": self.ids,
            "slots": [{"source": s.source, "settings": asdict(s.settings)} for s in self.slots],
            "compare": self.compare, "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data) -> "Session":
        if not isinstance(data, dict) or not str(data.get("schema", "")).startswith(SESSION_SCHEMA + "/"):
            raise SessionError("not a bertinspector session file")
        version = str(data["schema"]).rsplit("/", 1)[1]
        if not (version.isascii() and version.isdigit() and len(version) <= 9):
            raise SessionError(f"the session's format {version[:20]!r} is not a version number: the file is damaged")
        if int(version) > SESSION_VERSION:
            raise SessionError(f"the session was written by a newer bertinspector (format {version}); update to open it")
        try:
            if not isinstance(data["slots"], list):
                raise TypeError("slots must be a list")
            slots = tuple(Slot(_text(s["source"]), Settings(**_known_settings(s.get("settings", {})))) for s in data["slots"])
            return cls(
                text=_text(data.get("text", "")), pair=None if data.get("pair") is None else _text(data["pair"]),
                input_kind="ids" if data.get("input") == "ids" else "text", ids=_text(data.get("ids", "")),
                slots=slots or (Slot(),), compare=bool(data.get("compare", False)),
                extra=data.get("extra") if isinstance(data.get("extra"), dict) else {},
            )
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
            raise SessionError(f"the session file is damaged ({str(error)[:120]})") from None


def _text(value) -> str:
    """A string field; a lone surrogate (JSON allows it, UTF-8 does not) becomes '?'."""
    if not isinstance(value, str):
        raise TypeError("text fields must be strings")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _known_settings(data: dict) -> dict:
    if not isinstance(data, dict):
        raise TypeError("settings must be an object")
    known = Settings.__dataclass_fields__
    settings = {k: v for k, v in data.items() if k in known}
    for name in ("max_length", "stride"):
        value = settings.get(name)
        if isinstance(value, int) and not 0 <= value <= MAX_LENGTH_SETTING:
            raise ValueError(f"{name} {value} is out of range")
    return settings


def save(path: Path, session: Session) -> None:
    """Write ``session`` atomically: on failure the previous file stays intact."""
    write_atomic(Path(path), json.dumps(session.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))


def load(path: Path) -> Session:
    """Read a session file; a clear :class:`SessionError` for anything that is not a valid session."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SESSION_BYTES:
            raise SessionError(f"{path.name} is too large to be a session file")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SessionError(f"{path.name} is not valid JSON: the session file is damaged") from None
    except ValueError:  # a number of thousands of digits, which Python refuses to convert
        raise SessionError(f"{path.name} holds a number too long to read: the session file is damaged") from None
    except RecursionError:
        raise SessionError(f"{path.name} is nested too deeply to be a session file") from None
    except OSError as error:
        raise SessionError(f"{path.name}: {error.strerror or error}") from None
    return Session.from_json(data)


def set_aside(path: Path) -> Path:
    """Move an unreadable session file out of the way (kept for the user), returning its new path."""
    path = Path(path)
    target = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, target)
    return target
