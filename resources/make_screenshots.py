"""Render the README's screenshots into resources/screenshots/ (offscreen, the default model).

    python resources/make_screenshots.py                  # all of them
    python resources/make_screenshots.py family-roberta   # only the named ones (file names without .png)

The first two are exactly ``bertinspector gui --text ... --screenshot PNG``, the fourth adds ``--run``;
the third (pasted ids) switches the text pane to ids mode first, which the command line has no option for;
the audit dialog's shot fills B's settings on a generated tickets dataset (``tests/gui/audit_reviews.py``).
The family shots (XLM-R, RoBERTa and ModernBERT style, a multilingual text) are
``bertinspector gui --model FOLDER --text ... --screenshot PNG`` on tiny folders that the tests' model
factory (``tests/modelfactory.py``) builds in a temporary folder. Emoji and CJK need fonts that have them
(Debian: ``fonts-noto-color-emoji``, ``fonts-wqy-microhei``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots"

LONG_TEXT = (
    "Clause 14 (Termination). Either party may terminate this agreement by giving ninety days' written "
    "notice to the other party. On termination, every licence granted under clause 3 ends at once, and "
    "the licensee shall return or destroy all confidential information it received. "
) * 24 + "Clause 15 (Governing law). This agreement is governed by the laws of England and Wales."
EMOJI_TEXT = ("Crème brûlée at the café was naïve 🎉🍰 — the Ångström-level détail of the São Paulo "
              "menu impressed everyone 😀. Señor Müller's résumé mentioned Zoë and Björk.")
IDS = "[7592, 1010, 2088, 999, 2023, 2003, 1037, 3231, 6251, 1012]"
MULTILINGUAL_TEXT = ("The café in München serves crème brûlée 😀. Привет, мир! Γεια σου κόσμε. "
                     "東京は大きな都市です。 שלום עולם. مرحبا بالعالم. Señor Müller's résumé 🎉 <mask> [MASK]")
#: family (a name of tests/modelfactory.py's FAMILIES) -> (folder name, the model's name in the window) and screenshot
FAMILY_SHOTS = {"xlm_roberta": ("xlm-roberta-style", "family-xlm-roberta.png"),
                "roberta": ("roberta-style", "family-roberta.png"),
                "modernbert": ("modernbert-style", "family-modernbert.png")}

_RUN_GUI = """
import sys
from bertinspector.app.gui import run_gui
sys.exit(run_gui(model=sys.argv[3] if len(sys.argv) > 3 else "default", text=sys.argv[1], screenshot=sys.argv[2]))
"""

_RUN_MODEL = """
import sys
from bertinspector.app.gui import run_gui
sys.exit(run_gui(model="default", text=sys.argv[1], run=True, screenshot=sys.argv[2]))
"""
_COMPARE = """
import sys
from PySide6.QtCore import QEventLoop, Qt, QTimer
from bertinspector.app.application import make_application
from bertinspector.app.main_window import MainWindow
app = make_application()
window = MainWindow(auto_load_weights=False, restore_state=False, scan_hf_cache=False, persist=False,
                    keep_on_screen=False)
window.text_pane.set_text(sys.argv[1])
window.show()
loop = QEventLoop()
window.inspectionApplied.connect(lambda _i: loop.quit())
window.open_model("default")
loop.exec()
window.compare.comparisonApplied.connect(lambda _c: QTimer.singleShot(300, loop.quit))
window.compare.show()
loop.exec()
window.compare.view.apply_variant("lowercase-flipped")
loop.exec()
window.resizeDocks([window.compare.dock], [560], Qt.Orientation.Vertical)
app.processEvents()
window.grab().save(sys.argv[2], "PNG")
window.shutdown(5000)
"""
_AUDIT_DIALOG = """
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])  # tests/gui: the reviews dataset of the audit's tests
from audit_reviews import write_reviews
from PySide6.QtCore import QEventLoop
from bertinspector.app.application import make_application
from bertinspector.app.main_window import MainWindow
folder = Path(tempfile.mkdtemp())
reviews = write_reviews(folder / "reviews.jsonl", 200, seed=3).read_text("utf-8").splitlines()
data = folder / "support-tickets.jsonl"
data.write_text("".join(json.dumps({**json.loads(r), "answer": "Thanks, your ticket is Closed now."}) + "\\n"
                        for r in reviews), encoding="utf-8")
