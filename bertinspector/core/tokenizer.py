"""Loading the tokenizer exactly as ``AutoTokenizer`` does, with an optional lowercasing override."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from bertinspector.core import tokenizer_files
from bertinspector.core.errors import SourceError, first_line
from bertinspector.core.sources import read_json
from bertinspector.core.transformers_import import import_transformers

_LOAD_LOCK = threading.Lock()  # transformers' lazy imports are not thread-safe: two first loads at once fail
TOKENIZER_JSON_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")


def load(folder: Path, *, trust_remote_code: bool, refused_code: bool, lowercase: str = "auto"):
    """A transformers fast tokenizer for ``folder``.

    When the model needs custom code the user has not allowed (``refused_code``), only the
    ``tokenizer.json`` is read, so no code of the model can run. ``lowercase`` "on"/"off" rewrites
    the tokenizer's normalizer, which is what ``do_lower_case=...`` does for BERT tokenizers.
    """
    with _LOAD_LOCK:
        transformers = import_transformers()
        transformers.logging.set_verbosity_error()
    for name in TOKENIZER_JSON_FILES:  # a file Python cannot read (a 5,000-digit number) is named, not a traceback
        if (folder / name).is_file():
            read_json(folder / name)
    tokenizer_files.check_before_loading(folder)
    try:
        with _LOAD_LOCK:
            tokenizer = transformers.AutoTokenizer.from_pretrained(
                str(folder), trust_remote_code=trust_remote_code and not refused_code, local_files_only=True
            )
    except Exception as error:
        if refused_code and (folder / "tokenizer.json").is_file():
            tokenizer = _from_tokenizer_json(folder)
        else:
            cause = tokenizer_files.why_unloadable(folder) or f"the tokenizer cannot be loaded ({first_line(error, 200)})"
            raise SourceError(f"{folder}: {cause}") from None
    if not getattr(tokenizer, "is_fast", False):
        raise SourceError(f"{folder}: only fast (Rust) tokenizers can be inspected, got {type(tokenizer).__name__}")
    if lowercase == "auto":
        tokenizer_files.check_duplicates(folder, tokenizer)
    check_vocabulary(folder, tokenizer)
    if lowercase != "auto":
        set_lowercase(tokenizer, lowercase == "on")
    return tokenizer


PROBE = "Hello wörld 😀 123 ·"  # letters, an accent, an emoji, digits: something is unknown to most vocabularies


def check_vocabulary(folder: Path, tokenizer) -> None:
    """A clear :class:`SourceError` for a vocabulary that cannot encode text: empty, or without the
    unknown token its model falls back to (the Rust tokenizer fails on the first unknown word)."""
    backend = tokenizer.backend_tokenizer
    unknown = getattr(backend.model, "unk_token", None)
    if type(backend.model).__name__ == "WordPiece" and isinstance(unknown, str) and backend.model.token_to_id(unknown) is None:
        raise SourceError(f"{folder}: the vocabulary (vocab.txt or tokenizer.json's model.vocab) has "
                          f"{backend.get_vocab_size()} entries and no unknown token {unknown!r}")
    try:
        backend.encode(PROBE)
    except Exception as error:
        raise SourceError(f"{folder}: the tokenizer cannot encode text ({first_line(error, 200)}); "
                          f"is its vocabulary complete?") from None


def _from_tokenizer_json(folder: Path):
    """A tokenizer built from ``tokenizer.json`` and the declared special tokens, running no model code."""
    from transformers import PreTrainedTokenizerFast

    specials = {}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        path = folder / name
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            specials.update({k: v for k, v in data.items() if k.endswith("_token") and isinstance(v, str)})
    return PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **specials)


def set_lowercase(tokenizer, on: bool) -> None:
    """Turn the lowercasing of the tokenizer's normalizer on or off, keeping everything else."""
    from tokenizers import Tokenizer

    backend = tokenizer.backend_tokenizer
    state = json.loads(backend.to_str())
    state["normalizer"] = _with_lowercase(state.get("normalizer"), on)
    backend.normalizer = Tokenizer.from_str(json.dumps(state)).normalizer
    if hasattr(tokenizer, "do_lower_case"):
        tokenizer.do_lower_case = on


def _with_lowercase(normalizer: dict | None, on: bool) -> dict | None:
    if normalizer is None:
        return {"type": "Lowercase"} if on else None
    kind = normalizer.get("type")
    if kind == "BertNormalizer":
        return {**normalizer, "lowercase": on}
    if kind == "Lowercase":
        return normalizer if on else None
    if kind == "Sequence":
        parts = [p for p in (_with_lowercase(p, False) for p in normalizer["normalizers"]) if p is not None]
        if on:
            parts.append({"type": "Lowercase"})
        return {"type": "Sequence", "normalizers": parts}
    return {"type": "Sequence", "normalizers": [normalizer, {"type": "Lowercase"}]} if on else normalizer

