"""``bertinspector gui --audit DATA --screenshot PNG``: the window with the audit, pictured once it has finished."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtGui import QImage

from audit_reviews import write_reviews


def gui(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HF_HUB_OFFLINE="1", XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path / "home"))
    return subprocess.run([sys.executable, "-m", "bertinspector", "gui", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_screenshot_is_taken_once_the_audit_has_finished(tmp_path, tiny_bert):
    data = write_reviews(tmp_path / "reviews.jsonl", 300, seed=2)
    png = tmp_path / "audit.png"
    result = gui("--model", tiny_bert, "--audit", data, "--label-column", "label", "--screenshot", png, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 1000
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20


def test_an_audit_the_cli_refuses_exits_2_with_its_one_line(tmp_path, tiny_bert):
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"body": "hello"}) + "\n", encoding="utf-8")
    result = gui("--model", tiny_bert, "--audit", data, "--column", "text", "--screenshot", tmp_path / "x.png",
                 tmp_path=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("bertinspector:")]
    assert lines == [f"bertinspector: {data}: no row of the first ones has a field 'text' (fields: body; "
                     "string fields: body)"], result.stderr
