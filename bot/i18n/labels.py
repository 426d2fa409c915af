"""The index's labels in the language being written.

:mod:`index` writes no sentences for people: a fallback list's label, the hint for a text
that matched no song and a listening session's name come back as data
(:class:`~index.model.FallbackLabel`, :class:`~index.model.Hint`,
:class:`~index.model.PlaylistRef`), and are written here with the catalogues (:func:`_`),
the language's dates (:func:`long_date`) and numbers. English is what the library wrote
before; ``songsim ask`` writes it, as it sets no language.

The results are plain text: names in them are strangers' text, escaped where shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date

from bot.i18n import N_, _, long_date, ngettext
from index.model import FallbackKind, FallbackLabel, Hint, HintKind, PlaylistRef, Resolution
from index.sources import SourceEntry

NAME_MAX = 80  # a playlist's name in a label is cut here (some are whole paragraphs)
# Whether a stranger's playlist name may be shown in a label, for the command running in
# this task (the server's Why? names setting; None: always). Set with NAME_FILTER.
PLAYLIST_SHOWN: ContextVar[Callable[[str], bool] | None] = ContextVar(
    "PLAYLIST_SHOWN", default=None
)


def session_name(day: date) -> str:
    """ "a listening session on 3 March 2025": a session named by its day."""
    return _("a listening session on {day}", day=long_date(day))


def playlist_name(ref: PlaylistRef) -> str:
    """A playlist in a list of them: its name, or a session's ("a listening session on …")."""
    return session_name(ref.day) if ref.day else ref.name


def fallback_label(label: FallbackLabel) -> str:
    """ "From the playlist “Summer 2015”", "Other songs by Daft Punk", … in this language."""
    kind = label.kind
    if kind is FallbackKind.POPULAR:
        return _("Popular songs in this index")
    if kind is FallbackKind.ARTISTS:
        return _("Other songs by {artists}", artists=names_list(label.artists))
    if kind is FallbackKind.SIMILAR_ARTISTS:
        return _("Songs by artists similar to {artists}", artists=names_list(label.artists))
    if kind is FallbackKind.PLAYLIST:
        return _one_playlist(label)
    songs = _("with this song") if label.seeds == 1 else _("with these songs")
    if label.read < label.total:
        if label.also:
            return ngettext(
                "Also from {read} of the {n} playlist {songs}",
                "Also from {read} of the {n} playlists {songs}",
                label.total, read=label.read, songs=songs,
            )  # fmt: skip
        return ngettext(
            "From {read} of the {n} playlist {songs}",
            "From {read} of the {n} playlists {songs}",
            label.total, read=label.read, songs=songs,
        )  # fmt: skip
    if label.also:
        return ngettext(
            "Also from the {n} playlist {songs}",
            "Also from the {n} playlists {songs}",
            label.total, songs=songs,
        )  # fmt: skip
    return ngettext(
        "From the {n} playlist {songs}", "From the {n} playlists {songs}", label.total, songs=songs
    )


def _one_playlist(label: FallbackLabel) -> str:
    ref = label.playlist
    if ref is not None and ref.day:
        day = long_date(ref.day)
        if label.also:
            return _("Also from a listening session on {day}", day=day)
        return _("From a listening session on {day}", day=day)
    shown = PLAYLIST_SHOWN.get()
    if ref is not None and ref.name and (shown is None or shown(ref.name)):
        name = ref.name if len(ref.name) <= NAME_MAX else ref.name[: NAME_MAX - 1] + "…"
        if label.also:
            return _("Also from the playlist “{name}”", name=name)
        return _("From the playlist “{name}”", name=name)
    if label.also:
        if label.seeds == 1:
            return _("Also from the one playlist with this song")
        return _("Also from the one playlist with these songs")
    if label.seeds == 1:
        return _("From the one playlist with this song")
    return _("From the one playlist with these songs")


def hint_text(hint: Hint) -> str:
    """Why a text matched no song, and how to ask instead."""
    if hint.kind is HintKind.NOT_BY_ARTIST:
        return _(
            "No song by {artist} is called “{title}”; did you mean one of these?",
            artist=hint.artist,
            title=hint.title,
        )
    if hint.kind is HintKind.NO_MATCH:
        return _(
            "No song matches “{text}” — try “artist - title”, for example “{example}”, "
            "and check the spelling.",
            text=hint.text,
            example=hint.example,
        )
    return _("Type a song as “artist - title”, for example “{example}”.", example=hint.example)


def names_list(names: Sequence[str]) -> str:
    """ "Daft Punk", "Daft Punk and Justice", "A, B and C" in the language being written."""
    if len(names) <= 1:
        return "".join(names)
    return _("{items} and {last}", items=", ".join(names[:-1]), last=names[-1])


def note_of(res: Resolution) -> str | None:
    """The sentence above a "did you mean" or a not-found: the application's own (what a
    link said), else the index's hint, else none."""
    if res.message:
        return res.message
    return hint_text(res.hint) if res.hint is not None else None


# The titles, licences and eras of index.sources.TERMS, so the catalogues hold them
# (a test keeps the two in step); another index's own texts are shown as they are.
DATA_TEXTS = (
    N_("ListenBrainz listens"),
    N_("CC0"),
    N_("Spotify playlists (Zenodo)"),
    N_("terms at zenodo.org/records/2594557"),
    N_("about 2015"),
    N_("Million Playlist Dataset"),
    N_("research and non-commercial use only"),
    N_("Yes.com radio playlists (Cornell)"),
    N_("research use; commercial use needs Yes.com's consent"),
    N_("playlists from a CSV file"),
    N_("the file's own terms"),
)


def data_line(entry: SourceEntry) -> str:
    """ "ListenBrainz listens up to 30 November 2026, CC0": one input of the index."""
    title, licence = _(entry.title), _(entry.licence)
    if entry.newest:
        try:
            day = long_date(date.fromisoformat(entry.newest))
        except ValueError:
            day = entry.newest
        return _("{title} up to {day}, {licence}", title=title, day=day, licence=licence)
    if entry.era:
        return _("{title} ({era}), {licence}", title=title, era=_(entry.era), licence=licence)
    return _("{title}, {licence}", title=title, licence=licence)
