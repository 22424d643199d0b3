"""Soak (issue 7): long use of one window on a tiny model; prints JSON. Not a test: run it by hand.

    python benchmarks/soak.py [--inspections 1000] [--runs 300] [--out benchmarks/results/soak.json]

In one MainWindow (offscreen unless QT_QPA_PLATFORM says otherwise, settings and data in a tmp
folder) on a tiny BERT built with ``tests/modelfactory.build_bert``:

1. warm-up: ``--warmup-inspections`` inspections and ``--warmup-runs`` runs (torch's threads and
   allocator, Qt's caches and the plots reach their working size);
2. resident memory (``/proc/PID/statm`` of the window's process and of the model host, after
   ``gc.collect()``) and thread counts (Python threads, and both processes' OS threads from
   ``/proc/PID/status``, once the worker pools are idle);
3. ``--inspections`` consecutive inspections: a different text each time (8 to ~2,000 characters,
   unicode included), set in the text pane, flushed, waited for;
4. ``--runs`` runs: a new text every run, Run, wait for the result (the plots redraw each time);
5. memory and threads again -> growth; a 10 ms QTimer on the GUI thread records the longest gap
   between its ticks during the whole soak (steps 3-4; the warm-up is reported on its own).

Targets: memory growth <= 10 %, no thread growth, the longest GUI-thread gap <= 100 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"memory_growth_pct": 10.0, "thread_growth": 0, "stall_ms": 100.0}

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

WORDS = ("the model reads every sentence and the other one quick brown fox jumps over lazy dog hello world "
         "naïve café 😀 日本語 שלום مرحبا [MASK] 3.14 can't token tokens input output length").split()


def rss_bytes(pid="self") -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def os_threads(pid="self") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def malloc_trim() -> int | None:
    """Give the C allocator's free memory back to the system (glibc); the resident bytes after it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_bytes()


def texts(seed: int):
    """An endless supply of different texts, 8 to ~2,000 characters."""
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        size = rng.choice((2, 5, 12, 40, 120, 300))
        yield f"{n}: " + " ".join(rng.choice(WORDS) for _ in range(size))


