"""Read a playlist dataset in any supported format into a :class:`~index.corpus.Corpus`.

``read_dataset`` detects the format from the file's content (not only its name) and hands
it to the matching reader, one module per format: :mod:`~index.ingest.zenodo`,
:mod:`~index.ingest.mpd`, :mod:`~index.ingest.generic_csv`, :mod:`~index.ingest.yes`.
They all feed one :class:`~index.ingest.rows.CorpusBuilder`. Compressed (``.gz``) files are
read transparently (:mod:`~index.ingest.files`).
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from index.corpus import Corpus, DatasetError
from index.ingest import generic_csv, mpd, yes, zenodo
from index.ingest.files import missing_path_message, read_head

FORMATS = ("zenodo", "mpd", "csv", "yes")
"""Every ``--format`` a build accepts (besides ``auto``), in the order they are tried."""

log = logging.getLogger(__name__)

_READERS = {
    "zenodo": zenodo.read_zenodo,
    "mpd": mpd.read_mpd,
    "csv": generic_csv.read_csv,
    "yes": yes.read_yes,
}


# --------------------------------------------------------------------------- detection


def detect_format(path: str | Path) -> str:
    """Name the format of ``path`` (one of :data:`FORMATS`) from its content.

    A folder is MPD (holds ``mpd.slice.*.json``) or Yes.com (``train.txt`` + ``song_hash.txt``);
    a file is recognised from its first line. Raises :class:`DatasetError` with a sentence
    saying what was expected when nothing matches.
    """
    p = Path(path)
    if not p.exists():
        raise DatasetError(missing_path_message(p))
    if p.is_dir():
        if mpd.find_slices(p):
            return "mpd"
        if yes.is_yes_folder(p):
            return "yes"
        raise DatasetError(
            f"Cannot tell the format of folder {p}: it holds neither MPD slices "
            "(mpd.slice.*.json) nor a Yes.com playlist set (train.txt and song_hash.txt). "
            "Pass a dataset file, or the folder that holds those files."
        )
    head = read_head(p)
    first_line = head.split("\n", 1)[0].rstrip("\r")
    if mpd.looks_like_mpd(head):
        return "mpd"
    if zenodo.looks_like_zenodo(first_line):
        return "zenodo"
    if yes.looks_like_yes_file(p, first_line):
        return "yes"
    if generic_csv.looks_like_csv(first_line):
        return "csv"
    if not head.strip():
        what = "it is empty"
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
        "an MPD slice (mpd.slice.*.json) or a Yes.com train.txt; pass --format "
        f"({'|'.join(FORMATS)}) to choose one."
    )


def read_dataset(
    path: str | Path, fmt: str = "auto", *, strict: bool = False, progress: bool = True
) -> Corpus:
    """Read a dataset file or folder into a Corpus; ``fmt="auto"`` detects the format.

    Rows that cannot be parsed are counted in ``corpus.report`` (count, first line numbers
    and examples) and logged as one warning; with ``strict=True`` the first one raises
    :class:`DatasetError` naming its line number and content. A dataset with no usable row
    at all (empty, or not in the chosen format) raises :class:`DatasetError` too, rather
    than yielding an empty index. ``progress`` shows a tqdm bar of bytes read on stderr.
    """
    if fmt == "auto":
        fmt = detect_format(path)
    elif fmt not in _READERS:
        raise DatasetError(
            f"Unknown dataset format {fmt!r}; choose one of auto, {', '.join(FORMATS)}."
        )
    elif not Path(path).exists():
        raise DatasetError(missing_path_message(Path(path)))
    # Ingest allocates millions of small objects and creates no reference cycles: the
    # cyclic GC would only rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        corpus = _READERS[fmt](Path(path), strict=strict, progress=progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    r = corpus.report
    if corpus.n_tracks == 0:
        first = (
            f" (first at line {r.malformed_lines[0]}: {r.malformed_examples[0][:120]!r})"
            if r.malformed_lines
            else ""
        )
        raise DatasetError(
            f"{path} has no usable rows read as {fmt}: {r.rows_read} row(s), "
            f"{r.rows_malformed} malformed{first}. Is it in that format?"
        )
    if r.rows_malformed:
        log.warning(
            "%s: skipped %d malformed row(s) of %d (first at line(s) %s)",
            r.source,
            r.rows_malformed,
            r.rows_read,
            ", ".join(map(str, r.malformed_lines[:5])),
        )
    return corpus
