"""The inference controller: one loaded model, runs in a worker, results the widgets read as numpy.

:class:`InferenceController` owns the model for the current source / device / dtype. The model lives
in the model host (:mod:`bertinspector.core.model_host`, a helper process: torch never enters the
window's process, so loading it never freezes the window). It loads from a worker (on the first Run, or
ahead of it with :meth:`InferenceController.load`), is reused across runs and is released (GPU memory
freed) when the source, device or dtype changes. Runs go through a
:class:`~bertinspector.qt.tasks.TaskRunner` ("inference" kind, latest wins): a newer Run cancels the
running one between encoder layers and only the newest result is shown; errors arrive as one line
(``failed``), never as a traceback.

:class:`ResultView` is what widgets get: it wraps a run (a :class:`~bertinspector.core.model_host.HostedRun`
whose tensors stay in the host, on the device that computed them) and answers with float32 numpy
arrays only, fetching just the slice that is shown. Widgets never see a torch tensor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from bertinspector.core.errors import InputError
from bertinspector.core.inference import DTYPES, device_name
from bertinspector.core.model import Inspection
from bertinspector.core.model_host import HostedRun, ModelHost, ModelInfo, model_side
from bertinspector.core.readable import readable
from bertinspector.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

KIND_RUN = "inference"
KIND_DEVICES = "inference-devices"
KIND_RELEASE = "inference-release"
DTYPE_CHOICES = tuple(DTYPES)  # float32 anywhere; float16 / bfloat16 on a GPU
CACHE_BYTES = 8 * 2**20  # numpy slices kept per result (the rest is fetched again when asked)


@dataclass(frozen=True)
class DeviceChoice:
    """One entry of the device list (plain data, what widgets show)."""

    name: str
    available: bool
    reason: str = ""

    @property
    def is_gpu(self) -> bool:
        return self.name.startswith("cuda") or self.name == "mps"


def available_devices(host: ModelHost) -> list[DeviceChoice]:
    """The devices torch reports in the model host (call it in a worker, as the controller does)."""
    found = [DeviceChoice(d.name, d.available, d.reason) for d in host.call("devices")]
    # "auto" is a GPU choice when a GPU is there: say which device it resolves to
    gpus = [d for d in found if d.available and d.is_gpu]
    return [DeviceChoice("auto", True, f"uses {gpus[0].name if gpus else 'cpu'}") if d.name == "auto" else d
            for d in found]


def auto_is_gpu(choices: list[DeviceChoice]) -> bool:
    return any(d.available and d.is_gpu for d in choices)


def same_input(a: Inspection | None, b: Inspection | None) -> bool:
    """Whether two inspections give the model exactly the same input (ids and type ids kept)."""
    if a is None or b is None:
        return False
    if a is b:
        return True
    if a.source != b.source:
        return False
    ta, tb = a.tokens, b.tokens
    ka, kb = np.flatnonzero(ta.kept), np.flatnonzero(tb.kept)
    if not np.array_equal(ka, kb) or not np.array_equal(ta.ids[ka], tb.ids[kb]):
        return False
    if (ta.type_ids is None) != (tb.type_ids is None):
        return False
    if ta.type_ids is not None and not np.array_equal(ta.type_ids[ka], tb.type_ids[kb]):
        return False
    # the same characters behind the tokens (labels, answer spans and words come from them)
    return np.array_equal(ta.starts[ka], tb.starts[kb]) and np.array_equal(ta.ends[ka], tb.ends[kb])


class _ModelSlot:
    """What the model host has loaded, touched only by worker functions while holding ``lock``."""

    def __init__(self, host: ModelHost):
        self.host = host
        self.lock = threading.Lock()
        self.info: ModelInfo | None = None
        self.owner = None  # the Inspector the model was loaded for (a reopened model loads again)
        self.requested = ""  # the device name asked for ("auto" resolves in the host)
        self.generation = 0  # the host's generation it was loaded in (a restarted host has no model)

    @property
    def loaded(self) -> bool:
        return self.info is not None and self.generation == self.host.generation and self.host.running

    def matches(self, inspector, device: str, dtype: str) -> bool:
        info = self.info
        return (self.loaded and self.owner is inspector and info.dtype == dtype
                and device_name(device) in (device_name(self.requested), info.device))

    def ensure(self, inspector, device: str, dtype: str, cancel=None) -> bool:
        """Load the model for (source, device, dtype) in the host unless it is there; True when loaded now."""
        if self.matches(inspector, device, dtype):
            return False
        self.info = None
        info = self.host.call("load", model_side(inspector), device, dtype, cancel=cancel)
        inspector.weight_report = info.weight_report
        self.info, self.owner, self.requested, self.generation = info, inspector, device, self.host.generation
        return True

    def release(self, only: ModelInfo | None = None) -> bool:
        """Free the model (``only``: just when it is that one). True when something was freed."""
        if self.info is None or (only is not None and self.info is not only):
            return False
        self.info = self.owner = None
        return bool(self.host.running and self.host.call("release"))


# -- work done in worker threads -----------------------------------------------------------------
def _devices_task(cancel, host: ModelHost):
    return available_devices(host)


def _load_task(cancel, slot: _ModelSlot, inspector, device: str, dtype: str):
    with slot.lock:
        fresh = slot.ensure(inspector, device, dtype, cancel)
        return slot.info, fresh


def _run_task(cancel, slot: _ModelSlot, inspector, device: str, dtype: str, inspection: Inspection, prefetch):
    with slot.lock:
        cancel.check()
        fresh = slot.ensure(inspector, device, dtype, cancel)
        cancel.check()
        summary = slot.host.call("run", inspection, cancel=cancel)
        view = ResultView(HostedRun(slot.host, inspection, summary), slot.info)
        view.prefetch(prefetch)
        return view, (slot.info if fresh else None)


def _release_task(cancel, slot: _ModelSlot, target):
    with slot.lock:
        return slot.release(only=target)


# -- what widgets read ---------------------------------------------------------------------------
class ResultView:
    """A run's results as numpy, fetched lazily and cached within a small budget.

    Token metadata (``labels``, ``special``, ``subword``, ``starts``/``ends``, ``segments``) is
    for the tokens the model received, in order; ``positions`` maps them back to indices of
    ``inspection.tokens``.
    """

    def __init__(self, result, info: ModelInfo | None):
        self._result = result
        self.info = info
        self.inspection: Inspection = result.inspection
        self.kind: str = result.kind
        self.device: str = result.device
        self.dtype: str = info.dtype if info else "float32"
        self.num_layers: int = result.num_layers
        self.num_heads: int = result.num_heads
        self.positions: np.ndarray = np.asarray(result.positions, dtype=np.int64)
        tokens = self.inspection.tokens
        p = self.positions
        reading = readable(self.inspection).labels  # as the token view shows them (Ġ, ▁ made readable)
        self.labels: list[str] = [reading[i] for i in p.tolist()]
        self.special: np.ndarray = np.asarray(tokens.special[p], dtype=bool)
        self.subword: np.ndarray = np.asarray(tokens.subword[p], dtype=bool)
        self.starts: np.ndarray = np.asarray(tokens.starts[p], dtype=np.int64)
        self.ends: np.ndarray = np.asarray(tokens.ends[p], dtype=np.int64)
        self.segments: np.ndarray = np.asarray(tokens.segments[p], dtype=np.int64)
        self.outputs: dict = _plain(result.outputs)
        self.timings = result.timings
        self.host_peak_bytes: int | None = getattr(result, "host_peak_bytes", None)
        self._cache: OrderedDict = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.positions)

    def peak_memory(self) -> tuple[int | None, str]:
        """(bytes, what they measure): the GPU's peak for this run, else the model process's peak RSS."""
        if self.timings.peak_memory_bytes is not None:
            return int(self.timings.peak_memory_bytes), f"{self.device} peak"
        return self.host_peak_bytes, "model process peak RSS"

    def segment_text(self, segment: int) -> str:
        return self.inspection.segment_text(segment)

    # -- numpy accessors (each a float32, C-contiguous array) -------------------------------------
    def attention(self, layer: int, head: int | str = "mean") -> np.ndarray:
        """[seq, seq] of one head, or "mean"/"max" over the heads, or "rollout" up to ``layer``."""
        layer = int(layer)
        if head == "rollout":
            return self.rollout(layer)
        key = ("attention", layer, head if isinstance(head, str) else int(head))
        return self._cached(key, lambda: self._need().attention(layer, key[2]))

    def rollout(self, layer: int | None = None) -> np.ndarray:
        """Attention rollout through layers 0..``layer`` (all layers when None)."""
        last = self.num_layers - 1 if layer is None else int(layer)
        if last == self.num_layers - 1:
            return self._cached(("rollout", last), lambda: self._need().rollout())

        def compute():
            n = len(self.positions)
            eye = np.eye(n, dtype=np.float32)
            out = eye
            for i in range(last + 1):
                mean = self.attention(i, "mean") + eye
                mean = mean / mean.sum(-1, keepdims=True)
                out = mean @ out
            return np.ascontiguousarray(out, dtype=np.float32)

        return self._cached(("rollout", last), compute)

    def overview(self) -> np.ndarray:
        """[layers, heads, t, t] thumbnails (t <= 64) of every head."""
        return self._cached(("overview",), lambda: self._timed(self._need().overview))

    def special_share(self) -> dict[str, np.ndarray]:
        return self._cached(("share",), lambda: self._timed(self._need().special_share))

    def hidden_norms(self) -> np.ndarray:
        """[layers + 1, seq] L2 norms (row 0: the embeddings)."""
        return self._cached(("norms",), lambda: self._timed(self._need().hidden_norms))

    def layer_cosine(self) -> np.ndarray:
        """[layers, seq] cosine similarity of each token's vector between consecutive layers."""
        return self._cached(("cosine",), lambda: self._timed(self._need().layer_cosine))

    def pca(self, layer: int) -> np.ndarray:
        """[seq, 2] the token vectors at ``layer`` (0: embeddings) on their first two components."""
        return self._cached(("pca", int(layer)), lambda: self._timed(lambda: self._need().pca(int(layer))))

    def prefetch(self, what) -> None:
        """Fetch what the first picture needs (called in the worker, before the result is shown)."""
        if not what:
            return
        layer, head = what
        layer = min(max(int(layer), 0), max(self.num_layers - 1, 0))
        if isinstance(head, int) and head >= self.num_heads:
            head = 0
        if self.num_layers:
            self.attention(layer, head)
            self.special_share()

    def close(self) -> None:
        """Drop the tensors (device memory goes with them); cached arrays stay readable."""
        result, self._result = self._result, None
        if result is not None and hasattr(result, "close"):
            result.close()

    # -- internals --------------------------------------------------------------------------------
    def _need(self):
        result = self._result
        if result is None:
            raise InputError("this run's results were released (the model or device changed): run again")
        return result

    def _timed(self, fn):
        start = time.perf_counter()
        value = fn()
        self.timings.transfer_s += time.perf_counter() - start
        return value

    def _cached(self, key, compute):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        size = _nbytes(value)
        with self._lock:
            self._cache[key] = value
            self._cache_bytes += size
            while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
                _, old = self._cache.popitem(last=False)
                self._cache_bytes -= _nbytes(old)
        return value


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return 64


