"""A playlist as seeds: an attached file's bytes read into up to 100 songs, with a report.

People share playlists as files: Spotify's via Exportify (a CSV), a player's M3U/M3U8, XSPF
or its JSON twin JSPF (ListenBrainz), or a text file with one "artist - title" or link per
line. :func:`read_playlist_file` takes the bytes and the file name, finds the format from the
content (the name's extension is only a hint), and returns a :class:`PlaylistFile`: the
songs in order, the entries it could not read (counted, with line numbers and examples, never
dropped silently), whether it stopped at :data:`MAX_SONGS`, and :meth:`PlaylistFile.summary`,
the sentence to show ("Read 37 songs from playlist.csv; 2 lines I couldn't read (lines 5, 9).").

It never raises on bad input: an empty, binary, too big or broken file gives a result whose
``error`` says what is wrong and what to attach instead. Text is UTF-8 (with or without a
BOM, or UTF-16 with one); anything else is read as Windows-1252, which is what M3U files and
spreadsheet CSVs from Windows use, falling back to Latin-1, which decodes any byte.

The file name and the examples are the uploader's text: escape them (``bot.text.safe``)
before they reach Discord.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import N_, _, ngettext, number
from bot.playlists.csv_columns import find_columns, read_csv
from bot.playlists.formats import read_jspf, read_m3u, read_text, read_xspf
from bot.playlists.seeds import BadLine, FileProblem, Parsed, Seed
from bot.text import songs_count

__all__ = [
    "MAX_BYTES",
    "MAX_SONGS",
    "SUPPORTED",
    "BadLine",
    "PlaylistFile",
    "Seed",
    "read_playlist_file",
    "size_problem",
]

log = logging.getLogger(__name__)

MAX_SONGS = 100  # seeds a mix takes from one file
MAX_BYTES = 1_000_000  # ~10,000 Exportify rows; a playlist of 100 songs is far smaller
EXAMPLES = 3  # bad lines kept as examples
LINES_SHOWN = 5  # bad line numbers named in the summary before "and N more"
NAME_MAX = 60  # characters of the file name shown

SUPPORTED = N_(
    "an Exportify CSV (Spotify's playlist export), an M3U/M3U8, XSPF or JSPF playlist, "
    "or a text file with one “artist - title” or link per line"
)

# Magic numbers of files people attach by mistake: images, audio, archives, documents.
_BINARY_MAGIC = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"ID3", b"fLaC", b"OggS", b"PK\x03\x04",
    b"%PDF", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"MZ", b"\xd0\xcf\x11\xe0",
)  # fmt: skip
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class PlaylistFile:
    """What a playlist file gave: seeds in file order and what could not be read."""

    filename: str  # as shown to the user: no folders, no control characters, clipped
    format: str  # "Exportify CSV", "CSV", "M3U", "XSPF", "JSPF", "text file"; "" on error
    seeds: list[Seed] = field(default_factory=list)  # at most MAX_SONGS
    read: int = 0  # entries looked at: non-blank lines, CSV rows, XSPF/JSPF tracks
    bad_lines: list[int] = field(default_factory=list)  # every entry naming no song
    bad_examples: list[BadLine] = field(default_factory=list)  # the first few, with reasons
    left_out: int = 0  # songs past MAX_SONGS, not used
    unit: str = "line"  # what the numbers count: "line" (text formats) or "track"
    encoding: str = ""  # how the text was decoded
    error: str | None = None  # the whole file could not be read: the sentence to show
    limit: int = MAX_SONGS

    @property
    def cut(self) -> bool:
        """True when the file had more songs than a mix takes."""
        return self.left_out > 0

    @property
    def bad_count(self) -> int:
        return len(self.bad_lines)

    def summary(self) -> str:
        """One sentence for the user: what was read, what was not, what was left out."""
        if self.error:
            return self.error
        if not self.seeds:
            if not self.bad_lines:
                return _(
                    "I found no songs in {file}. Attach {supported}.",
                    file=self.filename,
                    supported=_(SUPPORTED),
                )
            return _(
                "I found no songs in {file}: {bad} I couldn't read ({where}). Attach {supported}.",
                file=self.filename,
                bad=self._bad_count(),
                where=self.where(),
                supported=_(SUPPORTED),
            )
        text = _("Read {songs} from {file}", songs=songs_count(len(self.seeds)), file=self.filename)
        if self.left_out:
            text += " " + _(
                "(the first {limit}; {left_out} more left out)",
                limit=number(self.limit),
                left_out=number(self.left_out),
            )
        if self.bad_lines:
            text += "; " + _(
                "{bad} I couldn't read ({where})", bad=self._bad_count(), where=self.where()
            )
        return text + "."

    def _bad_count(self) -> str:
        if self.unit == "track":
            return ngettext("{n} track", "{n} tracks", self.bad_count)
        return ngettext("{n} line", "{n} lines", self.bad_count)

    def where(self) -> str:
        """ "line 5", "lines 5, 9", "tracks 1, 2, 3, 4, 5 and 7 more"."""
        shown = ", ".join(str(n) for n in self.bad_lines[:LINES_SHOWN])
        more = self.bad_count - LINES_SHOWN
        if self.unit == "track":
            where = ngettext("track {shown}", "tracks {shown}", self.bad_count, shown=shown)
        else:
            where = ngettext("line {shown}", "lines {shown}", self.bad_count, shown=shown)
        return _("{items} and {more} more", items=where, more=number(more)) if more > 0 else where


def display_name(filename: str | None) -> str:
    """The attachment's name as shown back: base name only, no control characters, clipped."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > NAME_MAX:
        base = base[: NAME_MAX - 1] + "…"
    return base or _("your file")


