"""The model host: weights load and runs happen in a helper process, so the window never imports torch.

Python holds the GIL while torch initialises (one C call of ~250 ms) and while big modules load: in the
window's process that would freeze the window although the work runs in a worker thread. The host
keeps torch in a child process (``multiprocessing`` "spawn") and is driven over a pipe:

- ``devices``, ``load``, ``run``, ``release`` and ``compare`` run one at a time in the host's model thread
  (``compare`` keeps the last compare run's models loaded, and reuses the window's model where it can);
- ``fetch`` reads one numpy slice (a head's attention, the norms, a PCA …) of a kept run, beside them;
- ``cancel`` is handled at once: the request it names stops before the next encoder layer;
- ``drop`` forgets a kept run (its tensors are freed).

Replies carry plain Python and numpy only; errors come back as one-line :class:`BertInspectorError`.
When the process dies (killed, out of memory), every waiting call fails with one line and the next
model call starts a new process. ``ModelHost(in_thread=True)`` serves the same protocol from a thread of
this process: for tests that reach into the model, and ``BERTINSPECTOR_MODEL_HOST=thread`` for debugging.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import BertInspectorError, Cancelled, HostError, InputError, SourceError, user_message
from bertinspector.core.inference import received_labels
from bertinspector.core.inspector import WeightReport
from bertinspector.core.transformers_import import MODE_ENV

log = logging.getLogger(__name__)

FETCHABLE = frozenset({"attention", "overview", "rollout", "special_share", "hidden_norms", "layer_cosine", "pca"})
_MODEL_OPS = frozenset({"devices", "load", "run", "release", "compare"})
_ERRORS = {cls.__name__: cls for cls in (Cancelled, SourceError, InputError, HostError)}


@dataclass(frozen=True)
class ModelInfo:
    """What was loaded, without the model itself."""

    source: str
    device: str
    dtype: str
    kind: str
    num_layers: int
    num_heads: int
    model_class: str
    weight_report: WeightReport | None = None

    @property
    def random_weights(self) -> tuple[str, ...]:
        """Weights initialised at random (missing from the checkpoint)."""
        return self.weight_report.missing_keys if self.weight_report is not None else ()


@dataclass(frozen=True)
class RunSummary:
    """A run's small results; its attentions and hidden states stay in the host."""

    run_id: int
    positions: np.ndarray
    kind: str
    device: str
    num_layers: int
    num_heads: int
    outputs: dict
    timings: object  # core.inference.Timings
    host_peak_bytes: int | None


class HostedRun:
    """A run kept in the host, read like :class:`~bertinspector.core.inference.RunResult`: every
    accessor fetches float32 numpy from the host. The host forgets the run when this is closed or
    garbage-collected."""

    def __init__(self, host: "ModelHost", inspection, summary: RunSummary):
        self.inspection = inspection
        self.run_id = summary.run_id
        self.positions = summary.positions
        self.kind = summary.kind
        self.device = summary.device
        self.num_layers = summary.num_layers
        self.num_heads = summary.num_heads
        self.outputs = summary.outputs
        self.timings = summary.timings
        self.host_peak_bytes = summary.host_peak_bytes
        self._host = host
        self._forget = weakref.finalize(self, host.post, "drop", summary.run_id)

    @property
    def labels(self) -> list[str]:
        return received_labels(self.inspection, self.positions)

    def attention(self, layer: int, head: int | str = "mean") -> np.ndarray:
        return self._fetch("attention", int(layer), head)

    def overview(self) -> np.ndarray:
        return self._fetch("overview")

    def rollout(self) -> np.ndarray:
        return self._fetch("rollout")

    def special_share(self) -> dict[str, np.ndarray]:
        return self._fetch("special_share")

    def hidden_norms(self) -> np.ndarray:
        return self._fetch("hidden_norms")

    def layer_cosine(self) -> np.ndarray:
        return self._fetch("layer_cosine")

    def pca(self, layer: int) -> np.ndarray:
        return self._fetch("pca", int(layer))

    def close(self) -> None:
        """Let the host free the run's tensors now."""
        self._forget()

    def _fetch(self, name: str, *args):
        return self._host.call("fetch", self.run_id, name, args)


