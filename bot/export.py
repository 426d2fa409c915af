"""Export: an answer's songs as files people can take elsewhere.

The Export button and ``/export`` attach three files, built here from the answer's
:class:`~index.model.Track` objects (no Discord, no network):

- **links** (``.txt``): one ``https://open.spotify.com/track/ID`` per line, in order. Pasted
  into a Spotify playlist (select all, copy, paste), the links become its songs. A song with
  no known link is written as "artist - title" in its place, and "#" lines at the top name
  them, so nothing is lost (and songsim reads the file back as a playlist).
- **CSV** (``.csv``): one row per song with Exportify's column names, artist, title and
  Spotify URI in that order. Exportify's export is the Spotify CSV that playlist-transfer
  tools (TuneMyMusic, Soundiiz, Exportify-based importers) and songsim's own file reader
  already take, so its names are the ones most likely to be matched without any mapping.
  Written as UTF-8 without a BOM, like Exportify, because a BOM glues itself to the first
  header name in importers that don't strip it. Cells that a spreadsheet would run as a
  formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe
  (OWASP's advice against CSV injection): names come from strangers, and an apostrophe costs
  an importer's fuzzy match nothing; songsim's reader removes it again.
- **JSPF** (``.jspf``): the JSON form of XSPF (xspf.org/jspf) that ListenBrainz imports:
  ``playlist.title``, ``creator`` "songsim", ``date`` (ISO 8601) and ``track[]`` with
  ``creator``, ``title`` and, when known, ``identifier`` = [the Spotify track URL].

Names are flattened to one line (line breaks and control characters become spaces) in every
file, since a song name never means a line break and line-based tools split on them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.i18n import _, ngettext, number
from bot.text import songs_count
from index.model import Track

CREATOR = "songsim"
CSV_HEADER = ("Artist Name(s)", "Track Name", "Track URI")
SLUG_MAX = 60
_TRACK_URL = re.compile(r"^https://open\.spotify\.com/track/([0-9A-Za-z]{22})$")
_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    kind: str  # "links", "csv" or "jspf"


@dataclass(frozen=True)
class Export:
    """The three files of one answer and what the reply should say about them."""

    files: list[ExportFile]
    songs: int
    missing: list[Track] = field(default_factory=list)  # songs without a Spotify link

    @property
    def linked(self) -> bool:
        """Whether any song has a Spotify link (an index of Yes.com or a plain CSV has none)."""
        return len(self.missing) < self.songs

    def summary(self) -> str:
        """ "10 songs as Spotify links, CSV and JSPF; 2 have no Spotify link (listed by name)." """
        if not self.songs:
            return _("There are no songs to export.")
        if not self.linked:
            return _(
                "{songs} as CSV and JSPF; none has a Spotify link, so the links file lists "
                "them by name.",
                songs=songs_count(self.songs),
            )
        text = _("{songs} as Spotify links, CSV and JSPF", songs=songs_count(self.songs))
        if self.missing:
            text += "; " + ngettext(
                "{n} has no Spotify link (listed by name instead)",
                "{n} have no Spotify link (listed by name instead)",
                len(self.missing),
            )
        return text + "."


def spotify_id(track: Track, links: Mapping[int, str] | None = None) -> str | None:
    """The track's Spotify id: from its stored URI, else from a looked-up link."""
    if track.spotify_uri and (m := _URI.match(track.spotify_uri)):
        return m.group(1)
    url = (links or {}).get(track.track_id)
    m = _TRACK_URL.match(url.split("?", 1)[0]) if url else None
    return m.group(1) if m else None


def one_line(text: str) -> str:
    """A name with line breaks and other control characters turned into single spaces."""
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(text))
    return " ".join(cleaned.split())


