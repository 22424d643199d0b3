"""The inspector's settings for what the first tokenizer call of the code does (its literals only)."""

from __future__ import annotations

from bertinspector.core.lint import flow as f
from bertinspector.core.lint.findings import CallSettings
from bertinspector.core.model import TRUNCATION_STRATEGIES, Settings

PADDING_OFF = (False, None, "do_not_pad")


def call_settings(flow: f.Flow, place) -> tuple[CallSettings, ...]:
    """The settings of every ``tokenizer(...)``/``encode(...)`` call, in the order of the code;
    ``place(line)`` gives (cell, line)."""
    return tuple(settings_of(site, flow, place) for site in flow.ordered_sites() if site.kind in ("tokenizer-call", "encode"))


def settings_of(site: f.Site, flow: f.Flow, place) -> CallSettings:
    notes: list[str] = []

    def literal(name: str, default):
        if name not in site.keywords:
            return default
        value = flow.literal(site.keywords[name])
        if value is f.UNKNOWN_LITERAL:
            notes.append(f"{name}= is not a literal: the inspector uses its default")
            return default
        return value

    special = literal("add_special_tokens", True)
    if not isinstance(special, bool):
        special = True
    max_length = literal("max_length", None)
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length <= 0):
        notes.append(f"max_length={max_length!r} is not a positive whole number: ignored")
        max_length = None
    stride = literal("stride", 0)
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 0:
        stride = 0
    padding = literal("padding", False)
    truncation = literal("truncation", "missing")
    if truncation == "missing":
        # transformers: max_length alone (and no padding) turns truncation on; otherwise nothing is cut
        strategy = "longest_first" if max_length is not None and padding in PADDING_OFF else "none"
    elif truncation is True:
        strategy = "longest_first"
    elif truncation in (False, None, "do_not_truncate"):
        strategy = "none"
    elif truncation in TRUNCATION_STRATEGIES:
        strategy = truncation
    else:
        notes.append(f"truncation={truncation!r} is not a strategy transformers knows")
        strategy = "longest_first"
    lowercase, checkpoint = "auto", None
    loader = site.receiver.origin if site.receiver is not None else None
    if loader is not None and loader.kind == "from_pretrained":
        value = flow.literal(loader.keywords.get("do_lower_case")) if "do_lower_case" in loader.keywords else None
        lowercase = {True: "on", False: "off"}.get(value, "auto") if isinstance(value, bool) else "auto"
        node = loader.node.args[0] if loader.node.args else loader.keywords.get("pretrained_model_name_or_path")
        name = flow.literal(node) if node is not None else None
        checkpoint = name if isinstance(name, str) else None
    ignored = [name for name in ("do_lower_case", "strip_accents", "tokenize_chinese_chars", "lowercase") if name in site.keywords]
    if ignored:
        notes.append(f"{', '.join(ignored)} at call time is ignored by transformers: the inspector ignores it too")
    cell, line = place(site.node.lineno)
    settings = Settings(add_special_tokens=special, truncation=strategy, max_length=max_length, stride=stride,
                        lowercase=lowercase)
    return CallSettings(line, cell, settings, checkpoint, tuple(notes))
