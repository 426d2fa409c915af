"""How each playlist format names its songs: M3U, XSPF, JSPF and plain text (CSV is in
:mod:`bot.playlists.csv_columns`).

Each reader takes one decoded file (XSPF: its bytes, so the XML parser sees the declared
encoding) and returns a :class:`~bot.playlists.seeds.Parsed`: the songs in file order, every
entry it could not read as a :class:`~bot.playlists.seeds.BadLine` (never dropped silently),
and how many entries it looked at. A problem with the file as a whole (not XML, not JSON, not
a playlist) raises :class:`~bot.playlists.seeds.FileProblem` with the sentence for the user.
:mod:`bot.playlists` picks the reader, decodes the bytes and enforces the limits.
"""

from __future__ import annotations

import json
import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from bot.i18n import _
from bot.playlists.seeds import (
    URL,
    BadLine,
    FileProblem,
    Parsed,
    Seed,
    clean_name,
    clip_example,
    seed_from_location,
    seed_from_text,
    song_from_path,
    split_song,
    spotify_uri_in,
)

# --------------------------------------------------------------------------- text and M3U


def read_text(lines: list[str]) -> Parsed:
    """One song per line; blank lines and "# comments" are skipped."""
    out = Parsed("text file")
    for n, raw in enumerate(lines, 1):
        s = raw.strip()
        if not s or s == "#" or s.startswith(("# ", "//")):
            continue
        out.read += 1
        out.add(seed_from_text(s, n))
    return out


_EXTINF = re.compile(r'^#EXTINF\s*:\s*-?\d*(?:\.\d+)?((?:\s+[\w-]+\s*=\s*"[^"]*")*)\s*,(.*)$', re.I)


def read_m3u(lines: list[str]) -> Parsed:
    """An M3U/M3U8 playlist: ``#EXTINF:duration,Artist - Title`` then a path or URL."""
    out = Parsed("M3U")
    pending: tuple[int, str] | None = None  # the last #EXTINF's line and text
    artist_hint: str | None = None  # #EXTART, which a few players write
    for n, raw in enumerate(lines, 1):
        s = raw.strip()
        if not s:
            continue
        out.read += 1
        upper = s.upper()
        if upper.startswith("#EXTINF"):
            if pending is not None:  # an #EXTINF without a location: the song it names
                out.add(_entry(pending, None, artist_hint))
                artist_hint = None
            m = _EXTINF.match(s)
            pending = (n, m.group(2).strip()) if m else None
            if m is None:
                out.add(BadLine(n, clip_example(s), "an #EXTINF line I couldn't read"))
        elif upper.startswith("#EXTART:"):
            artist_hint = clean_name(s[8:])
        elif s.startswith("#"):
            continue  # #EXTM3U, #PLAYLIST, #EXTALB, #EXTGRP, comments: not songs
        else:
            out.add(_entry(pending, s, artist_hint) if pending else seed_from_location(s, n))
            pending, artist_hint = None, None
    if pending is not None:
        out.add(_entry(pending, None, artist_hint))
    return out


def _entry(info: tuple[int, str], location: str | None, artist_hint: str | None) -> Seed | BadLine:
    """One M3U entry from its #EXTINF text and (when given) its path or URL."""
    line, text = info
    at = seed_from_location(location, line) if location else None
    link = at.link if isinstance(at, Seed) else None
    uri = at.spotify_uri if isinstance(at, Seed) else None
    if song := split_song(text):
        return Seed(line, artist=song[0], title=song[1], link=link, spotify_uri=uri)
    title = clean_name(text)
    path_artist = at.artist if isinstance(at, Seed) else None
    if title and (artist_hint or path_artist):
        return Seed(
            line, artist=artist_hint or path_artist, title=title, link=link, spotify_uri=uri
        )
    if isinstance(at, Seed):
        return Seed(line, at.artist, at.title or title, at.link, at.spotify_uri)
    if title:
        return Seed(line, title=title)
    return at or BadLine(line, clip_example(text), "an #EXTINF line without a title")


