"""The Ray engine: the same :func:`audit_shard` runs as Ray tasks on a cluster; partials merge on the
driver as they arrive (``ray.wait``), so the result equals the local engine's.

What runs where: the driver plans the data, describes the sides, ships each side's tokenizer files
(the small text files of the model folder, never weights) through the object store, submits one task
per shard (at most ``workers`` in flight), merges partials and finalizes. A worker writes the shipped
files into a folder of its own once, loads the tokenizer once per process (the shard module's cache)
and reads its shard from a path every node can read (a shared folder or an object-store URI).
Ray is imported only here, inside functions.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Sequence

from bertinspector.core.audit.partial import Partial, empty
from bertinspector.core.audit.readers import Shard
from bertinspector.core.audit.shard import AuditConfig
from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import BertInspectorError, Cancelled, InputError, SourceError, user_message

INSTALL = "pip install 'bertinspector[cluster]'"
ATTEMPTS = 3  # a shard whose worker dies is run again, up to three attempts in all
CONNECT_TIMEOUT_S = 5.0
POLL_S = 0.2
MAX_SHIPPED_BYTES = 64 << 20
# each worker process runs one shard at a time with one thread: the cluster is the parallelism
WORKER_ENV = {"TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
CRASH_ENV = "BERTINSPECTOR_AUDIT_TEST_CRASH"  # tests only: "FOLDER,N" kills each shard's first N attempts
Progress = Callable[[int, int], None]
_OWN_JOB = [False]  # whether this process's Ray job was started by connect()


class ClusterError(BertInspectorError):
    """The Ray cluster cannot be reached, or a shard could not be run on it."""


@dataclass(frozen=True)
class ShippedModel:
    """A model folder's tokenizer-related files as bytes (what a worker needs to load the tokenizer)."""

    digest: str
    files: dict[str, bytes]


def ship_files(side, trust_remote_code: bool) -> ShippedModel:
    """The files of ``side``'s model folder that a tokenizer-only open reads (``*.json``, ``*.txt``,
    ``*.model``, and ``*.py`` custom code only with ``trust_remote_code``)."""
    from bertinspector.core.sources import HUB_TEXT_FILES, resolve

    folder = resolve(side.source).folder
    patterns = [p for p in HUB_TEXT_FILES if p != "*.py" or trust_remote_code]
    files: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and any(fnmatch(path.name, p) for p in patterns):
            files[path.name] = path.read_bytes()
    size = sum(len(b) for b in files.values())
    if size > MAX_SHIPPED_BYTES:
        raise SourceError(f"{side.source}: the tokenizer files take {size >> 20} MB, too much to ship to the cluster")
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return ShippedModel(digest.hexdigest()[:16], files)


def run_ray(shards: Sequence[Shard], config: AuditConfig, *, workers: int | None = None,
            progress: Progress | None = None, cancel: CancelToken | None = None,
            on_partial: Callable[[Partial], None] | None = None, address: str | None = None) -> Partial:
    """Measure every shard as a Ray task and merge the partials; the signature of ``run_local`` plus
    ``address`` (a cluster to join; None: ``RAY_ADDRESS`` if set, else a local Ray started here).
    ``progress(done, total)`` after each shard; ``cancel`` cancels the cluster's tasks (raises
    :class:`Cancelled`); ``on_partial(merged)`` after each merge."""
    result = empty(config.examples, with_b=config.b is not None)
    if not shards:
        return result
    _refuse_remote_code(config)
    ray = _import_ray()
    own_job = connect(ray, address, workers)
    models = {}
    for side in (config.a, config.b):
        if side is not None and side not in models:
            shipped = ship_files(side, side.trust_remote_code)
            models[side] = (shipped.digest, [ray.put(shipped)])  # in a list: fetched only by a worker that lacks it
    # the job's own runtime_env carries the worker settings when this engine started the job (its prestarted
    # workers then serve the tasks); in a job started by someone else each task carries them
    env = {} if own_job else {"runtime_env": {"env_vars": _worker_env()}}
    task = ray.remote(_audit_task).options(num_cpus=1, max_retries=ATTEMPTS - 1, **env)
    in_flight = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    return _drive(ray, task, list(shards), config, models, in_flight, progress, cancel, on_partial, result)


def _drive(ray, task, shards, config, models, in_flight, progress, cancel, on_partial, result) -> Partial:
    total, done = sum(s.size for s in shards), 0
    waiting = list(reversed(shards))
    pending: dict = {}
    try:
        while waiting or pending:
            while waiting and len(pending) < in_flight:
                shard = waiting.pop()
                pending[task.remote(shard, config, models[config.a], models.get(config.b))] = shard
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_S)
            if cancel is not None and cancel.cancelled:
                raise Cancelled("cancelled")
            for ref in ready:
                shard = pending.pop(ref)
                result = result.merge(_result(ray, ref, shard))
                done += shard.size
                if progress is not None:
                    progress(done, total)
                if on_partial is not None:
                    on_partial(result)
        return result
    finally:
        for ref in pending:  # cancelled, failed or interrupted: nothing keeps running on the cluster
            ray.cancel(ref, force=True)