class StallProbe:
    """A 10 ms QTimer on the GUI thread; remembers the longest gap between two ticks and what ran then."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.phase = "idle"
        self.reset()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.gaps: list[float] = []
        self.worst: list[tuple[float, str]] = []

    def tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.last = now
        self.gaps.append(gap)
        if gap > 0.05:
            self.worst.append((gap, self.phase))

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def stop(self) -> dict:
        self.tick()
        self.timer.stop()
        gaps = sorted(self.gaps)
        pick = lambda q: round(gaps[min(len(gaps) - 1, int(q * len(gaps)))] * 1000, 1)  # noqa: E731
        return {
            "ticks": len(gaps),
            "max_ms": round(gaps[-1] * 1000, 1),
            "p99_ms": pick(0.99),
            "p999_ms": pick(0.999),
            "over_50_ms": sum(g > 0.05 for g in gaps),
            "over_100_ms": sum(g > 0.1 for g in gaps),
            "worst": [{"ms": round(g * 1000, 1), "during": p} for g, p in sorted(self.worst, reverse=True)[:5]],
        }


class GcTimer:
    """How long Python's cyclic garbage collector held the GIL, per generation."""

    def __init__(self):
        self.started = 0.0
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        gc.callbacks.append(self.callback)

    def callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self.started)

    def reset(self) -> None:
        for pauses in self.pauses.values():
            pauses.clear()

    def report(self) -> dict:
        return {f"gen{g}": {"count": len(p), "max_ms": round(max(p, default=0) * 1000, 1)}
                for g, p in self.pauses.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup-inspections", type=int, default=100)
    parser.add_argument("--warmup-runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bertinspector-soak-"))
    os.environ["BERTINSPECTOR_DATA_DIR"] = str(tmp / "data")
    model = tmp / "tiny-bert"
    # the tests' builder of tiny real models imports torch: it runs in its own process, so that this one
    # stays like the app's (torch only in the model host)
    subprocess.run([sys.executable, "-c", "import sys, pathlib; sys.path.insert(0, sys.argv[1]); import modelfactory; "
                    "modelfactory.build_bert(pathlib.Path(sys.argv[2]))", str(ROOT / "tests"), str(model)], check=True)
    from bertinspector.core.transformers_import import keep_torch_out

    keep_torch_out()

    from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths, QTimer

    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp / "settings"))
    from bertinspector.app.application import make_application
    from bertinspector.app.main_window import MainWindow

    app = make_application()
    window = MainWindow(auto_load_weights=False, restore_state=False, scan_hf_cache=False, persist=False)
    window.resize(1440, 880)
    window.show()
    window.show_model_output()
    controller = window.workspace.controller
    probe = StallProbe()
    collector = GcTimer()
    failures: list[str] = []

    def wait_for(*signals, timeout_ms: int = 120_000):
        loop = QEventLoop()
        got = {}

        def done(*values, signal=None):
            got["signal"], got["args"] = signal, values
            loop.quit()

        slots = [(s, (lambda *v, s=s: done(*v, signal=s))) for s in signals]
        for s, slot in slots:
            s.connect(slot)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(timeout_ms)
        loop.exec()
        timer.stop()
        for s, slot in slots:
            s.disconnect(slot)
        if "signal" not in got:
            raise TimeoutError(f"nothing arrived in {timeout_ms} ms")
        return got["signal"], got["args"]

    def settle_pools(seconds: float = 3.0) -> None:
        """Let the worker pools go idle (QThreadPool threads expire after 2 s)."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)

    supply = texts(args.seed)
    inspect_ms: list[float] = []
    run_ms: list[float] = []

    def inspect_once() -> None:
        probe.phase = "inspection"
        text = next(supply)
        started = time.perf_counter()
        window.text_pane.set_text(text)
        window.text_pane.flush()
        signal, values = wait_for(window.inspectionApplied, window.inspectionFailed)
        inspect_ms.append((time.perf_counter() - started) * 1000)
        if signal is window.inspectionFailed:
            failures.append(f"inspection: {values[0]}")
        elif values[0].text != text:
            failures.append("inspection: the shown inspection is not the text's")

    def run_once() -> None:
        inspect_once()
        probe.phase = "run"
        started = time.perf_counter()
        window.run_action.trigger()
        signal, values = wait_for(controller.resultReady, controller.failed)
        run_ms.append((time.perf_counter() - started) * 1000)
        if signal is controller.failed:
            failures.append(f"run: {values[0]}")
        elif values[0].inspection is not window.inspection:
            failures.append("run: the result is not the current inspection's")

    started = time.perf_counter()
    window.open_model(str(model))
    wait_for(window.inspectionApplied)
    probe.start()
    for _ in range(args.warmup_inspections):
        inspect_once()
    for _ in range(args.warmup_runs):
        run_once()
    warmup_stall = probe.stop()
    warmup_s = time.perf_counter() - started
    settle_pools()
    gc.collect()
    host_pid = controller.host._worker.pid

    def memory() -> tuple[int, int]:
        """Resident bytes of the window's process and of the model host."""
        return rss_bytes(), rss_bytes(host_pid)

    def point(after: str) -> dict:
        window_rss, host_rss = memory()
        return {"after": after, "window_mb": round(window_rss / 2**20, 1), "model_host_mb": round(host_rss / 2**20, 1),
                "rss_mb": round((window_rss + host_rss) / 2**20, 1)}

    rss_warm, py_threads_warm = sum(memory()), threading.active_count()
    os_threads_warm = (os_threads(), os_threads(host_pid))
    series = [point("warm-up")]
    inspect_ms.clear()
    run_ms.clear()

    soak_started = time.perf_counter()
    collector.reset()
    probe.start()
    for i in range(1, args.inspections + 1):
        inspect_once()
        if i % 200 == 0:
            series.append(point(f"{i} inspections"))
    for i in range(1, args.runs + 1):
        run_once()
        if i % 60 == 0:
            series.append(point(f"{args.inspections} inspections + {i} runs"))
    probe.phase = "idle"
    soak_stall = probe.stop()
    gc_pauses = collector.report()
    soak_s = time.perf_counter() - soak_started
    settle_pools()
    gc.collect()
    rss_end, py_threads_end = sum(memory()), threading.active_count()
    os_threads_end = (os_threads(), os_threads(host_pid))
    series.append(point("end (gc)"))
    trimmed = malloc_trim()
    if trimmed is not None:  # what of the window's growth is memory the C allocator keeps for reuse
        series.append({"after": "end (gc + malloc_trim of the window's process)", "window_mb": round(trimmed / 2**20, 1)})
    shut = window.shutdown(5000)
    window.close()

    def pct(values, q):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None

    import importlib.metadata

    import PySide6

    growth = (rss_end - rss_warm) / rss_warm * 100
    result = {
        "benchmark": "bertinspector.soak/1",
        "model": "tiny BERT (tests/modelfactory.build_bert: hidden 32, 2 layers, 2 heads)",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "torch": importlib.metadata.version("torch"),
                    "transformers": importlib.metadata.version("transformers"),
                    "pyside6": PySide6.__version__, "qpa": os.environ.get("QT_QPA_PLATFORM")},
        "targets": TARGETS,
        "counts": {"warmup_inspections": args.warmup_inspections, "warmup_runs": args.warmup_runs,
                   "inspections": args.inspections, "runs": args.runs,
                   "inspections_with_the_runs": args.runs, "note": "every run follows an inspection of a new text"},
        "durations_s": {"warmup": round(warmup_s, 1), "soak": round(soak_s, 1)},
        "inspection_ms": {"p50": pct(inspect_ms[: args.inspections], 0.5),
                          "p95": pct(inspect_ms[: args.inspections], 0.95),
                          "max": pct(inspect_ms[: args.inspections], 1.0)},
        "run_ms": {"p50": pct(run_ms, 0.5), "p95": pct(run_ms, 0.95), "max": pct(run_ms, 1.0)},
        "memory": {"measured": "resident memory of the window's process plus the model host's",
                   "rss_after_warmup_mb": round(rss_warm / 2**20, 1), "rss_end_mb": round(rss_end / 2**20, 1),
                   "growth_pct": round(growth, 2), "series": series},
        "threads": {"python_after_warmup": py_threads_warm, "python_end": py_threads_end,
                    "os_after_warmup": {"window": os_threads_warm[0], "model_host": os_threads_warm[1]},
                    "os_end": {"window": os_threads_end[0], "model_host": os_threads_end[1]},
                    "measured": "after gc and 3 s idle (worker pool threads expire after 2 s)"},
        "gui_stall": {"soak": soak_stall, "warmup": warmup_stall},
        "gc_pauses_during_soak": gc_pauses,
        "failures": failures[:20],
        "failure_count": len(failures),
        "workers_ended_on_shutdown": shut,
    }
    result["ok"] = {
        "memory": growth <= TARGETS["memory_growth_pct"],
        "threads": all(end - warm <= TARGETS["thread_growth"] for end, warm in zip(os_threads_end, os_threads_warm))
        and py_threads_end - py_threads_warm <= TARGETS["thread_growth"],
        "stall": soak_stall["max_ms"] <= TARGETS["stall_ms"],
        "no_failures": not failures,
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0 if all(result["ok"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