# -- the host's side ------------------------------------------------------------------------------
class _Server:
    """Answers requests from one connection; the model and the kept runs live here."""

    def __init__(self, conn):
        self.conn = conn
        self.send_lock = threading.Lock()
        self.model_thread = ThreadPoolExecutor(1, thread_name_prefix="host-model")
        self.fetch_threads = ThreadPoolExecutor(1, thread_name_prefix="host-fetch")
        self.tokens: dict[int, CancelToken] = {}
        self.runs: dict[int, object] = {}  # run id -> core.inference.RunResult
        self.runs_lock = threading.Lock()
        self.run_ids = itertools.count(1)
        self.loaded = None  # core.inference.LoadedModel: the window's model
        self.inspector = None  # the host's own Inspector of the loaded model
        self.loaded_key = None  # (serial, device asked for, dtype) of the loaded model
        self.compare_models: dict[tuple, tuple] = {}  # (serial, device) -> (Inspector, LoadedModel)

    def serve(self) -> None:
        try:
            while True:
                try:
                    request_id, op, args = self.conn.recv()
                except (EOFError, OSError):
                    break
                if op == "shutdown":
                    break
                if op == "cancel":
                    token = self.tokens.get(args[0])
                    if token is not None:
                        token.cancel()
                elif op == "drop":
                    with self.runs_lock:
                        self.runs.pop(args[0], None)
                else:
                    token = self.tokens[request_id] = CancelToken()
                    pool = self.model_thread if op in _MODEL_OPS else self.fetch_threads
                    pool.submit(self._answer, request_id, op, args, token)
        finally:
            for token in list(self.tokens.values()):
                token.cancel()
            self.model_thread.shutdown(wait=True, cancel_futures=True)
            self.fetch_threads.shutdown(wait=True, cancel_futures=True)
            self._release()
            self.conn.close()

    def _answer(self, request_id: int, op: str, args: tuple, token: CancelToken) -> None:
        try:
            handler = getattr(self, "op_" + op, None)
            if handler is None:
                raise HostError(f"the model host does not know '{op}'")
            reply = (request_id, True, handler(token, *args))
        except BaseException as error:  # noqa: BLE001 - every failure goes back as one line
            reply = (request_id, False, _error_payload(error))
        finally:
            self.tokens.pop(request_id, None)
        with self.send_lock:
            try:
                self.conn.send(reply)
            except (OSError, EOFError):
                pass  # the window went away
            except Exception as error:  # noqa: BLE001 - a reply that cannot be pickled
                self.conn.send((request_id, False, _error_payload(error)))

    # -- requests (each gets the request's cancel token first) --------------------------------------
    def op_devices(self, cancel):
        from bertinspector.core import inference

        return inference.devices()

    def op_load(self, cancel, side: tuple, device: str, dtype: str) -> ModelInfo:
        from bertinspector.core import inference

        self._release()
        inspector = _open(side)
        cancel.check()
        loaded = inference.load_model(inspector, device, dtype)
        self.loaded, self.inspector, self.loaded_key = loaded, inspector, (side[2], device, dtype)
        return ModelInfo(
            source=loaded.source, device=loaded.device, dtype=loaded.dtype, kind=loaded.kind,
            num_layers=loaded.num_layers, num_heads=loaded.num_heads, model_class=type(loaded.model).__name__,
            weight_report=inspector.weight_report,
        )

    def op_run(self, cancel, inspection) -> RunSummary:
        from bertinspector.core import inference

        if self.loaded is None:
            raise HostError("no model is loaded in the model host: load it first")
        tokenizer = self.inspector.tokenizer(inspection.settings.lowercase)
        result = inference.run(self.loaded, inspection, tokenizer, cancel)
        with self.runs_lock:
            run_id = next(self.run_ids)
            self.runs[run_id] = result
        return RunSummary(
            run_id=run_id, positions=result.positions, kind=result.kind, device=result.device, num_layers=result.num_layers,
            num_heads=result.num_heads, outputs=result.outputs, timings=result.timings,
            host_peak_bytes=None if result.timings.peak_memory_bytes is not None else peak_rss(),
        )

    def op_fetch(self, cancel, run_id: int, name: str, args: tuple):
        if name not in FETCHABLE:
            raise HostError(f"'{name}' cannot be fetched from a run")
        with self.runs_lock:
            result = self.runs.get(run_id)
        if result is None:
            raise InputError("this run's results were released (the model or device changed): run again")
        return getattr(result, name)(*args)

    def op_release(self, cancel) -> bool:
        return self._release()

    def op_compare(self, cancel, side_a: tuple, side_b: tuple, comparison, device: str) -> dict:
        """Run A's and B's models; they stay loaded for the next compare run (the window's model is reused)."""
        from bertinspector.core.compare_runs import run_both

        keys = [(side_a[2], device), (side_b[2], device)]
        for key in [k for k in self.compare_models if k not in keys]:
            self.compare_models.pop(key)[1].release()
        model_a, model_b = (self._compare_model(side, key, cancel) for side, key in zip((side_a, side_b), keys))
        return run_both(model_a, model_b, comparison, cancel)

    def _compare_model(self, side: tuple, key: tuple, cancel) -> tuple:
        from bertinspector.core import inference

        if self.loaded is not None and self.loaded_key == (*key, "float32"):
            return self.inspector, self.loaded
        if key not in self.compare_models:
            cancel.check()
            inspector = _open(side)
            self.compare_models[key] = (inspector, inference.load_model(inspector, key[1]))
        return self.compare_models[key]

    def _release(self) -> bool:
        """Free every model (the window's and the compare runs'); True when the window's was loaded."""
        loaded = self.loaded
        with self.runs_lock:
            self.runs.clear()
        for _, other in self.compare_models.values():
            other.release()
        self.compare_models.clear()
        if loaded is None:
            return False
        self.loaded = self.inspector = self.loaded_key = None
        loaded.release()
        return True