def _result(ray, ref, shard: Shard) -> Partial:
    from ray.exceptions import RayTaskError, TaskCancelledError, WorkerCrashedError

    try:
        return ray.get(ref)
    except WorkerCrashedError:
        raise ClusterError(f"{_where(shard)}: the worker died {ATTEMPTS} times running this shard") from None
    except TaskCancelledError:
        raise Cancelled("cancelled") from None
    except RayTaskError as error:
        cause = error.cause
        if isinstance(cause, BertInspectorError):
            raise type(cause)(str(cause)) from None
        raise ClusterError(f"{_where(shard)}: {user_message(cause, ' in a Ray worker')}") from None
    except Exception as error:  # noqa: BLE001 - Ray's own failures are one line too
        raise ClusterError(f"{_where(shard)}: {user_message(error, ' on the Ray cluster')}") from None


def _where(shard: Shard) -> str:
    first = shard.row_base + shard.start
    return f"{shard.file.display} rows {first:,}-{shard.row_base + shard.stop - 1:,}"


def _import_ray():
    try:
        import ray
    except ImportError:
        raise InputError(f"the Ray engine needs Ray: {INSTALL}") from None
    return ray


def connect(ray, address: str | None, workers: int | None = None) -> bool:
    """Join the cluster at ``address`` (``auto``: ``RAY_ADDRESS``), or start a local Ray with ``workers``
    CPUs (default: the cores) when there is none; once per process (Ray shuts it down at exit). True when
    the job is this engine's own (its runtime_env sets the workers' threads). One line when unreachable."""
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address not in (None, "auto", "local"):
        _check_reachable(address)
    _quiet_raylet_messages()
    if ray.is_initialized():
        return _OWN_JOB[0]
    logging.getLogger("ray").setLevel(logging.ERROR)  # Ray's start-up notes are not the user's concern
    try:
        ray.init(address=address, num_cpus=workers if address is None else None, include_dashboard=False,
                 log_to_driver=False, logging_level="error", runtime_env={"env_vars": _worker_env()})
    except Exception as error:  # noqa: BLE001 - Ray says ConnectionError, RuntimeError, ValueError...
        shown = address or "the local machine"
        raise ClusterError(f"cannot reach the Ray cluster at {shown}: {user_message(error)}") from None
    _OWN_JOB[0] = True
    return True


def _quiet_raylet_messages() -> None:
    """Ray's driver prints the raylet's task and worker failures on standard output, where the JSON
    report goes; this engine says each failure in one line itself, so those messages are dropped."""
    from ray._private import worker

    show = worker.print_to_stdstream
    if getattr(show, "quiet", False):
        return

    def without_raylet(data, ignore_prefix: bool):
        if data.get("pid") != "raylet":
            show(data, ignore_prefix)

    without_raylet.quiet = True
    worker.print_to_stdstream = without_raylet


def _check_reachable(address: str) -> None:
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--ray-address {address}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {error.strerror or error}") from None


def _refuse_remote_code(config: AuditConfig) -> None:
    from bertinspector.core.audit.shard import measurer

    for side in (config.a, config.b):
        if side is not None and not side.trust_remote_code and measurer(side).inspector.refused_remote_code:
            raise SourceError(f"{side.source}: the model needs custom code; on a cluster that code runs on every "
                              "worker: give --trust-remote-code to ship and run it")


def _worker_env() -> dict[str, str]:
    env = dict(WORKER_ENV)
    if os.environ.get(CRASH_ENV):
        env[CRASH_ENV] = os.environ[CRASH_ENV]
    return env


# -- on the worker --------------------------------------------------------------------------------


def _audit_task(shard: Shard, config: AuditConfig, model_a, model_b) -> Partial:
    from bertinspector.core.audit.shard import audit_shard
    from bertinspector.core.transformers_import import keep_torch_out

    keep_torch_out()
    _test_crash(shard)
    a = replace(config.a, source=_model_folder(*model_a))
    b = None if config.b is None else replace(config.b, source=_model_folder(*model_b))
    try:
        return audit_shard(shard, replace(config, a=a, b=b))
    except BertInspectorError as error:
        raise type(error)(str(error)) from None


def _model_folder(digest: str, ref: list) -> str:
    """The shipped files, written once per node into a folder named by their digest."""
    import shutil

    import ray

    folder = Path(tempfile.gettempdir()) / f"bertinspector-model-{digest}"
    if not folder.is_dir():
        shipped: ShippedModel = ray.get(ref[0])
        staging = Path(tempfile.mkdtemp(prefix=f"bertinspector-model-{digest}-"))
        for name, data in shipped.files.items():
            (staging / name).write_bytes(data)
        try:
            os.replace(staging, folder)  # whole or not at all
        except OSError:  # another worker of this node was first
            shutil.rmtree(staging, ignore_errors=True)
    return str(folder)


def _test_crash(shard: Shard) -> None:
    """Tests only (``CRASH_ENV`` = "FOLDER,N"): the process dies on each shard's first N attempts."""
    setting = os.environ.get(CRASH_ENV)
    if not setting:
        return
    folder, times = setting.rsplit(",", 1)
    key = hashlib.sha256(f"{shard.file.path}:{shard.start}:{shard.stop}".encode()).hexdigest()[:16]
    attempts = len(list(Path(folder).glob(f"{key}-*")))
    if attempts < int(times):
        (Path(folder) / f"{key}-{attempts}").touch()
        os._exit(1)
