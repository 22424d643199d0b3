"""Launching: screenshots (offscreen and under a real X server), the cache scan, bad arguments."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from guihelpers import LOAD_TIMEOUT_MS
from PySide6.QtGui import QImage

from bertinspector.app.gui import run_gui

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _private_config(tmp_path, monkeypatch):
    """Child processes keep their settings in the test's tmp folder too."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


def _run(code: str, env: dict, timeout: int = 240, prefix: list[str] | None = None):
    return subprocess.run([*(prefix or []), sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def _assert_real_picture(path: Path):
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() >= 1200 and image.height() >= 760
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20, "the picture shows a drawn window, not a blank area"


def test_screenshot_without_a_display_renders_offscreen_and_exits_0(tmp_path, tiny_bert):
    png = tmp_path / "window.png"
    result = _run(f"""
        import sys
        from bertinspector.app.gui import run_gui
        code = run_gui(model={str(tiny_bert)!r}, text="the quick brown fox " * 200, screenshot={str(png)!r})
        sys.exit(code)
    """, _env())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    _assert_real_picture(png)
    assert not (tmp_path / "config").exists(), "a screenshot never writes the user's settings"


def test_screenshot_of_a_model_that_cannot_load_exits_2_with_one_line(tmp_path):
    png = tmp_path / "window.png"
    result = _run(f"""
        import sys
        from bertinspector.app.gui import run_gui
        sys.exit(run_gui(model={str(tmp_path / 'missing')!r}, text="hello", screenshot={str(png)!r}))
    """, _env())
    assert result.returncode == 2
    lines = [l for l in result.stderr.splitlines() if l.startswith("bertinspector:")]
    assert len(lines) == 1 and "no such folder" in lines[0]
    assert "Traceback" not in result.stderr
    assert png.exists(), "the window (with its error message) is still captured"


def test_window_shows_before_torch_is_imported():
    result = _run("""
        import sys
        from bertinspector.app.application import make_application
        from bertinspector.app.main_window import MainWindow
        app = make_application()
        window = MainWindow(auto_load_weights=False, restore_state=False, scan_hf_cache=False)
        window.show()
        app.processEvents()
        print("visible", window.isVisible(), "torch", "torch" in sys.modules, "transformers", "transformers" in sys.modules)
        window.shutdown(2000)
    """, _env(QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr
    assert "visible True torch False transformers False" in result.stdout


def test_run_gui_rejects_bad_text_files_with_one_line(tmp_path, capsys):
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    assert run_gui(text_file=str(binary), screenshot=str(tmp_path / "x.png")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "binary" in err
    assert run_gui(text="a", text_file=str(binary), screenshot=str(tmp_path / "x.png")) == 2
    assert run_gui(screenshot=str(tmp_path / "missing-folder" / "x.png")) == 2


def _fake_hub_cache(root: Path, repo_id: str, source: Path) -> None:
    """A Hugging Face cache entry laid out as huggingface_hub writes it (blobs + snapshot links)."""
    repo = root / ("models--" + repo_id.replace("/", "--"))
    commit = "0" * 40
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "blobs").mkdir()
    for file in source.iterdir():
        if file.is_file() and not file.name.endswith(".safetensors"):
            data = file.read_bytes()
            blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
            blob.write_bytes(data)
            os.symlink(os.path.relpath(blob, snapshot), snapshot / file.name)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)


def test_models_in_the_hf_cache_are_listed_and_load(qtbot, make_window, tiny_bert, tmp_path, monkeypatch):
    from huggingface_hub import constants
    from huggingface_hub.utils import _cache_manager

    cache = tmp_path / "hub"
    _fake_hub_cache(cache, "acme/tiny-bert", tiny_bert)
    monkeypatch.setattr(_cache_manager, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    window = make_window(scan_hf_cache=True)
    qtbot.waitUntil(lambda: window.picker.sources("cache") == ["acme/tiny-bert"], timeout=LOAD_TIMEOUT_MS)
    with qtbot.waitSignal(window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        window.picker.tree.itemClicked.emit(window.picker.item_for("cache", "acme/tiny-bert"), 0)
    assert window.model_source() == "acme/tiny-bert"


XCB_PACKAGES = ("libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
                "libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xkb1")


def _xcb_missing_libraries() -> list[str]:
    """System libraries Qt's xcb platform plugin needs and cannot find (ldd)."""
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists() or shutil.which("ldd") is None:
        return []
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    missing = [line.split()[0] for line in out.splitlines() if "not found" in line]
    cursor = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    if "libxcb-cursor.so.0" not in cursor:
        missing.append("libxcb-cursor.so.0")
    return missing


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None or shutil.which("Xvfb") is None,
                    reason="Xvfb is not installed (apt-get install xvfb xauth)")
def test_real_window_under_xvfb_saves_a_screenshot(tmp_path, tiny_bert):
    missing = _xcb_missing_libraries()
    if missing:
        pytest.skip(f"Qt's xcb plugin lacks {', '.join(missing)} (apt-get install {XCB_PACKAGES})")
    png = tmp_path / "xvfb-window.png"
    result = _run(f"""
        import sys
        from bertinspector.app.gui import run_gui
        code = run_gui(model={str(tiny_bert)!r}, text="the quick brown fox 😀 " * 120, screenshot={str(png)!r})
        from PySide6.QtGui import QGuiApplication
        print("platform:", QGuiApplication.platformName())
        sys.exit(code)
    """, _env(), prefix=["xvfb-run", "-a", "-s", "-screen 0 1920x1200x24"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "platform: xcb" in result.stdout, "a real X11 window, not the offscreen platform"
    _assert_real_picture(png)
    keep = os.environ.get("BERTINSPECTOR_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
