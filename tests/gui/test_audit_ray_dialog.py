"""The audit dialog's *Run on: Ray cluster*: the request names the engine and the address, and the window's
audit driven on Ray gives the document and example records of the local engine."""

from __future__ import annotations

import json
import threading

from bertinspector.core.cancel import CancelToken
from bertinspector.qt.audit import drive
from bertinspector.widgets.audit import AuditDialog


def test_ray_cluster_in_the_dialog_runs_the_audit_on_ray(qtbot, tmp_path, ray_cluster):
    data = tmp_path / "reviews.jsonl"
    data.write_text("".join(json.dumps({"text": f"Review {i}: the café was naïve " + "great " * (i % 50),
                                        "label": f"c{i % 2}"}) + "\n" for i in range(300)), encoding="utf-8")
    dialog = AuditDialog(model="default")
    qtbot.addWidget(dialog)
    assert dialog.set_path(str(data))
    assert not dialog.address_field.isEnabled()
    dialog.engine_combo.setCurrentIndex(dialog.engine_combo.findData("ray"))
    assert dialog.address_field.isEnabled()
    qtbot.keyClicks(dialog.address_field, "10.0.0.5:6379")
    request = dialog.request()
    assert (request.engine, request.ray_address) == ("ray", "10.0.0.5:6379")
    dialog.address_field.clear()  # the session's local Ray
    on_ray = dialog.request()
    assert (on_ray.engine, on_ray.ray_address) == ("ray", None)
    dialog.engine_combo.setCurrentIndex(dialog.engine_combo.findData("local"))
    local = dialog.request()

    finals = {}

    def run(name, request):  # as the window runs it: in a thread of its own
        finals[name] = drive(request, CancelToken(), str(tmp_path), lambda *_: None, lambda _: None)

    for name, request in (("local", local), ("ray", on_ray)):
        thread = threading.Thread(target=run, args=(name, request))
        thread.start()
        thread.join(300)
    assert finals["ray"].document.pop("timing")["engine"] == "ray"
    finals["local"].document.pop("timing")
    assert finals["ray"].document == finals["local"].document and finals["ray"].document["data"]["examples"] == 300
    assert finals["ray"].records.tobytes() == finals["local"].records.tobytes()
