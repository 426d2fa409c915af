"""What a user asked not to see, in their words: the flags they type and the notes a reply
shows about what was left out.

Every list answer honours an :class:`~index.model.Exclusions` (the index applies it before
paging, so pages stay full). The bot builds one per answer (:mod:`bot.replies.blocks`) from
three things: the user's blocked artists (every answer), the songs they liked (left out of
``/similar`` and ``/mix`` unless they ask to include them) and "other artists only"
(``/similar`` and ``/mix``, on request). This module reads the prefix and console spelling
of the two options (``--other-artists``, ``--include-liked``, trailing like the discovery
flags) and words what was hidden: a footer note ("3 songs hidden by your blocks") and the
sentence of a list the exclusions emptied, which must not read as "no song shares
playlists" when many do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.i18n import _, ngettext
from bot.i18n.labels import names_list
from index.model import ArtistScore, Exclusions
from index.names import credited_artists, normalise_name
from index.read.exclude import BlockedArtist

OTHER_ARTISTS_FLAG = "--other-artists"
INCLUDE_LIKED_FLAG = "--include-liked"
_OTHER_ARTISTS = {"other-artists", "other-artists-only", "others"}
_INCLUDE_LIKED = {"include-liked", "include-likes", "with-liked", "with-likes"}
_DASHES = ("--", "\u2014", "\u2013")  # phones turn "--" into a dash, as for discovery flags


@dataclass(frozen=True)
class ExclusionFlags:
    """A command's text without its exclusion flags, and the options they set."""

    text: str
    other_artists: bool = False
    include_liked: bool = False


def _flag(word: str) -> str | None:
    """``word`` without its leading dashes, casefolded; None when it is no flag."""
    for dash in _DASHES:
        if word.startswith(dash) and len(word) > len(dash):
            return word[len(dash) :].casefold().replace("_", "-")
    return None


def split_exclusion_flags(text: str) -> ExclusionFlags:
    """Take ``--other-artists`` and ``--include-liked`` off the end of a command's text.

    Only the trailing run of flags is read (so a title with dashes stays a title), in any
    order with the discovery flags, which are left in place for
    :func:`bot.discovery.split_discovery` ("song --other-artists --deep-cuts" works, as
    does "song --deep cuts --other-artists").
    """
    words = text.split()
    kept: list[str] = []  # the other flags of the trailing run, right to left
    other = liked = False
    i = len(words)
    while i > 0:
        word = words[i - 1]
        bare = _flag(word)
        if bare in _OTHER_ARTISTS:
            other = True
        elif bare in _INCLUDE_LIKED:
            liked = True
        elif bare is not None:
            kept.append(word)
        elif word.casefold() == "cuts" and i >= 2 and _flag(words[i - 2]) == "deep":
            kept += [word, words[i - 2]]
            i -= 1
        else:
            break
        i -= 1
    if not (other or liked):
        return ExclusionFlags(text)
    return ExclusionFlags(" ".join(words[:i] + kept[::-1]), other, liked)


@dataclass(frozen=True)
class UserExclusions:
    """The :class:`~index.model.Exclusions` of one answer and what it is made of, for the
    reply's notes. ``blocks`` and ``likes`` count the user's blocked artists and the liked
    songs left out; ``other_artists`` is "other artists only"."""

    exclusions: Exclusions = Exclusions()
    blocks: int = 0
    likes: int = 0
    other_artists: bool = False

    def _causes(self) -> list[str]:
        causes = []
        if self.blocks:
            causes.append(_("your blocks"))
        if self.other_artists:
            causes.append(_("“other artists only”"))
        if self.likes:
            causes.append(_("your likes"))
        return causes

    def footer(self, hidden: int) -> str | None:
        """ "3 songs hidden by your blocks and your likes", or None when nothing was."""
        causes = self._causes()
        if hidden <= 0 or not causes:
            return None
        return ngettext(
            "{n} song hidden by {causes}",
            "{n} songs hidden by {causes}",
            hidden,
            causes=_and(causes),
        )

    def emptied(self, prefix: str = "/") -> str:
        """The sentence of a list whose every recommendation was left out, with the way to
        see them again."""
        reasons, hints = [], []
        if self.blocks:
            reasons.append(_("by an artist you blocked"))
            hints.append(_("`{c.blocks}` lists your blocks", prefix=prefix))
        if self.other_artists:
            reasons.append(_("by the artist you asked about (you asked for other artists only)"))
        if self.likes:
            reasons.append(_("a song you already like"))
            hints.append(_("`{flag}` shows liked songs too", flag=INCLUDE_LIKED_FLAG))
        text = _(
            "Every recommendation here is {reasons}, so none is shown.",
            reasons=_or(reasons or [_("left out")]),
        )
        return text + (f" {_and(hints)[:1].upper()}{_and(hints)[1:]}." if hints else "")


def _and(parts: Sequence[str]) -> str:
    return names_list(parts)


def _or(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("{items} or {last}", items=", ".join(parts[:-1]), last=parts[-1])


def artist_blocked(name: str, blocked: Iterable[BlockedArtist]) -> bool:
    """Whether an artist (by name) is one of the blocked, under the rule songs follow: a
    block of "Rihanna" also hides the artist "Eminem, Rihanna"."""
    credited = credited_artists(name)
    whole = normalise_name(name)
    return any(
        (b.keys <= credited) if b.keys else (bool(b.whole) and b.whole == whole) for b in blocked
    )


def keep_artists(scores: Sequence[ArtistScore], names: Iterable[str]) -> list[ArtistScore]:
    """Similar artists without the blocked ones (``names`` as stored by the user)."""
    blocked = [BlockedArtist.of(n) for n in names if n.strip()]
    if not blocked:
        return list(scores)
    return [s for s in scores if not artist_blocked(s.artist.name, blocked)]
