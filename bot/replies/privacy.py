"""``/privacy``: what songsim keeps about the caller, as a list, a JSON file, or deleted.

Everything keyed to a user is here: their likes and blocked artists, and any other row of
the user database with their ``user_id`` (:meth:`bot.user_db.UserDB.user_tables` finds the
tables, so one a later version adds is covered too), and their last list (in memory, for
``/export``). Servers' settings name no user, and the Spotify and link caches are keyed by
songs and links. Deleting asks first: the cog shows a
button only the caller can press (the console: ``privacy delete confirm``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.discovery import ranking_name
from bot.export import ExportFile
from bot.i18n import _, ngettext, slash_name
from bot.replies.export import ExportAnswers, forget_last_list
from bot.replies.reply import Reply, notice
from bot.server_embeds import forgotten_embed, privacy_embed
from bot.text import songs_count

ACTIONS = ("show", "export", "delete")
CONFIRM_WORD = "confirm"


class PrivacyAnswers(ExportAnswers):
    """A user's own data: shown, exported, deleted."""

    def _last_list_line(self) -> str | None:
        reply = self.last_list()
        if reply is None or reply.page is None:
            return None
        spec = reply.page
        command = slash_name("mix" if spec.mode == "playlist" else spec.mode)  # a file: /mix
        return _(
            "/{command} of {songs}, discovery: {ranking}",
            command=command,
            songs=songs_count(len(spec.seeds)),
            ranking=ranking_name(spec.ranking),
        )

    async def privacy(self, action: str = "") -> Reply:
        """``/privacy`` shows, ``/privacy export`` attaches JSON, ``/privacy delete`` asks."""
        word = action.strip().casefold() or "show"
        if word not in ACTIONS and word != f"delete {CONFIRM_WORD}":
            return notice(
                _(
                    "`{c.privacy}` takes `export` or `delete`, or nothing to see what "
                    "songsim keeps about you.",
                    prefix=self.prefix,
                ),
                "warning",
                ephemeral=True,
            )
        db = self.services.user_db
        if word == "export":
            return await self.privacy_export()
        if word == f"delete {CONFIRM_WORD}":
            return await self.forget_me()
        if word == "delete":
            return notice(
                _(
                    "This deletes every song you liked, every artist you blocked, the lists "
                    "behind your buttons and your last list, for good. "
                    "Press **{button}** to go ahead (only you can).",
                    button=_("Delete my data"),
                ),
                "warning",
                _("Delete your data?"),
                ephemeral=True,
            )
        likes, blocks = await db.likes(self.user_id), await db.blocks(self.user_id)
        others = {t: len(r) for t, r in (await self._other_rows()).items() if r}
        embed = privacy_embed(
            likes,
            blocks,
            self._last_list_line(),
            self.prefix,
            self.services.settings.privacy_url,
            others,
        )
        return Reply(embed, ephemeral=True)

    async def _other_rows(self) -> dict[str, list[dict[str, object]]]:
        """The user's rows in tables other than likes and blocks (shown as they are)."""
        rows = await self.services.user_db.user_rows(self.user_id)
        return {t: r for t, r in rows.items() if t not in ("likes", "blocks")}

    async def privacy_export(self) -> Reply:
        """Everything kept about the user as one JSON file."""
        db = self.services.user_db
        likes, blocks = await db.likes(self.user_id), await db.blocks(self.user_id)
        data = {
            "user_id": str(self.user_id),
            "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "likes": [
                {
                    "artist": lk.artist,
                    "title": lk.title,
                    "track_id": lk.track_id,
                    "liked_at": lk.liked_at,
                }
                for lk in likes
            ],  # fmt: skip
            "blocked_artists": [{"artist": b.name, "blocked_at": b.blocked_at} for b in blocks],
            "last_list": self._last_list_line(),
            "other": {t: r for t, r in (await self._other_rows()).items() if r},
        }
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        reply = notice(
            _(
                "Everything songsim keeps about you: {likes} and {blocks}, "
                "in the attached JSON file.",
                likes=ngettext("{n} liked song", "{n} liked songs", len(likes)),
                blocks=ngettext("{n} blocked artist", "{n} blocked artists", len(blocks)),
            ),
            "ok",
            _("Your data"),
            ephemeral=True,
        )
        reply.files = [ExportFile("songsim-my-data.json", body, "json")]
        return reply

    async def forget_me(self) -> Reply:
        """Delete every row keyed to the user and their last list (after they confirmed)."""
        counts = await self.services.user_db.forget_user(self.user_id)
        had_list = forget_last_list(self.services, self.user_id)
        if not any(counts.values()) and not had_list:  # gone: nothing (or no longer) kept
            reply = notice(_("songsim keeps nothing about you: there was nothing to delete."), "ok")
            return Reply(reply.embed, ephemeral=True, gone=True)
        return Reply(forgotten_embed(counts, had_list), ephemeral=True)
