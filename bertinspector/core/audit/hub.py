"""A dataset id (``org/name``) found in the local Hugging Face caches, without network and without the
``datasets`` package: the hub cache's snapshot files, else the arrow files ``datasets`` prepared."""

from __future__ import annotations

import os
from pathlib import Path

from bertinspector.core.audit.readers import DataError


def datasets_cache() -> Path:
    """Where the ``datasets`` library keeps prepared arrow files (``HF_DATASETS_CACHE``, else ``HF_HOME/datasets``)."""
    if os.environ.get("HF_DATASETS_CACHE"):
        return Path(os.environ["HF_DATASETS_CACHE"]).expanduser()
    from huggingface_hub import constants

    return Path(constants.HF_HOME).expanduser() / "datasets"


def cached_dataset_folder(dataset_id: str) -> Path:
    """The newest cached copy of ``dataset_id``; a one-line :class:`DataError` naming both caches when absent."""
    from huggingface_hub import constants, snapshot_download

    try:
        return Path(snapshot_download(dataset_id, repo_type="dataset", local_files_only=True))
    except Exception:  # not in the hub cache: look at the datasets cache
        pass
    prepared = datasets_cache() / dataset_id.replace("/", "___")
    folders = sorted((p.parent for p in prepared.rglob("dataset_info.json")), key=lambda p: p.stat().st_mtime) \
        if prepared.is_dir() else []
    if folders:
        return folders[-1]
    raise DataError(f"{dataset_id}: no such file or folder, and no dataset of that id in the Hugging Face cache "
                    f"({constants.HF_HUB_CACHE}, {datasets_cache()})")
