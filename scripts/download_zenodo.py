"""Download the Spotify Playlists dataset (Zenodo record 2594557) and unpack spotify_dataset.csv.

    python scripts/download_zenodo.py                  # → data/spotify_dataset.csv
    python scripts/download_zenodo.py --out /srv/songsim/data
    python scripts/download_zenodo.py --dry-run        # print the plan; no network, no files

The file list (names, sizes, MD5 checksums) comes from Zenodo's records API,
https://zenodo.org/api/records/2594557, so the script downloads exactly what the record
holds and checks it: the archive ``spotify_playlists.zip`` is fetched to ``*.part``
(resumed with an HTTP Range request if a previous run was cut off), its size and MD5 are
compared with the record, and only then is ``spotify_dataset.csv`` (about 1.2 GB) unpacked
beside it under a temporary name and renamed into place. Only the standard library is
used, so it runs before songsim is installed.

The dataset is by Pichl, Zangerle and Specht, "Towards a Context-Aware Music
Recommendation Approach: What is Hidden in the Playlist Name?" (ICDMW 2015); cite them
if you publish anything built on it, and read the record's page for its terms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

RECORD = "2594557"
API = "https://zenodo.org/api"
ARCHIVE = "spotify_playlists.zip"
MEMBER = "spotify_dataset.csv"
CHUNK = 1 << 20
USER_AGENT = "songsim-download-zenodo/1 (+https://zenodo.org/records/2594557)"


class DownloadError(Exception):
    """A step failed; the message is one sentence saying what and what to do."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a Zenodo record, as its metadata describes it."""

    name: str
    url: str
    size: int | None
    md5: str | None


def record_url(api: str, record: str) -> str:
    return f"{api.rstrip('/')}/records/{record}"


def record_page(record: str) -> str:
    return f"https://zenodo.org/records/{record}"


def files_from_record(meta: dict, api: str, record: str) -> list[RemoteFile]:
    """The record's files, from either shape Zenodo's API has used.

    Legacy and current ``/api/records/ID`` answers carry ``files`` as a list of
    ``{key, size, checksum: "md5:…", links: {self|content|download}}``; the newer UI
    serializer nests them as ``files.entries`` (a dict or a list).
    """
    files = meta.get("files") or []
    if isinstance(files, dict):
        files = files.get("entries") or []
        if isinstance(files, dict):
            files = list(files.values())
    out = []
    for f in files:
        name = f.get("key") or f.get("filename")
        if not name:
            continue
        links = f.get("links") or {}
        url = (
            links.get("content")
            or links.get("download")
            or links.get("self")
            or f"{record_url(api, record)}/files/{name}/content"
        )
        checksum = str(f.get("checksum") or "")
        algo, _, digest = checksum.partition(":")
        md5 = digest if algo == "md5" else (checksum if len(checksum) == 32 else None)
        size = f.get("size", f.get("filesize"))
        out.append(RemoteFile(name, url, int(size) if size is not None else None, md5 or None))
    return out


def fetch_json(url: str, timeout: float) -> dict:
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as exc:
        raise DownloadError(
            f"could not read the record's file list from {url} ({_reason(exc)}); check the "
            f"network, or download {ARCHIVE} by hand from {record_page(RECORD)}."
        ) from exc


