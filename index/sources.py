"""What each kind of data is and under which terms it may be used, for ``meta`` and /about.

A bot answering strangers in public must say where its answers come from. Each build
stores, per input, the kind of data, its licence and how new it is (the newest listen for
listens; the dataset's era for the fixed playlist sets), so ``songsim about`` can say
"ListenBrainz listens up to 2026-11-30, CC0" without the dataset at hand.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from index.corpus import SourceInfo


@dataclass(frozen=True)
class DataTerms:
    title: str
    licence: str
    era: str | None = None  # how new a fixed dataset is, when its rows carry no dates
    public_bot: bool = True  # may a public bot serve answers from it?


TERMS = {
    "listenbrainz": DataTerms("ListenBrainz listens", "CC0"),
    "zenodo": DataTerms(
        "Spotify playlists (Zenodo)", "terms at zenodo.org/records/2594557", era="about 2015"
    ),
    "mpd": DataTerms(
        "Million Playlist Dataset",
        "research and non-commercial use only",
        era="2017",
        public_bot=False,
    ),
    "yes": DataTerms(
        "Yes.com radio playlists (Cornell)",
        "research use; commercial use needs Yes.com's consent",
        era="2010-2011",
        public_bot=False,
    ),
    "csv": DataTerms("playlists from a CSV file", "the file's own terms"),
}


def source_rows(sources: list[SourceInfo]) -> list[dict[str, object]]:
    """The ``sources`` meta value: one object per input, in build order."""
    out = []
    for s in sources:
        terms = TERMS.get(s.format, DataTerms(s.format, "unknown"))
        row: dict[str, object] = {
            "name": s.name,
            "format": s.format,
            "title": terms.title,
            "licence": terms.licence,
            "rows": s.rows,
            "public_bot": terms.public_bot,
        }
        if s.newest is not None:
            row["newest"] = time.strftime("%Y-%m-%d", time.gmtime(s.newest))
        elif terms.era:
            row["era"] = terms.era
        out.append(row)
    return out


@dataclass(frozen=True)
class SourceEntry:
    """One input of an index as its ``meta`` records it: what and under which terms
    (the texts of :data:`TERMS`; the bot writes them in its reader's language)."""

    format: str
    title: str
    licence: str
    newest: str | None = None  # YYYY-MM-DD of its newest row, for dated data (listens)
    era: str | None = None  # how new a fixed dataset is, when its rows carry no dates


def entries(meta: dict[str, str]) -> list[SourceEntry]:
    """An index's inputs from its ``meta``; indexes built before ``sources`` was stored
    are described from their ``format``."""
    try:
        rows = json.loads(meta["sources"])
    except (KeyError, ValueError):
        fmt = meta.get("format", "")
        rows = [vars(TERMS[fmt]) | {"format": fmt}] if fmt in TERMS else []
    return _entries(rows)


def _entries(rows: object) -> list[SourceEntry]:
    """The ``sources`` rows (as :func:`source_rows` writes them) that make sense."""
    out = []
    for r in rows if isinstance(rows, list) else []:
        if not isinstance(r, dict):
            continue
        fmt = str(r.get("format", "?"))
        out.append(
            SourceEntry(
                fmt,
                str(r.get("title") or fmt),
                str(r.get("licence") or "unknown"),
                str(r["newest"]) if r.get("newest") else None,
                str(r["era"]) if r.get("era") else None,
            )
        )
    return out


def _line(e: SourceEntry) -> str:
    when = f" up to {e.newest}" if e.newest else f" ({e.era})" if e.era else ""
    return f"{e.title}{when}, {e.licence}"


def describe(meta: dict[str, str]) -> list[str]:
    """Lines like "ListenBrainz listens up to 2026-11-30, CC0" (English, for tools)."""
    return [_line(e) for e in entries(meta)]


def summary_lines(sources: list[SourceInfo]) -> list[str]:
    """The build summary's word on its data: what it is, under which terms, and whether
    those terms let a bot open to the public serve it (once per kind of data)."""
    rows = source_rows(sources)
    if not rows:
        return []
    out = [f"  data: {'; '.join(dict.fromkeys(_line(e) for e in _entries(rows)))}"]
    if not all(r["public_bot"] for r in rows):
        out.append(
            "  These terms do not cover a bot open to the public: use this index for research "
            "or a private server, and ListenBrainz dumps (CC0) for a public bot."
        )
    return out
