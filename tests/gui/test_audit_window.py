"""The Audit pane in the window: live results, click-through to the inspector and to compare, bad input,
exports and the session. The audit runs in the audit thread with ``workers=1`` here (no process start per
test); ``test_audit_processes.py`` runs it in worker processes, as the window does by default."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from audit_reviews import write_reviews
from bertinspector.core.audit import AuditRequest, Columns, Side
from bertinspector.core.model import Settings
from guihelpers import load

TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    return write_reviews(tmp_path_factory.mktemp("audit") / "reviews.jsonl", 1500, seed=3)


@pytest.fixture
def window(qtbot, make_window, tiny_bert):
    window = make_window(persist=False)
    load(qtbot, window, tiny_bert, text="hello")
    return window


def request(src, data, **options):
    options.setdefault("workers", 1)
    options.setdefault("columns", Columns(text="text", label="label"))
    settings = options.pop("settings", Settings(max_length=128))
    return AuditRequest(a=Side(str(src), settings), data=(str(data),), **options)


def run(qtbot, window, req):
    snapshots = []
    window.audit.controller.snapshot.connect(lambda _g, s: snapshots.append(s))
    with qtbot.waitSignal(window.audit.finished, timeout=TIMEOUT_MS) as done:
        window.audit.start(req)
    return done.args[0], snapshots


def test_histogram_and_cards_fill_as_shards_arrive_and_match_the_cli(qtbot, window, tiny_bert, reviews):
    from bertinspector.core.audit import run_audit

    final, snapshots = run(qtbot, window, request(tiny_bert, reviews))
    live = [s for s in snapshots if not s.final]
    assert live and live[0].document["data"]["examples"] < 1500, "the pane should be drawn before the audit ends"
    counts = [s.document["data"]["examples"] for s in snapshots]
    assert counts == sorted(counts) and counts[0] < 1500 and counts[-1] == 1500
    cli = run_audit(request(tiny_bert, reviews))
    for key in ("histogram", "truncation", "unknown", "diagnostics", "words"):
        assert final.document[key] == cli[key], key
    pane = window.audit.pane
    t = cli["truncation"]
    assert pane.cards.cards["examples"].value.text() == "1,500"
    assert f"{t['tokens_lost']:,} tokens never reach the model" in pane.cards.line("lost")
    assert f"of examples lose text ({t['examples_cut']:,} cut at max_length 128)" in pane.cards.line("cut")
    assert pane.histogram.counts == cli["histogram"]["counts"] and pane.histogram.limit_line.isVisible()
    assert pane.table.model.rowCount() == 1500
    assert all(s.view[0] == pane.table.model.spec() for s in snapshots)  # the table's rows came ordered
    assert any(text.startswith("sequence-truncated") for text in pane.findings.texts())
    assert not pane.running() and "done in" in pane.rate.text()


def test_clicking_the_example_with_most_tokens_lost_shows_it_cut_in_the_token_view(qtbot, window, tiny_bert, reviews):
    run(qtbot, window, request(tiny_bert, reviews))
    table = window.audit.pane.table
    table.sort_by("lost")
    record = table.model.record(0)
    lost = int(record["tokens"]) - int(record["kept"])
    with qtbot.waitSignal(window.audit.exampleShown, timeout=TIMEOUT_MS) as shown:
        table.activate_table_row(0)
    row = int(record["row"])
    assert shown.args == [row]
    expected = json.loads(reviews.read_text(encoding="utf-8").splitlines()[row])["text"]
    assert window.text_pane.text() == expected
    assert window.settings_bar.settings().max_length == 128
    assert window.inspection.truncation.tokens_lost == lost > 0
    assert window.token_view.markers(), "the token view marks the cut"


def test_a_histogram_bin_and_a_finding_filter_the_table(qtbot, window, tiny_bert, reviews):
    final, _ = run(qtbot, window, request(tiny_bert, reviews))
    pane = window.audit.pane
    edges, counts = final.document["histogram"]["edges"], final.document["histogram"]["counts"]
    last = len(counts) - 1
    pane.histogram.click_bin(last)
    assert pane.table.model.rowCount() == counts[last]
    assert all(int(pane.table.model.record(i)["tokens"]) >= edges[last] for i in range(pane.table.model.rowCount()))
    assert pane.histogram.describe_bin(last).startswith(f"{edges[last]:,}+ tokens: {counts[last]:,} examples")
    pane.table.clear_filters()
    assert pane.findings.select_code("unknown-tokens")
    unknown = next(d for d in final.document["diagnostics"] if d["code"] == "unknown-tokens")
    assert pane.table.model.rowCount() == unknown["examples"]


def test_a_changed_example_opens_in_compare_mode_with_b(qtbot, window, tiny_bert, reviews):
    req = request(tiny_bert, reviews, limit=600)
    req = replace(req, b=Side(str(tiny_bert), Settings(max_length=32)))
    final, _ = run(qtbot, window, req)
    b = final.document["b"]
    assert b["examples_changed"] > 0
    pane = window.audit.pane
    assert "kept_b" in pane.table.model.columns and pane.table.changed_box.isVisible()
    assert pane.findings.select_code("changed-by-b")
    assert pane.table.model.rowCount() == b["examples_changed"]
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=TIMEOUT_MS):
        pane.table.activate_table_row(0)
    assert window.compare.active
    assert window.compare.view.slot_b().settings.max_length == 32


def test_what_the_cli_refuses_is_one_line_and_the_pane_keeps_what_it_had(qtbot, window, tiny_bert, reviews, tmp_path):
    final, _ = run(qtbot, window, request(tiny_bert, reviews, limit=500))
    pane = window.audit.pane
    bad = tmp_path / "numbers.jsonl"
    bad.write_text("".join(json.dumps({"text": i, "label": "x"}) + "\n" for i in range(50)), encoding="utf-8")
    cases = [
        (request(tiny_bert, reviews, columns=Columns(text="nope")), "no row of the first ones has a field 'nope'"),
        (request(tiny_bert, tmp_path / "gone.jsonl"), "gone.jsonl"),
        (request(tiny_bert, bad), "no text to audit in column 'text'"),
        (request(tiny_bert, reviews, settings=Settings(max_length=8, stride=20)), "stride"),
    ]
    for req, words in cases:
        with qtbot.waitSignal(window.audit.failed, timeout=TIMEOUT_MS) as failed:
            window.audit.start(req)
        message = failed.args[0]
        assert words in message and "\n" not in message and "Traceback" not in message
        assert pane.banner.isVisible() and pane.banner.text() == message
        assert pane.document is final.document and pane.table.model.rowCount() == 500


def test_many_distinct_labels_are_capped_with_a_message(qtbot, window, tiny_bert, tmp_path):
    data = tmp_path / "labels.csv"
    data.write_text("text,label\n" + "".join(f"row {i} text,label-{i}\n" for i in range(3000)), encoding="utf-8")
    final, _ = run(qtbot, window, request(tiny_bert, data))
    assert final.document["data"]["labels"] == 3000
    assert "Labels: the 50 largest of 3,000" in [window.audit.pane.findings.topLevelItem(i).text(0)
                                                  for i in range(window.audit.pane.findings.topLevelItemCount())]


def test_a_new_audit_drops_the_late_results_of_the_old_one(qtbot, window, tiny_bert, reviews, tmp_path):
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps({"text": f"short text {i}", "label": "a"}) + "\n" for i in range(30)),
                     encoding="utf-8")
    generations = []
    window.audit.controller.snapshot.connect(lambda g, _s: generations.append(g))
    old = window.audit.start(request(tiny_bert, reviews))
    with qtbot.waitSignal(window.audit.finished, timeout=TIMEOUT_MS) as done:
        new = window.audit.start(request(tiny_bert, small))
    assert new == old + 1 and set(generations) == {new}
    assert done.args[0].document["data"]["examples"] == 30
    qtbot.wait(300)
    assert window.audit.pane.document["data"]["examples"] == 30


def test_exports_write_the_cli_reports_the_histogram_and_the_filtered_table(qtbot, window, tiny_bert, reviews, tmp_path):
    from bertinspector.app.cli_audit import render

    final, _ = run(qtbot, window, request(tiny_bert, reviews, limit=800))
    audit = window.audit
    for kind, name in (("html", "a.html"), ("markdown", "a.md"), ("json", "a.json")):
        audit.export_to(kind, str(tmp_path / name))
        assert (tmp_path / name).read_text(encoding="utf-8").rstrip("\n") == render(final.document, kind).rstrip("\n")
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["schema"] == "bertinspector.audit/1"
    audit.export_to("png", str(tmp_path / "h.png"))
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    audit.export_to("svg", str(tmp_path / "h.svg"))
    svg = (tmp_path / "h.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "800 examples" in svg
    audit.pane.table.set_code("sequence-truncated")
    audit.export_to("csv", str(tmp_path / "t.csv"))
    lines = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    cut = next(d for d in final.document["diagnostics"] if d["code"] == "sequence-truncated")["examples"]
    assert len(lines) == cut + 1 and all("sequence-truncated" in line for line in lines[1:])


def test_the_audit_settings_are_kept_in_the_session(qtbot, window, tiny_bert, reviews, make_window):
    from bertinspector.app import sessions

    req = request(tiny_bert, reviews, limit=300, settings=Settings(max_length=64, lowercase="off"))
    run(qtbot, window, req)
    saved = sessions.capture(window)
    other = make_window(persist=False)
    sessions.restore(other, saved)
    restored = other.audit.request
    assert restored.data == req.data and restored.columns == req.columns and restored.limit == 300
    assert restored.a == req.a
    dialog = other.audit.dialog()
    assert dialog.path_field.text() == str(reviews) and dialog.text_combo.currentText() == "text"
    assert dialog.label_combo.currentText() == "label" and dialog.rows_spin.value() == 300


def test_a_text_search_filters_the_table_to_the_rows_that_hold_it(qtbot, window, tiny_bert, reviews):
    run(qtbot, window, request(tiny_bert, reviews))
    table = window.audit.pane.table
    table.search_field.setText("ZOË FROM SUPPORT")
    with qtbot.waitSignal(window.audit.searched, timeout=TIMEOUT_MS):
        table.search_field.returnPressed.emit()
    texts = [json.loads(line)["text"] for line in reviews.read_text(encoding="utf-8").splitlines()]
    expected = [i for i, t in enumerate(texts) if "zoë from support" in t.casefold()]
    assert 0 < table.model.rowCount() == len(expected) < len(texts)
    assert sorted(int(table.model.record(i)["row"]) for i in range(table.model.rowCount())) == expected
    table.search_field.clear()
    assert table.model.rowCount() == len(texts)


def test_a_second_dataset_gives_the_skew_findings(qtbot, window, tiny_bert, reviews, tmp_path):
    live = tmp_path / "live.jsonl"
    live.write_text("".join(json.dumps({"text": f"SHORT LIVE TEXT NUMBER {i} 😀😀"}) + "\n" for i in range(300)),
                    encoding="utf-8")
    final, _ = run(qtbot, window, request(tiny_bert, reviews, limit=600, against=(str(live),)))
    codes = {f["code"] for f in final.document["against"]["findings"]}
    assert "length-skew" in codes
    shown = window.audit.pane.findings.texts()
    assert any(text.startswith("length-skew") for text in shown)


def test_a_label_slice_filters_the_table(qtbot, window, tiny_bert, reviews):
    final, _ = run(qtbot, window, request(tiny_bert, reviews))
    pane = window.audit.pane
    billing = next(s for s in final.document["slices"] if s["label"] == "billing")
    assert pane.findings.select_code("label:billing")
    assert pane.table.model.rowCount() == billing["examples"] and "label 'billing'" in pane.table.bin_label.text()
    labels = [json.loads(line)["label"] for line in reviews.read_text(encoding="utf-8").splitlines()]
    assert all(labels[int(pane.table.model.record(i)["row"])] == "billing" for i in range(pane.table.model.rowCount()))
