"""Links for every service: where to listen to a song on Spotify, YouTube Music, Apple Music
and Deezer, without any API.

Spotify gets the song's own page when its id is known (the index's ``spotify_uri`` or a
looked-up link), else a search; the others get a search for "artist title" from fixed URL
templates. The search text is percent-encoded whole (``urllib.parse.quote`` with nothing
kept), so parentheses, brackets, spaces, quotes, ``&``, ``#`` and ``?`` in a name become
``%XX`` and can neither end a markdown link early nor change the URL's meaning.

Apple Music's search is used without a storefront (``music.apple.com/search``), which sends
each listener to their own country's catalogue; pass ``storefront="us"`` to pin one.

:func:`listen_line` renders one song as ``[Spotify](…) · [YT Music](…) · [Apple](…) ·
[Deezer](…)``; :func:`listen_lines` renders a list within a character budget (an embed
field holds 1024, a description 4096), dropping services from the end before songs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from bot.export import one_line, spotify_id
from index.model import Track

SEARCH_MAX = 80  # characters of "artist title" searched: enough to find any song
ENCODED_MAX = 240  # ...and at most this long once encoded (a CJK character takes 9)
SEPARATOR = " · "
FIELD_BUDGET = 1024  # an embed field value
DESCRIPTION_BUDGET = 4096  # an embed description


@dataclass(frozen=True)
class ListenLink:
    service: str  # "YouTube Music"
    label: str  # the short label an embed shows: "YT Music"
    url: str
    direct: bool  # the song's own page (a Spotify track), not a search


def search_terms(track: Track, limit: int = SEARCH_MAX) -> str:
    """ "Artist Title" on one line, at most ``limit`` (:data:`SEARCH_MAX`) characters and
    :data:`ENCODED_MAX` encoded ones, so every URL stays short (a link button takes 512).

    A name too long is cut at words keeping the start of both parts: the artist's first
    words (a third of the room, or what the title leaves) and as much of the title as fits, since a search for
    the artist alone would find any of their songs. A smaller ``limit`` makes shorter links
    where space is tight (an embed's description)."""
    artist, title = one_line(track.artist), one_line(track.title)
    encoded_max = min(ENCODED_MAX, 3 * limit)
    text = f"{artist} {title}".strip()
    if len(text) <= limit and len(_q(text)) <= encoded_max:
        return text
    head = _cut(  # the artist whole when the title leaves room, else its first third
        artist,
        max(limit // 3, limit - len(title) - 1),
        max(encoded_max // 3, encoded_max - len(_q(" " + title))),
    )
    used, used_encoded = len(head) + 1, len(_q(head + " "))
    tail = _cut(title, limit - used, encoded_max - used_encoded)
    return f"{head} {tail}".strip()


def _cut(text: str, chars: int, encoded: int) -> str:
    """``text`` cut at a word to ``chars`` characters and ``encoded`` encoded ones (within a
    word when its first word alone is too long)."""
    while text and (len(text) > chars or len(_q(text)) > encoded):
        if " " in text.strip():
            text = text.rsplit(" ", 1)[0].rstrip()
        else:
            text = text[: min(len(text) - 1, max(chars, 0))]
    return text


def _q(text: str) -> str:
    """Percent-encode everything but letters, digits and ``-._~``."""
    return quote(text, safe="")


def spotify_track_url(spotify_track_id: str) -> str:
    return f"https://open.spotify.com/track/{spotify_track_id}"


def spotify_search_url(terms: str) -> str:
    return f"https://open.spotify.com/search/{_q(terms)}"


def youtube_music_search_url(terms: str) -> str:
    return f"https://music.youtube.com/search?q={_q(terms)}"


def apple_music_search_url(terms: str, storefront: str | None = None) -> str:
    region = f"{_q(storefront.lower())}/" if storefront else ""
    return f"https://music.apple.com/{region}search?term={_q(terms)}"


def deezer_search_url(terms: str) -> str:
    return f"https://www.deezer.com/search/{_q(terms)}"


def listen_links(
    track: Track,
    links: Mapping[int, str] | None = None,
    *,
    storefront: str | None = None,
    search_max: int = SEARCH_MAX,
) -> list[ListenLink]:
    """The song on Spotify, YouTube Music, Apple Music and Deezer, in that order.

    ``links`` maps track ids to Spotify track URLs found by the lookup; a stored
    ``spotify_uri`` is used first. Fit for link buttons too (each URL is far below 512).
    ``search_max`` caps the searched "artist title" (see :func:`search_terms`).
    """
    terms = search_terms(track, search_max)
    sid = spotify_id(track, links)
    spotify = (
        ListenLink("Spotify", "Spotify", spotify_track_url(sid), True)
        if sid
        else ListenLink("Spotify", "Spotify", spotify_search_url(terms), False)
    )
    return [
        spotify,
        ListenLink("YouTube Music", "YT Music", youtube_music_search_url(terms), False),
        ListenLink("Apple Music", "Apple", apple_music_search_url(terms, storefront), False),
        ListenLink("Deezer", "Deezer", deezer_search_url(terms), False),
    ]


SERVICES = 4  # Spotify, YouTube Music, Apple Music, Deezer


def listen_line(
    track: Track,
    links: Mapping[int, str] | None = None,
    *,
    services: int = SERVICES,
    storefront: str | None = None,
) -> str:
    """ "[Spotify](…) · [YT Music](…) · [Apple](…) · [Deezer](…)", the first ``services``."""
    chosen = listen_links(track, links, storefront=storefront)[: max(1, services)]
    return SEPARATOR.join(f"[{link.label}]({link.url})" for link in chosen)


def listen_lines(
    tracks: Sequence[Track],
    links: Mapping[int, str] | None = None,
    *,
    budget: int = FIELD_BUDGET,
    prefix: Callable[[int, Track], str] | None = None,
    storefront: str | None = None,
) -> list[str]:
    """One listen line per song, joined by newlines within ``budget`` characters.

    Every song keeps the same services: Deezer goes first, then Apple Music, then YouTube
    Music; only when Spotify alone does not fit are songs dropped from the end. ``prefix``
    (given the 0-based position and the track) starts each line, e.g. ``"**1.** "``.
    """

    def render(count: int, services: int) -> list[str]:
        return [
            (prefix(i, t) if prefix else "")
            + listen_line(t, links, services=services, storefront=storefront)
            for i, t in enumerate(tracks[:count])
        ]

    for services in range(SERVICES, 0, -1):
        lines = render(len(tracks), services)
        if _length(lines) <= budget:
            return lines
    lines = render(len(tracks), 1)
    while lines and _length(lines) > budget:
        lines.pop()
    return lines


def _length(lines: list[str]) -> int:
    return sum(map(len, lines)) + max(len(lines) - 1, 0)
