"""numba when it is installed, else a stand-in that runs the same kernels as plain Python.

The bot-only image (Dockerfile target ``bot``) leaves numba and llvmlite out (about 200 MB):
the bot only reads an index, and the one index it ever builds, the demo index on a first
start (487 songs), takes about a second as plain Python where numba's first compile alone
takes ten. Every kernel is written in the subset of Python that numba compiles, so both give
the same index. A real dataset needs numba; :data:`AVAILABLE` lets a command say so first.

Modules import ``numba`` from here (``from index.jit import numba``) and use only what the
stand-in offers: ``njit``, ``prange``, ``get_num_threads``, ``get_thread_id`` and
``set_num_threads``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

try:
    import numba as _numba
except ImportError:  # the bot-only image
    _numba = None

AVAILABLE: bool = _numba is not None
"""True when numba compiles the kernels; False when they run as plain Python (slow)."""


def _njit(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit`` with or without options, as the identity: the function runs as is."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        return func

    return decorate


def _stand_in() -> SimpleNamespace:
    # numba's integers wrap silently; numpy scalars wrap too but warn (the row hashes in
    # index.build.topk multiply uint64s on purpose), so keep the kernels' output quiet.
    warnings.filterwarnings(
        "ignore", message="overflow encountered", category=RuntimeWarning, module=r"index\."
    )
    return SimpleNamespace(
        njit=_njit,
        prange=range,
        get_num_threads=lambda: 1,
        get_thread_id=lambda: 0,
        set_num_threads=lambda n: None,
    )


numba: Any = _numba if _numba is not None else _stand_in()