def _plain(value):
    """Outputs as plain Python / numpy (never a tensor)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, (str, int, float, bool, type(None), np.ndarray, np.generic)):
        return value
    if hasattr(value, "detach"):  # a tensor slipped through: bring it over as numpy
        return np.asarray(value.detach().to("cpu").float().numpy(), dtype=np.float32)
    return value


# -- the controller -------------------------------------------------------------------------------
class InferenceController(QObject):
    """Loads the model in a worker, runs it, drops stale results; errors are one-line messages."""

    devicesChanged = Signal(list)  # [DeviceChoice]
    busyChanged = Signal(bool)
    statusChanged = Signal(str)  # "Loading the model…", "Running…", "" (idle)
    modelLoaded = Signal(object)  # ModelInfo
    modelReleased = Signal()
    resultReady = Signal(object)  # ResultView
    resultCleared = Signal()
    failed = Signal(str)  # one line
    cancelled = Signal()

    def __init__(self, runner: TaskRunner | None = None, parent: QObject | None = None, *,
                 device: str = "auto", dtype: str = "float32", host: ModelHost | None = None):
        super().__init__(parent)
        self._own_runner = runner is None
        # our own runner has no Qt parent: it lives exactly as long as its Python object, so that
        # nothing (tests' thread checks included) ever meets a runner whose C++ side was deleted
        self.runner = runner if runner is not None else TaskRunner(None, max_threads=2)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.host = host if host is not None else ModelHost()
        self._slot = _ModelSlot(self.host)
        self._inspector = None
        self._device = device
        self._dtype = dtype
        self._devices: list[DeviceChoice] = []
        self._view: ResultView | None = None
        self._run_generation: int | None = None
        self._load_generation: int | None = None
        self._busy = False
        self._closed = False

    # -- state -----------------------------------------------------------------------------------
    @property
    def inspector(self):
        return self._inspector

    @property
    def device(self) -> str:
        return self._device

    @property
    def dtype(self) -> str:
        return self._dtype

    def devices(self) -> list[DeviceChoice]:
        return list(self._devices)

    def result(self) -> ResultView | None:
        return self._view

    def model_info(self) -> ModelInfo | None:
        return self._slot.info if self._slot.loaded else None

    def loaded_model(self):
        """The core ``LoadedModel`` when the host serves from a thread (tests reach into it), else None."""
        return self.host.local_model()

    def is_busy(self) -> bool:
        return self._busy

    # -- configuration ---------------------------------------------------------------------------
    def refresh_devices(self) -> None:
        """List the devices in a worker (importing torch takes seconds); ``devicesChanged`` follows."""
        self.runner.submit(KIND_DEVICES, _devices_task, self.host)

    def set_inspector(self, inspector) -> None:
        """The model source of the next runs; another source releases the loaded model."""
        if inspector is self._inspector:
            return
        self._inspector = inspector
        if self._slot.loaded:
            self._switch()  # another model (or the same one reopened): its weights may differ
        else:
            self.cancel(quiet=True)
            self._clear_result()

    def set_device(self, device: str) -> None:
        if device == self._device:
            return
        self._device = device
        self._switch_if_unmatched()

    def set_dtype(self, dtype: str) -> None:
        if dtype == self._dtype:
            return
        self._dtype = dtype
        self._switch_if_unmatched()

    def resolved_device(self, name: str | None = None) -> str:
        """What a device name means here ("auto" -> the device it picks), from the listed devices."""
        name = self._device if name is None else name
        if name == "auto":
            auto = next((d for d in self._devices if d.name == "auto"), None)
            return auto.reason.removeprefix("uses ") if auto is not None and auto.reason.startswith("uses ") else "auto"
        return device_name(name)

    # -- actions ---------------------------------------------------------------------------------
    def load(self) -> int:
        """Load the model for the current source / device / dtype ahead of a run."""
        if self._inspector is None or self._closed:
            return -1
        self._set_busy(True, "Loading the model…")
        self._load_generation = self.runner.submit(KIND_RUN, _load_task, self._slot, self._inspector,
                                                   self._device, self._dtype)
        self._run_generation = None
        return self._load_generation

    def run(self, inspection: Inspection | None, prefetch: tuple | None = (0, 0)) -> int:
        """Run the model on ``inspection`` in the worker; a newer run supersedes this one.

        ``prefetch`` = (layer, head) of the heatmap to fetch before the result is shown.
        Returns the request's generation (-1 when nothing could be started: ``failed`` says why).
        """
        if self._closed:
            return -1
        if self._inspector is None:
            self.failed.emit("no model is loaded: open a model first")
            return -1
        if inspection is None:
            self.failed.emit("nothing to run: type a text first")
            return -1
        if inspection.source != self._inspector.source.name:
            self.failed.emit("the text was inspected with another model: wait for the new inspection")
            return -1
        ready = self._slot.matches(self._inspector, self._device, self._dtype)
        self._set_busy(True, "Running…" if ready else "Loading the model and running…")
        generation = self.runner.submit(KIND_RUN, _run_task, self._slot, self._inspector, self._device,
                                        self._dtype, inspection, prefetch)
        self._run_generation = generation
        self._load_generation = None
        return generation

    def cancel(self, quiet: bool = False) -> None:
        """Cancel the run (it stops within one encoder layer); its result is never shown."""
        was_busy = self._busy
        self.runner.cancel(KIND_RUN)
        self._run_generation = self._load_generation = None
        self._set_busy(False, "")
        if was_busy and not quiet:
            self.cancelled.emit()

    def release(self) -> None:
        """Free the loaded model (in a worker; GPU memory is released) and drop the result."""
        self._switch()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cancel, free the model, and wait (bounded) for the workers."""
        self._closed = True
        self.runner.cancel(KIND_RUN)
        if self._view is not None:
            self._view.close()
            self._view = None
        self.host.close(timeout_ms / 1000)  # frees the model; a waiting worker gets "closed" at once
        return self.runner.shutdown(timeout_ms) if self._own_runner else True

    # -- internals -------------------------------------------------------------------------------
    def _switch_if_unmatched(self) -> None:
        info = self.model_info()
        if info is not None and (info.device != self.resolved_device() or info.dtype != self._dtype):
            self._switch()

    def _switch(self) -> None:
        """The loaded model no longer matches: cancel, drop the result, free it in a worker."""
        self.cancel(quiet=True)
        self._clear_result()
        target = self._slot.info
        if target is not None and not self._closed:
            self.runner.submit(KIND_RELEASE, _release_task, self._slot, target)

    def _clear_result(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None
            self.resultCleared.emit()

    def _set_busy(self, busy: bool, status: str) -> None:
        changed = busy != self._busy
        self._busy = busy
        self.statusChanged.emit(status)
        if changed:
            self.busyChanged.emit(busy)

    @Slot(str, int, object)
    def _on_finished(self, kind: str, generation: int, result) -> None:
        if self._closed:
            if kind == KIND_RUN and isinstance(result, tuple) and isinstance(result[0], ResultView):
                result[0].close()
            return
        if kind == KIND_DEVICES:
            self._devices = list(result)
            self.devicesChanged.emit(self.devices())
        elif kind == KIND_RELEASE:
            if result:
                self.modelReleased.emit()
        elif kind == KIND_RUN:
            if generation == self._load_generation:
                info, _fresh = result
                self._load_generation = None
                self._set_busy(False, "")
                self.modelLoaded.emit(info)
            elif generation == self._run_generation:
                view, fresh_info = result
                self._run_generation = None
                if fresh_info is not None:
                    self.modelLoaded.emit(fresh_info)
                if self._view is not None:
                    self._view.close()
                self._view = view
                self._set_busy(False, "")
                self.resultReady.emit(view)
            elif isinstance(result, tuple) and isinstance(result[0], ResultView):
                result[0].close()  # not ours any more (cancelled / superseded after it ended)

    @Slot(str, int, str)
    def _on_failed(self, kind: str, generation: int, message: str) -> None:
        if self._closed:
            return
        if kind == KIND_DEVICES:
            self._devices = [DeviceChoice("auto", True, "uses cpu"), DeviceChoice("cpu", True)]
            self.devicesChanged.emit(self.devices())
            log.warning("listing devices failed: %s", message)
        elif kind == KIND_RELEASE:
            log.warning("releasing the model failed: %s", message)
        elif kind == KIND_RUN and generation in (self._run_generation, self._load_generation):
            self._run_generation = self._load_generation = None
            self._set_busy(False, "")
            self.failed.emit(message)
