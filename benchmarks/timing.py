"""Timings the benchmarks share: a call's median in this process, and whole processes side by side."""

from __future__ import annotations

import statistics
import subprocess
import time


def run_quietly(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def interleaved_runs(commands: dict[str, list[str]], repeat: int) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Median and every wall time of each command, run in turn so that machine noise hits all alike."""
    for command in commands.values():
        run_quietly(command)  # warm the file cache
    timings: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            start = time.perf_counter()
            run_quietly(command)
            timings[name].append(time.perf_counter() - start)
    return {name: statistics.median(runs) for name, runs in timings.items()}, timings


def median_seconds(function, repeat: int) -> float:
    """The median wall time of ``repeat`` calls of ``function``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
