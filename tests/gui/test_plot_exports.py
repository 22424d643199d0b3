"""Every plot exports as PNG and SVG: from File > Export (the Model Output dock's current tab) and from
each plot's context menu, written atomically (a full disk leaves the previous file and no partial one).

Real runs of a tiny BERT in the main window; the exported files are read back with Qt (PNG) and
ElementTree (SVG).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
from guihelpers import load
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from bertinspector.app import exports
from bertinspector.widgets.heatmap import short_label

TEXT = "the model reads this sentence"
RUN_TIMEOUT_MS = 120_000
SVG = "{http://www.w3.org/2000/svg}"
DRAWING = {SVG + tag for tag in ("path", "rect", "polyline", "polygon", "line", "circle", "ellipse", "image")}


@pytest.fixture
def window(qtbot, make_window, tiny_bert):
    """A main window after a real run, its Model Output dock showing the attention heatmap."""
    window = make_window()
    window.resize(1400, 1000)
    load(qtbot, window, tiny_bert, text=TEXT)
    with qtbot.waitSignal(window.workspace.controller.resultReady, timeout=RUN_TIMEOUT_MS):
        qtbot.keyClick(window.text_pane.editor_a, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.inference_dock.isVisible())
    QApplication.processEvents()
    return window


def save_as(monkeypatch, path):
    """The save dialog answers ``path`` (and records what it was asked)."""
    asked = []

    def answer(parent, title, name, file_filter, *args, **kwargs):
        asked.append((title, name, file_filter))
        return str(path), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return asked


def open_export_menu(window) -> QMenu:
    """File > Export, as it is about to show (which enables or disables the plot exports)."""
    action = window.plot_export_actions["png"]
    menu = next(o for o in action.associatedObjects() if isinstance(o, QMenu))
    menu.aboutToShow.emit()
    return menu


def check_png(path, pane, scale: float = 2.0) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is not a readable PNG"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # at least the on-screen size, times the export scale
    assert image.width() >= int(pane.width() * scale) and image.height() >= int(pane.height() * scale)
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20, "the PNG is (nearly) a single colour"
    return image


def check_svg(path) -> tuple[ET.Element, str]:
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg"
    drawn = [element for element in root.iter() if element.tag in DRAWING]
    assert len(drawn) >= 8, "the SVG draws (almost) nothing"
    assert any(element.tag == SVG + "image" for element in drawn)  # the matrix, one pixel per cell
    text = " ".join(" ".join(t.itertext()) for t in root.iter(SVG + "text"))
    return root, text


def test_every_plot_exports_as_png_and_svg(window, tmp_path):
    workspace = window.workspace
    attention, hidden = workspace.attention, workspace.hidden
    tokens = attention.row_labels()
    layer, head = attention.layer(), attention.head()

    # the attention heatmap (with the share plot under it): token labels as text, the colour bar's title
    assert attention.shown_pane() is attention.tabs.widget(0)
    attention.export_image(str(tmp_path / "heatmap.png"))
    check_png(tmp_path / "heatmap.png", attention.shown_pane())
    attention.export_image(str(tmp_path / "heatmap.svg"))
    _root, text = check_svg(tmp_path / "heatmap.svg")
    assert {"[CLS]", "[SEP]", "the", "model"} <= set(tokens)
    for token in tokens:  # the row labels are text (the rotated column labels are outlines)
        assert short_label(token) in text, f"{token!r} is not in the SVG's text"
    model = window.workspace.controller.result().inspection.source.rsplit("/", 1)[-1]
    for title in ("from (query)", "to (key)", "attention", f"{model} · Layer {layer}", f"head {head}"):
        assert title in text, f"{title!r} is not in the SVG's text"
    assert 'image-rendering' in (tmp_path / "heatmap.svg").read_text()  # cells drawn as sharp squares

    # the overview of every head
    attention.show_overview()
    QApplication.processEvents()
    assert attention.shown_pane() is attention.overview
    attention.export_image(str(tmp_path / "overview.png"))
    check_png(tmp_path / "overview.png", attention.overview)
    attention.export_image(str(tmp_path / "overview.svg"))
    _root, text = check_svg(tmp_path / "overview.svg")
    assert "layer" in text and "head" in text and "All heads" in text

    # the hidden states: norms and cosine heatmaps and the labelled PCA
    workspace.tabs.setCurrentWidget(hidden)
    QApplication.processEvents()
    hidden.export_image(str(tmp_path / "hidden.png"))
    check_png(tmp_path / "hidden.png", hidden.shown_pane())
    hidden.export_image(str(tmp_path / "hidden.svg"))
    _root, text = check_svg(tmp_path / "hidden.svg")
    for title in ("Vector norm per token and layer", "Cosine similarity with the previous layer", "PCA", "norm",
                  "cosine", "PC 1"):
        assert title in text, f"{title!r} is not in the SVG's text"
    assert any(token in text for token in ("model", "reads", "sentence"))  # the PCA's point labels

    with pytest.raises(ValueError, match="png or .svg"):
        hidden.export_image(str(tmp_path / "hidden.gif"))
    assert not (tmp_path / "hidden.gif").exists()


def test_file_export_writes_the_plot_shown_in_the_model_output_dock(window, tmp_path, monkeypatch):
    actions = window.plot_export_actions
    assert [a.text() for a in actions.values()] == ["Plot as PNG…", "Plot as SVG…"]
    menu = open_export_menu(window)
    assert menu.title() == "&Export" and all(a in menu.actions() for a in actions.values())
    assert all(a.isEnabled() for a in actions.values())

    asked = save_as(monkeypatch, tmp_path / "picked.png")
    actions["png"].trigger()
    assert asked[-1][1] == "attention-plot.png" and "*.png" in asked[-1][2]
    check_png(tmp_path / "picked.png", window.workspace.attention.shown_pane())
    assert "Exported picked.png" in window.statusBar().currentMessage()

    window.workspace.tabs.setCurrentWidget(window.workspace.hidden)
    asked = save_as(monkeypatch, tmp_path / "hidden-states")  # no suffix typed: the format's is added
    actions["svg"].trigger()
    assert asked[-1][1] == "hidden-plot.svg"
    _root, text = check_svg(tmp_path / "hidden-states.svg")
    assert "Cosine similarity with the previous layer" in text

    # the dock hidden: the export shows it again and writes what is then on screen
    window.inference_dock.hide()
    save_as(monkeypatch, tmp_path / "again.png")
    actions["png"].trigger()
    assert window.inference_dock.isVisible()
    check_png(tmp_path / "again.png", window.workspace.hidden.shown_pane())


def test_without_a_run_the_plot_exports_are_off_and_say_why(qtbot, make_window, tiny_bert, tmp_path, monkeypatch):
    window = make_window()
    load(qtbot, window, tiny_bert, text=TEXT)
    open_export_menu(window)
    assert not any(a.isEnabled() for a in window.plot_export_actions.values())
    asked = save_as(monkeypatch, tmp_path / "nothing.png")
    exports.choose_and_export_plot("png", window)
    assert not asked and not (tmp_path / "nothing.png").exists()
    assert "run the model" in window.statusBar().currentMessage()
    menu = window.workspace.attention.context_menu()
    assert [a.text() for a in menu.actions()] == ["Export Image (PNG)…", "Export Image (SVG)…"]
    assert not any(a.isEnabled() for a in menu.actions())


def right_click(widget) -> QMenu:
    """Right-click in the middle of a plot's graphics view; the context menu that opens."""
    at = QPoint(widget.viewport().width() // 2, widget.viewport().height() // 2)
    QApplication.sendEvent(widget.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at,
                                                                widget.viewport().mapToGlobal(at)))
    menus = [m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible()]
    assert len(menus) == 1, "a right-click in the plot opened no menu"
    return menus[0]