# --------------------------------------------------------------------------- XSPF and JSPF


def seed_from_fields(
    n: int, creator: object, title: object, places: list[object], shown: str
) -> Seed | BadLine:
    """A track of XSPF/JSPF from its creator, title and locations/identifiers."""
    artist = clean_name(creator) if isinstance(creator, str) else None
    name = clean_name(title) if isinstance(title, str) else None
    urls = [p.strip() for p in places if isinstance(p, str) and p.strip()]
    uri = next((u for u in map(spotify_uri_in, urls) if u), None)
    link = "https://open.spotify.com/track/" + uri[14:] if uri else None
    link = link or next(
        (u for u in urls if URL.match(u) and "musicbrainz.org/" not in u.lower()), None
    )
    if not name:
        for u in urls:
            if u.lower().startswith(("file:", "/")) or not URL.match(u):
                artist_from_path, name = song_from_path(u)
                artist = artist or artist_from_path
                if name:
                    break
    if name or uri or link:
        return Seed(n, artist=artist if name else None, title=name, link=link, spotify_uri=uri)
    return BadLine(n, clip_example(shown), "a track without a title or link")


def read_xspf(data: bytes) -> Parsed:
    """An XSPF playlist (XML). DTDs and entities are refused: a playlist never needs them,
    and they are how "billion laughs" and external-entity attacks get in."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise FileProblem(
            _("declares a DTD or XML entities, which a playlist never needs")
        ) from None
    except ParseError as e:
        line, col = getattr(e, "position", (0, 0))
        raise FileProblem(
            _("is not valid XML (line {line}, column {column})", line=line, column=col + 1)
        ) from None
    if _local(root.tag) != "playlist":
        raise FileProblem(
            _("is XML but not an XSPF playlist (its root is <{root}>)", root=_local(root.tag))
        )
    out = Parsed("XSPF", unit="track")
    tracks = [t for tl in root if _local(tl.tag) == "trackList" for t in tl]
    for n, track in enumerate((t for t in tracks if _local(t.tag) == "track"), 1):
        out.read += 1
        values: dict[str, list[str]] = {}
        for child in track:
            values.setdefault(_local(child.tag), []).append((child.text or "").strip())
        first = {k: v[0] for k, v in values.items()}
        places = values.get("location", []) + values.get("identifier", [])
        shown = " ".join(v for v in first.values() if v) or "<track/>"
        out.add(seed_from_fields(n, first.get("creator"), first.get("title"), places, shown))
    return out


def _local(tag: object) -> str:
    """An element's name without its namespace."""
    return str(tag).rsplit("}", 1)[-1]


def read_jspf(text: str) -> Parsed:
    """A JSPF playlist (XSPF as JSON), as ListenBrainz exports: ``playlist.track[]``."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise FileProblem(
            _("is not valid JSON (line {line}, column {column})", line=e.lineno, column=e.colno)
        ) from None
    except RecursionError:
        raise FileProblem(_("is JSON nested too deeply to be a playlist")) from None
    playlist = doc.get("playlist") if isinstance(doc, dict) else None
    tracks = playlist.get("track") if isinstance(playlist, dict) else None
    if not isinstance(tracks, list):
        raise FileProblem(_("is JSON but not a JSPF playlist (no playlist.track list)"))
    out = Parsed("JSPF", unit="track")
    for n, track in enumerate(tracks, 1):
        out.read += 1
        if not isinstance(track, dict):
            out.add(BadLine(n, clip_example(json.dumps(track)[:200]), "not a track object"))
            continue
        places = _as_list(track.get("location")) + _as_list(track.get("identifier"))
        shown = clip_example(json.dumps(track, ensure_ascii=False)[:200])
        out.add(seed_from_fields(n, track.get("creator"), track.get("title"), places, shown))
    return out


def _as_list(value: object) -> list[object]:
    """JSPF's location/identifier: a list per the spec, a bare string in older exports."""
    return value if isinstance(value, list) else [value] if value is not None else []
