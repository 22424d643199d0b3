"""Model facts read from the model's files (config, tokenizer files, safetensors header), no weights."""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from bertinspector.core import heads
from bertinspector.core.errors import SourceError
from bertinspector.core.sources import ModelSource, read_json, shown

MAX_SIZE = 1_000_000_000  # no vocabulary, position table or token id of a real model is larger
_WHOLE = (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_SIZE,
          f"a whole number from 0 to {MAX_SIZE:,}")
_STRING = (lambda v: isinstance(v, str), "a string")
# The config.json fields the inspector reads, and what each must be (null or absent is always fine).
CONFIG_FIELDS = {
    "architectures": (lambda v: isinstance(v, list) and all(isinstance(a, str) for a in v), "a list of class names"),
    "model_type": _STRING,
    "tokenizer_class": _STRING,
    "vocab_size": _WHOLE,
    "max_position_embeddings": _WHOLE,
    "type_vocab_size": _WHOLE,
    "pad_token_id": _WHOLE,
    "auto_map": (lambda v: isinstance(v, dict), "an object"),
}
# The tokenizer_config.json fields read here besides the lengths (auto_map: a dict, or the older list form).
TOKENIZER_CONFIG_FIELDS = {
    "tokenizer_class": _STRING,
    "auto_map": (lambda v: isinstance(v, (dict, list)), "an object"),
}

UNSET_MAX_LENGTH = 1_000_000
# Model types whose position ids start after padding_idx (RoBERTa's create_position_ids_from_input_ids).
OFFSET_POSITION_TYPES = frozenset(
    {"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "longformer", "data2vec-text",
     "roberta-prelayernorm", "xmod", "ibert", "mpnet", "luke", "esm"}
)
ANGLE_SPECIALS = ("<s>", "</s>")
BRACKET_SPECIALS = ("[CLS]", "[SEP]")
BRACKET_FAMILY = frozenset(
    {"bert", "distilbert", "electra", "mobilebert", "squeezebert", "convbert", "layoutlm",
     "megatron-bert", "nezha", "ernie", "albert", "deberta", "deberta-v2", "funnel", "rembert",
     "roc_bert", "canine"}
)
EMBEDDING_SUFFIXES = ("word_embeddings.weight", "tok_embeddings.weight", "embed_tokens.weight", "shared.weight")  # tok_: ModernBERT
_ASCII_UPPER = re.compile("[A-Z]")  # byte-level vocabularies map letters to themselves, but not "Ġ"
SPECIAL_ROLES = ("cls_token", "sep_token", "bos_token", "eos_token", "pad_token", "unk_token", "mask_token")


@dataclass(frozen=True)
class ModelFacts:
    """Everything the inspector knows about a model without running it."""

    source: str
    folder: str
    model_type: str | None
    architectures: tuple[str, ...]
    tokenizer_class: str
    vocab_size: int | None
    tokenizer_size: int
    embedding_rows: int | None
    max_position_embeddings: int | None
    usable_positions: int | None
    model_max_length: int | None
    type_vocab_size: int | None
    lowercase: bool | None
    strip_accents: bool | None
    tokenizer_model: str | None  # WordPiece, BPE, Unigram
    max_input_chars_per_word: int | None
    has_tokenizer_config: bool
    declared_tokenizer_class: str | None
    config_tokenizer_class: str | None
    sentence_max_seq_length: int | None
    tokenizer_json_truncation: int | None
    special_tokens: dict[str, tuple[str, int]] = field(default_factory=dict)
    weights_files: tuple[str, ...] = ()
    needs_remote_code: bool = False
    cased_vocab: bool | None = None
    normalizer: str | None = None
    pre_tokenizer: str | None = None
    tokenizer_file_model: str | None = None  # the model type tokenizer.json holds (WordPiece, BPE, Unigram)
    missing_head: tuple[str, tuple[str, ...]] | None = None  # (architecture, head modules) absent from the checkpoint

    @property
    def model_max_length_unset(self) -> bool:
        return self.model_max_length is None

    @property
    def pickle_weights(self) -> bool:
        return any(name.endswith((".bin", ".pt", ".pth", ".ckpt")) for name in self.weights_files)

    @property
    def expected_specials(self) -> tuple[str, str] | None:
        """The (start, end) special tokens the model family was trained with."""
        if self.model_type in BRACKET_FAMILY:
            return BRACKET_SPECIALS
        if self.model_type in OFFSET_POSITION_TYPES:
            return ANGLE_SPECIALS
        return None

    def length_limits(self) -> dict[str, int]:
        """Length limits declared by the files, by where they are declared."""
        limits = {
            "tokenizer_config.json model_max_length": self.model_max_length,
            "tokenizer.json truncation": self.tokenizer_json_truncation,
            "sentence_bert_config.json max_seq_length": self.sentence_max_seq_length,
        }
        return {where: value for where, value in limits.items() if value is not None}

    def to_json(self) -> dict:
        """The contract's ``model`` object."""
        keys = ("source", "model_type", "architectures", "tokenizer_class", "vocab_size", "tokenizer_size",
                "embedding_rows", "max_position_embeddings", "model_max_length", "type_vocab_size",
                "lowercase", "strip_accents")
        data = {key: getattr(self, key) for key in keys}
        data["architectures"] = list(self.architectures)
        return data


