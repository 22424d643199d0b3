"""The app starts whatever its autosave holds: an unreadable one is set aside with a message (issue 11)."""

from __future__ import annotations

import pytest

from bertinspector.app import sessions

HUGE = "9" * 5000


@pytest.mark.parametrize("content", [
    '{"schema": "bertinspector.session/²", "slots": []}',
    '{"schema": "bertinspector.session/' + HUGE + '", "slots": []}',
    '{"schema": "bertinspector.session/1", "text": ' + HUGE + ', "slots": [{"source": "default"}]}',
    '{"schema": "bertinspector.session/1", "text": "kept?", "slots": [{"source": "default", "settings": {"max_length": '
    + HUGE + '}}]}',
    '{"schema": "bertinspector.session/1", "text": "x", "slots": [{"source": "default", "settings": {"max_length": 1e400}}]}',
])
def test_an_autosave_python_cannot_read_is_set_aside_and_the_app_starts(qtbot, make_window, content):
    path = sessions.autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    window = make_window()
    with qtbot.waitSignal(window.autosaver.failed) as failed:
        assert not window.restore_session()
    assert "could not be restored" in failed.args[0] and "\n" not in failed.args[0]
    assert not path.exists() and list(path.parent.glob(path.name + ".unreadable-*"))
    assert window.text_pane.text()


@pytest.mark.parametrize("value", [5, 2.5, {"a": 1}, True])
def test_a_recent_list_of_the_wrong_type_in_the_settings_reads_as_empty(qapp, value):
    from bertinspector.qt import settings

    settings.app_settings().setValue(settings.RECENT_KEY, value)
    assert settings.recent() == []
    assert settings.add_recent("default") == ["default"]
