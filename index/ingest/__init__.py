"""Read datasets in any supported format into one :class:`~index.corpus.Corpus`.

``read_dataset`` takes one input or several (a Zenodo file and ListenBrainz dumps, a full
dump and the incremental dumps after it), detects each one's format from its content (not
only its name) and hands it to the matching reader, one module per format:
:mod:`~index.ingest.zenodo`, :mod:`~index.ingest.mpd`, :mod:`~index.ingest.generic_csv`,
:mod:`~index.ingest.yes`, :mod:`~index.ingest.listenbrainz`. They all feed one
:class:`~index.ingest.rows.CorpusBuilder`, which merges songs across inputs by identity.
Compressed files are read transparently (:mod:`~index.ingest.files`,
:mod:`~index.ingest.listen_files`). Large inputs are read on every core, with the result of
reading them in order: a dump's month files by :mod:`~index.ingest.listen_parallel`, a large
Zenodo file's second half by a process of :mod:`~index.ingest.forked`, added as if read in
order (:mod:`~index.ingest.halves`).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

from index.corpus import Corpus, DatasetError
from index.ingest import generic_csv, listenbrainz, mpd, yes, zenodo
from index.ingest.files import missing_path_message, not_utf8_note, read_head
from index.ingest.listen_files import archive_kind, folder_files, no_listens_message, zip_names
from index.ingest.rows import CorpusBuilder
from index.ingest.sessions import DEFAULT_GAP

FORMATS = ("zenodo", "mpd", "csv", "yes", "listenbrainz")
"""Every ``--format`` a build accepts (besides ``auto``), in the order they are tried."""

log = logging.getLogger(__name__)

_READERS = {
    "zenodo": zenodo.read_zenodo,
    "mpd": mpd.read_mpd,
    "csv": generic_csv.read_csv,
    "yes": yes.read_yes,
    "listenbrainz": listenbrainz.read_listenbrainz,
}


# --------------------------------------------------------------------------- detection


def detect_format(path: str | Path) -> str:
    """Name the format of ``path`` (one of :data:`FORMATS`) from its content.

    A folder is MPD (holds ``mpd.slice.*.json``), Yes.com (``train.txt`` +
    ``song_hash.txt``) or a ListenBrainz dump (``listens/YYYY/M.listens``); an archive
    (.tar.zst, .tar.xz, .zip) holding listens is ListenBrainz; any other file is recognised
    from its first line. Raises :class:`DatasetError` with a sentence saying what was
    expected when nothing matches.
    """
    p = Path(path)
    if not p.exists():
        raise DatasetError(missing_path_message(p))
    if p.is_dir():
        if mpd.find_slices(p):
            return "mpd"
        if yes.is_yes_folder(p):
            return "yes"
        if listenbrainz.is_listens_folder(p):
            return "listenbrainz"
        inner = next((d for d in sorted(p.iterdir()) if d.is_dir() and mpd.find_slices(d)), None)
        files = datasets_in(p)
        there = f" {inner} holds MPD slices: pass that folder." if inner else ""
        if files:
            there += (
                f" It holds {_listed(files)}: pass {'it' if len(files) == 1 else 'them'} as files."
            )
        raise DatasetError(
            f"Cannot tell the format of folder {p}: it holds neither MPD slices "
            "(mpd.slice.*.json), a Yes.com playlist set (train.txt and song_hash.txt) nor "
            "ListenBrainz listens (listens/YYYY/M.listens). Pass a dataset file, or the "
            f"folder that holds those files.{there}"
        )
    kind = archive_kind(p) if p.is_file() else None
    if kind is not None and listenbrainz.is_listens_archive(p, kind):
        return "listenbrainz"
    # A zip naming listens files it cannot give is a damaged export, not a stray zip.
    if kind in ("xz", "zst", "tar") or (
        kind == "zip" and any("listens/" in n for n in zip_names(p))
    ):
        raise DatasetError(no_listens_message(p, kind))
    head = read_head(p)
    # Blank lines before a header (an export with a leading newline) are no line of it.
    filled = [ln.rstrip("\r") for ln in head.split("\n") if ln.strip()][:2]
    first_line, second_line = (filled + ["", ""])[:2]
    if listenbrainz.looks_like_listens(head):
        return "listenbrainz"
    if mpd.looks_like_mpd(head):
        return "mpd"
    if zenodo.looks_like_zenodo(first_line):
        return "zenodo"
    if yes.looks_like_yes_file(p, first_line):
        return "yes"
    if generic_csv.looks_like_csv(first_line, second_line):
        return "csv"
    if not head.strip():
        what = "it is empty" if not head else "it holds only blank lines"
    elif "\x00" in head or "\ufffd" in head[:4096]:
        what = "it is not a UTF-8 text file"
    elif "\r" in first_line:
        what = (
            "its lines end in bare carriage returns (\\r, old Mac style); convert them to "
            "newlines first (e.g. tr '\\r' '\\n')"
        )
    else:
        shown = first_line[:120] + ("…" if len(first_line) > 120 else "")
        what = f"its first line is {shown!r}"
    raise DatasetError(
        f"Cannot tell the format of {p}: {what}. Expected a Zenodo "
        "spotify_dataset.csv, a CSV whose header names playlist, artist and track columns, "
        "an MPD slice (mpd.slice.*.json), a Yes.com train.txt or ListenBrainz listens "
        f"(a dump folder or archive, or JSON lines); pass --format ({'|'.join(FORMATS)}) "
        "to choose one."
    )


FOLDER_FILES_CHECKED = 50
"""Files of a folder looked at (their first bytes) for datasets a folder reader skips."""


def datasets_in(folder: Path, used: frozenset[Path] = frozenset()) -> list[Path]:
    """The files directly in ``folder``, other than ``used``, that hold a dataset of their
    own (by :func:`detect_format`; at most :data:`FOLDER_FILES_CHECKED` are looked at, and
    no .zip, .tar or .tar.xz/.zst)."""
    found = []
    candidates = (
        f for f in sorted(folder.iterdir()) if f not in used and not f.name.startswith(".")
    )
    for f in itertools.islice(candidates, FOLDER_FILES_CHECKED):
        try:
            # Archives other than .gz are left out: telling what one holds can mean
            # decompressing all of it.
            if f.is_file() and archive_kind(f) in (None, "gz"):
                detect_format(f)
                found.append(f)
        except (DatasetError, OSError):
            continue
    return found


def _listed(files: Sequence[Path]) -> str:
    names = ", ".join(f.name for f in files[:3])
    return names + (f" and {len(files) - 3} more" if len(files) > 3 else "")


def _warn_skipped(path: Path, fmt: str) -> None:
    """One warning naming the dataset files a folder read as ``fmt`` leaves unread (a
    CSV beside a dump's listens would otherwise vanish without a word)."""
    if fmt == "mpd":
        used = mpd.slice_files(path)
    elif fmt == "listenbrainz":
        used = folder_files(path)
    else:  # Yes.com: train.txt is read; test.txt is its held-out half, read only by name
        used = [path / n for n in ("train.txt", "test.txt", "song_hash.txt")]
        used += [u.with_name(u.name + ".gz") for u in used]
    skipped = datasets_in(path, frozenset(used))
    if skipped:
        log.warning(
            "%s is read as %s; %s in it %s not read: pass %s as a dataset of its own.",
            path, fmt, _listed(skipped), "is" if len(skipped) == 1 else "are",
            "it" if len(skipped) == 1 else "each",
        )  # fmt: skip


def input_formats(paths: Sequence[str | Path], fmt: str = "auto") -> list[str]:
    """The format of each input, checked before any is read (a typo fails at once)."""
    if fmt != "auto" and fmt not in _READERS:
        raise DatasetError(
            f"Unknown dataset format {fmt!r}; choose one of auto, {', '.join(FORMATS)}."
        )
    out = []
    for p in paths:
        if not Path(p).exists():
            raise DatasetError(missing_path_message(Path(p)))
        with _read_errors(p):
            out.append(detect_format(p) if fmt == "auto" else fmt)
    return out


@contextlib.contextmanager
def _read_errors(path: str | Path) -> Iterator[None]:
    """An OSError while reading ``path`` (a folder that may not be listed, a disk error) as
    the :class:`DatasetError` it is: the command line takes a bare OSError for a failed
    write of the index."""
    try:
        yield
    except OSError as exc:
        raise DatasetError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def distinct_inputs(paths: Sequence[str | Path]) -> list[str | Path]:
    """``paths`` with each file or folder once (compared resolved), saying so in one line
    when one was given again: read twice, every playlist of it would count double."""
    seen: set[Path] = set()
    out = []
    for p in paths:
        resolved = Path(p).resolve()
        if resolved in seen:
            log.warning("%s was given more than once: it is read once, the repeat skipped.", p)
            continue
        seen.add(resolved)
        out.append(p)
    return out


def read_dataset(
    path: str | Path | Sequence[str | Path],
    fmt: str = "auto",
    *,
    strict: bool = False,
    progress: bool = True,
    session_gap: int = DEFAULT_GAP,
) -> Corpus:
    """Read one dataset, or several into one catalogue; ``fmt="auto"`` detects each format.

    Rows that cannot be parsed are counted in ``corpus.report`` (count, first line numbers
    and examples) and logged as one warning; with ``strict=True`` the first one raises
    :class:`DatasetError` naming its line number and content. An input with no usable row
    at all (empty, or not in the chosen format) raises :class:`DatasetError` too, rather
    than yielding an empty index. ``session_gap`` is the silence (seconds) that ends a
    listening session. ``progress`` shows progress of bytes read on stderr. A path given
    twice is read once (:func:`distinct_inputs`).
    """
    paths = [path] if isinstance(path, str | Path) else distinct_inputs(path)
    if not paths:
        raise DatasetError("No dataset given.")
    formats = input_formats(paths, fmt)
    names = [Path(p).resolve().name or str(p) for p in paths]
    builder = CorpusBuilder(
        " + ".join(names),
        "+".join(dict.fromkeys(formats)),
        strict=strict,
        session_gap=session_gap,
    )
    # Ingest allocates millions of small objects and creates no reference cycles: the
    # cyclic GC would only rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for p, f, name in zip(paths, formats, names, strict=True):
            builder.start_input(name, f)
            if Path(p).is_dir():
                with _read_errors(p):
                    _warn_skipped(Path(p), f)
            before = _counts(builder)
            with _read_errors(p):
                _READERS[f](Path(p), builder, progress=progress)
            after = _counts(builder)
            if after[:2] == before[:2]:
                _no_rows(p, f, builder, after[2] - before[2], after[3] - before[3])
        corpus = builder.build()
    finally:
        if gc_was_enabled:
            gc.enable()
    r = corpus.report
    if r.rows_malformed:
        log.warning(
            "%s: skipped %d malformed row(s) of %d (first at %s)%s",
            r.source,
            r.rows_malformed,
            r.rows_read,
            r.first_malformed(),
            "; " + not_utf8_note(r.rows_not_utf8, r.not_utf8_source, False)
            if r.rows_not_utf8
            else "",
        )
    return corpus


def _counts(builder: CorpusBuilder) -> tuple[int, int, int, int]:
    """Rows, listens, malformed rows and rows not UTF-8 read so far."""
    r = builder.report
    return len(builder.row_raw), len(builder.listen_raw), r.rows_malformed, r.rows_not_utf8


def _no_rows(
    path: str | Path, fmt: str, builder: CorpusBuilder, malformed: int, not_utf8: int
) -> None:
    """Raise the sentence for an input that gave no row: why its rows were refused."""
    if not malformed:
        what = "a header line but no rows" if fmt in ("csv", "zenodo", "yes") else "no rows"
        raise DatasetError(f"{path} has no rows to read as {fmt}: it holds {what}.")
    r = builder.report
    shown = r.malformed_examples[-min(malformed, len(r.malformed_examples))][:120]
    first = f" (first: {shown!r})" if r.malformed_examples else ""
    why = (
        "; " + not_utf8_note(not_utf8, Path(path).name, not_utf8 == malformed)
        if not_utf8
        else ". Is it in that format?"
    )
    raise DatasetError(
        f"{path} has no usable rows read as {fmt}: {malformed} row(s), {malformed} "
        f"malformed{first}{why}"
    )
