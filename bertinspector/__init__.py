"""bertinspector: see exactly what a BERT-family model receives from your text."""

__version__ = "0.1.0"
APP_ID = "io.github.bertinspector.bertinspector"
