"""A Spotify link's artist and title through the bot's credentials (one ``GET /tracks/{id}``).

Used when a pasted Spotify link's URI is not in the index. The request runs through
:class:`bot.spotify.SpotifyLinks` (its worker threads, shared token and rate-limit breaker,
so a 429 pauses pasted links and reply links alike); the names are cached here like every
other link's. Without credentials :attr:`SpotifyApiNames.enabled` is False and the reader
falls back to Spotify's keyless oEmbed, which gives the title only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.links.cache import CachedName, LinkCache
from bot.links.parse import Link
from bot.links.results import LinkFailure, service_failure
from bot.links.services import LOOKUP_TIMEOUT, LinkService

if TYPE_CHECKING:
    from bot.spotify import SpotifyLinks

# Longer than any reply waits: the lookup's own timeout decides, and says "timeout".
_THREAD_GRACE = 1.0


class SpotifyApiNames(LinkService):
    """Artist and title of a Spotify track id with the Web API (credentials needed)."""

    service = "spotify"

    def __init__(
        self, links: SpotifyLinks, cache: LinkCache | None, *, timeout: float = LOOKUP_TIMEOUT
    ) -> None:
        super().__init__(cache, timeout=timeout)
        self._links = links

    @property
    def enabled(self) -> bool:
        """True while the bot's Spotify credentials work (set, accepted, started)."""
        return self._links.enabled

    @property
    def paused_for(self) -> float:
        return self._links.paused_for  # the breaker SpotifyLinks trips on a 429

    def _pause(self, seconds: float) -> None:
        pass  # already paused by SpotifyLinks' breaker

    def cache_key(self, link: Link) -> str:
        return f"spotify:{link.id}"

    async def fetch(self, link: Link, timeout: float) -> CachedName | LinkFailure:
        if not self.enabled:
            return service_failure("unavailable", self.service)
        item = await self._links.track_object(str(link.id), timeout + _THREAD_GRACE)
        if item is None:
            if self._links.paused_for:
                return service_failure("rate_limited", self.service, self._links.paused_for)
            return service_failure("unavailable", self.service)
        if not item:
            return CachedName(None, None)
        title = " ".join(str(item.get("name") or "").split())
        artists = [a.get("name") for a in item.get("artists") or [] if isinstance(a, dict)]
        # The first credited artist: how the Million Playlist Dataset names a track's artist.
        artist = next((" ".join(a.split()) for a in artists if isinstance(a, str) and a), None)
        if not title:
            raise KeyError("the track object has no name")
        return CachedName(artist, title)