def test_a_right_click_in_a_plot_offers_png_and_svg(window, tmp_path, monkeypatch):
    attention = window.workspace.attention
    menu = right_click(attention.heatmap)
    assert menu.parent() is attention
    entries = {a.text(): a for a in menu.actions()}
    assert list(entries) == ["Export Image (PNG)…", "Export Image (SVG)…"]
    assert all(a.isEnabled() for a in entries.values())
    save_as(monkeypatch, tmp_path / "from-menu.svg")
    entries["Export Image (SVG)…"].trigger()
    menu.close()
    check_svg(tmp_path / "from-menu.svg")
    assert "Exported from-menu.svg" in attention.readout.text()

    # the same menu on the hidden-state plot (here, over the PCA)
    window.workspace.tabs.setCurrentWidget(window.workspace.hidden)
    QApplication.processEvents()
    menu = right_click(window.workspace.hidden.pca)
    assert menu.parent() is window.workspace.hidden
    save_as(monkeypatch, tmp_path / "pca.png")
    {a.text(): a for a in menu.actions()}["Export Image (PNG)…"].trigger()
    menu.close()
    check_png(tmp_path / "pca.png", window.workspace.hidden.shown_pane())


def test_a_full_disk_leaves_the_previous_file_and_says_so_in_one_line(window, tmp_path, monkeypatch):
    folder = tmp_path / "exports"  # (tmp_path also holds the test's settings)
    folder.mkdir()
    target = folder / "plot.png"
    window.workspace.attention.export_image(str(target))
    previous = target.read_bytes()
    svg = folder / "plot.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")

    def disk_full(_fd):
        raise OSError(28)

    monkeypatch.setattr(os, "fsync", disk_full)
    window.workspace.attention.heatmap.set_selection(1, 1)  # the new picture differs from the old one

    # File > Export
    save_as(monkeypatch, target)
    window.plot_export_actions["png"].trigger()
    assert target.read_bytes() == previous
    assert sorted(p.name for p in folder.iterdir()) == ["plot.png", "plot.svg"]
    message = window.input_banner.text()
    assert "Could not write plot.png" in message and "No space left on device" in message
    assert "\n" not in message and "Traceback" not in message

    # the plot's context menu
    attention = window.workspace.attention
    save_as(monkeypatch, svg)
    assert attention.choose_and_export_image(".svg") == ""
    assert svg.read_text() == "<svg xmlns='http://www.w3.org/2000/svg'/>"
    assert sorted(p.name for p in folder.iterdir()) == ["plot.png", "plot.svg"]
    assert "Could not write plot.svg: No space left on device" in attention.readout.text()
