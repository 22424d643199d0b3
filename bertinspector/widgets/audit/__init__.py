"""The Audit pane: a whole dataset through the model's tokenizer, drawn as it is measured.

``dialog``     the Audit Dataset dialog (file, columns, rows, model, settings, B or a second dataset)
``cards``      the summary cards (examples, share cut, tokens lost, unknown share, fertility), each with a plain-words line
``histogram``  the length histogram (pyqtgraph) with ``max_length`` and the cut region; hover and click a bin
``findings``   the dataset's diagnostics with counts, the top unknown texts, dropped characters, skew findings
``table``      the examples table (virtual, over :class:`bertinspector.qt.audit_table.ExamplesModel`) and its filters
``pane``       :class:`AuditPane`: progress, Cancel, banner, exports menu, and the parts above
"""

from bertinspector.widgets.audit.dialog import AuditDialog
from bertinspector.widgets.audit.pane import AuditPane

__all__ = ["AuditDialog", "AuditPane"]
