"""Running one command as a measured child process, for the benchmark scripts.

Wall time, the child's own peak RSS (``os.wait4``: grandchildren included only as its own
waited-for children), and the largest memory of its whole process tree sampled every 0.25 s
as PSS, so that pages a forked writer shares with the build count once. ``machine()`` says
what the figures were measured on.
"""

from __future__ import annotations

import os
import platform
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """One measured child process."""

    command: list[str]
    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr_tail: str
    mean_load: float = 0.0  # 1-minute load average sampled during the run; > cores = shared
    tree_rss_mb: float = 0.0  # largest memory of the whole process tree (PSS, sampled)
    tree_peak_at_s: float = 0.0  # when that was, seconds from the start
    memory_trace: str = ""  # the tree's memory over time: seconds and MB, one line a sample


def run_measured(cmd: list[str], log: Path) -> Run:
    """Run ``cmd`` to completion; stderr (progress bars) goes to ``log``, the process tree's
    memory over time to ``LOG.memory.tsv`` (seconds, MB: when a peak happens, against the
    stage times the command prints)."""
    out_path = log.with_suffix(".stdout")
    trace_path = log.with_suffix(".memory.tsv")
    loads: list[float] = []
    tree_peak = [0, 0.0]
    done = threading.Event()

    def sample_load() -> None:
        n = 0
        with open(trace_path, "w") as trace:
            print("seconds\tMB", file=trace)
            while not done.wait(0.25):
                kb, at = tree_rss_kb(proc.pid), time.perf_counter() - start
                print(f"{at:.2f}\t{kb / 1024:.0f}", file=trace)
                if kb > tree_peak[0]:
                    tree_peak[:] = [kb, at]
                n += 1
                if n % 20 == 0:
                    loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample_load, daemon=True)
    start = time.perf_counter()
    with open(out_path, "w") as out, open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err_text = log.read_text(errors="replace")
    # Progress bars redraw with \r; keep the last state of each line.
    tail = "\n".join(line.split("\r")[-1] for line in err_text.splitlines()[-15:])
    return Run(
        command=cmd,
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kB
        returncode=proc.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr_tail=tail,
        mean_load=sum(loads) / len(loads) if loads else os.getloadavg()[0],
        tree_rss_mb=tree_peak[0] / 1024,
        tree_peak_at_s=tree_peak[1],
        memory_trace=str(trace_path),
    )


def tree_rss_kb(root: int) -> int:
    """Memory of ``root`` and every descendant, from /proc: each process's PSS (pages it
    shares after a fork counted once across the tree, split between the sharers), or its
    RSS where smaps_rollup is missing; 0 where /proc is missing."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").glob("[0-9]*"):
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(int(d.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack.extend(children.get(pid, []))
    return total


def _pss_kb(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def machine() -> dict[str, str]:
    """What the figures were measured on; the load average says whether it was shared."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": mem_gb,
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
