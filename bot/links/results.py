"""What a lookup of a link gives: a song's names, or a failure with a sentence for the user.

Lookups never raise into a reply: every outcome is one of these values. A failure's
``message`` is a whole sentence naming the problem and what to do instead (usually: type
the song as "artist - title"); it never quotes the user's text, so it needs no escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.i18n import _
from bot.links.parse import SERVICE_NAMES, TYPE_INSTEAD

FailureKind = Literal[
    # a service's answer
    "not_found", "unavailable", "timeout", "rate_limited",
    # the link itself (see bot.links.parse.UnsupportedLink)
    "playlist", "album", "artist", "short_link", "broken", "other",
]  # fmt: skip


@dataclass(frozen=True)
class SongName:
    """A song as a service names it; ``artist`` is None when only the title is known."""

    service: str
    title: str
    artist: str | None = None

    @property
    def query(self) -> str:
        """ "artist - title" (or the title alone), to resolve like typed text."""
        return f"{self.artist} - {self.title}" if self.artist else self.title


@dataclass(frozen=True)
class LinkFailure:
    """Why a link gave no song, and the sentence that tells the user."""

    kind: FailureKind
    service: str | None
    message: str
    retry_after: float | None = None  # rate_limited: seconds the service asked us to wait


def service_failure(
    kind: FailureKind, service: str, retry_after: float | None = None
) -> LinkFailure:
    """The failure of one service's lookup, with its sentence."""
    name = SERVICE_NAMES.get(service, service)
    if kind == "not_found":
        if service == "youtube":
            message = _(
                "I can't read that YouTube video (it may be private, removed or closed to "
                "embedding); {instead}.",
                instead=_(TYPE_INSTEAD),
            )
        else:
            message = _(
                "{service} has no song at that link; check the link, or {instead}.",
                service=name,
                instead=_(TYPE_INSTEAD),
            )
    elif kind == "timeout":
        message = _(
            "{service} didn't answer in time, so I couldn't read that link; {instead}.",
            service=name,
            instead=_(TYPE_INSTEAD),
        )
    elif kind == "rate_limited":
        message = _(
            "{service} asked me to slow down, so I couldn't read that link; try again {wait}, "
            "or {instead}.",
            service=name,
            wait=_wait_words(retry_after),
            instead=_(TYPE_INSTEAD),
        )
    else:
        message = _(
            "I couldn't read that {service} link right now; {instead}.",
            service=name,
            instead=_(TYPE_INSTEAD),
        )
    return LinkFailure(kind, service, message, retry_after if kind == "rate_limited" else None)


def _wait_words(seconds: float | None) -> str:
    if not seconds or seconds <= 90:
        return _("in a minute")
    minutes = round(seconds / 60)
    if minutes < 90:
        return _("in {minutes} minutes", minutes=minutes)
    return _("later")
