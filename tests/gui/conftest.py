"""GUI test fixtures: offscreen Qt, settings in a tmp folder, no thread left running.

Every window is made by ``make_window`` (closed and its workers joined at teardown), and an
autouse fixture fails any test that leaves a background task running.
"""

from __future__ import annotations

import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, QStandardPaths, QThreadPool  # noqa: E402

from bertinspector.qt.tasks import live_runners  # noqa: E402
from guihelpers import load  # noqa: E402



@pytest.fixture(scope="session", autouse=True)
def _configured_app(qapp):
    """The application set up as ``bertinspector`` sets it up (name, icon, Fusion style)."""
    from bertinspector.app.application import configure

    configure(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """QSettings, QStandardPaths and the autosave point into the test's tmp folder, never the user's."""
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("BERTINSPECTOR_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "settings"
    folder.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def _model_host_in_a_thread(monkeypatch):
    """Windows serve their model from a thread, so tests can reach into it with torch hooks; the real
    helper process is tested on its own (``test_model_host_window.py``, ``tests/core/test_model_host.py``)."""
    from bertinspector.core.model_host import MODE_ENV

    monkeypatch.setenv(MODE_ENV, "thread")


@pytest.fixture(autouse=True)
def _no_thread_left(qtbot):
    """Fail a test that leaves a background task (or a new Python thread) running."""
    before = {t.ident for t in threading.enumerate()}
    busy_before = {id(r) for r in live_runners() if r.active_threads()}
    yield

    def busy():
        runners = [r for r in live_runners() if r.active_threads() and id(r) not in busy_before]
        return runners, QThreadPool.globalInstance().activeThreadCount()

    deadline = time.monotonic() + 5
    runners, pooled = busy()
    while (runners or pooled) and time.monotonic() < deadline:
        qtbot.wait(20)
        runners, pooled = busy()
    new_threads = [t for t in threading.enumerate()
                   if t.ident not in before and t.is_alive() and not t.daemon]
    for runner in runners:  # clean up, so that the next test is not blamed for this one
        runner.shutdown(30_000)
    assert not runners and not pooled and not new_threads, (
        f"test left work running: {len(runners)} task runner(s) busy, {pooled} global pool thread(s), "
        f"threads {[t.name for t in new_threads]}"
    )


@pytest.fixture
def make_window(qtbot):
    """Factory for main windows (no weights, no cache scan, no saved state unless asked)."""
    from bertinspector.app.main_window import MainWindow

    windows = []

    def make(**options):
        options.setdefault("auto_load_weights", False)
        options.setdefault("restore_state", False)
        options.setdefault("scan_hf_cache", False)
        window = MainWindow(**options)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown(5000)


@pytest.fixture
def tiny_bert(model_factory):
    return model_factory.bert()


@pytest.fixture
def bert_window(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text="the quick brown fox jumps over the lazy dog")
    return window
