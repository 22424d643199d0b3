"""Compare mode's widgets: slot B against slot A on the same text, token by token.

A pane for compare mode. It holds slot B's own model source (a compact picker: "same model as A", a
source string, Open folder…), slot B's own settings (a :class:`SettingsBar`) and the four variant
shortcuts (B = A with lowercasing flipped, without special tokens, with max_length 128, with the pair
swapped). It never loads or inspects anything itself: it asks the window (``modelBRequested``,
``slotBChanged``, ``runRequested``) and shows what the window gives back (:meth:`CompareView.setComparison`,
:meth:`CompareView.setRunComparison`).

What it shows:

1. **Aligned tokens** (:class:`AlignedView`): one custom-painted scroll area, no widget per token. Each
   aligned group (the tokens of A and of B covering the same characters) is a column: the characters
   on top, A's chips below, B's chips under those. Columns wrap like words in a paragraph; a paint
   event draws only the bands in view. Differences are told apart by more than colour:

   ==========================  ============================================================
   difference                  drawn as
   ==========================  ============================================================
   split differently           dashed outline around the column, ``|`` in its mark
   unknown in one side only    the [UNK] chip's thick border and a ``?`` badge; ``?A``/``?B``
   special tokens differ       ``≠`` in the mark; ``∅`` (dashed empty box) where a side has none
   the two truncation points   a ``✂A`` / ``✂B`` tag before the first token each side loses;
                               the lost tokens hatched and faded (as in the token view)
   other segment in B          ``⇄`` in the mark (the pair swapped)
   ==========================  ============================================================

2. **Summary and preprocessing**: token counts, unknown tokens, tokens lost, cut character side by
   side, and the config diff; differing rows carry ``≠`` and bold text.
3. **Diagnostics** of A and of B, labelled A and B (two :class:`DiagnosticsPanel`).
4. **Inference**: label probabilities, [MASK] predictions, [CLS]/mean-pooled cosine and per-layer
   cosine, from :func:`bertinspector.core.compare_runs.compare_runs`.

Wiring, for the window::

    view = CompareView()
    view.modelBRequested.connect(load_b)          # "" = same model as A: no load, compare again
    view.slotBChanged.connect(compare_again)      # B's settings or pair swap changed
    view.groupSelected.connect(highlight_chars)   # (segment, start, end); -1s: nothing to highlight
    view.runRequested.connect(run_both)

    def compare_again():
        a = inspector_a.inspect(text, pair, settings_a)
        text_b, pair_b = view.input_b(text, pair)
        b = (inspector_b or inspector_a).inspect(text_b, pair_b, view.settings_b())
        view.setComparison(compare(a, b))

Modules: :mod:`.aligned_view` (the aligned tokens), :mod:`.diff_table` (the preprocessing facts side by
side), :mod:`.run_panel` (Run A and B), :mod:`.pane` (:class:`CompareView`, slot B and the wiring).
"""

from bertinspector.widgets.compare.aligned_view import GUTTER, AlignedView
from bertinspector.widgets.compare.pane import SAME_AS_A, CompareView, SlotB

__all__ = ["GUTTER", "SAME_AS_A", "AlignedView", "CompareView", "SlotB"]
