"""What a model folder's tokenizer files declare and hold, checked where the tokenizer is loaded.

Each problem is one clear :class:`SourceError` line: a declared tokenizer class transformers does not
have, a class that cannot read the vocabulary the files hold, a SentencePiece model file that is not
one, a vocabulary that lists a token twice.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from bertinspector.core.errors import SourceError
from bertinspector.core.facts import tokenizer_file_model
from bertinspector.core.sources import read_json
from bertinspector.core.transformers_import import import_transformers

SENTENCEPIECE_FILES = ("spiece.model", "sentencepiece.bpe.model", "spm.model")
_VOCABULARY_KIND = {"Unigram": "Unigram (SentencePiece)", "BPE": "BPE", "WordPiece": "WordPiece", "WordLevel": "WordLevel"}


@functools.lru_cache(maxsize=256)
def tokenizer_type(name: str) -> type | None:
    """The transformers class a tokenizer class name resolves to (aliases such as ElectraTokenizer and
    the ``...Fast`` names included), None for a name transformers does not have."""
    import_transformers()
    from transformers.models.auto.tokenization_auto import tokenizer_class_from_name

    for candidate in dict.fromkeys((name, name.removesuffix("Fast"))):
        try:
            found = tokenizer_class_from_name(candidate)
        except Exception:  # a broken optional import inside transformers: as good as absent
            found = None
        if found is not None:
            return found
    return None


def reads(cls: type) -> str | None:
    """The tokenizers model (``WordPiece``, ``BPE``, ``Unigram``) a tokenizer class builds its vocabulary as."""
    return getattr(getattr(cls, "model", None), "__name__", None)


def check_before_loading(folder: Path) -> None:
    """Refuse, before AutoTokenizer quietly falls back to something else: a tokenizer_config.json
    ``tokenizer_class`` transformers does not have (and no custom code defines), and, without a
    tokenizer.json, a SentencePiece model file that is not one (the class would build a 5-token
    vocabulary)."""
    if not (folder / "tokenizer.json").is_file():
        for name in SENTENCEPIECE_FILES:
            if (folder / name).is_file() and (problem := _sentencepiece_problem(folder / name)):
                raise SourceError(f"{folder}: {problem}")
    tokenizer_config = _tokenizer_config(folder)
    declared = _declared_class(tokenizer_config)
    if not declared or tokenizer_config.get("auto_map"):
        return
    config = read_json(folder / "config.json") if (folder / "config.json").is_file() else {}
    if isinstance(config, dict) and config.get("auto_map"):
        return
    if tokenizer_type(declared) is None:
        raise SourceError(f"{folder}: tokenizer_config.json names the tokenizer class {declared!r}, which transformers "
                          f"{import_transformers().__version__} does not have (a typo, or a class of another library)")


def why_unloadable(folder: Path) -> str | None:
    """The cause, in one line, when AutoTokenizer failed on files it should read; None when unknown."""
    tokenizer_json = folder / "tokenizer.json"
    if not tokenizer_json.is_file():
        return None
    declared = _declared_class(_tokenizer_config(folder))
    cls = tokenizer_type(declared) if declared else None
    held = _model_type(tokenizer_json)
    if cls is not None and reads(cls) and held and reads(cls) != held:
        return (f"tokenizer_config.json declares {declared}, which reads {_VOCABULARY_KIND.get(reads(cls), reads(cls))} "
                f"vocabularies, but tokenizer.json holds a {_VOCABULARY_KIND.get(held, held)} vocabulary")
    return None


def check_duplicates(folder: Path, tokenizer) -> None:
    """Refuse a vocabulary that lists one token twice (or gives two tokens one id): the ids the tokenizer
    makes then differ from the rows the model was trained with. Looks at the files only when the loaded
    vocabulary has a gap or a shared id."""
    backend = tokenizer.backend_tokenizer
    vocab = backend.get_vocab(with_added_tokens=False)
    ids = np.fromiter(vocab.values(), np.int64, len(vocab))
    complete = len(ids) == backend.get_vocab_size(with_added_tokens=False) and (
        not len(ids) or (int(ids.max()) + 1 == len(ids) and len(np.unique(ids)) == len(ids)))
    if complete:
        return
    problem = _duplicate_entry(folder)
    if problem is not None:
        raise SourceError(f"{problem}: a vocabulary with duplicate entries gives other ids than the model was trained with")


def _duplicate_entry(folder: Path) -> str | None:
    """The first repeated entry of the vocabulary file the tokenizer was read from, in words."""
    if (folder / "tokenizer.json").is_file():
        path = folder / "tokenizer.json"
        model = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_Pairs).get("model")
        vocab = model.get("vocab") if isinstance(model, _Pairs) else None
        if isinstance(vocab, _Pairs):  # {token: id}
            repeat = _first_repeat((key, f"id {value}") for key, value in vocab.pairs)
            if repeat:
                return f"{path} lists {repeat[0]!r} twice ({repeat[1]} and {repeat[2]})"
            repeat = _first_repeat((str(value), repr(key)) for key, value in vocab.pairs)
            return f"{path} gives id {repeat[0]} to two tokens ({repeat[1]} and {repeat[2]})" if repeat else None
        if isinstance(vocab, list):  # Unigram: [piece, score] rows
            repeat = _first_repeat((str(row[0]), f"id {i}") for i, row in enumerate(vocab) if isinstance(row, list) and row)
            return f"{path} lists {repeat[0]!r} twice ({repeat[1]} and {repeat[2]})" if repeat else None
        return None
    path = folder / "vocab.txt"
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        repeat = _first_repeat((line, f"line {i + 1}") for i, line in enumerate(lines))
        return f"{path} lists {repeat[0]!r} twice ({repeat[1]} and {repeat[2]})" if repeat else None
    return None


def _first_repeat(entries) -> tuple[str, str, str] | None:
    """(entry, first place, second place) of the first entry seen twice."""
    seen: dict[str, str] = {}
    for entry, place in entries:
        if entry in seen:
            return entry, seen[entry], place
        seen[entry] = place
    return None


class _Pairs(dict):
    """A JSON object that keeps its key/value pairs in order, repeated keys included."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.pairs = list(pairs)


def _sentencepiece_problem(path: Path) -> str | None:
    data = path.read_bytes()
    if not data:
        return f"{path.name} is empty: not a SentencePiece model"
    try:
        import sentencepiece

        sentencepiece.SentencePieceProcessor(model_proto=data)
    except ImportError:
        return None
    except Exception:
        return f"{path.name} is not a SentencePiece model (truncated, or another kind of file; {len(data)} bytes)"
    return None


def _tokenizer_config(folder: Path) -> dict:
    path = folder / "tokenizer_config.json"
    data = read_json(path) if path.is_file() else {}
    return data if isinstance(data, dict) else {}


def _declared_class(tokenizer_config: dict) -> str | None:
    declared = tokenizer_config.get("tokenizer_class")
    return declared if isinstance(declared, str) and declared else None


def _model_type(tokenizer_json: Path) -> str | None:
    try:
        data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return tokenizer_file_model(data) if isinstance(data, dict) else None
