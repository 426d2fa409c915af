"""Build the real image with buildah, run it with podman, and check it: CI's container job.

    python scripts/ci_container.py          # one PASS/FAIL line per check; exit 1 on any FAIL
    python scripts/ci_container.py --keep   # keep the storage (images) and say where it is

CI has no Docker engine and no image registry. So this installs buildah, podman, runc,
catatonit and debootstrap with apt; makes a stand-in for ``python:3.11-slim-bookworm`` with
debootstrap and tags it with that name, so the unmodified Dockerfile builds; builds both
targets (``full``, the default, and ``bot``); and runs them with docker-compose.yml's
hardening (read-only root, /tmp tmpfs, no capabilities, no-new-privileges, an init; taken
from the compose file by check_container.compose_run_flags). The machinery, and why
buildah and podman, is in scripts/ci_container_setup.py.

When apt cannot reach a mirror this says so in one line and exits 0: a CI machine without
package access is not the product's fault. Any other failure exits 1. Set
SONGSIM_CONTAINER_CHECKS=0 to skip the whole job (one line says so). The index-build check
reads zenodo_sample/spotify_dataset_head10k.csv under $SONGSIM_SHARED_DATA (default
../shared/data beside the checkout) and is skipped, with a line saying so, without it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_container import compose_run_flags, load_compose  # noqa: E402
from ci_container_checks import Checks  # noqa: E402
from ci_container_setup import (  # noqa: E402
    BASE_TAG,
    AptUnreachable,
    Engine,
    SetupFailed,
    debian_mirror,
    install_tools,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = Path("zenodo_sample") / "spotify_dataset_head10k.csv"


def shared_data(env: dict[str, str] | None = None) -> Path:
    """$SONGSIM_SHARED_DATA, else ../shared/data beside the checkout."""
    env = os.environ if env is None else env
    return Path(env.get("SONGSIM_SHARED_DATA") or REPO.parent / "shared" / "data")


def git_revision(repo: Path) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the images (for debugging)")
    args = parser.parse_args(argv)
    if os.environ.get("SONGSIM_CONTAINER_CHECKS") == "0":
        print("SKIP container checks: SONGSIM_CONTAINER_CHECKS=0")
        return 0
    if os.geteuid() != 0:
        print(
            "FAIL container checks: need root (apt, debootstrap, buildah and podman as root); "
            "SONGSIM_CONTAINER_CHECKS=0 skips them"
        )
        return 1
    try:
        installed = install_tools()
    except AptUnreachable as exc:
        print(f"SKIP container checks: apt cannot reach a package mirror ({exc})")
        return 0
    except SetupFailed as exc:
        print(f"FAIL container checks: {exc}")
        return 1
    if installed:
        print(f"installed with apt: {', '.join(installed)}")
    # A CI runner's timeout sends SIGTERM: clean up (below) rather than leave the storage.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="songsim-ci-container-"))
    engine = Engine(work)
    try:
        return run(engine, work)
    except (SetupFailed, subprocess.TimeoutExpired) as exc:
        print(f"FAIL container checks: {exc}")
        return 1
    finally:
        if args.keep:
            print(f"kept; look with: {' '.join(engine.podman_argv)} images (then rm -rf {work})")
        else:
            engine.remove()


def run(engine: Engine, work: Path) -> int:
    """Base, builds, then every check; prints the times and returns the exit status."""
    started = time.monotonic()
    mirror = debian_mirror()
    base_s = engine.make_base(mirror)
    print(f"stand-in base {BASE_TAG} from {mirror}: {base_s:.0f} s")
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    revision = git_revision(REPO)
    build_args = {
        "REVISION": revision,
        "CREATED": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    full_s = engine.build(REPO, "localhost/songsim:ci", build_args)
    bot_s = engine.build(REPO, "localhost/songsim-bot:ci", build_args, target="bot")
    print(f"built localhost/songsim:ci in {full_s:.0f} s, --target bot in {bot_s:.0f} s")
    build_s = time.monotonic() - started

    checks_started = time.monotonic()
    compose = load_compose(REPO)["services"]
    checks = Checks(
        engine,
        version=version,
        revision=revision,
        bot_flags=compose_run_flags(REPO, "bot"),
        index_flags=compose_run_flags(REPO, "index"),
        index_command=[str(a) for a in compose["index"]["command"]],
        sample=shared_data() / SAMPLE,
    )
    checks.full_image("localhost/songsim:ci")
    checks.bot_image("localhost/songsim-bot:ci")
    checks.sizes(BASE_TAG, "localhost/songsim:ci", "localhost/songsim-bot:ci")
    check_s = time.monotonic() - checks_started

    failed = [r for r in checks.results if not r[1]]
    print(
        f"container checks: {len(checks.results) - len(failed)} passed, {len(failed)} failed; "
        f"build time {build_s:.0f} s (base {base_s:.0f} s, full {full_s:.0f} s, "
        f"bot {bot_s:.0f} s), check time {check_s:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
