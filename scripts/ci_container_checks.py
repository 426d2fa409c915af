"""The checks scripts/ci_container.py runs on the built images, one PASS/FAIL line each.

Every container runs with docker-compose.yml's hardening, no network and this machine's
rlimits (:meth:`ci_container_setup.Engine.run_flags`); ``/data`` is a named volume, as in
compose. Images: ``full`` (the Dockerfile's default target) and ``bot`` (``--target bot``,
without the index builder's packages).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import tomllib
from pathlib import Path

from ci_container_setup import Engine

REPO = Path(__file__).resolve().parents[1]
QUERY = "similar daft punk - one more time\nquit\n"
ANSWER = "── Songs like One More Time — Daft Punk"
BUILDING = "building the demo index"
BANNER = "songsim console —"
STOPPED = "Stopped: console and databases closed"
BUILDER_ONLY = ("numba", "llvmlite", "scipy", "zstandard")  # what --target bot leaves out
COMPILERS = ("gcc", "cc", "c++", "g++", "clang", "make", "cmake", "gfortran", "ld")
UID = "10001"
PROBE = """id -u; id -g
grep -E '^(CapPrm|CapEff|CapBnd|NoNewPrivs):' /proc/self/status
if touch /probe 2>/dev/null; then echo root=writable; else echo root=read-only; fi
touch /tmp/probe && echo tmp=writable
touch /data/probe && rm /data/probe && echo data=writable
echo init=$(cat /proc/1/comm)"""
INVENTORY = f"""import importlib.metadata as m, json, os, shutil
dists = {{}}
for d in m.distributions():
    files = [d.locate_file(f) for f in d.files or []]
    dists[d.metadata["Name"].lower()] = sum(os.path.getsize(p) for p in files if os.path.isfile(p))
print(json.dumps({{"compilers": [c for c in {COMPILERS!r} if shutil.which(c)],
    "present": [p for p in ("/wheels", "/src") if os.path.exists(p)], "dists": dists}}))"""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dev_packages(repo: Path = REPO) -> set[str]:
    """Every package named by pyproject's optional dependencies (dev, test, spark, eval)."""
    extras = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    names = {
        _norm(re.match(r"[A-Za-z0-9._-]+", req)[0])
        for reqs in extras.get("optional-dependencies", {}).values()
        for req in reqs
    }
    return names - {"songsim"}


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


