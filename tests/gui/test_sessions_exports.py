"""Sessions are never lost (autosave, kill -9, damaged files) and exports write what the window shows."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from guihelpers import LOAD_TIMEOUT_MS, load
from PySide6.QtGui import QGuiApplication

from bertinspector.app import exports, sessions
from bertinspector.core import session as core_session
from bertinspector.core.model import Settings

TEXT = "The naïve model reads this sentence 😀 and the other one. " * 4


@pytest.fixture
def window(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text=TEXT)
    return window


def test_autosave_follows_a_change_within_seconds(qtbot, window):
    window.text_pane.set_text("typed just now")
    with qtbot.waitSignal(window.autosaver.saved, timeout=10_000) as saved:
        pass
    stored = core_session.load(Path(saved.args[0]))
    assert stored.text == "typed just now"
    assert stored.slots[0].source == window.model_source()


def test_session_survives_kill_9(qtbot, make_window, tiny_bert, tmp_path):
    """A real app process is killed with SIGKILL after its autosave; the next start restores everything."""
    script = f"""
import ast, sys
from PySide6.QtCore import QTimer
from bertinspector.app.application import make_application
from bertinspector.app.main_window import MainWindow
from bertinspector.core.model import Settings
app = make_application()
window = MainWindow(auto_load_weights=False, scan_hf_cache=False, restore_state=False)
window.show()
window.autosaver.saved.connect(lambda path: (print("SAVED", flush=True)))
window.open_model({str(tiny_bert)!r})
window.text_pane.set_text("written before the crash")
window.text_pane.set_pair("and its pair")
window.settings_bar.set_settings(Settings(max_length=9, lowercase="off"), notify=True)
app.exec()
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
           "BERTINSPECTOR_DATA_DIR": os.environ["BERTINSPECTOR_DATA_DIR"], "XDG_CONFIG_HOME": str(tmp_path / "config")}
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        line = ""
        while "SAVED" not in line and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        assert "SAVED" in line, "the app never autosaved"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    again = make_window(restore_state=True)
    with qtbot.waitSignal(again.inspectionApplied, timeout=LOAD_TIMEOUT_MS):
        assert again.restore_session()
    assert again.text_pane.text() == "written before the crash"
    assert again.text_pane.pair() == "and its pair"
    assert again.settings_bar.settings() == Settings(max_length=9, lowercase="off")
    assert again.model_source() == str(tiny_bert)


_START_APP = """
import ast, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from bertinspector.app import main_window
from bertinspector.app.gui import run_gui

loaded = main_window.MainWindow._model_loaded

def report(self, src, inspector):
    loaded(self, src, inspector)
    print("LOADED", src, flush=True)
    QTimer.singleShot(1500, QApplication.quit)  # long enough for a second load to show up

main_window.MainWindow._model_loaded = report
run_gui(**ast.literal_eval(sys.argv[1]))
"""


@pytest.mark.parametrize("arguments, expected", [({}, "session"), ({"model": "default"}, "default")],
                         ids=["no --model: the session's model", "--model given: that model"])
def test_a_start_brings_back_the_sessions_model_unless_one_is_named(qtbot, window, tiny_bert, tmp_path,
                                                                    arguments, expected):
    window.autosaver.save_blocking()
    assert start_app(tmp_path, arguments) == [str(tiny_bert) if expected == "session" else "default"]


def test_a_session_whose_model_is_gone_starts_on_the_default_model(qtbot, make_window, tiny_bert, tmp_path):
    import shutil

    folder = shutil.copytree(tiny_bert, tmp_path / "moved-away")
    window = make_window()
    load(qtbot, window, folder, text=TEXT)
    window.autosaver.save_blocking()
    shutil.rmtree(folder)
    assert start_app(tmp_path, {}) == ["default"]


