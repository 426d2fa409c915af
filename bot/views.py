"""Buttons and menus under a reply: "did you mean" choices, Back/More pages, "Why?", Export.

Every view answers only the person who asked (others get a short private note), disables
its components when it times out, and replaces the message in place when used, so a
conversation is one message that changes rather than a trail of new ones.
"""

from __future__ import annotations

import contextlib
import io
import logging
from typing import Any

import discord
from discord.ext import commands

from bot import embeds
from bot.export import ExportFile
from bot.replies import Answers, Reply
from bot.text import CHOICE_MAX, clip, plain, playlists_phrase
from bot.working import PRIVATE

log = logging.getLogger(__name__)

TIMEOUT = 300.0  # seconds a reply's components stay usable (read at creation, tests shorten it)
REPLIED = "songsim_replied"  # set in Interaction.extras once a command's answer is sent
NOT_YOURS = "Only the person who asked can use these buttons — ask me yourself with `/similar`."


class OwnedView(discord.ui.View):
    """A view only ``owner_id`` may use; components are disabled when it times out."""

    def __init__(self, owner_id: int, *, timeout: float | None = None) -> None:
        super().__init__(timeout=TIMEOUT if timeout is None else timeout)
        self.owner_id = owner_id
        self.message: (
            discord.Message | discord.InteractionMessage | discord.WebhookMessage | None
        ) = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            answers = getattr(self, "answers", None)
            if answers is not None:  # a press is a new task: the server's name filter again
                answers.use_names()
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    def disable_all(self) -> None:
        for item in self.children:
            if hasattr(item, "disabled"):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is not None:
            # The message may be gone or its token expired: then there is nothing to disable.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        # Buttons and selects have a custom_id; a plain discord.ui.Item has none. A user's
        # id is logged at debug level only (the README's privacy statement).
        log.error("Button %r failed", getattr(item, "custom_id", item), exc_info=error)
        log.debug("The failed button was pressed by user %s", interaction.user.id)
        text = "Sorry, that didn't work — something went wrong on my side. Please try again."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            pass


