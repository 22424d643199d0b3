"""What the desktop entry's ``Exec`` line opens: a text file, a model folder, a session; and the first
start where no default model is installed."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from guihelpers import LOAD_TIMEOUT_MS
from PySide6.QtWidgets import QFileDialog

from bertinspector import APP_ID
from bertinspector.app import cli, gui
from bertinspector.core import session as core_session
from bertinspector.core import sources
from bertinspector.core.model import Settings

ENTRY = Path(__file__).resolve().parents[2] / "packaging" / f"{APP_ID}.desktop"


def exec_argv(path: Path) -> list[str]:
    """The command a file manager runs for ``path``: the entry's Exec with its field code filled in."""
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ENTRY, encoding="utf-8")
    argv = shlex.split(entry["Desktop Entry"]["Exec"])
    assert argv[0] == "bertinspector" and argv.count("%f") == 1
    return [str(path) if arg == "%f" else arg for arg in argv]


@pytest.fixture
def opened(qtbot):
    """Open the window as ``bertinspector ARGS`` would (argument parsing included); closed after the test."""
    windows = []

    def open_(argv: list[str]):
        args = cli.build_parser().parse_args(argv[1:])
        options = cli.gui_options(args)
        model, text, path = gui.resolve_input(options["model"], options["text"], None, options["path"])
        window, waiting = gui.open_window(model=model, text=text, path=path)
        qtbot.addWidget(window)
        windows.append(window)
        return window, waiting

    yield open_
    for window in windows:
        window.shutdown(5000)


def test_a_text_file_opens_as_the_text(qtbot, opened, tmp_path, tiny_bert):
    notes = tmp_path / "notes.txt"
    notes.write_text("Opened from the file manager: naïve café.", encoding="utf-8")
    window, _ = opened(exec_argv(notes) + ["--model", str(tiny_bert)])
    qtbot.waitUntil(lambda: window.inspection is not None, timeout=LOAD_TIMEOUT_MS)
    assert window.text_pane.text() == "Opened from the file manager: naïve café."
    assert window.model_source() == str(tiny_bert)


def test_a_model_folder_opens_as_the_model(qtbot, opened, tiny_bert):
    window, _ = opened(exec_argv(tiny_bert))
    with qtbot.waitSignal(window.modelLoaded, timeout=LOAD_TIMEOUT_MS) as loaded:
        pass
    assert loaded.args[0] == str(tiny_bert) == window.model_source()


def test_a_session_file_brings_back_its_text_model_and_settings(qtbot, opened, tmp_path, tiny_bert):
    saved = tmp_path / ("work" + core_session.SUFFIX)
    core_session.save(saved, core_session.Session(
        text="the text of the saved session", slots=(core_session.Slot(str(tiny_bert), Settings(max_length=5)),)))
    window, _ = opened(exec_argv(saved))
    qtbot.waitUntil(lambda: window.inspection is not None, timeout=LOAD_TIMEOUT_MS)
    assert window.text_pane.text() == "the text of the saved session"
    assert window.model_source() == str(tiny_bert)
    assert window.inspection.truncation.tokens_kept == 5


def test_a_missing_file_is_one_line_and_no_window(tmp_path):
    args = cli.build_parser().parse_args(exec_argv(tmp_path / "gone.txt")[1:])
    with pytest.raises(ValueError, match="gone.txt: no such file or folder"):
        gui.resolve_input(args.model, None, None, args.path)


def test_without_a_default_model_the_picker_lists_none(qtbot, opened, monkeypatch, tiny_bert):
    monkeypatch.setattr(sources, "DEMO_DISTRIBUTION", "bertinspector-no-such-model-package")
    window, _ = opened(["bertinspector", "gui", str(tiny_bert)])
    qtbot.waitUntil(lambda: window.model_source() == str(tiny_bert), timeout=LOAD_TIMEOUT_MS)
    assert window.picker.sources("bundled") == [] and not window.picker.first_model_banner.isVisible()


def test_first_start_without_a_default_model_offers_open_folder(qtbot, opened, monkeypatch, tiny_bert):
    monkeypatch.setattr(sources, "DEMO_DISTRIBUTION", "bertinspector-no-such-model-package")
    window, waiting = opened(["bertinspector", "gui"])
    banner = window.picker.first_model_banner
    assert not waiting and window.inspector is None
    assert banner.isVisible() and banner.button.text() == "Open folder…"
    assert "open a model folder" in banner.text()
    bundled = window.picker.tree.topLevelItem(0)
    assert bundled.childCount() == 1 and "default model is not installed" in bundled.child(0).text(0)
    assert "default" not in window.picker.sources("bundled")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(tiny_bert)))
    with qtbot.waitSignal(window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        banner.button.click()
    assert window.model_source() == str(tiny_bert)
    assert not banner.isVisible()
