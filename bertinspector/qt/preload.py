"""Keep the GUI thread responsive while a worker imports torch and transformers.

Python holds the GIL while it loads an extension module, and loading ``libtorch_cpu.so`` (or
SciPy's OpenBLAS) takes 100-250 ms of relocations: the window would freeze that long although the
import runs in a worker thread. Calling the C library's ``dlopen`` through ctypes releases the GIL
for the duration of the call, so a worker first maps the big shared libraries that way
(``RTLD_NOW | RTLD_LOCAL``: nothing is exported, nothing runs); the later ``import`` finds them
already loaded and only runs the modules' short initialisers.

Nothing is imported here and nothing fails: a library that cannot be preloaded is simply left to
the normal import. Only used on Linux (ELF ``dlopen``); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from pathlib import Path

# packages whose big native libraries transformers/torch load, with the folders to look in
_PACKAGES = {
    "torch": ("lib", "."),
    "tokenizers": (".",),
    "safetensors": (".",),
    "scipy": ("../scipy.libs", "linalg", "special", "sparse", "_lib", "optimize", "."),
    "gmpy2": (".", "../gmpy2.libs"),
}
_MIN_SIZE = 1_000_000  # bytes: smaller libraries load fast enough under the GIL
_done: set[str] = set()


def _libc_dlopen():
    try:
        libc = ctypes.CDLL(None)
        dlopen = libc.dlopen
    except (OSError, AttributeError):
        return None
    dlopen.restype = ctypes.c_void_p
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return dlopen


def _package_dir(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def native_libraries(package: str) -> list[Path]:
    """The big shared libraries of ``package`` worth preloading, dependencies first (by size)."""
    root = _package_dir(package)
    if root is None:
        return []
    found = []
    for sub in _PACKAGES.get(package, (".",)):
        folder = (root / sub).resolve()
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if ".so" in path.name and path.is_file():
                try:
                    if path.stat().st_size >= _MIN_SIZE:
                        found.append(path)
                except OSError:
                    continue
    # vendored dependency libraries (lib*.so) before the extension modules that need them
    return sorted(set(found), key=lambda p: (not p.name.startswith("lib"), p.name))


def preload(packages=("torch", "tokenizers", "safetensors", "scipy", "gmpy2")) -> int:
    """dlopen the big native libraries of ``packages`` without holding the GIL; returns how many."""
    if not sys.platform.startswith("linux"):
        return 0
    dlopen = _libc_dlopen()
    if dlopen is None:
        return 0
    count = 0
    mode = os.RTLD_NOW | os.RTLD_LOCAL
    for package in packages:
        if package in _done or package in sys.modules:
            continue
        _done.add(package)
        for path in native_libraries(package):
            if dlopen(os.fsencode(path), mode):
                count += 1
    return count
