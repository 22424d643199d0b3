"""The Audit dialog's B settings, field by field (the CLI's ``--b-*`` options): they start as A's, show where
they differ, refuse what cannot be audited in one line without losing anything, come back with the session,
and give the window's audit the figures ``bertinspector audit ... --b-*`` gives."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from audit_reviews import write_reviews
from bertinspector.app import sessions
from bertinspector.core import session as core_session
from bertinspector.core.errors import InputError
from bertinspector.core.model import Settings
from bertinspector.widgets.audit import AuditDialog
from guihelpers import load

TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    """Reviews with an answer column (the pair) and a label."""
    folder = tmp_path_factory.mktemp("audit_b")
    rows = [json.loads(line) for line in write_reviews(folder / "reviews.jsonl", 240, seed=7).read_text("utf-8").splitlines()]
    path = folder / "pairs.jsonl"
    path.write_text("".join(json.dumps({**r, "answer": f"Thanks, Ticket {r['id']} is Closed now."}) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture
def window(qtbot, make_window, tiny_bert):
    window = make_window(persist=False)
    load(qtbot, window, tiny_bert, text="hello")
    return window


def dialog_on(qtbot, data, **options) -> AuditDialog:
    dialog = AuditDialog(**options)
    qtbot.addWidget(dialog)
    assert dialog.set_path(str(data))
    dialog.b_group.setChecked(True)
    return dialog


def edit(bar, *, special=None, truncation=None, max_length=None, stride=None, lowercase=None) -> None:
    """Change a settings bar's fields the way the user does (each widget in turn)."""
    if special is not None:
        bar.special_box.setChecked(special)
    if truncation is not None:
        bar.truncation_combo.setCurrentIndex(bar.truncation_combo.findData(truncation))
    if max_length is not None:
        bar.max_length_spin.setValue(max_length)
    if stride is not None:
        bar.stride_spin.setValue(stride)
    if lowercase is not None:
        bar.lowercase_combo.setCurrentIndex(bar.lowercase_combo.findData(lowercase))


def bold(bar) -> set[str]:
    widgets = {"add_special_tokens": bar.special_box, "truncation": bar.truncation_combo,
               "max_length": bar.max_length_spin, "stride": bar.stride_spin, "lowercase": bar.lowercase_combo}
    return {name for name, widget in widgets.items() if widget.font().bold()}


def test_b_starts_as_the_window_settings_and_is_no_b_until_changed(qtbot, pairs):
    a = Settings(max_length=256, lowercase="off")
    dialog = dialog_on(qtbot, pairs, model="some/model", settings=a)
    assert dialog.settings_b() == a and not dialog.swap_box.isChecked()
    assert dialog.b_summary.text() == "B's settings are A's" and bold(dialog.b_settings_bar) == set()
    assert dialog.variant_combo.currentData() == "" and not dialog.problem_label.isVisible()
    assert dialog.request().b is None  # B = A: nothing to compare (as the CLI without a --b-* option)


def test_editing_b_marks_what_differs_and_a_changes_carry_the_rest(qtbot, pairs):
    a = Settings(max_length=256)
    dialog = dialog_on(qtbot, pairs, model="some/model", settings=a)
    edit(dialog.b_settings_bar, max_length=64, lowercase="off")
    assert bold(dialog.b_settings_bar) == {"max_length", "lowercase"}
    assert dialog.b_summary.text() == "B differs from A in: max_length 64 (A: 256); lowercase off (A: auto)"
    assert dialog.variant_combo.currentData() == "edited"
    request = dialog.request()
    assert request.b.source == "some/model" and request.b.settings == a.with_(max_length=64, lowercase="off")
    edit(dialog.settings_bar, max_length=300, stride=2)  # A changes: B keeps its own max_length, follows the stride
    assert dialog.settings_b() == Settings(max_length=64, stride=2, lowercase="off")
    dialog.variant_combo.setCurrentIndex(dialog.variant_combo.findData("no-special-tokens"))  # a preset
    assert dialog.settings_b() == Settings(max_length=300, stride=2, add_special_tokens=False)
    assert bold(dialog.b_settings_bar) == {"add_special_tokens"}
    dialog.set_columns(pair="answer")
    dialog.swap_box.setChecked(True)
    dialog.b_model_field.setText("other/model")
    request = dialog.request()
    assert request.b.swap_pair and request.b.source == "other/model"
    assert dialog.b_summary.text().endswith("; the pair swapped")
    dialog.variant_combo.setCurrentIndex(dialog.variant_combo.findData(""))  # back to A's
    assert dialog.settings_b() == dialog.settings_bar.settings() and bold(dialog.b_settings_bar) == set()