def size_problem(filename: str | None, size: int, max_bytes: int = MAX_BYTES) -> str | None:
    """The sentence refusing a file of ``size`` bytes, or None when it may be read.

    Call it with the attachment's declared size before downloading it.
    """
    if size <= max_bytes:
        return None
    return _(
        "{file} is {size}; I read playlist files up to {limit}. Attach a shorter export "
        "(a mix uses the first {songs} songs) or split the file.",
        file=display_name(filename),
        size=_megabytes(size),
        limit=_megabytes(max_bytes),
        songs=MAX_SONGS,
    )


def _megabytes(n: int) -> str:
    mb = round(n / 1_000_000, 1)
    return _("{mb} MB", mb=number(mb) if mb == int(mb) else number(mb, 1))


def read_playlist_file(
    data: bytes,
    filename: str | None = None,
    *,
    max_songs: int = MAX_SONGS,
    max_bytes: int = MAX_BYTES,
) -> PlaylistFile:
    """Read an attached playlist file into at most ``max_songs`` seeds. Never raises."""
    name = display_name(filename)
    try:
        return _read(data, name, (filename or "").lower(), max_songs, max_bytes)
    except Exception:  # a bug here must cost the user one reply, not a traceback
        log.exception("Reading a playlist file failed")
        log.debug("The playlist file was %r", name)  # a user's file name: debug only
        return PlaylistFile(
            name,
            "",
            error=_(
                "Something went wrong reading {file}; try {supported}.",
                file=name,
                supported=_(SUPPORTED),
            ),
        )


