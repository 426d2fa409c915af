"""Ids and hashes: MBIDs and MSIDs as lowercase UUIDs and Spotify-style base-62 ids, each a
pure function of (index, salt, seed), and the splitmix64 hash they are drawn from.
"""

from __future__ import annotations

import hashlib

import numpy as np


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a fast, well-spread hash of uint64 values."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def _salted(ids: np.ndarray, salt: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        base = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(
            (salt * 1_000_003 + seed * 7919) & 0xFFFFFFFFFFFF
        )
        hi = mix64(base)
        lo = mix64(hi ^ np.uint64(0xD6E8FEB86659FD93))
    return hi, lo


_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_UUID_COLS = [c for c in range(36) if c not in (8, 13, 18, 23)]


def uuids(n: int, salt: int, seed: int) -> list[bytes]:
    """``n`` lowercase version-4-shaped UUIDs, the i-th a pure function of (i, salt, seed)."""
    hi, lo = _salted(np.arange(n), salt, seed)
    raw = np.stack([hi, lo], axis=1).view(np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.empty((n, 32), np.uint8)
    digits[:, 0::2] = _HEX[raw >> 4]
    digits[:, 1::2] = _HEX[raw & 15]
    out = np.full((n, 36), ord("-"), np.uint8)
    out[:, _UUID_COLS] = digits
    return out.view("S36").ravel().tolist()


def base62(n: int, salt: int, seed: int, width: int = 22) -> list[bytes]:
    """``n`` Spotify-style ids of ``width`` base-62 characters."""
    out = np.empty((n, width), np.uint8)
    hi, lo = _salted(np.arange(n), salt, seed)
    for col in range(width):
        src = hi if col < width // 2 else lo
        out[:, col] = _B62[(src % np.uint64(62)).astype(np.intp)]
        src //= np.uint64(62)
    return out.view(f"S{width}").ravel().tolist()


def uuid_of(*key: object) -> bytes:
    """A UUID hashed from any key (for the few MSIDs of spelling variants)."""
    h = bytearray(hashlib.blake2b(repr(key).encode(), digest_size=16).digest())
    h[6] = (h[6] & 0x0F) | 0x40
    h[8] = (h[8] & 0x3F) | 0x80
    s = h.hex()
    return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}".encode()
