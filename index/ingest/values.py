"""A song's Spotify URI and ISRC as datasets write them, reduced to one clean form each.

:class:`~index.ingest.rows.CorpusBuilder` keeps one id per value as written (a dataset
repeats the same text millions of times) and one per clean form, so ``spotify:track:X``,
its ``https://open.spotify.com/track/X?si=...`` link, and ``gb-duw-00-00059`` beside
``GBDUW0000059`` each count as one value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

SPOTIFY_TRACK_PREFIX = "spotify:track:"
# A track's id in its URI or in the open.spotify.com link Spotify's Share menu copies.
SPOTIFY_TRACK_RE = re.compile(
    r"(?:spotify:track:|https?://open\.spotify\.com/(?:intl-[a-z-]+/)?track/)([0-9A-Za-z]{22})"
)
ISRC_RE = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")


def value_id(
    ids: dict[str, int], values: list[str], text: str, clean: Callable[[str], str | None]
) -> int:
    """Id of ``text`` as written, first seen: its clean form's id (new ones are added to
    ``values``), or -1 when it has none; the written form is remembered either way."""
    form = clean(text)
    u = -1 if form is None else ids.get(form)
    if u is None:
        u = ids[form] = len(values)  # type: ignore[index]
        values.append(form)  # type: ignore[arg-type]
    ids[text] = u
    return u


def clean_uri(text: str) -> str | None:
    """``spotify:track:…`` as written, or the URI of an ``open.spotify.com/track/…`` link
    (what Spotify's Share menu copies); None for anything else (local files, episodes)."""
    clean = text.strip()
    if clean.startswith(SPOTIFY_TRACK_PREFIX):
        return clean
    m = SPOTIFY_TRACK_RE.fullmatch(clean.split("?", 1)[0].rstrip("/"))
    return SPOTIFY_TRACK_PREFIX + m.group(1) if m else None


def clean_isrc(text: str) -> str | None:
    clean = text.strip().upper().replace("-", "")
    return clean if ISRC_RE.fullmatch(clean) else None