def start_app(tmp_path, arguments: dict) -> list[str]:
    """Start the app as ``bertinspector gui`` does (real model host); the models it loaded, in order."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1", "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "BERTINSPECTOR_DATA_DIR": os.environ["BERTINSPECTOR_DATA_DIR"]}
    env.pop("BERTINSPECTOR_MODEL_HOST", None)
    done = subprocess.run([sys.executable, "-c", _START_APP, repr(arguments)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return [line.split(" ", 1)[1] for line in done.stdout.splitlines() if line.startswith("LOADED ")]


def test_a_damaged_autosave_is_set_aside_with_a_message(qtbot, make_window):
    path = sessions.autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{half a session")
    window = make_window()
    with qtbot.waitSignal(window.autosaver.failed) as failed:
        assert not window.restore_session()
    assert "could not be restored" in failed.args[0]
    assert not path.exists() and list(path.parent.glob(path.name + ".unreadable-*"))
    assert window.text_pane.text()  # the app starts clean, with the sample text


def test_a_full_disk_while_autosaving_keeps_the_text_and_the_previous_file(qtbot, window, monkeypatch):
    window.autosaver.save_blocking()
    previous = window.autosaver.path.read_bytes()

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    window.text_pane.set_text("new text that cannot be saved")
    with qtbot.waitSignal(window.autosaver.failed, timeout=10_000) as failed:
        window.autosaver.save_now()
    assert "No space left" in failed.args[0] and "still here" in failed.args[0]
    assert window.text_pane.text() == "new text that cannot be saved"
    assert window.autosaver.path.read_bytes() == previous
    assert [p.name for p in window.autosaver.path.parent.iterdir()] == [window.autosaver.path.name]


def test_save_and_open_a_session_file(qtbot, window, make_window, tmp_path):
    window.settings_bar.set_settings(Settings(max_length=16, stride=2), notify=True)
    path = tmp_path / f"mine{core_session.SUFFIX}"
    assert window.save_session(str(path))
    other = make_window()
    with qtbot.waitSignal(other.inspectionApplied, timeout=LOAD_TIMEOUT_MS):
        assert other.open_session(str(path))
    assert other.text_pane.text() == TEXT
    assert other.settings_bar.settings() == Settings(max_length=16, stride=2)


def test_opening_a_future_session_says_so_and_keeps_the_text(window, tmp_path):
    path = tmp_path / f"future{core_session.SUFFIX}"
    path.write_text(json.dumps({"schema": "bertinspector.session/7", "slots": []}))
    assert not window.open_session(str(path))
    assert "newer bertinspector" in window.input_banner.text()
    assert window.text_pane.text() == TEXT


def test_exports_write_what_the_window_shows(window, tmp_path):
    window.settings_bar.set_settings(Settings(max_length=12))
    inspection = window.inspection
    exports.export_to("csv", str(tmp_path / "t.csv"), window)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text())))
    assert [r["token"] for r in rows] == list(inspection.tokens.strings)
    exports.export_to("json", str(tmp_path / "t.json"), window)
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["schema"] == "bertinspector.inspection/1" and len(data["tokens"]) == len(inspection.tokens)
    exports.export_to("markdown", str(tmp_path / "t.md"), window)
    markdown = (tmp_path / "t.md").read_text()
    assert all(f"`{code}`" in markdown for code in inspection.codes())


def test_copy_as_python_reproduces_the_ids(window):
    exports.copy_python(window)
    namespace: dict = {}
    exec(QGuiApplication.clipboard().text(), namespace)  # noqa: S102 - our own generated code
    kept = [int(i) for i, k in zip(window.inspection.tokens.ids, window.inspection.tokens.kept) if k]
    assert namespace["encoding"]["input_ids"][0].tolist() == kept


def test_exports_are_in_the_panes_context_menus(window):
    assert window.export_actions["csv"] in window.token_view.menu_actions
    assert window.export_actions["markdown"] in window.diagnostics.actions()


def test_the_report_holds_the_run_output(qtbot, make_window, model_factory, tmp_path):
    window = make_window()
    load(qtbot, window, model_factory.variant("sequence_classification"), text="the model reads")
    with qtbot.waitSignal(window.workspace.controller.resultReady, timeout=120_000):
        window.run_action.trigger()
    exports.export_to("markdown", str(tmp_path / "r.md"), window)
    markdown = (tmp_path / "r.md").read_text()
    assert "### Model output (sequence-classification)" in markdown and "| positive |" in markdown


def test_opened_text_files_are_recent(qtbot, window, tmp_path):
    from bertinspector.qt import settings as app_settings

    file = tmp_path / "notes.txt"
    file.write_text("some notes")
    assert window.open_text_file(str(file))
    assert app_settings.recent(app_settings.RECENT_FILES_KEY)[0] == str(file.resolve())
    window._fill_recent_files()
    assert [a.text() for a in window.recent_files_menu.actions()] == ["notes.txt"]
