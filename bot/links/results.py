"""What a lookup of a link gives: a song's names, or a failure with a sentence for the user.

Lookups never raise into a reply: every outcome is one of these values. A failure's
``message`` is a whole sentence naming the problem and what to do instead (usually: type
the song as "artist - title"); it never quotes the user's text, so it needs no escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.links.parse import SERVICE_NAMES

FailureKind = Literal[
    # a service's answer
    "not_found", "unavailable", "timeout", "rate_limited",
    # the link itself (see bot.links.parse.UnsupportedLink)
    "playlist", "album", "artist", "short_link", "broken", "other",
]  # fmt: skip

TYPE_INSTEAD = "type the song as `artist - title`"


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
            message = (
                "I can't read that YouTube video (it may be private, removed or closed to "
                f"embedding); {TYPE_INSTEAD}."
            )
        else:
            message = f"{name} has no song at that link; check the link, or {TYPE_INSTEAD}."
    elif kind == "timeout":
        message = f"{name} didn't answer in time, so I couldn't read that link; {TYPE_INSTEAD}."
    elif kind == "rate_limited":
        wait = _wait_words(retry_after)
        message = (
            f"{name} asked me to slow down, so I couldn't read that link; try again {wait}, "
            f"or {TYPE_INSTEAD}."
        )
    else:
        message = f"I couldn't read that {name} link right now; {TYPE_INSTEAD}."
    return LinkFailure(kind, service, message, retry_after if kind == "rate_limited" else None)


def _wait_words(seconds: float | None) -> str:
    if not seconds or seconds <= 90:
        return "in a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"in {minutes} minutes"
    return "later"
