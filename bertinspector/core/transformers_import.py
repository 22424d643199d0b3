"""How this project imports transformers: without torch where only tokenizers are read, and with
one scan of its model folders instead of two.

``import transformers`` scans every model folder (``define_import_structure``, ~0.2 s on a quiet
core), and the first import of ``transformers.models`` scans them all again: the scan's cache holds
128 folders and transformers has more than 500, so nothing of the first scan is left. Both scans
describe the same folder, one with a ``models.`` prefix; :func:`import_transformers` hands the
first one's result (still cached under its own arguments) to ``transformers.models`` instead of a
second scan. A test compares the handed structure with a fresh scan, so a transformers release
that changes either scan fails there, not in a user's hands.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

MODE_ENV = "BERTINSPECTOR_MODEL_HOST"  # "thread": the model host serves from a thread of this process
_LOCK = threading.Lock()


def keep_torch_out() -> None:
    """Make this process read tokenizers without torch (transformers then never imports it), unless
    the model host serves from a thread of this process (``BERTINSPECTOR_MODEL_HOST=thread``).

    Call before anything imports transformers; does nothing where torch is already imported.
    """
    if os.environ.get(MODE_ENV) == "thread":
        return
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # the import system's "not installed" marker
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")  # no "PyTorch was not found" line


def import_transformers():
    """The ``transformers`` module, with ``transformers.models`` imported (from the first scan)."""
    with _LOCK:
        import transformers

        if "transformers.models" not in sys.modules:
            _import_models_from_first_scan(transformers)
        return transformers


def models_structure_from_first_scan(transformers) -> dict | None:
    """What ``transformers.models`` would compute for its lazy module, taken from the scan
    ``import transformers`` made; None when this transformers builds its structure another way."""
    from transformers.utils import import_utils

    scan = getattr(import_utils, "define_import_structure", None)
    if scan is None or not hasattr(scan, "cache_info"):
        return None
    hits = scan.cache_info().hits
    first = scan(Path(transformers.__file__).parent / "models", prefix="models")
    if scan.cache_info().hits == hits or not isinstance(first, dict):
        return None  # not the cached first scan: let transformers.models scan as it always does
    return {backends: {name.removeprefix("models."): objects for name, objects in modules.items()
                       if name.startswith("models.")}
            for backends, modules in first.items()}


def _import_models_from_first_scan(transformers) -> None:
    from transformers.utils import import_utils

    structure = models_structure_from_first_scan(transformers)
    if structure is None:
        import transformers.models  # noqa: F401  (its own scan)
        return
    scan = import_utils.define_import_structure
    models_init = os.path.normpath(Path(transformers.__file__).parent / "models" / "__init__.py")

    def define_import_structure(module_path, prefix=None):
        if prefix is None and os.path.normpath(module_path) == models_init:
            return structure
        return scan(module_path, prefix)

    import_utils.define_import_structure = define_import_structure  # read once, by transformers/models/__init__.py
    try:
        import transformers.models  # noqa: F401
    finally:
        import_utils.define_import_structure = scan
