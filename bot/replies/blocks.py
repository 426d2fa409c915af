"""Blocked artists: ``block``, ``unblock`` and ``blocks``, and the exclusions every list
answer is asked with.

A block is kept by name (:mod:`bot.user_db`), so it survives an index rebuild, and is
applied by the index to every list (its pages, top-ups and fallbacks) through
:class:`~index.model.Exclusions`; :meth:`BlockAnswers.user_exclusions` builds that for one
answer from the user's blocks, their likes (re-found after a rebuild by
:meth:`~bot.replies.likes.LikeAnswers.liked_tracks`) and the answer's options. The similar
artists of ``/artist`` are filtered here by the same rule (:func:`bot.exclusions.keep_artists`).
A page asked for later (a button) is read from :meth:`BlockAnswers.seeds_now`: the list's
seeds as the index answering now has them.
"""

from __future__ import annotations

from dataclasses import replace

from bot import embeds
from bot.exclusions import UserExclusions
from bot.i18n import _, ngettext
from bot.replies.likes import LikeAnswers
from bot.replies.refs import SongRef
from bot.replies.reply import Mode, PageSpec, Reply, notice
from bot.text import safe
from bot.user_db import Block, BlockLimitReached, InvalidArtistName
from index.model import Answer, Exclusions
from index.names import block_key