class ReplyView(OwnedView):
    """The components under an :class:`~bot.replies.reply.Reply`, built from what it allows."""

    def __init__(
        self, reply: Reply, answers: Answers, owner_id: int, *, timeout: float | None = None
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.reply = reply
        self.answers = answers
        if reply.choices:
            self.add_item(ChoiceSelect(reply))
        spec = reply.page
        if spec is not None:
            back = discord.ui.Button(
                label="Back",
                emoji="◀️",
                style=discord.ButtonStyle.secondary,
                disabled=spec.offset == 0,
                row=1,
            )
            back.callback = self._back
            more = discord.ui.Button(
                label="More",
                emoji="▶️",
                style=discord.ButtonStyle.primary,
                disabled=not spec.has_more,
                row=1,
            )
            more.callback = self._more
            self.add_item(back)
            self.add_item(more)
            if reply.items and spec.explains:
                why = discord.ui.Button(
                    label="Why?", emoji="❔", style=discord.ButtonStyle.secondary, row=1
                )
                why.callback = self._why
                self.add_item(why)
            export = discord.ui.Button(
                label="Export", emoji="💾", style=discord.ButtonStyle.secondary, row=1
            )
            export.callback = self._export
            self.add_item(export)

    async def show(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Replace this message's embed and components with ``reply`` (after a defer)."""
        view = (
            ReplyView(reply, self.answers, self.owner_id, timeout=self.timeout)
            if reply.interactive
            else None
        )
        self.stop()
        message = await interaction.edit_original_response(embed=reply.embed, view=view)
        if view is not None:
            view.message = message

    async def refuse_if_stale(self, interaction: discord.Interaction) -> bool:
        """When the index was replaced since this reply, keep the list but disable its
        buttons and say why privately; True when that happened."""
        if not self.answers.is_stale(self.reply):
            return False
        self.disable_all()
        self.stop()
        await interaction.response.edit_message(view=self)
        await interaction.followup.send(embed=self.answers.stale_notice().embed, ephemeral=True)
        return True

    async def _back(self, interaction: discord.Interaction) -> None:
        if await self.refuse_if_stale(interaction):
            return
        await interaction.response.defer()
        await self.show(interaction, await self.answers.back(self.reply))

    async def _more(self, interaction: discord.Interaction) -> None:
        if await self.refuse_if_stale(interaction):
            return
        await interaction.response.defer()
        await self.show(interaction, await self.answers.more(self.reply))

    async def _why(self, interaction: discord.Interaction) -> None:
        if await self.refuse_if_stale(interaction):
            return
        view = WhyView(self.reply, self.answers, self.owner_id)
        await interaction.response.send_message(
            embed=embeds.notice_embed(
                "Pick a song from the list to see what links it.", "info", "Why these songs?"
            ),
            view=view,
            ephemeral=True,
        )

    async def _export(self, interaction: discord.Interaction) -> None:
        """The list as files, sent privately to the asker (the list itself stays as it is)."""
        if await self.refuse_if_stale(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await self.answers.export(self.reply)
        kwargs: dict[str, Any] = {"files": discord_files(reply.files)} if reply.files else {}
        await interaction.followup.send(embed=reply.embed, ephemeral=True, **kwargs)


def discord_files(files: list[ExportFile]) -> list[discord.File]:
    """An export's files as attachments."""
    return [discord.File(io.BytesIO(f.data), filename=f.filename) for f in files]


class ChoiceSelect(discord.ui.Select["ReplyView"]):
    """ "Did you mean…": one option per suggested song; picking one answers in place."""

    def __init__(self, reply: Reply) -> None:
        options = [
            discord.SelectOption(
                label=plain(t.title, CHOICE_MAX),
                description=plain(f"{t.artist} · {playlists_phrase(int(t.playlists))}", CHOICE_MAX),
                value=str(t.track_id),
            )
            for t in reply.choices[:25]
        ]
        placeholder = "Did you mean…" if not reply.page else "Not the one? Pick another song…"
        super().__init__(placeholder=placeholder, options=options, row=0)

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        assert view is not None
        if await view.refuse_if_stale(interaction):
            return
        await interaction.response.defer()
        await view.show(interaction, await view.answers.pick(view.reply, int(self.values[0])))


class WhyView(OwnedView):
    """A private menu of the listed songs; picking one shows why it is linked to the seed."""

    def __init__(self, reply: Reply, answers: Answers, owner_id: int) -> None:
        super().__init__(owner_id)
        self.reply = reply
        self.answers = answers
        select = discord.ui.Select(
            placeholder="Why is this song here?",
            options=[
                discord.SelectOption(
                    label=plain(t.title, CHOICE_MAX),
                    description=plain(t.artist, CHOICE_MAX),
                    value=str(t.track_id),
                )
                for t in reply.items[:25]
            ],
        )
        select.callback = self._picked
        self.select = select
        self.add_item(select)

    async def _picked(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        embed = await self.answers.why(self.reply, int(self.select.values[0]))
        await interaction.edit_original_response(embed=embed, view=self)


async def send_reply(ctx: commands.Context, reply: Reply, answers: Answers) -> discord.Message:
    """Send ``reply`` for a command (prefix or slash), with its components when it has any."""
    view = ReplyView(reply, answers, ctx.author.id) if reply.interactive else None
    private = ctx.interaction.extras.get(PRIVATE) if ctx.interaction is not None else None
    embed = reply.embed
    if isinstance(private, str):  # why this answer is private (a server's settings)
        embed = embed.copy()
        footer = embed.footer.text
        embed.set_footer(text=clip(f"{footer} · {private}" if footer else private, 2048))
    kwargs: dict[str, Any] = {"embed": embed, "ephemeral": reply.ephemeral or bool(private)}
    if view is not None:
        kwargs["view"] = view
    if reply.files:
        kwargs["files"] = discord_files(reply.files)
    message = await ctx.send(**kwargs)
    if ctx.interaction is not None:
        ctx.interaction.extras[REPLIED] = True
    if view is not None:
        view.message = message
    return message