@pytest.mark.parametrize("change, words", [
    (dict(swap=True), "B: swapping the pair needs a pair: choose a pair column"),
    (dict(truncation="only_second"), "B: truncation only second needs a pair"),
    (dict(max_length=16, stride=16), "B: stride 16 must be smaller than max_length 16"),
])
def test_settings_that_cannot_be_audited_are_one_line_and_keep_what_was_typed(qtbot, pairs, change, words):
    dialog = dialog_on(qtbot, pairs, model="some/model")
    dialog.b_model_field.setText("typed/model")
    dialog.against_field.setText("serve.jsonl")
    dialog.show()
    swap = change.pop("swap", False)
    dialog.swap_box.setChecked(swap)
    edit(dialog.b_settings_bar, **change)
    before = (dialog.settings_b(), dialog.swap_box.isChecked())
    message = dialog.problem_label.text()
    assert dialog.problem_label.isVisible() and message.startswith(words) and "\n" not in message
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != AuditDialog.DialogCode.Accepted
    assert (dialog.settings_b(), dialog.swap_box.isChecked()) == before
    assert dialog.b_model_field.text() == "typed/model" and dialog.against_field.text() == "serve.jsonl"
    with pytest.raises(InputError, match=words.split(":")[0]):
        dialog.request()
    if swap or change.get("truncation"):
        dialog.set_columns(pair="answer")  # a pair column makes it valid
    else:
        edit(dialog.b_settings_bar, stride=4)
    assert not dialog.problem_label.isVisible()
    dialog.accept()
    assert not dialog.isVisible() and dialog.result() == AuditDialog.DialogCode.Accepted


def test_a_b_the_tokenizer_refuses_is_one_line_in_the_pane_and_offered_again(qtbot, window, pairs):
    dialog = window.audit.dialog()
    qtbot.addWidget(dialog)
    dialog.set_path(str(pairs))
    dialog.b_group.setChecked(True)
    edit(dialog.b_settings_bar, max_length=10, stride=9)  # 9 < 10, but [CLS] and [SEP] leave 8 tokens
    assert dialog.problem() is None
    with qtbot.waitSignal(window.audit.failed, timeout=TIMEOUT_MS) as failed:
        window.audit.start(replace(dialog.request(), workers=1))
    assert "stride set to 9" in failed.args[0] and "\n" not in failed.args[0]
    again = window.audit.dialog()
    qtbot.addWidget(again)
    assert again.b_group.isChecked() and again.settings_b().max_length == 10 and again.settings_b().stride == 9


def test_b_settings_are_kept_in_the_session_and_restored(qtbot, window, make_window, pairs, tmp_path):
    dialog = window.audit.dialog()
    qtbot.addWidget(dialog)
    dialog.set_path(str(pairs))
    dialog.set_columns(text="text", pair="answer")
    dialog.rows_combo.setCurrentIndex(1)
    dialog.rows_spin.setValue(50)
    dialog.b_group.setChecked(True)
    edit(dialog.b_settings_bar, truncation="only_first", max_length=40, lowercase="off")
    dialog.swap_box.setChecked(True)
    chosen = dialog.settings_b()
    with qtbot.waitSignal(window.audit.finished, timeout=TIMEOUT_MS):
        window.audit.start(replace(dialog.request(), workers=1))
    path = tmp_path / "saved.bertinspector"
    core_session.save(path, sessions.capture(window))
    other = make_window(persist=False)
    sessions.restore(other, core_session.load(path))
    assert other.audit.request.b == window.audit.request.b and other.audit.request.b.swap_pair
    restored = other.audit.dialog()
    qtbot.addWidget(restored)
    assert restored.b_group.isChecked() and restored.b_model_field.text() == ""
    assert restored.settings_b() == chosen and restored.swap_box.isChecked()
    assert restored.b_summary.text() == ("B differs from A in: truncation only first (A: longest first); "
                                         "max_length 40 (A: default); lowercase off (A: auto); the pair swapped")
    assert bold(restored.b_settings_bar) == {"truncation", "max_length", "lowercase"}


@pytest.mark.parametrize("fields, options, pair", [
    (dict(max_length=32, stride=4, lowercase="off", special=False),
     ["--b-max-length", "32", "--b-stride", "4", "--b-lowercase", "off", "--b-no-special-tokens"], False),
    (dict(truncation="only_first", max_length=24, swap=True),
     ["--b-truncation", "only_first", "--b-max-length", "24", "--b-swap-pair"], True),
])
def test_the_window_audit_with_b_settings_gives_the_cli_figures(qtbot, capsys, window, tiny_bert, pairs, fields, options, pair):
    from bertinspector.app.cli import main

    dialog = window.audit.dialog()
    qtbot.addWidget(dialog)
    dialog.set_path(str(pairs))
    dialog.set_columns(text="text", pair="answer" if pair else "(none)", label="label")
    edit(dialog.settings_bar, max_length=64)  # A: --max-length 64
    dialog.b_group.setChecked(True)
    dialog.swap_box.setChecked(fields.pop("swap", False))
    edit(dialog.b_settings_bar, **fields)
    with qtbot.waitSignal(window.audit.finished, timeout=TIMEOUT_MS) as done:
        window.audit.start(replace(dialog.request(), workers=1))
    gui = done.args[0].document
    argv = ["audit", str(tiny_bert), str(pairs), "--column", "text", "--label-column", "label", "--max-length", "64",
            *(["--pair-column", "answer"] if pair else []), *options, "--format", "json", "--workers", "1"]
    assert main(argv) in (0, 1)
    cli = json.loads(capsys.readouterr().out)
    assert gui["b"]["examples_changed"] > 0 and gui["b"]["rows_changed"] == cli["b"]["rows_changed"]
    gui.pop("timing"), cli.pop("timing")
    assert gui == cli