def read_config(folder: Path) -> dict:
    """config.json, each field the inspector reads checked by type and range."""
    path = folder / "config.json"
    config = read_json(path)
    if not isinstance(config, dict):
        raise_invalid(path)
    check_fields(path, config, CONFIG_FIELDS)
    return config


def check_fields(path: Path, data: dict, fields: dict) -> None:
    """One line naming the file and the field when a field is present but of the wrong type or range."""
    for name, (valid, what) in fields.items():
        value = data.get(name)
        if value is not None and not valid(value):
            raise SourceError(f"{path}: '{name}' must be {what}, not {shown(value)}")


def raise_invalid(path: Path):
    raise SourceError(f"{path} does not hold a JSON object")


def _positive_length(path: Path, name: str, value) -> int | None:
    """A length limit from a model file: absent, a positive whole number, or a one-line error."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if value is None or (number and value >= UNSET_MAX_LENGTH):
        return None  # absent, or the 'unset' sentinel (1e30)
    if not number or not value > 0:
        raise SourceError(f"{path}: '{name}' is {shown(value)}, not a length (a positive whole number; "
                          f"remove it to use the library default)")
    return int(value)


def needs_remote_code(folder: Path, config: dict, tokenizer_config: dict | None = None) -> bool:
    """True when the model's files point at custom Python code (``auto_map``).

    ``tokenizer_config``: tokenizer_config.json's dict when already read."""
    if config.get("auto_map"):
        return True
    if tokenizer_config is None:
        tokenizer_config = _optional_json(folder / "tokenizer_config.json")
    return bool(tokenizer_config.get("auto_map"))


def read_facts(source: ModelSource, config: dict, tokenizer) -> ModelFacts:
    """Combine the files' facts with the loaded tokenizer's (``tokenizer`` is a transformers fast tokenizer)."""
    folder = source.folder
    tokenizer_config = _optional_json(folder / "tokenizer_config.json")
    check_fields(folder / "tokenizer_config.json", tokenizer_config, TOKENIZER_CONFIG_FIELDS)
    tokenizer_json = _optional_json(folder / "tokenizer.json")
    sentence_config = _optional_json(folder / "sentence_bert_config.json")
    _positive_length(folder / "tokenizer_config.json", "model_max_length", tokenizer_config.get("model_max_length"))
    sentence_max = _positive_length(folder / "sentence_bert_config.json", "max_seq_length", sentence_config.get("max_seq_length"))
    truncation = tokenizer_json.get("truncation") if isinstance(tokenizer_json.get("truncation"), dict) else {}
    header_shapes = _safetensors_shapes(folder)
    model_type = config.get("model_type")
    max_positions = _int(config.get("max_position_embeddings"))
    position_rows = _rows(header_shapes, "position_embeddings.weight") or max_positions
    usable = position_rows
    if usable is not None and model_type in OFFSET_POSITION_TYPES:
        usable -= int(config.get("pad_token_id") or 1) + 1
    model_max_length = _int(getattr(tokenizer, "model_max_length", None))
    if model_max_length is not None and model_max_length >= UNSET_MAX_LENGTH:
        model_max_length = None
    if model_max_length is not None and model_max_length <= 0:
        raise SourceError(f"{folder}: the tokenizer's model_max_length is {model_max_length}, not a length "
                          f"(a positive whole number in tokenizer_config.json)")
    normalizer = _component_state(tokenizer.backend_tokenizer.normalizer)
    lowercase, strip_accents = _normalization_flags(normalizer)
    model_state = json.loads(tokenizer.backend_tokenizer.model.__getstate__())
    return ModelFacts(
        source=source.name,
        folder=str(folder),
        model_type=model_type,
        architectures=tuple(config.get("architectures") or ()),
        tokenizer_class=type(tokenizer).__name__,
        vocab_size=_int(config.get("vocab_size")),
        tokenizer_size=len(tokenizer),
        embedding_rows=_embedding_rows(header_shapes) or _int(config.get("vocab_size")),
        max_position_embeddings=max_positions,
        usable_positions=usable,
        model_max_length=model_max_length,
        type_vocab_size=_rows(header_shapes, "token_type_embeddings.weight") or _int(config.get("type_vocab_size")),
        lowercase=lowercase,
        strip_accents=strip_accents,
        tokenizer_model=model_state.get("type"),
        max_input_chars_per_word=model_state.get("max_input_chars_per_word"),
        has_tokenizer_config=(folder / "tokenizer_config.json").is_file(),
        declared_tokenizer_class=tokenizer_config.get("tokenizer_class"),
        config_tokenizer_class=config.get("tokenizer_class"),
        sentence_max_seq_length=sentence_max,
        tokenizer_json_truncation=_int(truncation.get("max_length")),
        special_tokens=_special_tokens(tokenizer),
        weights_files=tuple(sorted(p.name for p in folder.iterdir() if p.suffix in {".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack"})),
        needs_remote_code=needs_remote_code(folder, config, tokenizer_config),
        cased_vocab=_vocab_is_cased(tokenizer),
        normalizer=_describe(normalizer),
        pre_tokenizer=_describe(_component_state(tokenizer.backend_tokenizer.pre_tokenizer)),
        tokenizer_file_model=tokenizer_file_model(tokenizer_json),
        missing_head=heads.missing_head(config.get("architectures") or (), header_shapes),
    )


