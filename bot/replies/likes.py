"""The likes commands: ``like``, ``unlike`` and ``likes``, and the liked songs ``/foryou`` uses.

Likes are stored by track id with the song's name (:mod:`bot.user_db`). A rebuilt index
numbers its songs anew, so :meth:`LikeAnswers.liked_tracks` checks each id still names the
same song and otherwise finds the song again by its name.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot import embeds
from bot.i18n import _, ngettext
from bot.replies.reply import Reply, notice
from bot.replies.seeds import SeedAnswers
from bot.text import safe
from bot.user_db import LikeLimitReached
from index.model import Track

LIKES_SHOWN = 50  # songs ``likes`` lists (and looks up links for)


class LikeAnswers(SeedAnswers):
    """Liking and forgetting songs, and listing the user's likes."""

    async def like(self, text: str) -> Reply:
        text = text.strip()
        if not text:
            usage = self._usage("like")
            return notice(_("Tell me which song: {usage}.", usage=usage), "warning", ephemeral=True)
        res = await self.song_of(text, command="like")  # typed, or a song link
        if isinstance(res, Reply):
            return res
        if res.match is None:
            return await self._choose_or_fail(res.query, res, "like")
        return await self.like_track(res.match.track_id)

    async def like_track(self, track_id: int) -> Reply:
        track = await self.track(track_id)
        if track is None:
            return notice(_("That song is no longer in the index."), "warning")
        name = f"**{safe(track.title, 200)}** — {safe(track.artist, 150)}"
        try:
            added = await self.services.user_db.like(
                self.user_id, track.track_id, track.artist, track.title
            )
        except LikeLimitReached as exc:
            return notice(str(exc), "warning", ephemeral=True)
        count = await self.services.user_db.count(self.user_id)
        if not added:
            return notice(_("You already like {name}.", name=name), "info")
        return notice(
            ngettext(
                "Liked {name}. You have {n} liked song — `{c.foryou}` recommends from them.",
                "Liked {name}. You have {n} liked songs — `{c.foryou}` recommends from them.",
                count,
                name=name,
                prefix=self.prefix,
            ),
            "ok",
        )

    async def unlike(self, text: str) -> Reply:
        """Forget a like, by its number in ``/likes`` or by name."""
        text = text.strip()
        tracks, _missing = await self.liked_tracks()
        if not text:
            return notice(
                _("Tell me which song, or its number in `{c.likes}`.", prefix=self.prefix),
                "warning",
                ephemeral=True,
            )
        target = None
        if text.isdigit():
            n = int(text)
            if not tracks:
                return notice(
                    _(
                        "You haven't liked any songs yet. Try `{c.like} artist - title`.",
                        prefix=self.prefix,
                    ),
                    "info",
                )
            if not 1 <= n <= len(tracks):
                return notice(
                    ngettext(
                        "You have {n} liked song; pick a number from `{c.likes}`.",
                        "You have {n} liked songs; pick a number from `{c.likes}`.",
                        len(tracks),
                        prefix=self.prefix,
                    ),
                    "warning",
                )
            target = tracks[n - 1]
        else:
            target = _best_like(text, tracks)
            if target is None:
                res = await self.resolve(text)
                liked = {t.track_id for t in tracks}
                if res.match is not None and res.match.track_id in liked:
                    target = res.match
        if target is None:
            return notice(
                _(
                    "“{text}” is not in your likes (see `{c.likes}`).",
                    text=safe(text, 200),
                    prefix=self.prefix,
                ),
                "warning",
            )
        await self.services.user_db.unlike(self.user_id, target.track_id)
        return notice(
            _(
                "Removed **{title}** — {artist} from your likes.",
                title=safe(target.title, 200),
                artist=safe(target.artist, 150),
            ),
            "ok",
        )

    async def likes(self) -> Reply:
        tracks, missing = await self.liked_tracks()
        links = await self.services.links_for(tracks[:LIKES_SHOWN])
        shown = tracks[:LIKES_SHOWN]
        return Reply(embeds.likes_embed(shown, links.urls, missing, self.prefix, total=len(tracks)))

    async def liked_tracks(self) -> tuple[list[Track], int]:
        """The user's liked songs as tracks of the current index, and how many are gone.

        A like whose id now points at another song (the index was rebuilt) is found again
        by its name and re-pointed; one not found is counted as missing.
        """
        db = self.services.user_db
        tracks: list[Track] = []
        missing = 0
        likes = await db.likes(self.user_id)
        known = await self._read(self.index.tracks, [like.track_id for like in likes])
        for like in likes:
            track = known.get(like.track_id)
            if track is not None and _same_song(track, like.artist, like.title):
                tracks.append(track)
                continue
            res = await self._read(self.index.resolve, f"{like.artist} - {like.title}")
            match = res.match
            if match is not None and _same_song(match, like.artist, like.title):
                await db.replace_track_id(self.user_id, like.track_id, match.track_id)
                tracks.append(match)
            else:
                missing += 1
        return tracks, missing


def _fold(s: str) -> str:
    return " ".join(s.casefold().split())


def _same_song(track: Track, artist: str, title: str) -> bool:
    return _fold(track.artist) == _fold(artist) and _fold(track.title) == _fold(title)


def _best_like(text: str, tracks: Sequence[Track]) -> Track | None:
    """The liked song ``text`` names best, if it names one clearly (rapidfuzz ≥ 85)."""
    if not tracks:
        return None
    names = [f"{t.artist} - {t.title}" for t in tracks]
    titles = [t.title for t in tracks]
    best = process.extractOne(text, names, scorer=fuzz.WRatio, processor=_fold)
    by_title = process.extractOne(text, titles, scorer=fuzz.ratio, processor=_fold)
    candidates = [c for c in (best, by_title) if c and c[1] >= 85]
    if not candidates:
        return None
    return tracks[max(candidates, key=lambda c: c[1])[2]]
