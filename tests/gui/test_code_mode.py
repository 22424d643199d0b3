"""The Code input mode: pasted code is linted (never run), its findings are listed and their lines
tinted, *Use this call's settings* makes the token view show what that call gives for the text."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from guihelpers import load, wait_inspection
from lint_examples import article_examples
from PySide6.QtGui import QGuiApplication

from bertinspector.core.model import Settings


def paste_code(window, code: str) -> None:
    window.text_pane.set_mode("code")
    window.text_pane.code_pane.set_code(code)


def test_the_articles_call_time_option_is_flagged_and_its_real_tokens_shown(qtbot, make_window, minilm_path):
    window = make_window()
    load(qtbot, window, "default", text="This is a Positive SENTENCE.")
    window.settings_bar.set_settings(Settings(max_length=5, lowercase="off"), notify=True)
    pane = window.text_pane.code_pane
    paste_code(window, article_examples()[2])
    assert window.text_pane.text_button.isChecked() is False and pane.isVisible()
    lines = {(f.code, f.line) for f in pane.report.findings}
    assert ("call-time-preprocessing-option", 18) in lines
    assert (18, 18, "error") in pane.highlighted_lines()  # the finding's line is tinted in the snippet
    assert pane.select_finding("call-time-preprocessing-option")
    assert (18, 18, "selected") in pane.highlighted_lines()
    assert pane.editor.textCursor().blockNumber() == 17
    # the call on line 18: no truncation, the model's own lowercasing (do_lower_case at call time is ignored)
    insp = wait_inspection(qtbot, window, pane.use_button.click)
    assert window.settings_bar.settings() == Settings(truncation="none", max_length=None, lowercase="auto")
    assert insp.text == "This is a Positive SENTENCE."
    assert insp.tokens.strings == ("[CLS]", "this", "is", "a", "positive", "sentence", ".", "[SEP]")
    applied = pane.applied_label.text()
    assert applied.startswith("The call on line 18: no truncation, max_length default, lowercase auto")
    assert "bert-base-uncased is not available here" in applied and "do_lower_case at call time is ignored" in applied
    pane.copy_button.click()
    assert QGuiApplication.clipboard().text() == pane.selected_finding().fix
    assert "do_lower_case=True" in QGuiApplication.clipboard().text()


def test_switching_modes_keeps_the_text_and_the_code(qtbot, bert_window):
    window = bert_window
    window.text_pane.set_text("hello world")
    paste_code(window, "ids = tokenizer.encode(text)\nout = model(**ids)\n")
    assert [f.code for f in window.text_pane.code_pane.report.findings] == ["encode-into-model"]
    window.text_pane.set_mode("text")
    assert window.text_pane.text() == "hello world"
    window.text_pane.set_mode("code")
    assert window.text_pane.code_pane.code() == "ids = tokenizer.encode(text)\nout = model(**ids)\n"
    insp = wait_inspection(qtbot, window, window.text_pane.request_inspection)
    assert insp.text == "hello world"  # the Code mode inspects the Text mode's text


def test_typing_code_lints_after_a_pause(qtbot, bert_window):
    pane = bert_window.text_pane.code_pane
    bert_window.text_pane.set_mode("code")
    with qtbot.waitSignal(pane.linted, timeout=5000):
        pane.editor.setPlainText("def broken(:\n")
    assert [(f.code, f.line) for f in pane.report.findings] == [("syntax-error", 1)]
    assert not pane.use_button.isEnabled()


def test_the_call_names_a_model_that_is_here(qtbot, bert_window, minilm_path):
    window = bert_window
    window.text_pane.set_text("Hello World")
    paste_code(window, textwrap.dedent("""\
        from transformers import AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2", do_lower_case=False)
        enc = tokenizer(text, max_length=6)
        """))
    with qtbot.waitSignal(window.modelLoaded, timeout=60_000):
        window.text_pane.code_pane.use_button.click()
    assert window.model_source() == "default"
    insp = wait_inspection(qtbot, window, window.text_pane.request_inspection)
    assert window.settings_bar.settings() == Settings(truncation="longest_first", max_length=6, lowercase="off")
    assert insp.tokens.strings == ("[CLS]", "[UNK]", "[UNK]", "[SEP]")  # capitals on an uncased vocabulary


def test_screenshot_of_the_code_mode(qtbot, make_window, minilm_path, tmp_path):
    window = make_window()
    window.resize(1440, 880)
    window.show()
    qtbot.waitExposed(window)
    load(qtbot, window, "default", text="This is a Positive SENTENCE.")
    window.splitter.setSizes([560, 200])  # room for the code and its findings
    paste_code(window, article_examples()[2])
    pane = window.text_pane.code_pane
    pane.splitter.setSizes([300, 220])
    pane.select_finding("call-time-preprocessing-option")
    wait_inspection(qtbot, window, pane.use_button.click)
    target = Path(tmp_path / "code-mode.png")
    assert window.grab().save(str(target))
    assert target.stat().st_size > 10_000
    if os.environ.get("BERTINSPECTOR_SHOTS"):  # a folder to keep the picture in, to look at it
        window.grab().save(str(Path(os.environ["BERTINSPECTOR_SHOTS"]) / "code-mode.png"))


def test_the_code_and_the_mode_come_back_with_the_session(qtbot, bert_window, make_window, tmp_path):
    window = bert_window
    code = "ids = tokenizer.encode(text)\nout = model(**ids)\n"
    window.text_pane.set_text("kept text")
    paste_code(window, code)
    path = tmp_path / "with-code.bertinspector.json"
    assert window.save_session(str(path))
    again = make_window()
    with qtbot.waitSignal(again.modelLoaded, timeout=60_000):
        assert again.open_session(str(path))
    assert again.text_pane.mode() == "code"
    assert again.text_pane.code_pane.code() == code and again.text_pane.buffer("text") == "kept text"
    qtbot.waitUntil(lambda: again.text_pane.code_pane.report is not None, timeout=5000)
    assert again.text_pane.code_pane.report.codes() == ["encode-into-model"]


def test_a_large_paste_is_linted_off_the_gui_thread(qtbot, bert_window):
    from bertinspector.widgets.code_pane import LARGE_CODE

    pane = bert_window.text_pane.code_pane
    block = "def step(texts):\n    enc = tokenizer(texts, padding=True, return_tensors='pt')\n    return model(**enc)\n\n"
    code = block * (LARGE_CODE // len(block) + 1)
    bert_window.text_pane.set_mode("code")
    with qtbot.waitSignal(pane.linted, timeout=60_000) as linted:
        pane.set_code(code)
        assert pane.runner.is_busy("lint") and pane.summary.text() == "Checking the code…"
    assert linted.args[0] is pane.report and pane.report.codes() == ["no-truncation"] * (LARGE_CODE // len(block) + 1)


def test_the_code_mode_is_reached_from_the_ids_mode(qtbot, bert_window):
    pane = bert_window.text_pane
    pane.set_mode("ids")
    pane.code_button.click()
    assert pane.mode() == "code" and not bert_window.ids_mode_action.isChecked()
    assert pane.inspected_mode() == "text"


def test_code_pasted_in_the_window_is_never_run(qtbot, bert_window, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    mark = marks / "ran.txt"
    code = (f"import pathlib, os\npathlib.Path({str(mark)!r}).write_text('ran')\nos.system('touch {mark}.shell')\n"
            "ids = tokenizer.encode(text)\nout = model(**ids)\n")
    paste_code(bert_window, code)
    pane = bert_window.text_pane.code_pane
    pane.use_button.click()
    assert pane.report.codes() == ["encode-into-model"]
    assert list(marks.iterdir()) == []