def _read(data: bytes, name: str, lower: str, max_songs: int, max_bytes: int) -> PlaylistFile:
    def failed(message: str, fmt: str = "", encoding: str = "") -> PlaylistFile:
        return PlaylistFile(name, fmt, encoding=encoding, error=message, limit=max_songs)

    if problem := size_problem(name, len(data), max_bytes):
        return failed(problem)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        return failed(_("{file} is empty. Attach {supported}.", file=name, supported=_(SUPPORTED)))
    not_text = _(
        "{file} is not a text playlist. Attach {supported}.", file=name, supported=_(SUPPORTED)
    )
    if _looks_binary(data):
        return failed(not_text)
    ext = lower.rsplit(".", 1)[-1] if "." in lower else ""

    head = data.lstrip(b" \t\r\n")
    xml_hint = head.startswith((b"<", b"\xef\xbb\xbf<")) or ext == "xspf"
    if (xml_hint or head[:2] in _UTF16_BOMS) and _is_xml(data):
        # expat wants the declaration first: drop a UTF-8 BOM and leading blank lines.
        xml = data
        if data[:2] not in _UTF16_BOMS:
            xml = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        return _finish(_parse(read_xspf, xml, name, "XSPF"), name, max_songs, "xml")
    text, encoding = decode(data)
    if text is None or _control_share(text) > 0.01:
        return failed(not_text)
    stripped = text.lstrip()
    lines = _LINE_BREAK.split(text)  # not splitlines(): a stray \x85 or \x0c is no new line
    if stripped.startswith("{") or ext in ("jspf", "json"):
        return _finish(_parse(read_jspf, text, name, "JSPF"), name, max_songs, encoding)
    first = next((ln for ln in lines if ln.strip()), "")
    if (
        first.strip().upper().startswith("#EXTM3U")
        or ext in ("m3u", "m3u8")
        or any(ln.lstrip().upper().startswith("#EXTINF") for ln in lines)
    ):
        return _finish(read_m3u(lines), name, max_songs, encoding)
    if (columns := find_columns(first)) is not None:
        return _finish(read_csv(text, columns), name, max_songs, encoding)
    if ext in ("csv", "tsv"):
        return failed(
            _(
                "{file} has no header row I know. A CSV needs a first row naming its columns: "
                "“Track Name” and “Artist Name(s)” as Exportify writes them, or “Title” and "
                "“Artist”, or a “Track URI” column.",
                file=name,
            ),
            "CSV",
            encoding,
        )
    return _finish(read_text(lines), name, max_songs, encoding)


def _parse(
    reader: Callable[[Any], Parsed], source: bytes | str, name: str, fmt: str
) -> Parsed | PlaylistFile:
    """The reader's result, or the file's error when the whole file is unreadable."""
    try:
        return reader(source)
    except FileProblem as e:
        error = _(
            "{file} {problem}. Attach {supported}.", file=name, problem=e, supported=_(SUPPORTED)
        )
        return PlaylistFile(name, fmt, error=error)


def _finish(parsed: Parsed | PlaylistFile, name: str, max_songs: int, enc: str) -> PlaylistFile:
    if isinstance(parsed, PlaylistFile):
        return parsed
    return PlaylistFile(
        filename=name,
        format=parsed.format,
        seeds=parsed.seeds[:max_songs],
        read=parsed.read,
        bad_lines=[b.line for b in parsed.bad],
        bad_examples=parsed.bad[:EXAMPLES],
        left_out=max(0, len(parsed.seeds) - max_songs),
        unit=parsed.unit,
        encoding=enc,
        limit=max_songs,
    )


def decode(data: bytes) -> tuple[str | None, str]:
    """The file's text and the encoding that read it; (None, "") when it is not text."""
    if data[:2] in _UTF16_BOMS:
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None, ""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(data: bytes) -> bool:
    """True for images, audio, archives and anything with NUL bytes (UTF-16 excepted)."""
    if data.startswith(_BINARY_MAGIC):
        return True
    return data[:2] not in _UTF16_BOMS and b"\x00" in data[:8192]


def _is_xml(data: bytes) -> bool:
    """True when the bytes start like an XML document (after any BOM and whitespace)."""
    text, _encoding = decode(data[:4096])
    return text is not None and text.lstrip("\ufeff \t\r\n").startswith("<")


def _control_share(text: str) -> float:
    """The share of C0 control characters other than tabs and line breaks: high in binaries.

    C1 controls (0x80-0x9F) are left alone: Latin-1 decodes a stray Windows-1252 byte so.
    """
    sample = text[:8192]
    bad = sum(1 for c in sample if c < " " and c not in "\t\n\r\f\v")
    return bad / max(len(sample), 1)
