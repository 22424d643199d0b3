"""The window's audit in worker processes (as by default for data of more than one CLI shard): Cancel stops it
and closing the window mid-audit ends it, each leaving no process or thread behind."""

from __future__ import annotations

import multiprocessing
import os
import sys

import pytest

from audit_reviews import write_reviews
from bertinspector.core.audit import AuditRequest, Columns, Side
from bertinspector.core.model import Settings
from bertinspector.qt.audit import WORKER_NICENESS
from guihelpers import load

TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    return write_reviews(tmp_path_factory.mktemp("audit") / "reviews.jsonl", 20_000, seed=5)


def started(qtbot, make_window, tiny_bert, reviews):
    window = make_window(persist=False)
    load(qtbot, window, tiny_bert, text="hello")
    request = AuditRequest(a=Side(str(tiny_bert), Settings(max_length=128)), data=(str(reviews),),
                           columns=Columns(text="text"), workers=2, shard_rows=5000)
    with qtbot.waitSignal(window.audit.controller.progressed, timeout=TIMEOUT_MS):  # the workers are reading
        window.audit.start(request)
    assert window.audit.pane.running() and multiprocessing.active_children()
    return window


def assert_nothing_left(qtbot, window):
    qtbot.waitUntil(lambda: not multiprocessing.active_children() and not window.audit.controller.busy(),
                    timeout=10_000)


def test_cancel_stops_the_workers_and_keeps_the_rows_read(qtbot, make_window, tiny_bert, reviews):
    window = started(qtbot, make_window, tiny_bert, reviews)
    with qtbot.waitSignal(window.audit.controller.cancelled, timeout=10_000):
        window.audit.pane.cancel_button.click()
    assert_nothing_left(qtbot, window)
    pane = window.audit.pane
    assert not pane.running() and pane.rate.text().startswith("cancelled")
    assert pane.document is None or pane.document["data"]["examples"] < 20_000


def test_closing_the_window_mid_audit_leaves_no_process_or_thread(qtbot, make_window, tiny_bert, reviews):
    window = started(qtbot, make_window, tiny_bert, reviews)
    thread = window.audit.controller._thread
    window.close()
    assert not thread.is_alive()
    assert_nothing_left(qtbot, window)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-process niceness read back on Linux")
def test_the_workers_yield_the_cores_to_the_window(qtbot, make_window, tiny_bert, reviews):
    """The workers measure at a lower priority, so on a machine whose cores they fill the window still gets one;
    the window's own process keeps its priority."""
    window = started(qtbot, make_window, tiny_bert, reviews)
    workers = multiprocessing.active_children()
    qtbot.waitUntil(lambda: all(os.getpriority(os.PRIO_PROCESS, w.pid) == WORKER_NICENESS for w in workers),
                    timeout=30_000)
    assert os.getpriority(os.PRIO_PROCESS, 0) == 0
    window.close()
    assert_nothing_left(qtbot, window)


def test_settings_the_tokenizer_refuses_are_one_line_when_the_workers_describe_them(qtbot, make_window, tiny_bert, reviews):
    window = make_window(persist=False)
    load(qtbot, window, tiny_bert, text="hello")
    refused = Side(str(tiny_bert), Settings(max_length=10, stride=9))  # [CLS] and [SEP] leave 8 tokens
    request = AuditRequest(a=Side(str(tiny_bert)), b=refused, data=(str(reviews),), columns=Columns(text="text"),
                           workers=2, shard_rows=5000)
    with qtbot.waitSignal(window.audit.failed, timeout=TIMEOUT_MS) as failed:
        window.audit.start(request)
    assert "stride set to 9" in failed.args[0] and "\n" not in failed.args[0]
    assert window.audit.pane.banner.text() == failed.args[0]
    assert_nothing_left(qtbot, window)