app = make_application()
window = MainWindow(auto_load_weights=False, restore_state=False, scan_hf_cache=False, persist=False,
                    keep_on_screen=False)
window.show()
loop = QEventLoop()
window.inspectionApplied.connect(lambda _i: loop.quit())
window.open_model("default")
loop.exec()
dialog = window.audit.dialog(str(data))
dialog.set_columns(text="text", pair="answer", label="label")
dialog.b_group.setChecked(True)
bar = dialog.b_settings_bar
bar.max_length_spin.setValue(128)
bar.lowercase_combo.setCurrentIndex(bar.lowercase_combo.findData("off"))
dialog.swap_box.setChecked(True)
dialog.show()
app.processEvents()
dialog.grab().save(sys.argv[2], "PNG")
window.shutdown(5000)
"""
CASED_TEXT = ("Dr. Smith flew from Paris to New York on Monday. The FDA approved Pfizer's drug; "
              "Ms. García said the café in São Paulo stays open. " * 3)
MASK_TEXT = "The patient was admitted to the hospital with acute chest pain and [MASK] of breath after a long flight."

_IDS = """
import sys
from PySide6.QtCore import QEventLoop, Qt, QTimer
from bertinspector.app.application import make_application
from bertinspector.app.main_window import MainWindow
app = make_application()
window = MainWindow(auto_load_weights=False, restore_state=False, scan_hf_cache=False, persist=False,
                    keep_on_screen=False)
window.text_pane.set_mode("ids")
window.text_pane.set_text(sys.argv[1])
window.show()
loop = QEventLoop()
window.inspectionApplied.connect(lambda _i: QTimer.singleShot(200, loop.quit))
window.open_model("default")
loop.exec()
window.diagnostics.select_code("missing-special-tokens")
app.processEvents()
window.grab().save(sys.argv[2], "PNG")
window.shutdown(5000)
"""


def build_family_folders(root: Path) -> None:
    """Tiny model folders of the families in :data:`FAMILY_SHOTS` under ``root``, by the tests' model factory."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    import modelfactory

    for family, (folder, _png) in FAMILY_SHOTS.items():
        kind, options = modelfactory.FAMILIES[family]
        modelfactory.BUILDERS[kind](root / folder, **options)


def main(names: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
           "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="screenshots-")}
    jobs = [
        (_RUN_GUI, LONG_TEXT, OUT / "long-text-cut.png", ()),
        (_RUN_GUI, EMOJI_TEXT, OUT / "emoji-accents.png", ()),
        (_IDS, IDS, OUT / "pasted-ids.png", ()),
        (_RUN_MODEL, MASK_TEXT, OUT / "attention.png", ()),
        (_COMPARE, CASED_TEXT, OUT / "compare-lowercase-flipped.png", ()),
        (_AUDIT_DIALOG, str(HERE.parent / "tests" / "gui"), OUT / "audit-dialog-b.png", ()),
    ]
    jobs += [(_RUN_GUI, MULTILINGUAL_TEXT, OUT / png, (folder,)) for folder, png in FAMILY_SHOTS.values()]
    jobs = [job for job in jobs if not names or job[2].stem in names]
    models = Path(tempfile.mkdtemp(prefix="screenshot-models-"))  # the family shots run here: short model names
    if any(extra for *_job, extra in jobs):
        build_family_folders(models)
    for code, text, png, extra in jobs:
        result = subprocess.run([sys.executable, "-c", textwrap.dedent(code), text, str(png), *extra], env=env,
                                capture_output=True, text=True, cwd=models)
        status = "ok" if result.returncode == 0 and png.exists() else f"failed ({result.returncode})"
        print(f"{png.relative_to(HERE.parent)}: {status}")
        if result.returncode != 0:
            print(result.stderr.strip()[-500:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
