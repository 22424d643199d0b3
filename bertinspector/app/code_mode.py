"""The Code mode's *Use this call's settings*: the settings bar (and the model, when the code names
one that is here) take what the tokenizer call does, so the token view shows what it gives."""

from __future__ import annotations

from pathlib import Path

DEFAULT_HUB_IDS = ("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2")  # what `default` ships
TRUNCATION_WORDS = {"none": "no truncation", "longest_first": "truncation longest_first",
                    "only_first": "truncation only_first", "only_second": "truncation only_second"}


def available_model(checkpoint: str | None, cached: list[str]) -> str | None:
    """The model source for a checkpoint the code names, when it can be opened here without network:
    the bundled model's hub id is ``default``, a local folder, or a hub id in the local cache."""
    if not checkpoint:
        return None
    if checkpoint in DEFAULT_HUB_IDS:
        return "default"
    try:
        if Path(checkpoint).expanduser().is_dir():
            return checkpoint
    except OSError:
        return None
    # the cache keeps canonical ids: "bert-base-uncased" is cached as "google-bert/bert-base-uncased"
    return next((repo for repo in cached if repo == checkpoint or repo.endswith("/" + checkpoint)), None)


def describe(call_settings) -> str:
    s = call_settings.settings
    where = f"cell {call_settings.cell}, line {call_settings.line}" if call_settings.cell is not None else f"line {call_settings.line}"
    parts = [TRUNCATION_WORDS[s.truncation], f"max_length {s.max_length or 'default'}", f"lowercase {s.lowercase}"]
    if not s.add_special_tokens:
        parts.insert(0, "no special tokens")
    if s.stride:
        parts.append(f"stride {s.stride}")
    return f"The call on {where}: " + ", ".join(parts)


def apply_call_settings(window, call_settings) -> str:
    """Set ``window``'s settings bar (and model) to what the call does; the message shown is returned."""
    message = describe(call_settings)
    checkpoint = call_settings.checkpoint
    source = available_model(checkpoint, window.picker.sources("cache"))
    if source is not None and source != window.requested_model_source():
        window.open_model(source)
        message += f"; model {source}"
    elif checkpoint and source is None:
        message += f"; {checkpoint} is not available here (no such folder, not in the Hugging Face cache): shown on {window.requested_model_source()}"
    if call_settings.notes:
        message += " (" + "; ".join(call_settings.notes) + ")"
    window.settings_bar.set_settings(call_settings.settings, notify=True)
    window.statusBar().showMessage(message, 15_000)
    window.text_pane.code_pane.set_applied(message)
    return message
