"""Benchmark ``songsim index build`` (lsh and exact) and ``songsim index evaluate`` on a dataset.

Each command runs as a fresh child process, exactly as a user would type it; wall time and
peak RSS are measured per run (``os.wait4`` reports the child's own peak, grandchildren
included). The stage breakdown and ingest rows/s come from the build's printed summary, the
counts from the index's ``meta`` table, and the size from the file. The result is printed as
Markdown ready for docs/BENCHMARKS.md, with the machine and the exact commands.

    python scripts/bench_build.py /work/bench-data/spotify_dataset.csv --out-dir /work/bench-data/bench

Make the full-scale dataset first with ``scripts/make_synthetic.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shlex
import shutil
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_process import Run, machine, run_measured  # noqa: E402


@dataclass
class BuildResult:
    method: str
    run: Run
    stages: dict[str, float] = field(default_factory=dict)
    rows_per_s: float | None = None
    meta: dict[str, str] = field(default_factory=dict)
    size_mb: float = 0.0
    recall: float | None = None
    max_score_diff: float | None = None
    evaluate: Run | None = None


_STAGE = re.compile(r"\s*([A-Za-z][\w /+()-]*?)\s+([0-9]+(?:\.[0-9]+)?)\s*s$")


def parse_stages(summary: str) -> dict[str, float]:
    """Stage timings from the build summary's ``time by stage:`` lines, one per stage with
    its sub-stages after a colon (``    neighbours 30.1 s: plan 0.2 s, exact scan 25.0 s``).

    Sub-stages keep a leading ``  `` in the keys, as in ``BuildSummary.stage_seconds``.
    """
    stages: dict[str, float] = {}
    lines = iter(summary.splitlines())
    for line in lines:
        if line.strip() == "time by stage:":
            break
    for line in lines:
        if not line.startswith("    "):
            break
        head, _, subs = line.strip().partition(" s: ")
        head = head if not subs else head + " s"
        for i, part in enumerate([head, *(subs.split(", ") if subs else [])]):
            m = _STAGE.match(part)
            if m:
                stages[("  " if i else "") + m.group(1).strip()] = float(m.group(2))
    return stages


def parse_rows_per_s(summary: str) -> float | None:
    m = re.search(r"\(([0-9,]+(?:\.[0-9]+)?) rows/s\)", summary)
    return float(m.group(1).replace(",", "")) if m else None


def parse_evaluate(text: str) -> tuple[float | None, float | None]:
    """recall@10 and the largest stored-vs-exact score difference from ``index evaluate``."""
    recall = diff = None
    m = re.search(r"recall@10\D{0,40}?([01](?:\.[0-9]+)?)", text, re.IGNORECASE)
    if m:
        recall = float(m.group(1))
    m = re.search(
        r"(?:max|largest)[^\n]*?(?:\|stored|diff|error)[^\n]*?([0-9]+\.?[0-9]*(?:e[-+]?[0-9]+)?)",
        text,
        re.IGNORECASE,
    )
    if m:
        diff = float(m.group(1))
    return recall, diff


def read_meta(index: Path) -> dict[str, str]:
    try:
        with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as con:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return {}


def songsim_command(explicit: str | None) -> list[str]:
    """The ``songsim`` entry point: --songsim, else beside this Python, else on PATH."""
    if explicit:
        return shlex.split(explicit)
    beside = Path(sys.executable).with_name("songsim")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("songsim")
    if found:
        return [found]
    return [sys.executable, "-m", "bot.cli"]


def bench(args: argparse.Namespace) -> tuple[list[BuildResult], dict[str, str]]:
    dataset = Path(args.dataset).resolve()
    if not dataset.exists():
        sys.exit(f"bench_build: no dataset at {dataset}; make one with scripts/make_synthetic.py")
    out_dir = Path(args.out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    songsim = songsim_command(args.songsim)
    info = machine()
    info["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: list[BuildResult] = []
    for method in args.methods:
        index = out_dir / f"index-{method}.sqlite"
        cmd = [*songsim, "index", "build", str(dataset), "-o", str(index), "--method", method]
        cmd += args.build_args
        print(f"$ {shlex.join(cmd)}", flush=True)
        run = run_measured(cmd, out_dir / f"build-{method}.log")
        res = BuildResult(method=method, run=run)
        if run.returncode != 0:
            print(f"build failed (exit {run.returncode}):\n{run.stdout}\n{run.stderr_tail}")
            results.append(res)
            continue
        print(run.stdout.rstrip())
        print(
            f"  wall {run.wall_s:.1f} s, peak RSS {run.peak_rss_mb:,.0f} MB, "
            f"process tree {run.tree_rss_mb:,.0f} MB at {run.tree_peak_at_s:.1f} s "
            f"(over time: {run.memory_trace})",
            flush=True,
        )
        res.stages = parse_stages(run.stdout)
        res.rows_per_s = parse_rows_per_s(run.stdout)
        res.meta = read_meta(index)
        res.size_mb = index.stat().st_size / 1e6
        if method in args.evaluate:
            ecmd = [*songsim, "index", "evaluate", "--dataset", str(dataset), "--index", str(index)]
            ecmd += ["--queries", str(args.queries)]
            print(f"$ {shlex.join(ecmd)}", flush=True)
            ev = run_measured(ecmd, out_dir / f"evaluate-{method}.log")
            print(ev.stdout.rstrip() or ev.stderr_tail, flush=True)
            res.evaluate = ev
            if ev.returncode == 0:
                res.recall, res.max_score_diff = parse_evaluate(ev.stdout)
        results.append(res)
    return results, info


def markdown(results: list[BuildResult], info: dict[str, str], args: argparse.Namespace) -> str:
    """The figures as a Markdown section for docs/BENCHMARKS.md."""
    ok = [r for r in results if r.run.returncode == 0]
    when = info.get("measured_at") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {when} on {info['nproc']} cores ({info['cpu']}), {info['memory']} RAM, "
        f"{info['os']}, Python {info['python']}; load average at start {info['load_average_at_start']}."
        + (f" {args.note}" if args.note else ""),
        "",
        f"Dataset: `{Path(args.dataset).name}`"
        + (
            f", {int(ok[0].meta.get('rows_read', 0)):,} rows, {int(ok[0].meta.get('playlists', 0)):,} playlists, "
            f"{int(ok[0].meta.get('tracks', 0)):,} tracks, {int(ok[0].meta.get('artists', 0)):,} artists."
            if ok and ok[0].meta
            else "."
        ),
        "",
    ]
    stage_names = _stage_order([r.stages for r in ok])
    header = ["", *[f"`--method {r.method}`" for r in results]]
    rows: list[list[str]] = [
        [
            "wall time (build, end to end)",
            *[
                f"{r.run.wall_s:.1f} s" if r.run.returncode == 0 else f"failed ({r.run.returncode})"
                for r in results
            ],
        ],
        ["peak RSS", *[f"{r.run.peak_rss_mb / 1024:.2f} GB" for r in results]],
        [
            "peak memory, whole process tree (PSS, sampled every 0.25 s), at",
            *[f"{r.run.tree_rss_mb / 1024:.2f} GB, {r.run.tree_peak_at_s:.0f} s" for r in results],
        ],
        ["mean load average during the build", *[f"{r.run.mean_load:.1f}" for r in results]],
        ["ingest rows/s", *[f"{r.rows_per_s:,.0f}" if r.rows_per_s else "–" for r in results]],
    ]
    for s in stage_names:
        label = f"&nbsp;&nbsp;↳ {s.strip()}" if s.startswith("  ") else f"stage: {s}"
        rows.append([label, *[f"{r.stages[s]:.1f} s" if s in r.stages else "–" for r in results]])
    rows += [
        ["index size on disk", *[f"{r.size_mb:,.0f} MB" if r.size_mb else "–" for r in results]],
        ["neighbour rows", *[_meta_int(r, "neighbour_rows") for r in results]],
        [
            "recall@10 vs exact",
            *[f"{r.recall:.4f}" if r.recall is not None else "–" for r in results],
        ],
        [
            "max \\|stored − exact\\| score",
            *[f"{r.max_score_diff:.2g}" if r.max_score_diff is not None else "–" for r in results],
        ],
        ["evaluate wall time", *[_eval_time(r) for r in results]],
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    by = {r.method: r for r in ok}
    if "lsh" in by and "exact" in by:
        ln, en = by["lsh"].stages.get("neighbours"), by["exact"].stages.get("neighbours")
        if ln and en:
            lines += ["", f"Neighbour stage: exact / lsh = {en / ln:.2f}× (same data, same run)."]
    lines += ["", "Commands:", "", "```"]
    for r in results:
        lines.append(_display(r.run.command))
        if r.evaluate:
            lines.append(_display(r.evaluate.command))
    lines.append(f"python scripts/bench_build.py {shlex.join(args.argv)}")
    lines.append("```")
    return "\n".join(lines)


def _stage_order(runs: list[dict[str, float]]) -> list[str]:
    """Top-level stages in build order, each followed by the sub-stages of every run."""
    top: list[str] = []
    subs: dict[str, list[str]] = {}
    for stages in runs:
        parent, previous = "", ""
        for name in stages:
            if name.startswith("  "):
                group = subs.setdefault(parent, [])
                if name not in group:
                    # A sub-stage only one engine has goes right after its predecessor there.
                    group.insert(group.index(previous) + 1 if previous in group else 0, name)
                previous = name
            else:
                parent, previous = name, ""
                if name not in top:
                    top.append(name)
    return [x for name in top for x in (name, *subs.get(name, []))]


def _eval_time(r: BuildResult) -> str:
    if r.evaluate is None:
        return "–"
    if r.evaluate.returncode != 0:
        return f"failed ({r.evaluate.returncode})"
    return f"{r.evaluate.wall_s:.1f} s"


def _meta_int(r: BuildResult, key: str) -> str:
    v = r.meta.get(key)
    return f"{int(float(v)):,}" if v else "–"


def _display(cmd: list[str]) -> str:
    """The command as a user types it (``songsim`` rather than the venv's full path)."""
    shown = list(cmd)
    if shown and Path(shown[0]).name == "songsim":
        shown[0] = "songsim"
    return shlex.join(shown)


def _result_from_dict(d: dict) -> BuildResult:
    d = dict(d)
    d["run"] = Run(**d["run"])
    d["evaluate"] = Run(**d["evaluate"]) if d.get("evaluate") else None
    return BuildResult(**d)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", help="dataset file or folder (e.g. the make_synthetic.py output)")
    ap.add_argument("--out-dir", default="bench-out", help="where indexes, logs and results go")
    ap.add_argument(
        "--methods", nargs="+", default=["lsh", "exact"], choices=["lsh", "exact", "auto"]
    )
    ap.add_argument(
        "--evaluate",
        nargs="*",
        default=["lsh"],
        metavar="METHOD",
        help="methods whose index gets `songsim index evaluate` (default: lsh)",
    )
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--songsim", help="command that runs songsim (default: the venv's entry point)")
    ap.add_argument(
        "--note", default="", help="sentence added to the machine line, e.g. 'shared machine'"
    )
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="re-print the Markdown from OUT_DIR/bench_build.json without running anything",
    )
    ap.add_argument(
        "--build-args",
        nargs=argparse.REMAINDER,
        default=[],
        help="extra arguments passed to every `songsim index build` (put last)",
    )
    args = ap.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)

    out_dir = Path(args.out_dir)
    if args.report_only:
        saved = json.loads((out_dir / "bench_build.json").read_text())
        results, info = [_result_from_dict(r) for r in saved["results"]], saved["machine"]
        args.argv, args.note = saved.get("argv", args.argv), saved.get("note", args.note)
    else:
        results, info = bench(args)
        (out_dir / "bench_build.json").write_text(
            json.dumps(
                {
                    "machine": info,
                    "argv": args.argv,
                    "note": args.note,
                    "results": [asdict(r) for r in results],
                },
                indent=2,
                default=str,
            )
        )
    md = markdown(results, info, args)
    (out_dir / "bench_build.md").write_text(md + "\n")
    print("\n" + md)
    return 0 if all(r.run.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
