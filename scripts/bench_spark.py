"""Local-mode Spark vs the local engine on the same file: time, memory, parity, recall.

Each engine runs in a child process; every 0.2 s the parent samples the memory of the
child's whole process tree (PSS, ``bench_process.tree_rss_kb``; RSS when the Spark figures
in docs/BENCHMARKS.md were measured): the Spark engine is a Python driver + a JVM + Python
workers, so one process's ``ru_maxrss`` would undercount. The Spark child also reads the
stage metrics (tasks, input, shuffle read/write) from its own Spark UI REST API before it
exits, which is what the cluster notes in docs/BENCHMARKS.md are based on.

    python scripts/make_synthetic.py --rows 1000000 --out /work/bench-data/syn-1m.csv
    python scripts/bench_spark.py /work/bench-data/syn-1m.csv --work /work/bench-data/spark

Prints a Markdown block for docs/BENCHMARKS.md ("## Spark engine").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_process import tree_rss_kb  # noqa: E402


def run_child(args: list[str], log: Path) -> tuple[dict, float, float, float]:
    """Run this script in child mode, its standard error (Spark's log) into ``log``; returns
    (its JSON result, wall s, peak tree MB, mean load)."""
    peak = 0.0
    loads: list[float] = []
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )

    def sample() -> None:
        nonlocal peak
        n = 0
        while not done.wait(0.2):
            peak = max(peak, tree_rss_kb(proc.pid) / 1024)
            n += 1
            if n % 25 == 0:
                loads.append(os.getloadavg()[0])

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    wall = time.perf_counter() - start
    if proc.returncode:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-15:])
        raise SystemExit(
            f"child {args} failed with exit code {proc.returncode}; the end of {log}:\n{tail}"
        )
    result = json.loads(out.strip().splitlines()[-1])
    return result, wall, peak, (sum(loads) / len(loads) if loads else os.getloadavg()[0])


def child(
    engine: str, data: str, out: str, master: str, splits: int | None, driver_memory: str
) -> None:
    """Build one index and print a JSON line with the summary (and Spark stage metrics)."""
    if engine == "local":
        from index.build import build_index

        s = build_index(data, out, method="lsh", progress=False)
        print(json.dumps({"stages": s.stage_seconds, "summary": s.lines()}))
        return
    from index.spark.engine import spark_build

    metrics: list[dict] = []
    s = spark_build(
        data,
        out,
        master=master,
        splits=splits,
        driver_memory=driver_memory,
        progress=False,
        before_stop=lambda spark: metrics.extend(stage_metrics(spark)),
    )
    print(json.dumps({"stages": s.stage_seconds, "summary": s.lines(), "spark_stages": metrics}))


def stage_metrics(spark) -> list[dict]:
    """Per-stage tasks, input and shuffle bytes from this application's Spark UI (127.0.0.1)."""
    import urllib.request

    url = spark.sparkContext.uiWebUrl
    app = spark.sparkContext.applicationId
    if not url:
        return []
    with urllib.request.urlopen(f"{url}/api/v1/applications/{app}/stages") as r:
        stages = json.load(r)
    keep = []
    for st in stages:
        if st.get("status") != "COMPLETE":
            continue
        keep.append(
            {
                "id": st["stageId"],
                "name": (st.get("description") or st["name"])[:60],
                "tasks": st["numTasks"],
                "seconds": st.get("executorRunTime", 0) / 1000,
                "input_mb": st.get("inputBytes", 0) / 2**20,
                "shuffle_read_mb": st.get("shuffleReadBytes", 0) / 2**20,
                "shuffle_write_mb": st.get("shuffleWriteBytes", 0) / 2**20,
                "records_out": st.get("shuffleWriteRecords", 0),
            }
        )
    return keep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", default="/work/bench-data/syn-1m.csv")
    ap.add_argument("--work", type=Path, default=Path("/work/bench-data/spark"))
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--splits", type=int, default=None)
    ap.add_argument(
        "--driver-memory", default=None, help="Spark driver heap (default: the engine's 1536m)"
    )
    ap.add_argument("--engines", default="local,spark")
    ap.add_argument("--no-recall", action="store_true", help="skip the exact reference (big files)")
    ap.add_argument(
        "--child", nargs=6, metavar=("ENGINE", "DATA", "OUT", "MASTER", "SPLITS", "HEAP")
    )
    a = ap.parse_args()
    if a.child:
        engine, data, out, master, splits, heap = a.child
        child(engine, data, out, master, int(splits) or None, heap)
        return

    a.work.mkdir(parents=True, exist_ok=True)
    name = Path(a.data).stem
    results = {}
    for engine in a.engines.split(","):
        out = a.work / f"{name}-{engine}.sqlite"
        from index.spark.session import DEFAULT_DRIVER_MEMORY

        heap = a.driver_memory or DEFAULT_DRIVER_MEMORY
        args = [engine, a.data, str(out), a.master, str(a.splits or 0), heap]
        res, wall, peak, load = run_child(args, a.work / f"{name}-{engine}.log")
        results[engine] = (res, wall, peak, load, out)
        print(
            f"{engine}: {wall:.1f} s wall, peak tree RSS {peak:.0f} MB, mean load {load:.1f}",
            flush=True,
        )
        print("  " + "\n  ".join(res["summary"]), flush=True)

    if "local" in results and "spark" in results:
        from index.spark.compare import table_differences

        diff = table_differences(results["local"][4], results["spark"][4])
        print(f"parity (rows differing, local vs spark): {diff}")
    if not a.no_recall:
        from index.build.exact import exact_neighbours
        from index.ingest import read_dataset
        from index.spark.compare import recall_at

        corpus = read_dataset(a.data, progress=False)
        exact = exact_neighbours(corpus.indptr, corpus.indices, corpus.n_playlists, progress=False)
        for engine, (*_, out) in results.items():
            r = recall_at(out, exact, corpus.indptr, corpus.indices)
            print(
                f"{engine}: recall@10 {r.recall:.4f} over {r.queries:,} tracks, max |stored - exact| {r.max_score_error:.1e}"
            )
    if "spark" in results:
        steps: dict[str, list[float]] = {}
        for st in sorted(results["spark"][0].get("spark_stages", []), key=lambda s: s["id"]):
            row = steps.setdefault(st["name"], [0, 0.0, 0.0, 0.0, 0.0])
            for i, key in enumerate(
                ("tasks", "seconds", "input_mb", "shuffle_read_mb", "shuffle_write_mb")
            ):
                row[i] += st[key]
        print("\nSpark stages summed by step (executor run time, input, shuffle):")
        print("| step | tasks | run s | input MB | shuffle read MB | shuffle write MB |")
        print("|---|---|---|---|---|---|")
        for name, (tasks, secs, inp, sr, sw) in steps.items():
            print(f"| {name} | {tasks:.0f} | {secs:.1f} | {inp:.1f} | {sr:.1f} | {sw:.1f} |")
        print("\nSpark stages (executor run time, input, shuffle):")
        print("| stage | name | tasks | run s | input MB | shuffle read MB | shuffle write MB |")
        print("|---|---|---|---|---|---|---|")
        for st in sorted(results["spark"][0].get("spark_stages", []), key=lambda s: s["id"]):
            if st["seconds"] < 1 and st["shuffle_write_mb"] < 1 and st["input_mb"] < 1:
                continue
            print(
                f"| {st['id']} | {st['name']} | {st['tasks']} | {st['seconds']:.1f} | {st['input_mb']:.1f} "
                f"| {st['shuffle_read_mb']:.1f} | {st['shuffle_write_mb']:.1f} |"
            )


if __name__ == "__main__":
    main()
