"""The layers depend one way: core (no Qt) -> qt -> widgets (no torch) -> app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bertinspector"
QT = ("PySide6", "pyqtgraph", "superqt", "shiboken6")
MODEL_LIBRARIES = ("torch", "transformers")
FORBIDDEN = {
    "core": QT + ("bertinspector.qt", "bertinspector.widgets", "bertinspector.app"),
    "qt": MODEL_LIBRARIES + ("bertinspector.widgets", "bertinspector.app"),
    "widgets": MODEL_LIBRARIES + ("bertinspector.app",),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer):
    violations = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                violations.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert violations == []


def test_a_core_inspection_loads_no_qt(minilm_path):
    code = (
        "import sys\n"
        "from bertinspector.core.inspector import Inspector\n"
        f"Inspector.open({str(minilm_path)!r}).inspect('hello world')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'superqt')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