def export_name(seeds: Sequence[Track], title: str = "") -> str:
    """A safe base file name from the seed: "songsim-daft-punk-one-more-time".

    Accents are folded, other letters and digits kept (so non-Latin names survive), the
    rest becomes "-". Several seeds give "songsim-mix-<first seed>"; none, the title.
    """
    if len(seeds) == 1:
        source = f"{seeds[0].artist} {seeds[0].title}"
    elif seeds:
        source = f"mix {seeds[0].artist} {seeds[0].title}"
    else:
        source = title
    folded = unicodedata.normalize("NFKD", source)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^\w]+|_+", "-", folded).strip("-")[:SLUG_MAX].strip("-")
    return f"songsim-{slug}" if slug else "songsim-songs"


def links_text(
    tracks: Sequence[Track], title: str, links: Mapping[int, str] | None = None
) -> bytes:
    """The links file: "#" header lines, then one Spotify link (or "artist - title") a line."""
    missing = [t for t in tracks if spotify_id(t, links) is None]
    head = [
        f"# {one_line(title) or 'songsim'}",
        "# " + _("{songs}, made by songsim.", songs=songs_count(len(tracks))),
    ]
    if tracks and len(missing) < len(tracks):
        head.append(
            "# " + _("Copy the links and paste them into a Spotify playlist to add the songs.")
        )
    if missing:
        head.append(
            "# " + _("No Spotify link for {n}; written as artist - title:", n=number(len(missing)))
        )
        head += [f"#   {one_line(t.artist)} - {one_line(t.title)}" for t in missing]
    body = []
    for t in tracks:
        sid = spotify_id(t, links)
        body.append(
            f"https://open.spotify.com/track/{sid}"
            if sid
            else f"{one_line(t.artist)} - {one_line(t.title)}"
        )
    return ("\n".join(head + [""] + body) + "\n").encode("utf-8")


def guard_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: formula-like starts get a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(tracks: Sequence[Track], links: Mapping[int, str] | None = None) -> bytes:
    """The CSV file: Exportify's column names, one row per song, RFC 4180 quoting."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for t in tracks:
        sid = spotify_id(t, links)
        writer.writerow(
            [
                guard_cell(one_line(t.artist)),
                guard_cell(one_line(t.title)),
                f"spotify:track:{sid}" if sid else "",
            ]
        )
    return buf.getvalue().encode("utf-8")


def jspf_bytes(
    tracks: Sequence[Track],
    title: str,
    links: Mapping[int, str] | None = None,
    *,
    created: datetime | None = None,
) -> bytes:
    """The JSPF file (XSPF as JSON): the playlist's title, creator, date and tracks."""
    items = []
    for t in tracks:
        item: dict[str, object] = {"title": one_line(t.title), "creator": one_line(t.artist)}
        if sid := spotify_id(t, links):
            item["identifier"] = [f"https://open.spotify.com/track/{sid}"]
        items.append(item)
    when = (created or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    doc = {
        "playlist": {
            "title": one_line(title) or "songsim",
            "creator": CREATOR,
            "annotation": _("Songs found by songsim from the playlists they share."),
            "date": when,
            "track": items,
        }
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_files(
    tracks: Sequence[Track],
    title: str,
    *,
    seeds: Sequence[Track] = (),
    links: Mapping[int, str] | None = None,
    created: datetime | None = None,
) -> Export:
    """The links, CSV and JSPF files of an answer's songs, named after its seed(s).

    ``links`` maps track ids to Spotify track URLs found by the lookup (the answer's links),
    for songs whose ``spotify_uri`` the index does not store.
    """
    base = export_name(seeds, title)
    files = [
        ExportFile(f"{base}-spotify-links.txt", links_text(tracks, title, links), "links"),
        ExportFile(f"{base}.csv", csv_bytes(tracks, links), "csv"),
        ExportFile(f"{base}.jspf", jspf_bytes(tracks, title, links, created=created), "jspf"),
    ]
    missing = [t for t in tracks if spotify_id(t, links) is None]
    return Export(files, len(tracks), missing)
