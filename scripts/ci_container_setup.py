"""The machinery under scripts/ci_container.py: tools from apt, a private container
storage, the stand-in base image, and the builds.

Why buildah and podman: they build and run images without a daemon, as root on a CI machine
that has no Docker engine, and both are in Debian's own archive (so apt is the only source
needed). Every image, layer, container and volume lives in one temporary folder passed to
both as ``--root``: a run starts from nothing, cannot touch other images on the machine,
and leaves nothing behind once :meth:`Engine.remove` has run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

# command → Debian package that provides it
TOOLS = {
    "buildah": "buildah",
    "podman": "podman",
    "runc": "runc",
    "catatonit": "catatonit",
    "debootstrap": "debootstrap",
}
BASE_TAG = "docker.io/library/python:3.11-slim-bookworm"  # the Dockerfile's default base
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
APT_CACHE = Path("/var/cache/apt/archives")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# buildah records blob digests here whatever --root says; removed again if a run made it.
BLOB_INFO_CACHE = Path("/var/lib/containers/cache/blob-info-cache-v1.boltdb")
# What apt prints when it cannot reach a mirror (a proxy, DNS or the network).
UNREACHABLE = re.compile(
    r"Temporary failure resolving|Could not resolve|Failed to fetch|Unable to connect|"
    r"Could not connect|Connection timed out|Connection failed|Network is unreachable|"
    r"Some index files failed to download"
)
APT_OPTIONS = ["-q", "-o", "Acquire::Retries=2", "-o", "Acquire::http::Timeout=30"]


class AptUnreachable(Exception):
    """apt cannot reach its mirror: the container checks cannot run here (not a failure)."""


class SetupFailed(Exception):
    """Something other than package access went wrong before the checks could run."""


def _sh(argv: Sequence[str], timeout: float = 900, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), capture_output=True, text=True, timeout=timeout, check=False, **kw
    )


def _tail(proc: subprocess.CompletedProcess[str], lines: int = 15) -> str:
    return "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-lines:])


def install_tools() -> list[str]:
    """apt-get update, then install whichever tools are missing; returns what was installed.

    Raises :class:`AptUnreachable` when no apt source answers (or apt is not there at all),
    :class:`SetupFailed` for any other failure.
    """
    if shutil.which("apt-get") is None:
        raise AptUnreachable("no apt-get on this machine")
    update = _sh(["apt-get", "update", *APT_OPTIONS], timeout=300)
    answered = re.search(r"^(Hit|Get):", update.stdout, re.M) is not None
    text = update.stdout + update.stderr
    if not answered and (update.returncode != 0 or UNREACHABLE.search(text)):
        raise AptUnreachable(f"apt-get update reached no mirror ({_first_error(text)})")
    missing = sorted({pkg for cmd, pkg in TOOLS.items() if shutil.which(cmd) is None})
    if not missing:
        return []
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = _sh(
        ["apt-get", "install", "-y", "--no-install-recommends", *APT_OPTIONS, *missing],
        timeout=600,
        env=env,
    )
    if install.returncode != 0:
        text = install.stdout + install.stderr
        if UNREACHABLE.search(text):
            raise AptUnreachable(f"apt-get install could not fetch ({_first_error(text)})")
        raise SetupFailed(f"apt-get install {' '.join(missing)} failed:\n{_tail(install)}")
    return missing


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if UNREACHABLE.search(line) or line.startswith(("E:", "W:")):
            return line.strip()[:160]
    return text.strip().splitlines()[-1][:160] if text.strip() else "no output"


def debian_mirror(env: dict[str, str] | None = None, etc: Path = Path("/etc/apt")) -> str:
    """The Debian mirror for debootstrap: $SONGSIM_DEBIAN_MIRROR, else the one apt uses for
    bookworm (behind a proxy or on a local mirror, the only one that answers)."""
    env = os.environ if env is None else env
    if env.get("SONGSIM_DEBIAN_MIRROR"):
        return env["SONGSIM_DEBIAN_MIRROR"]
    files = [etc / "sources.list", *sorted((etc / "sources.list.d").glob("*"))]
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.suffix == ".sources":  # deb822 stanzas
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^([\w-]+):\s*(.*)$", stanza, re.M))
                if (
                    "deb" in fields.get("Types", "").split()
                    and SUITE in fields.get("Suites", "").split()
                ):
                    return fields.get("URIs", DEFAULT_MIRROR).split()[0]
        else:
            for m in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", text, re.M):
                if m[2] == SUITE:
                    return m[1]
    return DEFAULT_MIRROR


class Engine:
    """buildah and podman on a private storage folder, with this machine's quirks."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.tmp = work / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        storage = ["--root", str(work / "storage"), "--runroot", str(work / "run")]
        storage += ["--storage-driver", "overlay"]
        self.env = {**os.environ, "TMPDIR": str(self.tmp)}
        self.buildah_argv = ["buildah", *storage]
        # runc, not crun: crun refuses cgroups v1 ("hybrid mode not supported").
        self.podman_argv = ["podman", *storage, "--tmpdir", str(self.tmp)]
        self.podman_argv += ["--runtime", "runc", "--cgroup-manager", "cgroupfs"]
        self.podman_argv += ["--events-backend", "file"]
        self.made_blob_cache = not BLOB_INFO_CACHE.exists()

    def buildah(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return _sh([*self.buildah_argv, *args], timeout=timeout, env=self.env)

    def podman(
        self, *args: str, timeout: float = 300, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return _sh([*self.podman_argv, *args], timeout=timeout, env=self.env, input=input)

    def podman_popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*self.podman_argv, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def inspect(self, image: str) -> dict:
        proc = self.podman("image", "inspect", image)
        if proc.returncode != 0:
            raise SetupFailed(f"podman image inspect {image}: {_tail(proc)}")
        return json.loads(proc.stdout)[0]

    def make_base(self, mirror: str) -> float:
        """debootstrap a bookworm with Python 3.11 and pip, imported as :data:`BASE_TAG`.

        A stand-in for the Docker Hub image (no registry here): the same Debian release and
        Python minor version; Python is Debian's in /usr/bin, linked from /usr/local/bin.
        """
        started = time.monotonic()
        rootfs = self.work / "rootfs"
        argv = ["debootstrap", "--variant=minbase"]
        argv += ["--include=python3,python3-pip,python3-venv,ca-certificates"]
        if APT_CACHE.is_dir():  # apt's own cache: a second run downloads nothing again
            argv += [f"--cache-dir={APT_CACHE}"]
        proc = _sh([*argv, SUITE, str(rootfs), mirror], timeout=900)
        if proc.returncode != 0:
            raise SetupFailed(f"debootstrap {SUITE} from {mirror} failed:\n{_tail(proc)}")
        # pip may install into the system Python, as it does in the official image.
        for managed in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
            managed.unlink()
        for name, target in (("python", "/usr/bin/python3"), ("pip", "/usr/bin/pip3")):
            link = rootfs / "usr/local/bin" / name
            link.unlink(missing_ok=True)
            link.symlink_to(target)
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (rootfs / cache).glob("*"):
                if f.is_file():
                    f.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        path = "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
        imported = subprocess.run(
            [*self.podman_argv, "import", "--change", f"ENV PATH={path}"]
            + ["--change", "ENV LANG=C.UTF-8", "--change", 'CMD ["python3"]', "-", BASE_TAG],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=600,
            check=False,
        )
        tar.stdout.close()
        tar.wait()
        shutil.rmtree(rootfs, ignore_errors=True)
        if imported.returncode != 0 or tar.returncode != 0:
            raise SetupFailed(f"podman import of the stand-in base failed:\n{_tail(imported)}")
        return time.monotonic() - started

    def build(self, context: Path, tag: str, build_args: dict[str, str], target: str = "") -> float:
        """buildah bud of ``context``'s Dockerfile; the seconds it took."""
        started = time.monotonic()
        argv = ["bud", "--isolation", "chroot", "--format", "docker", "--layers"]
        if CA_BUNDLE.is_file():  # pip behind a TLS-intercepting proxy trusts what the host does
            argv += ["-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"]
        for key, value in build_args.items():
            argv += ["--build-arg", f"{key}={value}"]
        argv += ["--target", target] if target else []
        proc = self.buildah(*argv, "-t", tag, str(context))
        if proc.returncode != 0:
            raise SetupFailed(
                f"buildah bud {target or '(default target)'} failed:\n{_tail(proc, 40)}"
            )
        return time.monotonic() - started

    def run_flags(self) -> list[str]:
        """Flags every ``podman run`` gets: no network; no health timer (there is no systemd
        to run it; ``podman healthcheck run`` still runs the check); and rlimits a process
        without CAP_SYS_RESOURCE may set, since podman's defaults are higher (open files as
        this process has them, processes at 4096: a few threads are all the bot starts, and
        this host refuses even its own limit)."""
        flags = ["--network", "none", "--health-interval", "disable"]
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        nofile = min(soft if soft != resource.RLIM_INFINITY else 65536, 65536)
        flags += ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", "nproc=4096:4096"]
        init = shutil.which("catatonit")
        return flags + (["--init-path", init] if init else [])

    def remove(self) -> None:
        """Every container, volume and image of this storage, then the folder itself."""
        self.podman("rm", "--all", "--force", "--time", "0", timeout=120)
        self.podman("volume", "rm", "--all", "--force", timeout=120)
        self.buildah("rm", "--all", timeout=120)
        self.podman("rmi", "--all", "--force", timeout=300)
        _unmount_below(self.work)
        shutil.rmtree(self.work, ignore_errors=True)
        if self.made_blob_cache:
            BLOB_INFO_CACHE.unlink(missing_ok=True)
            for folder in (BLOB_INFO_CACHE.parent, BLOB_INFO_CACHE.parent.parent):
                with contextlib.suppress(OSError):  # not empty: it was there before
                    folder.rmdir()


def _unmount_below(folder: Path) -> None:
    """Unmount what is still mounted under ``folder`` (storage's own bind mount, or a proc
    left by a debootstrap that failed half-way), deepest first."""
    prefix = str(folder.resolve()) + "/"
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    points = [line.split()[4] for line in lines if len(line.split()) > 4]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        _sh(["umount", "-l", point], timeout=60)
