"""Text pane, settings bar, diagnostics panel, model picker: UI to state and state to UI."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings, Severity
from bertinspector.qt import settings as app_settings
from bertinspector.qt.textmap import OffsetMap
from bertinspector.widgets.diagnostics import DiagnosticsPanel
from bertinspector.widgets.model_picker import ModelPicker
from bertinspector.widgets.settings_bar import SettingsBar
from bertinspector.widgets.text_pane import DEBOUNCE_MS, TextPane, plain_text


@pytest.fixture(scope="module")
def bert(model_factory):
    return Inspector.open(str(model_factory.bert()))


@pytest.fixture(scope="module")
def minilm(minilm_path):
    return Inspector.open(str(minilm_path))


@pytest.fixture
def pane(qtbot):
    widget = TextPane()
    widget.resize(600, 300)
    qtbot.addWidget(widget)
    widget.show()
    return widget


# -- text pane --------------------------------------------------------------------------------------
def test_typing_emits_once_after_the_pause(qtbot, pane):
    emitted = []
    pane.inputChanged.connect(lambda: emitted.append(pane.text()))
    pane.editor_a.setFocus()
    qtbot.keyClicks(pane.editor_a, "hello world")
    assert emitted == []
    qtbot.wait(DEBOUNCE_MS // 2)
    assert emitted == []
    qtbot.waitUntil(lambda: emitted == ["hello world"], timeout=2000)
    qtbot.wait(DEBOUNCE_MS + 50)
    assert emitted == ["hello world"]


def test_text_is_read_exactly_as_typed(qtbot, pane):
    text = "line one\u00a0nbsp\nline two\ttab 😀"
    pane.set_text(text)
    assert pane.text() == text
    assert plain_text(pane.editor_a) == text
    assert pane.count_label.text().endswith("characters")


def test_offsets_follow_astral_characters():
    omap = OffsetMap("a😀b😀c")
    assert [omap.to_qt(i) for i in range(6)] == [0, 1, 3, 4, 6, 7]
    assert [omap.to_py(q) for q in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]
    assert OffsetMap("plain").identity


def test_cut_tail_unknown_and_deleted_characters_are_marked(qtbot, pane, bert):
    text = "the dog \u2603 and a zero\u200bwidth fox " + "the dog " * 20
    pane.set_text(text)
    insp = bert.inspect(text, settings=Settings(max_length=12))
    pane.show_inspection(insp)
    marks = pane.editor_a.marks()
    assert marks.cut_at == insp.truncation.cut_char
    snowman = text.index("\u2603")
    assert (snowman, snowman + 1) in marks.unknown
    zwsp = text.index("\u200b")
    assert any(start <= zwsp < end for start, end in marks.deleted)
    assert not pane.editor_a.cut_rect().isEmpty()
    formats = pane.editor_a.extraSelections()
    assert any(s.cursor.selectionStart() == insp.truncation.cut_char and s.cursor.selectionEnd() == len(text)
               for s in formats), "the tail the model never sees is shaded"


def test_marks_are_not_drawn_on_a_text_that_changed_since(qtbot, pane, bert):
    pane.set_text("the dog \u2603")
    insp = bert.inspect("the dog \u2603")
    pane.set_text("something else")
    pane.show_inspection(insp)
    assert pane.editor_a.marks().unknown == []


def test_select_token_in_text_with_emoji(qtbot, pane, bert):
    text = "😀 the dog"
    pane.set_text(text)
    insp = bert.inspect(text)
    dog = insp.tokens.strings.index("dog")
    pane.select_token(insp, dog)
    assert pane.editor_a.textCursor().position() == OffsetMap(text).to_qt(text.index("dog")) == 7


def test_ids_mode_and_pair_toggle(qtbot, pane):
    modes = []
    pane.modeChanged.connect(modes.append)
    qtbot.mouseClick(pane.ids_button, Qt.MouseButton.LeftButton)
    assert pane.mode() == "ids" and modes == ["ids"]
    assert not pane.pair_box.isEnabled() and pane.pair() is None
    qtbot.mouseClick(pane.text_button, Qt.MouseButton.LeftButton)
    pane.pair_box.setChecked(True)
    pane.editor_b.set_text("second")
    assert pane.pair() == "second"
    assert pane.editor_b.isVisible()


# -- settings bar -----------------------------------------------------------------------------------
def test_settings_bar_ui_to_state(qtbot):
    bar = SettingsBar()
    qtbot.addWidget(bar)
    assert bar.settings() == Settings()
    with qtbot.waitSignal(bar.changed) as blocker:
        bar.truncation_combo.setCurrentIndex(bar.truncation_combo.findData("only_first"))
    assert blocker.args[0].truncation == "only_first"
    bar.max_length_spin.setValue(128)
    bar.stride_spin.setValue(16)
    bar.lowercase_combo.setCurrentIndex(bar.lowercase_combo.findData("off"))
    bar.special_box.setChecked(False)
    assert bar.settings() == Settings(add_special_tokens=False, truncation="only_first", max_length=128,
                                      stride=16, lowercase="off")
    with qtbot.waitSignal(bar.changed) as blocker:
        qtbot.mouseClick(bar.reset_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == Settings()


def test_settings_bar_state_to_ui_is_silent(qtbot):
    bar = SettingsBar()
    qtbot.addWidget(bar)
    changes = []
    bar.changed.connect(changes.append)
    wanted = Settings(truncation="none", max_length=64, stride=8, lowercase="on")
    bar.set_settings(wanted)
    assert changes == [] and bar.settings() == wanted
    bar.set_model_default(512)
    bar.max_length_spin.setValue(0)
    assert bar.max_length_spin.text() == "default (512)"


# -- diagnostics panel ------------------------------------------------------------------------------
def test_diagnostics_grouped_by_severity_with_counts(qtbot, minilm):
    panel = DiagnosticsPanel()
    qtbot.addWidget(panel)
    panel.show()
    insp = minilm.inspect_ids("7592, 2088")
    panel.set_inspection(insp)
    severities = [card.diagnostic.severity for card in panel.cards()]
    assert severities == sorted(severities, key=lambda s: -Severity(s).rank)
    assert Severity.ERROR in severities
    counts = panel.counts.text()
    errors = sum(1 for s in severities if s == Severity.ERROR)
    assert f"<b>{errors}</b> error" in counts
    with qtbot.waitSignal(panel.diagnosticSelected) as blocker:
        qtbot.mouseClick(panel.cards()[0], Qt.MouseButton.LeftButton)
    assert blocker.args[0].code == "missing-special-tokens"
    assert panel.cards()[0].is_selected()
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert panel.selected() is None


def test_clean_text_says_nothing_is_wrong(qtbot, bert):
    panel = DiagnosticsPanel()
    qtbot.addWidget(panel)
    panel.set_inspection(bert.inspect("the quick brown fox jumps over the lazy dog"))
    assert panel.cards() == []
    assert "0</b> errors" in panel.counts.text()


def test_copy_fix_button(qtbot, minilm):
    panel = DiagnosticsPanel()
    qtbot.addWidget(panel)
    panel.set_inspection(minilm.inspect("hello"))
    card = panel.card("max-length-disagreement")
    qtbot.mouseClick(card.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == card.diagnostic.fix
    assert card.copy_button.text().startswith("Copied")


# -- model picker -----------------------------------------------------------------------------------
def test_picker_sections_and_requests(qtbot):
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.set_recent(["/models/a", "default", "org/b"])
    picker.set_cached(["org/cached"])
    assert picker.sources("bundled") == ["default"]
    assert picker.sources("recent") == ["/models/a", "org/b"]
    assert picker.sources("cache") == ["org/cached"]
    with qtbot.waitSignal(picker.modelRequested) as blocker:
        picker.tree.itemClicked.emit(picker.item_for("cache", "org/cached"), 0)
    assert blocker.args == ["org/cached"]
    picker.source_field.setText("  org/typed ")
    with qtbot.waitSignal(picker.modelRequested) as blocker:
        qtbot.mouseClick(picker.load_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["org/typed"]
    with qtbot.waitSignal(picker.openFolderRequested):
        qtbot.mouseClick(picker.open_button, Qt.MouseButton.LeftButton)


def test_picker_states(qtbot):
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.set_loading("org/x")
    assert picker.progress.isVisible() and "org/x" in picker.status.text()
    picker.set_error("org/x is not in the Hugging Face cache", kept="default")
    assert not picker.progress.isVisible()
    assert picker.error_text() == "org/x is not in the Hugging Face cache  (still using default)"
    picker.set_loaded("default", "bert")
    assert "all-MiniLM-L6-v2" in picker.current_label.text()
    picker.ask_trust("org/custom")
    with qtbot.waitSignal(picker.trustRequested) as blocker:
        qtbot.mouseClick(picker.trust_banner.button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["org/custom"]


def test_recent_models_settings_roundtrip():
    assert app_settings.recent() == []
    for src in ["a", "b", "a", "c"]:
        app_settings.add_recent(src)
    assert app_settings.recent() == ["c", "a", "b"]
    assert app_settings.remove_recent("a") == ["c", "b"]
    for i in range(20):
        app_settings.add_recent(f"m{i}")
    assert len(app_settings.recent()) == app_settings.RECENT_LIMIT
