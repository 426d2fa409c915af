"""Read the Zenodo "Spotify Playlists" file (``spotify_dataset.csv``, ~12.9M rows).

The file claims to be CSV with backslash escapes, but fields hold raw, unescaped double
quotes (``"Rhythm Is A Dancer - Original 12""``, a playlist named ``"/``), which the
``csv`` module silently corrupts. So this is a hand-written line parser. Its rules:

* A record is ``"<user_id>","<artist>","<track>","<playlist>"``: the line starts and ends
  with ``"``, and splitting the inside on ``","`` gives exactly four fields, the first a
  32-hex user id. Anything else inside a field (quotes, commas, backslashes) is kept
  verbatim. Backslash is *not* treated as an escape: the writer evidently never escaped
  quotes, so a backslash in the data is a literal character (``AC\\DC`` stays as is).
* A line that does not end in ``"`` or has fewer than four fields, followed by lines
  that do not start with a user id, is a record whose field held a line break: up to
  :data:`MAX_JOINED_LINES` such lines are joined with ``\\n`` and parsed again. If that
  fails the record (all its lines) counts as one malformed row.
* A line that splits into more than four fields is ambiguous (some field holds ``","``)
  and counts as malformed; so do an empty track name, a first field that is not a user id,
  a line holding NUL bytes and a line that is not valid UTF-8. Empty artists are kept (artist name ``""``).
* The header ``"user_id", "artistname", "trackname", "playlistname"`` is skipped wherever
  it appears (concatenated files); a file without it is read from line 1. Blank lines are
  skipped (they hold no row), and so are spaces or tabs after a line's closing quote.
  Line numbers in reports are 1-based physical lines.
* A playlist is ``(user_id, playlistname)`` exactly as written; its display name is the
  playlist name as written.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from index.ingest.files import NUL_WHY, count_not_utf8, follow, make_progress, open_bytes
from index.ingest.forked import Forked, can_fork
from index.ingest.halves import KeysOnly, Tail
from index.ingest.rows import CorpusBuilder

HEADER_RE = re.compile(
    r'\s*"user_id"\s*,\s*"artistname"\s*,\s*"trackname"\s*,\s*"playlistname"\s*', re.IGNORECASE
)
ANCHOR_RE = re.compile(r'"[0-9a-fA-F]{32}","')
ANCHOR_BYTES_RE = re.compile(rb'\n"[0-9a-fA-F]{32}","')
USER_RE = re.compile(r"[0-9a-fA-F]{32}")
USER_BYTES_RE = re.compile(rb"[0-9a-fA-F]{32}")
SEP = '","'
SEP_B = b'","'
QUOTE_B = b'"'
BOM = b"\xef\xbb\xbf"
MAX_JOINED_LINES = 8
CHUNK_BYTES = 1 << 24
SCAN_BYTES = 1 << 20  # read at a time when looking for a record's start
PARALLEL_MIN_BYTES = 64 << 20  # below this, forking costs more than it saves
FIRST_SHARE = 0.5  # of the bytes, read here (the rest by the second reader)


def looks_like_zenodo(first_line: str) -> bool:
    """True for the Zenodo header, or a header-less file whose first line is a Zenodo row."""
    return bool(HEADER_RE.fullmatch(first_line) or ANCHOR_RE.match(first_line))


def parse_record(rec: str) -> tuple[str, str, str, str] | str:
    """Split one record into (user_id, artist, track, playlist), or say why it is not one."""
    if len(rec) < 2 or rec[0] != '"' or rec[-1] != '"':
        return "it does not start and end with a double quote"
    fields = rec[1:-1].split(SEP)
    if len(fields) > 4:
        return f'it splits into {len(fields)} fields on "," where 4 are expected'
    if len(fields) < 4:
        return f"it has {len(fields)} field(s) where 4 are expected"
    user, artist, title, playlist = fields
    if "\x00" in rec:
        return NUL_WHY
    if not USER_RE.fullmatch(user):
        return "its first field is not a 32-character hex user id"
    if not title.strip():
        return "its track name is empty"
    return user, artist, title, playlist


def read_zenodo(path: Path, builder: CorpusBuilder, *, progress: bool = True) -> None:
    """Feed a Zenodo ``spotify_dataset.csv`` (plain or .gz) to ``builder``.

    A large plain file is read on two cores: a forked process reads its second half while
    this one reads the first, then this one adds the second half's spellings, playlists
    and rows in the order they were met, so the result is the same as reading in order.
    """
    parser = _Parser(builder)
    started = time.monotonic()
    with open_bytes(path) as (stream, done, total):
        start = _second_half(stream, total, builder)
        second = None
        if start is not None:  # forked before the progress bar starts a thread
            args = (path, start, builder.report.source, builder.sources, builder.label)
            second = Forked(f"the reader of {path.name}'s second half", _read_tail, *args)
        try:
            bar = make_progress(total, f"reading {path.name}", progress)
            lines = read_records(stream, parser, start, follow(bar, done))
            if second is not None:
                _add_second_half(parser, second, lines, started)
                bar.update(total - start)
            bar.close()
        finally:
            if second is not None:
                second.stop()


def _add_second_half(parser: _Parser, second: Forked, lines: int, started: float) -> None:
    """Wait for the second reader and add what it read; the build summary says how long."""
    t = time.monotonic()
    tail = second.result()
    waited, t = time.monotonic() - t, time.monotonic()
    tail.merge_into(parser.b, parser.new_key, lines)
    stages = parser.b.report.stage_seconds
    stages["first half (second half read beside it)"] = t - started - waited
    stages["waiting for the second half"] = waited
    stages["adding the second half"] = time.monotonic() - t


def read_records(
    stream: BinaryIO,
    parser: _Parser,
    end: int | None = None,
    advance: Callable[[], None] | None = None,
) -> int:
    """Parse ``stream`` from where it is (a record's first byte) to byte ``end`` (another
    record's first byte; None: the end), in chunks cut at record starts, so no record,
    not even one whose field held a line break, is cut; the number of physical lines read.
    ``advance`` is called after each chunk (progress)."""
    carry = b""
    line_no = 1
    left = None if end is None else end - stream.tell()
    while True:
        size = CHUNK_BYTES if left is None else min(CHUNK_BYTES, left)
        block = stream.read(size) if size else b""
        if left is not None:
            left -= len(block)
        data = carry + block
        if not block:
            carry = b""
        else:
            cut = _record_boundary(data)
            data, carry = data[:cut], data[cut:]
        if data:
            if line_no == 1:
                data = data.removeprefix(BOM)
            lines = _split_lines(data)
            data = b""
            parser.feed(lines, line_no)
            line_no += len(lines)
            lines = []
        if advance is not None:
            advance()
        if not block:
            return line_no - 1


def record_start(stream: BinaryIO, offset: int, limit: int | None = None) -> int | None:
    """The first byte of the first record starting after ``offset`` (a line starting with
    ``"<32 hex>","``), looking at most ``limit`` bytes ahead (None: to the end); None if
    there is none. The stream's position is left as it was."""
    at = stream.tell()
    pos = max(offset - 1, 0)  # the newline before a record starting at ``offset`` counts
    try:
        while limit is None or pos < offset + limit:
            stream.seek(pos)
            block = stream.read(SCAN_BYTES + 64)  # an anchor across two blocks is in both
            m = ANCHOR_BYTES_RE.search(block)
            if m is not None:
                return pos + m.start() + 1
            if len(block) < SCAN_BYTES + 64:
                return None
            pos += SCAN_BYTES
        return None
    finally:
        stream.seek(at)


def _second_half(stream, total: int, builder: CorpusBuilder) -> int | None:  # noqa: ANN001
    """Where a second reader starts (a record's first byte near the middle), or None when
    the file is read in one go: small, gzipped, strict (the first bad row must stop the
    read where it is), or one core."""
    if total < PARALLEL_MIN_BYTES or builder.strict or not can_fork():
        return None
    if not isinstance(stream, io.BufferedReader):  # a gzip stream cannot seek cheaply
        return None
    return record_start(stream, int(total * FIRST_SHARE), CHUNK_BYTES)


def _read_tail(path: Path, start: int, source: str, sources: list, label: str) -> Tail:
    """The second reader: bytes ``start`` to the end into a builder of its own."""
    b = KeysOnly(source, "zenodo", strict=False)
    b.sources, b.label = list(sources), label  # malformed rows are named as the reader's
    with open(path, "rb") as stream:
        stream.seek(start)
        read_records(stream, _Parser(b))
    return Tail.of(b)


def _record_boundary(data: bytes) -> int:
    """Offset just after the last newline that starts a new record (0 if none is sure)."""
    end = len(data)
    while True:
        i = data.rfind(b'\n"', 0, end)
        if i < 0:
            # No record start in the whole buffer: one huge record (or garbage); cut at the
            # last newline so memory stays bounded, and let the parser count what it sees.
            j = data.rfind(b"\n")
            return j + 1 if len(data) > 4 * CHUNK_BYTES and j >= 0 else 0
        if ANCHOR_BYTES_RE.match(data, i):
            return i + 1
        end = i


def _split_lines(data: bytes) -> list[bytes]:
    """Split a block of whole lines (LF or CRLF) into lines without their line ends."""
    if data.endswith(b"\n"):
        data = data[:-1]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if data.endswith(b"\r"):
            data = data[:-1]
    return data.split(b"\n")


class _Parser:
    """Feeds whole lines to the builder.

    The fast path works on bytes (no decoding of the 12.9M lines): a well-formed line
    costs a few slices and one dict lookup of its raw ``artist","title`` bytes. Each
    distinct raw key, playlist name and user id is decoded and checked once, when first
    seen; everything unusual goes to :meth:`_slow`.
    """

    def __init__(self, builder: CorpusBuilder) -> None:
        self.b = builder
        self.last_user: bytes | None = None
        self.last_playlist: bytes | None = None
        self.last_pid = -1

    def feed(self, lines: list[bytes], first_line_no: int) -> None:
        b = self.b
        raw_get = b.raw_ids.get
        playlist_get = b.playlist_ids.get
        add_raw = b.row_raw.append
        add_pl = b.row_playlist.append
        new_key = self.new_key
        last_user, last_playlist, pid = self.last_user, self.last_playlist, self.last_pid
        for i, line in enumerate(lines):
            if line[33:36] == SEP_B and line[-1:] == QUOTE_B and line[:1] == QUOTE_B:
                key, _, playlist = line[36:-1].rpartition(SEP_B)
                rid = raw_get(key)
                if rid is None:
                    rid = new_key(key)
                if rid >= 0:
                    user = line[1:33]
                    if playlist != last_playlist or user != last_user:
                        pid = playlist_get((user, playlist))
                        if pid is None:
                            pid = self._new_playlist(user, playlist)
                        if pid >= 0:
                            last_user, last_playlist = user, playlist
                    if pid >= 0:
                        add_raw(rid)
                        add_pl(pid)
                        continue
            used = self._slow(lines, i, first_line_no + i)
            for j in range(i + 1, i + 1 + used):
                lines[j] = b""  # consumed by a joined record: blank lines are skipped
            last_user = last_playlist = None  # the slow path may have added other playlists
        self.last_user, self.last_playlist, self.last_pid = last_user, last_playlist, pid

    def new_key(self, key: bytes) -> int:
        """Register a raw ``artist","title`` key not seen yet; its raw id (-1: unusable)."""
        try:
            text = key.decode("utf-8")
        except UnicodeDecodeError:
            self.b.raw_ids[key] = -1
            return -1
        artist, _, title = text.partition(SEP)
        if SEP in title or "\x00" in text:
            self.b.raw_ids[key] = -1
            return -1
        return self.b.new_raw_track(artist, title, key)

    def _new_playlist(self, user: bytes, playlist: bytes) -> int:
        if not USER_BYTES_RE.fullmatch(user) or b"\x00" in playlist:
            return -1
        try:
            name = playlist.decode("utf-8")
        except UnicodeDecodeError:
            return -1
        return self.b.playlist_id((user, playlist), name)

    def _slow(self, lines: list[bytes], i: int, line_no: int) -> int:
        """Handle a line the fast path refused; returns how many following lines it used."""
        try:
            line = lines[i].decode("utf-8").rstrip(" \t")  # spaces after the last quote
        except UnicodeDecodeError:
            shown = lines[i].decode("utf-8", errors="backslashreplace")
            count_not_utf8(self.b, line_no, shown)
            return 0
        if not line.strip() or HEADER_RE.fullmatch(line):
            return 0
        rec = parse_record(line)
        if isinstance(rec, tuple):
            self._add(rec, line_no, line)
            return 0
        why = rec
        n_fields = len(line[1:-1].split(SEP))
        incomplete = not line.endswith('"') or n_fields < 4
        if incomplete and n_fields <= 4 and ANCHOR_RE.match(line):
            # A field held a line break: join the next lines that do not start a record.
            parts = [line]
            for j in range(i + 1, min(i + MAX_JOINED_LINES, len(lines))):
                try:
                    nxt = lines[j].decode("utf-8")
                except UnicodeDecodeError:
                    break
                if ANCHOR_RE.match(nxt) or HEADER_RE.fullmatch(nxt):
                    break
                parts.append(nxt)
                joined = "\n".join(parts)
                rec = parse_record(joined)
                if isinstance(rec, tuple):
                    self._add(rec, line_no, joined)
                    return j - i
                why = rec
            if len(parts) > 1:
                self.b.malformed(line_no, "\n".join(parts), why)
                return len(parts) - 1
        self.b.malformed(line_no, line, why)
        return 0

    def _add(self, rec: tuple[str, str, str, str], line_no: int, raw: str) -> None:
        """Add a record parsed by the slow path, under the same keys the fast path uses."""
        user, artist, title, playlist = rec
        rid = self.b.raw_track_id(artist, title, (artist + SEP + title).encode("utf-8"))
        if rid < 0:  # only whitespace after Unicode normalisation
            self.b.malformed(line_no, raw, "its track name is empty")
            return
        key = (user.encode("ascii"), playlist.encode("utf-8"))
        self.b.add(rid, self.b.playlist_id(key, playlist))