def model_side(inspector) -> tuple:
    """What the host needs to open its own copy of ``inspector``'s model: (source, trust, serial)."""
    return inspector.source, inspector.trust_remote_code, inspector.serial


def _open(side: tuple):
    from bertinspector.core import facts
    from bertinspector.core.inspector import Inspector

    source, trust_remote_code, _serial = side
    return Inspector(source, facts.read_config(source.folder), trust_remote_code=trust_remote_code)


def _error_payload(error: BaseException) -> tuple[str, str]:
    if isinstance(error, BertInspectorError):
        kind = type(error).__name__ if type(error).__name__ in _ERRORS else "InputError"
        return kind, str(error)
    if isinstance(error, MemoryError):
        return "InputError", user_message(error, " in the model host")
    log.error("model host request failed", exc_info=error)
    return "HostError", user_message(error, " in the model host")


def peak_rss() -> int | None:
    """This process's peak resident memory (None where the platform does not say, e.g. Windows)."""
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError, ValueError):
        return None
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _serve_process(conn) -> None:
    """The helper process's entry point."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is the window's to handle
    if "torch" in sys.modules and sys.modules["torch"] is None:
        del sys.modules["torch"]  # the parent's main module, run again here, called keep_torch_out()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _Server(conn).serve()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing to keep: skip tearing down torch's modules, which can take seconds


# -- the window's side ----------------------------------------------------------------------------
class ModelHost:
    """The connection to the model host; started by the first model request, safe to call from any thread."""

    def __init__(self, *, in_thread: bool | None = None):
        self.in_thread = os.environ.get(MODE_ENV) == "thread" if in_thread is None else in_thread
        self.generation = 0  # counts the hosts started: a model loaded in an earlier one is gone
        self._lock = threading.RLock()  # RLock: a run garbage-collected while sending posts its "drop"
        self._start_lock = threading.Lock()
        self._conn = None
        self._worker = None  # the process, or the serving thread
        self._server: _Server | None = None
        self._reader: threading.Thread | None = None
        self._pending: dict[int, Future] = {}
        self._ids = itertools.count(1)
        self._closed = False

    @property
    def running(self) -> bool:
        return self._conn is not None

    def local_model(self):
        """The loaded core ``LoadedModel`` when serving from a thread (tests reach into it), else None."""
        return self._server.loaded if self._server is not None else None

    def call(self, op: str, *args, cancel: CancelToken | None = None):
        """Send a request and wait for its answer; ``cancel`` is passed on to the host the moment it is set."""
        request_id, future = self._submit(op, args)
        if cancel is not None:
            cancel.on_cancel(lambda: self.post("cancel", request_id))
        return future.result()

    def post(self, op: str, *args) -> None:
        """Send a message that has no answer ("cancel", "drop", "shutdown"); nothing happens when no host runs."""
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.send((0, op, args))
            except (OSError, EOFError):
                pass

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the host (its model and runs are freed) and wait for it, bounded."""
        with self._start_lock, self._lock:  # a host being started is stopped too
            self._closed = True
        self._stop(timeout_s)

    # -- internals --------------------------------------------------------------------------------
    def _submit(self, op: str, args: tuple) -> tuple[int, Future]:
        if op in _MODEL_OPS:
            with self._start_lock:  # starting takes a moment: posts and fetches never wait for it
                if self._conn is None and not self._closed:
                    self._start()
        with self._lock:
            if self._closed:
                raise HostError("the model host was closed")
            if self._conn is None:
                if op not in _MODEL_OPS:
                    raise InputError("this run's results were released (the model host stopped): run again")
                raise HostError("the model host stopped: try again")
            request_id = next(self._ids)
            future: Future = Future()
            self._pending[request_id] = future
            try:
                self._conn.send((request_id, op, args))
            except (OSError, EOFError):
                self._pending.pop(request_id, None)
                raise HostError("the model host stopped: try again") from None
        return request_id, future

    def _start(self) -> None:
        import multiprocessing

        server = None
        if self.in_thread:
            mine, theirs = multiprocessing.Pipe()
            server = _Server(theirs)
            worker = threading.Thread(target=server.serve, name="model-host", daemon=True)
        else:
            context = multiprocessing.get_context("spawn")
            mine, theirs = context.Pipe()
            worker = context.Process(target=_serve_process, args=(theirs,), name="bertinspector-model-host", daemon=True)
        worker.start()
        if not self.in_thread:
            theirs.close()  # the child holds its end: its exit closes the pipe
        reader = threading.Thread(target=self._read, args=(mine, worker), name="model-host-reader", daemon=True)
        with self._lock:
            self._conn, self._worker, self._server, self._reader = mine, worker, server, reader
            self.generation += 1
        reader.start()

    def _read(self, conn, worker) -> None:
        while True:
            try:
                request_id, ok, payload = conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._pending.pop(request_id, None)
            if future is None:
                continue
            if ok:
                future.set_result(payload)
            else:
                kind, message = payload
                future.set_exception(_ERRORS.get(kind, HostError)(message))
        with self._lock:
            if self._conn is conn:
                self._conn = None
                self._server = None
            pending, self._pending = self._pending, {}
            closed = self._closed
        if pending:
            error = HostError("the model host was closed" if closed else _ended(worker))
            for future in pending.values():
                future.set_exception(error)
        conn.close()

    def _stop(self, timeout_s: float) -> None:
        with self._lock:
            worker, reader = self._worker, self._reader
        self.post("shutdown")
        if worker is not None:
            worker.join(timeout_s if self.in_thread else timeout_s / 2)  # a process in the middle of
            if not self.in_thread and worker.is_alive():  # importing torch is stopped, it keeps nothing
                worker.terminate()
                worker.join(1.0)
                if worker.is_alive():
                    worker.kill()
                    worker.join(1.0)
        if reader is not None:
            reader.join(timeout_s)


def _ended(worker) -> str:
    if isinstance(worker, threading.Thread):
        return "the model host stopped: run again"
    worker.join(1.0)
    code = worker.exitcode
    how = f"was killed (signal {-code})" if code is not None and code < 0 else f"ended (exit code {code})"
    return f"the model process {how}: run again to start it anew"