class Checks:
    """Runs containers and records (name, ok, detail) per check, printing each at once."""

    def __init__(
        self,
        engine: Engine,
        *,
        version: str,
        revision: str,
        bot_flags: list[str],
        index_flags: list[str],
        index_command: list[str],
        sample: Path,
    ) -> None:
        self.engine, self.version, self.revision = engine, version, revision
        self.bot_flags, self.index_flags = bot_flags, index_flags
        self.index_command, self.sample = index_command, sample
        self.results: list[tuple[str, bool, str]] = []
        self.index_built = False

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        return ok

    def run(
        self, image: str, *args: str, opts: tuple[str, ...] = (), input: str | None = None
    ) -> tuple[subprocess.CompletedProcess[str], float]:
        """``podman run --rm`` with the bot service's hardening; (process, seconds)."""
        started = time.monotonic()
        argv = ["run", "--rm", *(["-i"] if input is not None else [])]
        argv += [*self.engine.run_flags(), *self.bot_flags, *opts]
        proc = self.engine.podman(*argv, image, *args, input=input)
        return proc, time.monotonic() - started

    # --- what both images must pass ------------------------------------------------------

    def common(self, image: str, label: str) -> dict:
        """Labels, health check, --help, hardening and contents; the installed sizes."""
        info = self.engine.inspect(image)
        labels = info.get("Labels") or {}
        oci = {k.rpartition(".")[2]: v for k, v in labels.items() if "opencontainers" in k}
        empty = sorted(k for k, v in oci.items() if not v or v == "unknown")
        self.check(
            f"{label} OCI labels",
            oci.get("version") == self.version
            and oci.get("revision") == self.revision
            and not empty,
            f"version {oci.get('version')}, revision {oci.get('revision')}, created "
            f"{oci.get('created')}" + (f"; empty: {empty}" if empty else ""),
        )
        health = info.get("Healthcheck") or {}
        test = health.get("Test") or []
        self.check(f"{label} HEALTHCHECK kept", test[-2:] == ["songsim", "health"], f"{test}")

        proc, _ = self.run(image, "--help")
        self.check(
            f"{label} --help",
            proc.returncode == 0 and "usage: songsim" in proc.stdout,
            proc.stdout.splitlines()[0] if proc.stdout else proc.stderr.strip()[-200:],
        )
        proc, _ = self.run(
            image, "-c", PROBE, opts=("--entrypoint", "sh", "-v", f"probe-{label}:/data")
        )
        seen = proc.stdout.split()
        caps = re.findall(r"^Cap\w+:\s+(\w+)", proc.stdout, re.M)
        want = [UID, UID, "root=read-only", "tmp=writable", "data=writable"]
        self.check(
            f"{label} runs hardened",
            all(w in seen for w in want)
            and any(w in seen for w in ("init=podman-init", "init=catatonit"))
            and len(caps) == 3
            and set(caps) == {"0" * 16}
            and re.search(r"^NoNewPrivs:\s+1$", proc.stdout, re.M) is not None,
            f"uid/gid {' '.join(seen[:2])}, capabilities {set(caps)}, "
            + " ".join(w for w in seen if "=" in w)
            + ("" if proc.returncode == 0 else f"; exit {proc.returncode}: {proc.stderr[-200:]}"),
        )
        proc, _ = self.run(image, "-c", INVENTORY, opts=("--entrypoint", "python"))
        try:
            inv = json.loads(proc.stdout)
        except json.JSONDecodeError:
            self.check(f"{label} contents", False, proc.stderr.strip()[-300:])
            return {}
        dists = {_norm(k): v for k, v in inv["dists"].items()}
        dev = sorted(dev_packages() & set(dists))
        self.check(
            f"{label} no compiler, /wheels, /src or dev packages",
            not inv["compilers"] and not inv["present"] and not dev,
            f"compilers {inv['compilers'] or 'none'}; {inv['present'] or 'no /wheels, no /src'}; "
            f"dev/test packages {dev or 'none'} of {len(dists)} installed",
        )
        return dists

    def console(self, image: str, label: str, volume: str, first: bool) -> float:
        proc, seconds = self.run(
            image, "bot", "--console", opts=("-v", f"{volume}:/data"), input=QUERY
        )
        built = BUILDING in proc.stderr
        self.check(
            f"{label} console {'first' if first else 'second'} start",
            proc.returncode == 0
            and ANSWER in proc.stdout
            and built == first
            and "\n1. " in proc.stdout,
            f"{seconds:.1f} s, {'built' if built else 'reused'} the demo index in /data; "
            + (
                proc.stdout.split("\n1. ")[1].splitlines()[0]
                if "\n1. " in proc.stdout
                else f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
            ),
        )
        return seconds

    def health_and_stop(self, image: str, label: str, volume: str, health: bool) -> None:
        """A console left waiting (as a bot waits for Discord): health, then SIGTERM."""
        name = f"songsim-ci-{label}"
        argv = ["run", "-d", "-i", "--name", name, *self.engine.run_flags(), *self.bot_flags]
        proc = self.engine.podman(*argv, "-v", f"{volume}:/data", image, "bot", "--console")
        started, logs = time.monotonic(), ""
        while proc.returncode == 0 and BANNER not in logs and time.monotonic() < started + 90:
            time.sleep(0.5)
            logs = self.engine.podman("logs", name).stdout
        waited = f"answering after {time.monotonic() - started:.1f} s"
        if not self.check(
            f"{label} console waits detached",
            BANNER in logs,
            waited if BANNER in logs else (proc.stderr + logs).strip()[-300:],
        ):
            self.engine.podman("rm", "--force", "--time", "0", name)
            return
        if health:
            missing = self.engine.podman("healthcheck", "run", name)
            self.engine.podman("exec", name, "touch", "/tmp/songsim-heartbeat")
            fresh = self.engine.podman("healthcheck", "run", name)
            self.check(
                f"{label} health",
                missing.returncode != 0 and fresh.returncode == 0,
                f"`podman healthcheck run`: no heartbeat → exit {missing.returncode} "
                f"{missing.stdout.strip()}, fresh heartbeat → exit {fresh.returncode} "
                f"{fresh.stdout.strip() or 'healthy'}",
            )
        started = time.monotonic()
        self.engine.podman("stop", "--time", "10", name, timeout=60)
        took = time.monotonic() - started
        state = self.engine.podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout
        logs = self.engine.podman("logs", name)
        self.engine.podman("rm", "--force", name)
        self.check(
            f"{label} SIGTERM stops it",
            state.strip() == "0" and took < 10 and STOPPED in logs.stderr + logs.stdout,
            f"exit status {state.strip()} after {took:.1f} s (limit 10 s)",
        )

    # --- the two images -------------------------------------------------------------------

    def full_image(self, image: str) -> None:
        dists = self.common(image, "full")
        if dists:
            top = sorted(dists.items(), key=lambda kv: -kv[1])[:12]
            builder = sum(dists.get(n, 0) for n in BUILDER_ONLY)
            print(
                f"installed in full ({_mb(sum(dists.values()))}): "
                + ", ".join(f"{n} {_mb(b)}" for n, b in top)
                + f"; the builder-only {', '.join(BUILDER_ONLY)}: {_mb(builder)}"
            )
        first = self.console(image, "full", "songsim-data", first=True)
        second = self.console(image, "full", "songsim-data", first=False)
        self.check("full second start is faster", second < first, f"{first:.1f} s → {second:.1f} s")
        self.health_and_stop(image, "full", "songsim-data", health=True)
        self.index_build(image)

    def index_build(self, image: str) -> None:
        """The compose ``index`` service's command on the sample, then ``bot --check``."""
        if not self.sample.is_file():
            print(f"SKIP full index build: no sample at {self.sample} (set SONGSIM_SHARED_DATA)")
            return
        dataset, out = self.index_command[2], self.index_command[-1]
        started = time.monotonic()
        argv = ["run", "--rm", *self.engine.run_flags(), *self.index_flags]
        argv += ["-v", "songsim-index:/data", "-v", f"{self.sample.resolve()}:{dataset}:ro"]
        proc = self.engine.podman(*argv, image, *self.index_command, "--quiet", timeout=600)
        took = time.monotonic() - started
        self.index_built = self.check(
            "full index build (compose index service, dataset read-only)",
            proc.returncode == 0,
            f"{self.sample.name} → {out} in {took:.1f} s"
            if proc.returncode == 0
            else f"exit {proc.returncode}: {proc.stderr.strip()[-400:]}",
        )
        self.bot_check(image, "full", out)

    def bot_check(self, image: str, label: str, index: str) -> None:
        if not self.index_built:
            return
        opts = ("-v", "songsim-index:/data", "-e", f"SONGSIM_INDEX={index}")
        proc, _ = self.run(image, "bot", "--check", opts=(*opts, "-e", "DISCORD_TOKEN=ci.x"))
        line = next((ln for ln in proc.stdout.splitlines() if " index:" in ln), proc.stdout)
        self.check(
            f"{label} bot --check on the index full built", proc.returncode == 0, line.strip()
        )

    def bot_image(self, image: str) -> None:
        dists = self.common(image, "bot")
        if dists:
            present = sorted(n for n in BUILDER_ONLY if n in dists)
            self.check(
                "bot leaves the builder out",
                not present,
                f"{', '.join(present) or 'none'} of {', '.join(BUILDER_ONLY)} installed; "
                f"{_mb(sum(dists.values()))} of Python packages",
            )
        self.console(image, "bot", "songsim-bot-data", first=True)
        proc, _ = self.run(
            image,
            "index",
            "build",
            "/nowhere.csv",
            "-o",
            "/data/x.sqlite",
            opts=("-v", "songsim-bot-data:/data"),
        )
        self.check(
            "bot index build says to use the full image",
            proc.returncode == 2 and "full image" in proc.stderr,
            proc.stderr.strip()[-200:],
        )
        self.bot_check(image, "bot", self.index_command[-1])
        self.health_and_stop(image, "bot", "songsim-bot-data", health=False)

    def sizes(self, base: str, full: str, bot: str) -> None:
        size = {name: self.engine.inspect(name).get("Size", 0) for name in (base, full, bot)}
        print(
            f"image sizes: full {_mb(size[full])}, bot {_mb(size[bot])} "
            f"({_mb(size[full] - size[bot])} less), stand-in base {_mb(size[base])}"
        )