class BlockAnswers(LikeAnswers):
    """Blocking artists, and the exclusions a user's answers honour."""

    async def block(self, text: str) -> Reply:
        """``/block artist``: leave the artist out of every answer to this user."""
        text = " ".join(text.split())
        if not text:
            return notice(
                _("Tell me which artist, for example `{c.block} drake`.", prefix=self.prefix),
                "warning",
                ephemeral=True,
            )
        name, known = await self._artist_name(text)
        try:
            added = await self.services.user_db.block_artist(self.user_id, name)
        except (BlockLimitReached, InvalidArtistName) as exc:
            return notice(str(exc), "warning", ephemeral=True)
        shown = f"**{safe(name, 120)}**"
        if not added:
            return notice(_("You already blocked {name}.", name=shown), "info", ephemeral=True)
        count = await self.services.user_db.block_count(self.user_id)
        text = ngettext(
            "Blocked {name}: their songs are left out of every answer you get. You have "
            "{n} blocked artist (`{c.blocks}`); `{c.unblock} {plain}` shows them again.",
            "Blocked {name}: their songs are left out of every answer you get. You have "
            "{n} blocked artists (`{c.blocks}`); `{c.unblock} {plain}` shows them again.",
            count,
            name=shown,
            prefix=self.prefix,
            plain=safe(name, 120),
        )
        if not known:
            text += " " + _(
                "No artist by that name is in the index now, so check the spelling; the "
                "block applies if they appear."
            )
        return notice(text, "ok", ephemeral=True)

    async def _artist_name(self, text: str) -> tuple[str, bool]:
        """The index's spelling of the artist ``text`` names (same block key), and whether
        the index knows one; else ``text`` as typed."""
        key = block_key(text)
        res = await self.resolve(text)
        if res.artist is not None and block_key(res.artist.name) == key:
            return res.artist.name, True
        tracks = await self._read(self.index.autocomplete, text, limit=25)
        for t in [*(res.suggestions or []), *tracks]:
            if block_key(t.artist) == key:
                return t.artist, True
        return text, False

    async def unblock(self, text: str) -> Reply:
        """``/unblock``: show an artist again, by name or by its number in ``/blocks``."""
        text = " ".join(text.split())
        blocks = await self.services.user_db.blocks(self.user_id)
        if not text:
            return notice(
                _("Tell me which artist, or its number in `{c.blocks}`.", prefix=self.prefix),
                "warning",
                ephemeral=True,
            )
        target = _blocked(text, blocks)
        if target is None:
            return notice(
                _(
                    "“{text}” is not one of your blocked artists (`{c.blocks}` lists them).",
                    text=safe(text, 120),
                    prefix=self.prefix,
                ),
                "warning",
                ephemeral=True,
            )
        await self.services.user_db.unblock_artist(self.user_id, target.name)
        return notice(
            _(
                "Unblocked **{name}**: their songs can appear in your answers again.",
                name=safe(target.name, 120),
            ),
            "ok",
            ephemeral=True,
        )

    async def blocks(self) -> Reply:
        """``/blocks``: the user's blocked artists, most recent first."""
        blocks = await self.services.user_db.blocks(self.user_id)
        return Reply(embeds.blocks_embed([b.name for b in blocks], self.prefix), ephemeral=True)

    async def blocked_names(self) -> list[str]:
        return [b.name for b in await self.services.user_db.blocks(self.user_id)]

    async def read_page(
        self, spec: PageSpec, chosen: UserExclusions, offset: int | None = None
    ) -> Answer:
        """The page of the list ``spec`` at ``offset`` (default its own), less ``chosen``.

        The one place that knows which read answers which kind of list: a file's mix is
        answered as the likes are, every seed counting alike.
        """
        read = {
            "similar": self.index.similar,
            "mix": self.index.mix,
            "foryou": self.index.for_you,
            "playlist": self.index.for_you,
        }[spec.mode]
        seeds = spec.seeds[0] if spec.mode == "similar" else list(spec.seeds)
        return await self._read(
            read,
            seeds,
            limit=spec.limit,
            offset=spec.offset if offset is None else offset,
            ranking=spec.ranking,
            exclusions=chosen.exclusions,
        )

    async def seeds_now(self, spec: PageSpec) -> PageSpec | Reply:
        """``spec`` with seeds from the index answering now, for a page asked for later.

        A ``/foryou`` list's seeds are the user's likes as they are now. The other lists'
        seeds must still be in the index (:meth:`still_there`: under their ids, or found
        again by name); a file's mix goes on with those left. Otherwise the notice that the
        song is gone.
        """
        if spec.mode == "foryou":
            tracks, _missing = await self.liked_tracks()
            if not tracks:
                return notice(
                    _(
                        "You have no liked songs now; like a few with `{c.like} "
                        "artist - title`, then ask again.",
                        prefix=self.prefix,
                    ),
                    "info",
                    ephemeral=True,
                )
            return replace(spec, seeds=tuple(t.track_id for t in tracks))
        refs = [SongRef(i, c) for i, c in zip(spec.seeds, spec.checks, strict=True)]
        kept = await self.still_there(refs)
        if kept and (len(kept) == len(refs) or spec.mode == "playlist"):
            left = [r for r in refs if r.track_id in kept]
            return replace(
                spec,
                seeds=tuple(kept[r.track_id].track_id for r in left),
                checks=tuple(r.check for r in left),
            )
        if spec.mode == "similar":
            return self.gone_notice(_("The song this list was made from is no longer in the index"))
        if spec.mode == "playlist":
            return self.gone_notice(
                _("None of the songs this mix was made from is in the index now")
            )
        return self.gone_notice(_("A song this mix was made from is no longer in the index"))

    async def page_exclusions(self, spec: PageSpec) -> UserExclusions:
        """What a page of the list ``spec`` leaves out (its options, the user's blocks)."""
        return await self.user_exclusions(
            spec.mode, other_artists=spec.other_artists, include_liked=spec.include_liked
        )

    async def user_exclusions(
        self, mode: Mode, *, other_artists: bool = False, include_liked: bool = False
    ) -> UserExclusions:
        """What one answer leaves out: the user's blocked artists always; for ``similar`` and
        ``mix``, the songs they liked (unless ``include_liked``) and, when asked, the named
        songs' artists. ``/foryou`` leaves out likes by itself and takes no options."""
        names = await self.blocked_names()
        liked: list[int] = []
        if mode != "foryou" and not include_liked:
            tracks, _missing = await self.liked_tracks()
            liked = [t.track_id for t in tracks]
        other = other_artists and mode != "foryou"
        return UserExclusions(
            Exclusions(other_artists_only=other, artist_names=names, track_ids=liked),
            blocks=len(names),
            likes=len(liked),
            other_artists=other,
        )


def _blocked(text: str, blocks: list[Block]) -> Block | None:
    """The block ``text`` names: by name (any spelling that folds alike) first, so an artist
    called "311" is found by name, else by its number in ``/blocks``."""
    key = block_key(text)
    for b in blocks:
        if b.key == key:
            return b
    if text.isdigit() and 1 <= int(text) <= len(blocks):
        return blocks[int(text) - 1]
    return None
