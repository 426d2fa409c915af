"""``/artist``: artists whose songs share playlists with an artist's, without the ones the
user blocked (:func:`bot.exclusions.keep_artists`, the rule songs follow)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import embeds
from bot.discovery import UnknownDiscovery, split_discovery
from bot.exclusions import keep_artists
from bot.i18n import _
from bot.replies.base import SUGGESTIONS_MAX
from bot.replies.blocks import BlockAnswers
from bot.replies.reply import PAGE_SIZE, Reply, notice
from bot.text import safe
from index.model import Track


class ArtistAnswers(BlockAnswers):
    """Similar artists."""

    async def artist(self, text: str) -> Reply:
        """``/artist``: artists whose songs share playlists with this artist's."""
        try:  # one list of artists: a setting typed after the name ("--popular") is dropped
            text = split_discovery(text).text.strip()
        except UnknownDiscovery:
            text = text.strip()
        if not text:
            return notice(
                _("Tell me an artist, for example `{c.artist} daft punk`.", prefix=self.prefix),
                "warning",
                ephemeral=True,
            )
        res = await self.resolve(text)
        artist = res.artist
        if artist is None and res.match is not None:
            return await self.artist_of(res.match.artist_id)
        if artist is None:
            if picks := await self._artist_picks(text, res.suggestions):
                return Reply(
                    embeds.choose_embed(
                        text,
                        picks,
                        _("Which artist did you mean by “{text}”?", text=text),
                        artists=True,
                    ),
                    choices=picks,
                    purpose="artist",
                )
            return notice(
                _("I couldn't find an artist called “{text}”.", text=safe(text, 200)), "warning"
            )
        return await self.artist_of(artist.artist_id)

    async def _artist_picks(self, text: str, suggestions: Sequence[Track]) -> list[Track]:
        """One song per artist (the best matching) for "which artist did you mean": the
        text's song suggestions name the same artist over and over, so songs that merely
        start with the text fill the rest."""
        typed = await self._read(self.index.autocomplete, text, limit=SUGGESTIONS_MAX * 3)
        picks: dict[int, Track] = {}
        for t in [*suggestions, *typed]:
            picks.setdefault(t.artist_id, t)
        return list(picks.values())[:SUGGESTIONS_MAX]

    async def artist_of(self, artist_id: int) -> Reply:
        found = await self._read(self.index.artists, [artist_id])
        artist = found.get(artist_id)
        if artist is None:
            return notice(_("That artist is no longer in the index."), "warning")
        blocked = await self.blocked_names()  # blocked artists are left out here too
        scores = await self._read(
            self.index.similar_artists, artist_id, limit=PAGE_SIZE + len(blocked)
        )
        scores = keep_artists(scores, blocked)[:PAGE_SIZE]
        return Reply(embeds.artists_embed(artist, scores, await self.services.stats()))
