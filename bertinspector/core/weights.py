"""Loading a model's weights (only when asked for) and what the loading reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bertinspector.core.errors import SourceError, first_line
from bertinspector.core.sources import fetch_hub_weights
from bertinspector.core.transformers_import import import_transformers

if TYPE_CHECKING:
    from bertinspector.core.inspector import Inspector


def model_class(inspector: "Inspector"):
    """The transformers class of the checkpoint's first architecture, else ``AutoModel``."""
    transformers = import_transformers()
    for name in inspector.facts.architectures:
        cls = getattr(transformers, name, None)
        if cls is not None and hasattr(cls, "from_pretrained"):
            return cls
    return transformers.AutoModel


def load(inspector: "Inspector", *, device: str = "cpu", dtype=None):
    """(model in eval mode, :class:`WeightReport`). Never runs custom code the user did not allow."""
    from bertinspector.core.inspector import WeightReport

    if inspector.refused_remote_code:
        raise SourceError(f"{inspector.source.name} needs its own code; allow it (trust_remote_code) to load the weights")
    transformers = import_transformers()
    transformers.utils.logging.disable_progress_bar()
    fetch_hub_weights(inspector.source)
    cls = model_class(inspector)
    kwargs = {"attn_implementation": "eager", "trust_remote_code": inspector.trust_remote_code, "local_files_only": True}
    if dtype is not None:
        kwargs["dtype"] = dtype
    try:
        model, info = cls.from_pretrained(str(inspector.source.folder), output_loading_info=True, **kwargs)
    except Exception as error:
        if "Weights only load failed" in str(error):  # torch's advice to turn the safety off is not repeated
            pickles = ", ".join(name for name in inspector.facts.weights_files if not name.endswith(".safetensors"))
            raise SourceError(f"{inspector.source.name}: {pickles or 'the checkpoint'} holds pickled objects the safe "
                              f"loader refuses (weights_only): convert it to safetensors, or use a checkpoint you trust") from None
        raise SourceError(f"{inspector.source.name}: the weights cannot be loaded ({first_line(error, 200)})") from None
    model.eval()
    if device != "cpu":
        model.to(device)
    report = WeightReport(
        model_class=type(model).__name__,
        missing_keys=tuple(sorted(info.get("missing_keys", ()))),
        unexpected_keys=tuple(sorted(info.get("unexpected_keys", ()))),
    )
    return model, report
