"""Read ListenBrainz listens (CC0): full and incremental dumps, and users' own exports.

One JSON listen per line (``listens/<YYYY>/<M>.listens`` in a dump; files are found and
decompressed by :mod:`.listen_files`). What a listen gives a build:

* the song: ``track_metadata.artist_name`` and ``track_name``, and the recording MBID
  (``track_metadata.mbid_mapping.recording_mbid``, else ``additional_info.recording_mbid``)
  that :mod:`.identity` merges songs by; ``additional_info.isrc`` and ``spotify_id`` too;
* the listener: ``user_id`` (else ``user_name``; an export without either is one user).
  Kept only in memory to cut sessions: the index never holds a user;
* the time: ``listened_at`` (current dumps write ``timestamp``; users' exports write
  ``1618500200.000000``, read as the integer it is).

A line that is not a JSON object with non-empty ``artist_name`` and ``track_name`` and an
integer time is malformed: counted and reported with its file and line, or fatal with
``--strict``. Everything else about a listen is optional and a wrong type there is ignored.

Lines are decoded by :mod:`.listen_lines`. A dump folder of many month files is read on
every core (:mod:`.listen_parallel`); an archive is one stream, read in order.
"""

from __future__ import annotations

from pathlib import Path

from index.corpus import DatasetError
from index.ingest import listen_files as lf
from index.ingest.files import make_progress, open_bytes
from index.ingest.listen_lines import BOM, ListenReader
from index.ingest.listen_parallel import read_folder, workers_for
from index.ingest.rows import CorpusBuilder


def looks_like_listens(head: str) -> bool:
    """True when a file's text starts like listens: JSON lines, array or payload."""
    start = head.lstrip()[:4096]
    return start[:1] in "{[" and '"track_metadata"' in start


def is_listens_folder(folder: Path) -> bool:
    return bool(lf.folder_files(folder))


def is_listens_archive(path: Path, kind: str | None) -> bool:
    """Whether ``path``, an archive of ``kind`` (:func:`~.listen_files.archive_kind`),
    holds listens."""
    return kind is not None and lf.archive_has_listens(path, kind)


def read_listenbrainz(path: Path, builder: CorpusBuilder, *, progress: bool = True) -> None:
    """Feed every listen of a folder, archive or file at ``path`` to ``builder``."""
    reader = ListenReader(builder, default_user="\x00export:" + str(len(builder.sources)))
    kind = None if path.is_dir() else lf.archive_kind(path)
    if path.is_dir():
        files = lf.folder_files(path)
        if not files:
            raise DatasetError(f"No ListenBrainz listens files (listens/YYYY/M.listens) in {path}.")
        total = sum(f.stat().st_size for f in files)
        bar = make_progress(total, f"reading {path.name}", progress)
        read_folder(reader, path, files, bar, workers_for(files, total))
        bar.close()
        return
    if kind in ("xz", "zst", "tar", "zip") or (kind == "gz" and lf.archive_has_listens(path, "gz")):
        members = lf.zip_members(path) if kind == "zip" else lf.tar_members(path, kind)
        bar = make_progress(path.stat().st_size, f"reading {path.name}", progress)
        last = 0
        try:
            for name, stream, done in members:
                reader.read_lines(stream, name, lambda: 0)
                now = done()
                bar.update(now - last)
                last = now
        except DatasetError:
            raise
        except Exception as exc:  # lzma/zstd/tar/zlib errors: a truncated or corrupt archive
            raise DatasetError(
                f"{path} is truncated or corrupt ({type(exc).__name__}: {exc}); "
                f"{builder.report.rows_malformed + len(builder.listen_raw):,} listens were "
                "read before that. Download it again."
            ) from exc
        bar.close()
        return
    with open_bytes(path) as (stream, done, total):
        bar = make_progress(total, f"reading {path.name}", progress)
        head = stream.read(64).removeprefix(BOM).lstrip()
        stream.seek(0)
        if head[:1] == b"{" and b'"payload"' in head or head[:1] == b"[":
            reader.read_document(stream.read(), path.name)
        else:
            reader.read_lines(stream, path.name, done)
        bar.update(total)
        bar.close()