def download(remote: RemoteFile, dest: Path, timeout: float, progress: bool = True) -> Path:
    """Fetch ``remote`` to ``dest`` via ``dest.part`` (resumed if present), checking size and MD5."""
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if remote.size is not None and have > remote.size:
        part.unlink()
        have = 0
    if remote.size is None or have < remote.size:
        headers = {"User-Agent": USER_AGENT}
        if have:
            headers["Range"] = f"bytes={have}-"
        request = urllib.request.Request(remote.url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                resumed = have and response.status == 206
                if have and not resumed:  # the server ignored Range: start over
                    have = 0
                with part.open("ab" if resumed else "wb") as out:
                    _copy(response, out, have, remote.size, remote.name if progress else None)
        except (urllib.error.URLError, OSError) as exc:
            raise DownloadError(
                f"downloading {remote.name} from {remote.url} failed ({_reason(exc)}); run the "
                f"same command again to resume from {part}."
            ) from exc
    size = part.stat().st_size
    if remote.size is not None and size != remote.size:
        raise DownloadError(
            f"{part} has {size:,} bytes but the record says {remote.size:,}; run again to resume."
        )
    if remote.md5 is not None:
        digest = md5_of(part)
        if digest != remote.md5:
            part.unlink()
            raise DownloadError(
                f"{remote.name} is damaged (MD5 {digest}, the record says {remote.md5}); "
                "the partial file was deleted, run again to download it afresh."
            )
    os.replace(part, dest)
    return dest


def _copy(response, out, done: int, total: int | None, label: str | None) -> None:
    shown = -1
    while chunk := response.read(CHUNK):
        out.write(chunk)
        done += len(chunk)
        if label and total:
            percent = done * 100 // total
            if percent != shown:
                shown = percent
                print(f"\r{label}: {percent}% of {total / 1e6:,.0f} MB", end="", file=sys.stderr)
    if label and total:
        print(file=sys.stderr)


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def extract_member(archive: Path, member: str, dest: Path) -> Path:
    """Unpack the one entry named ``member`` (in any folder) to ``dest``, atomically.

    Entries are matched by base name and written only to ``dest``, so a path inside the
    archive can never place a file elsewhere.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            matches = [
                info
                for info in zf.infolist()
                if not info.is_dir()
                and Path(info.filename).name == member
                and not info.filename.startswith("__MACOSX/")
            ]
            if len(matches) != 1:
                names = ", ".join(i.filename for i in zf.infolist()[:10])
                raise DownloadError(
                    f"{archive} holds {len(matches)} files named {member} (it has: {names})."
                )
            tmp = dest.with_name(f".{dest.name}.unpacking")
            with zf.open(matches[0]) as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
    except zipfile.BadZipFile as exc:
        archive.unlink(missing_ok=True)
        raise DownloadError(
            f"{archive} is not a valid zip file; it was deleted, run again."
        ) from exc
    os.replace(tmp, dest)
    return dest


def plan(args: argparse.Namespace) -> list[str]:
    """What a run with these arguments does, step by step (for --dry-run)."""
    target = args.out / args.member
    archive = args.out / args.file
    lines = [
        f"Would read the file list of Zenodo record {args.record} from {record_url(args.api, args.record)}",
        f"Would download {args.file} from the link the record gives (normally "
        f"{record_url(args.api, args.record)}/files/{args.file}/content)",
        f"  to {archive} via {archive}.part (resumed if present), then compare its size and "
        "MD5 with the record's",
    ]
    if args.file.endswith(".zip"):
        keep = "keep" if args.keep_archive else "delete"
        lines.append(f"Would unpack {args.member} from it to {target}, then {keep} {archive}")
    if target.exists() and not args.force:
        lines = [f"Would do nothing: {target} already exists (--force downloads it again)"]
    return lines


def run(args: argparse.Namespace) -> Path:
    target = args.out / args.member
    if target.exists() and not args.force:
        print(f"{target} already exists; nothing to do (use --force to download it again).")
        return target
    args.out.mkdir(parents=True, exist_ok=True)
    url = record_url(args.api, args.record)
    files = files_from_record(fetch_json(url, args.timeout), args.api, args.record)
    remote = next((f for f in files if f.name == args.file), None)
    if remote is None:
        names = ", ".join(f.name for f in files) or "no files"
        raise DownloadError(f"record {args.record} has no file {args.file} (it has: {names}).")
    archive = args.out / remote.name
    if archive.exists() and (remote.md5 is None or md5_of(archive) == remote.md5):
        print(f"Using the archive already at {archive}.")
    else:
        size = f" ({remote.size / 1e6:,.0f} MB)" if remote.size else ""
        print(f"Downloading {remote.name}{size} from {remote.url}")
        download(remote, archive, args.timeout, progress=not args.quiet)
    if not remote.name.endswith(".zip"):
        if archive != target:
            os.replace(archive, target)
        return target
    print(f"Unpacking {args.member} to {target}")
    extract_member(archive, args.member, target)
    if not args.keep_archive:
        archive.unlink()
    return target


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
    code = getattr(exc, "code", None)
    return f"HTTP {code}: {reason}" if code else str(reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Download Zenodo record 2594557 (Spotify Playlists) and unpack spotify_dataset.csv."
    )
    parser.add_argument("--out", type=Path, default=Path("data"), help="folder (default ./data)")
    parser.add_argument("--record", default=RECORD, help=f"Zenodo record id (default {RECORD})")
    parser.add_argument("--file", default=ARCHIVE, help=f"file of the record (default {ARCHIVE})")
    parser.add_argument("--member", default=MEMBER, help=f"file to unpack (default {MEMBER})")
    parser.add_argument("--api", default=API, help=f"Zenodo API base (default {API})")
    parser.add_argument("--keep-archive", action="store_true", help="keep the zip after unpacking")
    parser.add_argument("--force", action="store_true", help="download even if the CSV exists")
    parser.add_argument("--timeout", type=float, default=60.0, help="network timeout in seconds")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    args = parser.parse_args(argv)
    if args.dry_run:
        print("\n".join(plan(args)))
        return 0
    try:
        target = run(args)
    except DownloadError as exc:
        print(f"download_zenodo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("download_zenodo: interrupted; run again to resume.", file=sys.stderr)
        return 130
    print(
        f"Done: {target}. Next: `docker compose --profile build run --rm index` "
        f"(or `songsim index build {target} -o data/neighbours.sqlite`)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
