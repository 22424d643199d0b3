"""transformers imported the project's way: one scan of its model folders, the same lazy modules as a
plain import, and no torch where only tokenizers are read. Each case runs in a fresh interpreter,
because this one may have imported transformers already."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _run(code: str) -> dict:
    prelude = ("import json, sys\n"
               "from bertinspector.core.transformers_import import import_transformers, keep_torch_out, "
               "models_structure_from_first_scan\n"
               "keep_torch_out()\n")
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_models_package_gets_the_structure_its_own_scan_would_build():
    """Fails when a transformers release changes either scan: then the hand-over must change too."""
    result = _run(
        "import transformers\n"
        "from pathlib import Path\n"
        "from transformers.utils import import_utils\n"
        "handed = models_structure_from_first_scan(transformers)\n"
        "own = import_utils.define_import_structure(str(Path(transformers.__file__).parent / 'models' / '__init__.py'))\n"
        "print(json.dumps({'equal': handed == own, 'modules': sum(len(m) for m in own.values())}))\n")
    assert result["equal"]
    assert result["modules"] > 500  # the real structure, not an empty one that compares equal


def test_model_folders_are_scanned_once_and_tokenizers_load():
    result = _run(
        "transformers = import_transformers()\n"
        "from transformers.utils import import_utils\n"
        "scans = import_utils.create_import_structure_from_path.cache_info().misses\n"
        "from transformers import AutoTokenizer\n"
        "from transformers.models.auto.tokenization_auto import tokenizer_class_from_name\n"
        "from bertinspector.core.sources import resolve\n"
        "tokenizer = AutoTokenizer.from_pretrained(str(resolve('default').folder))\n"
        "folders = sum(1 for _ in __import__('pathlib').Path(transformers.__file__).parent.joinpath('models').rglob('__init__.py'))\n"
        "print(json.dumps({'scans': scans, 'folders': folders, 'ids': tokenizer('Hello world')['input_ids'],\n"
        "                  'class': tokenizer_class_from_name('XLMRobertaTokenizer').__name__,\n"
        "                  'restored': import_utils.define_import_structure.__module__ == import_utils.__name__\n"
        "                              and hasattr(import_utils.define_import_structure, 'cache_info'),\n"
        "                  'torch': sys.modules.get('torch') is not None}))\n")
    assert result["scans"] <= result["folders"] + 1  # one pass over the model folders, not two
    assert result["ids"] == [101, 7592, 2088, 102]
    assert result["class"] == "XLMRobertaTokenizer"
    assert result["restored"]
    assert not result["torch"]


@pytest.mark.parametrize("first", ["import transformers.models", "import_transformers(); import_transformers()"])
def test_import_is_harmless_when_models_is_already_imported(first):
    result = _run(
        f"{first}\n"
        "transformers = import_transformers()\n"
        "from transformers import BertTokenizer\n"
        "print(json.dumps({'name': BertTokenizer.__name__}))\n")
    assert result["name"] == "BertTokenizer"