def tokenizer_file_model(tokenizer_json: dict) -> str | None:
    """The model type a tokenizer.json holds (``WordPiece``, ``BPE``, ``Unigram``, ``WordLevel``)."""
    model = tokenizer_json.get("model")
    kind = model.get("type") if isinstance(model, dict) else None
    return kind if isinstance(kind, str) else None


def _optional_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    data = read_json(path)
    return data if isinstance(data, dict) else {}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _safetensors_shapes(folder: Path) -> dict[str, list[int]]:
    """Tensor shapes from the safetensors header(s): 8 bytes of length, then JSON."""
    shapes: dict[str, list[int]] = {}
    for path in sorted(folder.glob("*.safetensors")):
        try:
            with path.open("rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                if length > 100_000_000:
                    continue
                header = json.loads(f.read(length))
        except (OSError, struct.error, ValueError, RecursionError):
            continue
        if not isinstance(header, dict):
            raise SourceError(f"{path}: the safetensors header is {shown(header, 40)}, not an object of tensors")
        for name, entry in header.items():
            if name == "__metadata__" or not isinstance(entry, dict):
                continue
            shape = entry.get("shape", [])
            if not isinstance(shape, list) or not all(_WHOLE[0](n) for n in shape):
                raise SourceError(f"{path}: tensor '{name}' has the shape {shown(shape, 40)}, not a list of whole numbers")
            shapes[name] = shape
    return shapes


def _rows(shapes: dict[str, list[int]], suffix: str) -> int | None:
    for name, shape in shapes.items():
        if name.endswith(suffix) and shape:
            return int(shape[0])
    return None


def _embedding_rows(shapes: dict[str, list[int]]) -> int | None:
    for suffix in EMBEDDING_SUFFIXES:
        rows = _rows(shapes, suffix)
        if rows is not None:
            return rows
    return None


def _component_state(component) -> dict | None:
    if component is None:
        return None
    return json.loads(component.__getstate__())


def _normalization_flags(state: dict | None) -> tuple[bool | None, bool | None]:
    """(lowercase, strip_accents) of a normalizer, as the tokenizer really applies them."""
    if state is None:
        return False, False
    kind = state.get("type")
    if kind == "BertNormalizer":
        lowercase = bool(state.get("lowercase"))
        strip = state.get("strip_accents")
        return lowercase, lowercase if strip is None else bool(strip)
    if kind == "Lowercase":
        return True, False
    if kind == "StripAccents":
        return False, True
    if kind == "Sequence":
        flags = [_normalization_flags(part) for part in state.get("normalizers", [])]
        return any(f[0] for f in flags), any(f[1] for f in flags)
    return False, False


def _describe(state: dict | None) -> str | None:
    if state is None:
        return None
    if state.get("type") == "Sequence":
        parts = state.get("normalizers") or state.get("pretokenizers") or []
        return "Sequence(" + ", ".join(_describe(p) or "?" for p in parts) + ")"
    flags = ", ".join(f"{k}={v}" for k, v in state.items() if k != "type" and isinstance(v, (bool, type(None))))
    return f"{state.get('type')}({flags})" if flags else str(state.get("type"))


def _special_tokens(tokenizer) -> dict[str, tuple[str, int]]:
    found = {}
    for role in SPECIAL_ROLES:
        token = getattr(tokenizer, role, None)
        if token is not None:
            token_id = tokenizer.convert_tokens_to_ids(str(token))
            found[role.removesuffix("_token")] = (str(token), int(token_id) if token_id is not None else -1)
    return found


def _vocab_is_cased(tokenizer) -> bool | None:
    """Whether the vocabulary holds upper-case entries beyond its special tokens."""
    specials = set(tokenizer.all_special_tokens)
    entries = [t for t in tokenizer.get_vocab() if t not in specials and not t.startswith("[unused")]
    if not entries:
        return None
    upper = sum(1 for t in entries if _ASCII_UPPER.search(t))
    return upper > max(10, len(entries) // 200)
