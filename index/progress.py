"""Progress for long work: a live bar on a terminal, a few plain lines anywhere else.

A build's stderr is often a log file or a CI console, where tqdm's ``\\r`` frames become a
wall of text. :func:`progress` gives a tqdm bar when stderr is a terminal and otherwise a
:class:`LogLines` that prints at most one line per quarter of the work, none in
the first :data:`QUIET_SECONDS`. Both take
``update(n)`` and ``close()`` and work as context managers, so callers do not care which.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Protocol


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...
    def close(self) -> None: ...
    def __enter__(self) -> Progress: ...
    def __exit__(self, *exc: object) -> None: ...


QUIET_SECONDS = 2.0  # off a terminal, work done sooner says nothing but its summary


class LogLines:
    """Progress as plain lines: "desc: 50% (1,234 of 2,468 tracks, 12 s)" at each quarter
    reached after :data:`QUIET_SECONDS`, so a one-second build's log is just its summary."""

    STEPS = 4

    def __init__(self, total: int, desc: str, unit: str, out: IO[str], *, bytes_: bool) -> None:
        self.total, self.desc, self.unit, self.out, self.bytes = total, desc, unit, out, bytes_
        self.n = 0
        self.shown = 0  # quarters already printed
        self.start = time.monotonic()

    def _amount(self, n: int) -> str:
        if self.bytes:  # "0 MiB of 1 MiB" says nothing: a decimal below 10 MiB
            return f"{n / 2**20:,.{1 if self.total < 10 * 2**20 else 0}f} MiB"
        return f"{n:,} {self.unit}s" if self.unit else f"{n:,}"

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.total <= 0:
            return
        quarter = min(self.n * self.STEPS // self.total, self.STEPS - 1)
        if quarter > self.shown and (took := time.monotonic() - self.start) >= QUIET_SECONDS:
            self.shown = quarter
            done = f"{self._amount(self.n)} of {self._amount(self.total)}"
            self.out.write(f"{self.desc}: {100 * self.n // self.total}% ({done}, {took:.0f} s)\n")
            self.out.flush()

    def close(self) -> None:
        """Nothing to print: the caller's own summary says the stage is done."""

    def __enter__(self) -> LogLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress(
    total: int,
    desc: str,
    *,
    unit: str = "",
    enabled: bool = True,
    bytes_: bool = False,
    initial: int = 0,
    out: IO[str] | None = None,
) -> Progress:
    """A progress display for ``total`` units of work on stderr (nothing when not ``enabled``)."""
    from tqdm import tqdm

    stream = out or sys.stderr
    if not enabled or stream.isatty():
        bar_unit = "B" if bytes_ else unit or "it"
        bar = tqdm(
            total=total,
            initial=initial,
            desc=desc,
            unit=bar_unit,
            unit_scale=bytes_ or unit == "row",
            unit_divisor=1024 if bytes_ else 1000,
            disable=not enabled,
            mininterval=0.5,
            leave=False,
            file=stream,
        )
        return bar
    lines = LogLines(total, desc, unit, stream, bytes_=bytes_)
    lines.n = initial
    return lines


class StageClock:
    """Records the seconds since the previous call under each name."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into, self.last = into, time.monotonic()

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.into[name] = self.into.get(name, 0.0) + now - self.last
        self.last = now
