"""Small numpy helpers every build stage needs."""

from __future__ import annotations

import numpy as np


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of ``a``.

    numpy 2's ``np.unique`` takes a hash-based path for integers that is ~100× slower than
    sorting on millions of int64 values (12.9 s vs 0.12 s for 3M here), so every stage uses this.
    """
    a = np.sort(a)
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]
