"""The lines of a list of songs: numbered songs, the fallback or top-up under them, footers.

``/similar``, ``/mix`` and ``/foryou`` show the same kind of list, so its parts are built
here once: :func:`recommendation_lines` numbers the songs (on from earlier pages),
:func:`fallback_lines` and :func:`top_up_lines` label the weaker hints below them, and
:func:`answer_footer` says where the page is, how it was ranked and what index answered.
Every name passes through :func:`~bot.text.safe`.

Under each song a :class:`Listen` budget adds one small "Listen:" line of search links
(YouTube Music, Apple Music, Deezer); Spotify is the song title's own link when known.
One line per song keeps the links beside the song they play, and Discord's subtext
(``-# ``) keeps them small; they cost about 250 characters a song. When they do not all
fit in the description's 4096, the searches are shortened (a title's first words find a
song as well), and only then does a page of very long names give its last songs none
rather than cutting a link in half.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.discovery import ranking_name
from bot.i18n import _, ngettext, number
from bot.i18n.labels import fallback_label
from bot.listen import SEARCH_MAX, SEPARATOR, listen_links
from bot.text import percent, playlists_phrase, safe, songs_count
from index.model import Answer, IndexStats, Recommendation, Track

LISTEN_MARK = "-# "  # Discord subtext; the console recognises listen lines by it
LISTEN_START = LISTEN_MARK + "Listen: "  # in English
SHORTER_SEARCHES = (SEARCH_MAX, 48, 32)  # "artist title" searched, tried in turn to fit


class Listen:
    """Listen lines under songs while ``budget`` characters last, top song first; searches
    for at most ``search_max`` characters of "artist title"."""

    def __init__(self, links: Mapping[int, str], budget: int, search_max: int = SEARCH_MAX) -> None:
        self.links = links
        self.left = budget
        self.search_max = search_max
        self.full = False

    def under(self, track: Track) -> list[str]:
        """The line under ``track`` (``[]`` once the budget ran out: no gaps in a list)."""
        if self.full:
            return []
        # Spotify is the title's link when known; a Spotify search would only repeat it.
        chosen = [
            link
            for link in listen_links(track, self.links, search_max=self.search_max)
            if link.service != "Spotify"
        ]
        line = listen_start() + SEPARATOR.join(f"[{k.label}]({k.url})" for k in chosen)
        if len(line) + 1 > self.left:
            self.full = True
            return []
        self.left -= len(line) + 1
        return [line]


def listen_start() -> str:
    """ "-# Listen: " in the language being written."""
    return LISTEN_MARK + _("Listen:") + " "


def _under(listen: Listen | None, track: Track) -> list[str]:
    return listen.under(track) if listen is not None else []


def index_footer(stats: IndexStats) -> str:
    """ "Index: 2,262,292 songs from 1,000,000 playlists · built 2026-11-26"."""
    songs = songs_count(stats.tracks)
    playlists = ngettext("{n} playlist", "{n} playlists", stats.playlists)
    parts = [_("Index: {songs} from {playlists}", songs=songs, playlists=playlists)]
    if stats.built_at:
        parts.append(_("built {date}", date=str(stats.built_at)[:10]))
    return " · ".join(parts)


def linked(text: str, url: str | None) -> str:
    """``text`` as a masked link to ``url``, or as it is without one."""
    return f"[{text}]({url})" if url else text


def song_line(
    number: int, track: Track, similarity: float | None, shared: int | None, url: str | None
) -> str:
    """ "**1.** [One More Time](url) — Daft Punk · 63% · in 17 shared playlists"."""
    line = f"**{number}.** {linked(safe(track.title, 200), url)} — {safe(track.artist, 120)}"
    if similarity is not None:
        line += f" · {percent(similarity)}"
    if shared is not None:
        line += f" · {playlists_phrase(int(shared), shared=True)}"
    return line


def recommendation_lines(
    items: Sequence[Recommendation],
    offset: int,
    links: Mapping[int, str],
    *,
    seeds: Sequence[Track] = (),
    listen: Listen | None = None,
) -> list[str]:
    """Numbered songs. Songs from several ``seeds`` (a mix, ``/foryou``) were merged by rank,
    so instead of a percentage they say which of the seeds they are like."""
    lines = []
    for i, item in enumerate(items):
        track = item.track
        url = links.get(track.track_id)
        if len(seeds) <= 1:
            lines.append(song_line(offset + i + 1, track, item.jaccard, item.shared, url))
        else:
            line = song_line(offset + i + 1, track, None, None, url)
            lines.append(line + _like_which(item, seeds))
        lines += _under(listen, track)
    return lines


def _like_which(item: Recommendation, seeds: Sequence[Track]) -> str:
    """ " · like One More Time", " · like both your songs", " · like 2 of your 3 songs"."""
    near, via = item.near, item.via
    if near == 1:
        seed = next((s for s in seeds if s.track_id == via), None)
        return " · " + _("like {title}", title=safe(seed.title, 80)) if seed else ""
    if near == len(seeds):
        if near == 2:
            return " · " + _("like both your songs")
        return " · " + _("like all {n} of your songs", n=number(near))
    return " · " + _("like {near} of your {n} songs", near=number(near), n=number(len(seeds)))


def _plain_lines(
    tracks: Sequence[Track], links: Mapping[int, str], start: int = 1, listen: Listen | None = None
) -> list[str]:
    lines = []
    for i, t in enumerate(tracks):
        url = links.get(t.track_id)
        lines.append(
            song_line(start + i, t, None, None, url) + f" · {playlists_phrase(int(t.playlists))}"
        )
        lines += _under(listen, t)
    return lines


def from_playlists(answer: Answer) -> bool:
    """A rare answer's fallback is the songs of the seeds' playlists (not their artists')."""
    return answer.rare and answer.fallback_source == "playlists"


def fallback_lines(
    answer: Answer,
    links: Mapping[int, str],
    start: int = 1,
    note: str | None = None,
    listen: Listen | None = None,
) -> list[str]:
    """The labelled fallback list of a rare answer ("From the playlist “…”", "Other songs
    by …"), with an optional ``note`` under the label, or nothing when there is none."""
    if not answer.fallback:
        return []
    label = fallback_label(answer.fallback_label) if answer.fallback_label else _("You might try")
    return [
        "",
        f"**{safe(label, 200)}**",
        *([note] if note else []),
        *_plain_lines(answer.fallback, links, start, listen),
    ]


def top_up_lines(
    answer: Answer, offset: int, links: Mapping[int, str], listen: Listen | None = None
) -> list[str]:
    """A short page's top-up from the seeds' playlists, numbered on from the list above and
    labelled as the weaker hint it is."""
    if answer.rare or not answer.fallback:
        return []
    return fallback_lines(
        answer,
        links,
        start=offset + len(answer.items) + 1,
        note="_" + _("A weaker hint than the songs above: they only share a playlist.") + "_",
        listen=listen,
    )


def _page_footer(
    stats: IndexStats,
    offset: int,
    shown: int,
    total: int | None,
    ranking: str | None = None,
    hidden: str | None = None,
    topped: int = 0,
) -> str:
    """ "Songs 1–10 of 30 · 3 songs hidden by your blocks · Discovery: closest · Index: …":
    where the page is, what was left out and how it was ranked, so a user comparing two
    lists can see which setting made each; ``topped`` songs from shared playlists numbered
    on below the page are counted after it."""
    parts = []
    if shown:
        if shown == 1:  # "Song 11 of 11", not "Songs 11–11 of 11"
            n = number(offset + 1)
            where = (
                _("Song {n} of {total}", n=n, total=number(total)) if total else _("Song {n}", n=n)
            )
        else:
            span = f"{offset + 1}–{offset + shown}"
            where = (
                _("Songs {span} of {total}", span=span, total=number(total))
                if total
                else _("Songs {span}", span=span)
            )
        if topped:
            where += " " + ngettext(
                "and {n} song from shared playlists", "and {n} songs from shared playlists", topped
            )
        parts.append(where)
    if hidden:
        parts.append(hidden)
    if ranking and shown:  # a fallback list was not ranked by the setting
        parts.append(_("Discovery: {ranking}", ranking=ranking_name(ranking)))
    footer = index_footer(stats)
    if footer:
        parts.append(footer)
    return " · ".join(parts)


def answer_footer(answer: Answer, stats: IndexStats, offset: int, hidden: str | None = None) -> str:
    """The footer of a list answer: counts its recommendations, then says how many of the
    songs numbered on below them are a top-up; ``hidden`` is the note on what exclusions
    left out."""
    topped = 0 if answer.rare else len(answer.fallback)
    shown = len(answer.items)
    return _page_footer(stats, offset, shown, answer.total, answer.ranking, hidden, topped)
