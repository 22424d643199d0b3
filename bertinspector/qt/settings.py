"""Persistent GUI settings (QSettings, INI format, per user).

Tests redirect them with ``QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)``
and ``QStandardPaths.setTestModeEnabled(True)``, so they never touch the user's configuration.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANIZATION = "bertinspector"
APPLICATION = "bertinspector"
RECENT_KEY = "models/recent"
RECENT_LIMIT = 10


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def _string_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if str(v)]


def recent_models() -> list[str]:
    return _string_list(app_settings().value(RECENT_KEY))[:RECENT_LIMIT]


def add_recent_model(src: str) -> list[str]:
    """Put ``src`` first in the recent models and return the new list."""
    models = [src] + [m for m in recent_models() if m != src]
    models = models[:RECENT_LIMIT]
    settings = app_settings()
    settings.setValue(RECENT_KEY, models)
    settings.sync()
    return models


def remove_recent_model(src: str) -> list[str]:
    models = [m for m in recent_models() if m != src]
    settings = app_settings()
    settings.setValue(RECENT_KEY, models)
    return models


def value(key: str, default=None, type_=None):
    settings = app_settings()
    if type_ is None:
        return settings.value(key, default)
    try:
        return settings.value(key, default, type=type_)
    except (TypeError, ValueError):
        return default


def set_value(key: str, data) -> None:
    settings = app_settings()
    settings.setValue(key, data)
