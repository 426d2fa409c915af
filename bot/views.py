"""Buttons and menus under a reply: "did you mean" choices, Back/More pages, "Why?", Export.

Every component is a :class:`discord.ui.DynamicItem` whose custom id holds what a press
needs (:mod:`bot.custom_ids`): who asked, the list's songs, its options and the page. So a
press is answered by whichever process runs when it comes, one started after the message
was posted included (:meth:`bot.bot.SongsimBot.setup_hook` registers :data:`DYNAMIC_ITEMS`),
and the components never time out. Only the person who asked may use them (others get a
short private note); a press replaces the message in place, so a conversation is one
message that changes rather than a trail of new ones. When a song a list was made from is
no longer in the index (it was rebuilt since), the press says so privately and the list's
buttons are turned off. Components posted before they carried their state get a private
note saying to ask again (:mod:`bot.old_components`).
"""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext import commands

from bot import custom_ids, embeds
from bot.export import ExportFile
from bot.i18n import N_, _, use_language
from bot.old_components import FromBefore
from bot.replies import Answers, PageSpec, Reply
from bot.replies.refs import SongRef
from bot.text import CHOICE_MAX, clip, plain, playlists_phrase
from bot.user_db import SAVED_LIST_DAYS, UserDB
from bot.working import PRIVATE, send_answer
from index.model import Track

if TYPE_CHECKING:
    from bot.bot import SongsimBot

log = logging.getLogger(__name__)

# Texts are English here and shown in the presser's language (bot.i18n).
NOT_YOURS = N_("Only the person who asked can use these buttons — ask me yourself with `/similar`.")
SORRY = N_("Sorry, that didn't work — something went wrong on my side. Please try again.")
FORGOTTEN = N_(
    "I no longer keep this list (lists are kept {days} days after their last use) — ask again."
)
BUTTONS = {  # act → label, emoji, style
    "b": (N_("Back"), "◀️", discord.ButtonStyle.secondary),
    "m": (N_("More"), "▶️", discord.ButtonStyle.primary),
    "w": (N_("Why?"), "❔", discord.ButtonStyle.secondary),
    "e": (N_("Export"), "💾", discord.ButtonStyle.secondary),
}


def forgotten() -> discord.Embed:
    return embeds.notice_embed(_(FORGOTTEN, days=SAVED_LIST_DAYS), "info")


def _bot(interaction: discord.Interaction) -> SongsimBot:
    return cast("SongsimBot", interaction.client)


class Owned:
    """What every songsim component does on a press: answer only its owner, and turn a
    failure into a private apology and a logged traceback."""

    owner_id: int
    custom_id: str

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        with use_language(str(interaction.locale)):
            text = _(NOT_YOURS)
        await interaction.response.send_message(text, ephemeral=True)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        with use_language(str(interaction.locale)):  # the presser's Discord language
            await self._callback(interaction)

    async def _callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.answer(interaction, _bot(interaction).answers_for(interaction))
        except Exception as error:
            # A custom id names its owner: it and the presser's id are logged at debug
            # level only (the README's privacy statement).
            log.error("A %s press failed", type(self).__name__, exc_info=error)
            log.debug("It was %r, pressed by user %s", self.custom_id, interaction.user.id)
            try:
                if interaction.response.is_done():
                    await interaction.followup.send(_(SORRY), ephemeral=True)
                else:
                    await interaction.response.send_message(_(SORRY), ephemeral=True)
            except discord.HTTPException:
                pass

    async def answer(self, interaction: discord.Interaction, answers: Answers) -> None:
        raise NotImplementedError


class ListButton(
    Owned, discord.ui.DynamicItem[discord.ui.Button[Any]], template=custom_ids.LIST_BUTTON
):
    """More, Back, Why? or Export under a list; its custom id holds the page it shows."""

    def __init__(
        self, act: str, owner_id: int, spec: PageSpec, seeds: str, *, disabled: bool = False
    ) -> None:
        label, emoji, style = BUTTONS[act]
        label = _(label)
        custom_id = custom_ids.list_id(act, owner_id, spec, seeds)
        super().__init__(
            discord.ui.Button(
                label=label, emoji=emoji, style=style, disabled=disabled, row=1, custom_id=custom_id
            )
        )
        self.act, self.owner_id, self.spec, self.seeds = act, owner_id, spec, seeds

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ListButton:
        owner_id, spec, _saved = custom_ids.read_list(match)
        return cls(match["act"], owner_id, spec, match["seeds"])

    async def answer(self, interaction: discord.Interaction, answers: Answers) -> None:
        if self.act in "mb":
            await interaction.response.defer()
        else:  # Why? and Export answer privately
            await interaction.response.defer(ephemeral=True, thinking=True)
        spec = await saved_spec(self.spec, self.seeds, self.owner_id, answers.services.user_db)
        if spec is None:
            await turn_off(interaction, forgotten())
            return
        if self.act in "mb":
            await answer_in_place(interaction, await answers.page(spec), answers)
        elif self.act == "w":
            await self.why_menu(interaction, answers, spec)
        else:
            reply = await answers.export(spec)
            if reply.gone:
                await turn_off(interaction, reply.embed)
                return
            kwargs: dict[str, Any] = {"files": discord_files(reply.files)} if reply.files else {}
            await interaction.followup.send(embed=reply.embed, ephemeral=True, **kwargs)

    async def why_menu(
        self, interaction: discord.Interaction, answers: Answers, spec: PageSpec
    ) -> None:
        """A private menu of the page's songs; picking one says why it is on the list."""
        songs = await answers.page_songs(spec)
        if isinstance(songs, Reply):
            await answer_in_place(interaction, songs, answers)
            return
        if not songs:
            embed = embeds.notice_embed(
                _("This page lists no songs now."), "info", _("Why these songs?")
            )
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(WhyMenu(self.owner_id, spec, self.seeds, songs))
        await interaction.followup.send(
            embed=embeds.notice_embed(
                _("Pick a song from the list to see what links it."), "info", _("Why these songs?")
            ),
            view=view,
            ephemeral=True,
        )


class WhyMenu(Owned, discord.ui.DynamicItem[discord.ui.Select[Any]], template=custom_ids.WHY_MENU):
    """The private "Why?" menu: the page's songs; picking one shows what links it."""

    def __init__(
        self,
        owner_id: int,
        spec: PageSpec,
        seeds: str,
        songs: list[Track],
        options: list[discord.SelectOption] | None = None,
    ) -> None:
        if options is None:
            options = [
                discord.SelectOption(
                    label=plain(t.title, CHOICE_MAX),
                    description=plain(t.artist, CHOICE_MAX),
                    value=custom_ids.song_value(SongRef.of(t)),
                )
                for t in songs[:25]
            ]
        super().__init__(
            discord.ui.Select(
                placeholder=_("Why is this song here?"),
                options=options,
                custom_id=custom_ids.list_id("y", owner_id, spec, seeds),
            )
        )
        self.owner_id, self.spec, self.seeds = owner_id, spec, seeds

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> WhyMenu:
        owner_id, spec, _saved = custom_ids.read_list(match)
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(owner_id, spec, match["seeds"], [], options=list(options))

    async def answer(self, interaction: discord.Interaction, answers: Answers) -> None:
        await interaction.response.defer()
        spec = await saved_spec(self.spec, self.seeds, self.owner_id, answers.services.user_db)
        if spec is None:
            embed = forgotten()
        else:
            song = custom_ids.read_song(self.item.values[0])
            embed = await answers.why_of(spec, song)
        await interaction.edit_original_response(embed=embed)  # the menu stays for another pick


class ChoiceMenu(
    Owned, discord.ui.DynamicItem[discord.ui.Select[Any]], template=custom_ids.CHOICE_MENU
):
    """ "Did you mean…": one option per suggested song; picking one answers in place."""

    def __init__(
        self,
        owner_id: int,
        options: custom_ids.Options,
        choices: list[discord.SelectOption],
        placeholder: str | None,
    ) -> None:
        super().__init__(
            discord.ui.Select(
                placeholder=placeholder,
                options=choices,
                row=0,
                custom_id=custom_ids.choice_id(owner_id, options),
            )
        )
        self.owner_id, self.options = owner_id, options

    @classmethod
    def of(cls, reply: Reply, owner_id: int) -> ChoiceMenu:
        artists = reply.purpose == "artist"  # each song stands for its artist
        choices = [
            discord.SelectOption(
                label=plain(t.artist if artists else t.title, CHOICE_MAX),
                description=plain(
                    _("for example “{title}”", title=t.title)
                    if artists
                    else f"{t.artist} · {playlists_phrase(int(t.playlists))}",
                    CHOICE_MAX,
                ),
                value=custom_ids.song_value(SongRef.of(t)),
            )
            for t in reply.choices[:25]
        ]
        placeholder = _("Did you mean…") if not reply.page else _("Not the one? Pick another song…")
        options = custom_ids.Options(
            reply.purpose, reply.ranking, reply.other_artists, reply.include_liked
        )
        return cls(owner_id, options, choices, placeholder)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceMenu:
        owner_id, options = custom_ids.read_choice(match)
        select = item if isinstance(item, discord.ui.Select) else None
        choices = list(select.options) if select else []
        return cls(owner_id, options, choices, select.placeholder if select else None)

    async def answer(self, interaction: discord.Interaction, answers: Answers) -> None:
        await interaction.response.defer()
        o = self.options
        reply = await answers.pick_song(
            custom_ids.read_song(self.item.values[0]),
            o.purpose,
            ranking=o.ranking,
            other_artists=o.other_artists,
            include_liked=o.include_liked,
        )
        if reply.gone:  # the other choices may still be there: the menu stays
            await interaction.followup.send(embed=reply.embed, ephemeral=True)
        else:
            await answer_in_place(interaction, reply, answers)


DYNAMIC_ITEMS = (ListButton, WhyMenu, ChoiceMenu, FromBefore)


async def saved_spec(spec: PageSpec, seeds: str, owner_id: int, user_db: UserDB) -> PageSpec | None:
    """The page with its seeds: from the custom id, or the database for a saved list
    (None once it is forgotten)."""
    if not seeds.startswith("@"):
        return spec
    saved = await user_db.saved_list(seeds[1:], owner_id)
    return custom_ids.with_saved(spec, *saved) if saved is not None else None


async def list_seeds(spec: PageSpec, owner_id: int, user_db: UserDB) -> str:
    """How the list's buttons name its seeds: inline, or ``@key`` once saved."""
    seeds = custom_ids.seeds_of(spec)
    if custom_ids.fits_inline(spec, owner_id):
        return seeds
    key = custom_ids.list_key(owner_id, seeds, spec.note)
    await user_db.save_list(key, owner_id, seeds, spec.note)
    return f"@{key}"


async def reply_view(reply: Reply, owner_id: int, answers: Answers) -> discord.ui.View | None:
    """The components under ``reply`` for ``owner_id`` (None when it has none)."""
    if not reply.interactive:
        return None
    view = discord.ui.View(timeout=None)
    if reply.choices:
        view.add_item(ChoiceMenu.of(reply, owner_id))
    spec = reply.page
    if spec is not None:
        seeds = await list_seeds(spec, owner_id, answers.services.user_db)
        back = ListButton("b", owner_id, spec.previous_page(), seeds, disabled=spec.offset == 0)
        more = spec.next_page(len(reply.items))
        view.add_item(back)
        view.add_item(ListButton("m", owner_id, more, seeds, disabled=not spec.has_more))
        if reply.items and spec.explains:
            view.add_item(ListButton("w", owner_id, spec, seeds))
        view.add_item(ListButton("e", owner_id, spec, seeds))
    return view


async def answer_in_place(interaction: discord.Interaction, reply: Reply, answers: Answers) -> None:
    """What a press answers (after a defer): a gone song turns the buttons off with a
    private note, another private notice is sent privately, anything else is shown in
    place of the pressed message."""
    if reply.gone:
        await turn_off(interaction, reply.embed)
    elif reply.ephemeral:
        await interaction.followup.send(embed=reply.embed, ephemeral=True)
    else:
        await show(interaction, reply, answers)


async def show(interaction: discord.Interaction, reply: Reply, answers: Answers) -> None:
    """Replace the pressed message's embed and components with ``reply`` (after a defer)."""
    view = await reply_view(reply, interaction.user.id, answers)
    await interaction.edit_original_response(embed=reply.embed, view=view)


async def turn_off(interaction: discord.Interaction, note: discord.Embed) -> None:
    """Keep the list but turn its buttons off, and say why privately (after a defer).

    After a deferred update (More, Back) the pressed message is the interaction's own
    and is edited through it; after a private "thinking" (Why?, Export) it is edited as a
    channel message, where the bot can (not in a user-installed app's group DM).
    """
    message = interaction.message
    if message is not None and not message.flags.ephemeral:
        view = discord.ui.View.from_message(message, timeout=None)
        for item in view.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True
        view.stop()  # sent to draw the message only; nothing listens to it
        try:
            if interaction.response.type == discord.InteractionResponseType.deferred_message_update:
                await interaction.edit_original_response(view=view)
            else:
                await message.edit(view=view)
        except discord.HTTPException:
            log.debug("Could not turn off the buttons of message %s", message.id)
    await interaction.followup.send(embed=note, ephemeral=True)


def discord_files(files: list[ExportFile]) -> list[discord.File]:
    """An export's files as attachments."""
    return [discord.File(io.BytesIO(f.data), filename=f.filename) for f in files]


async def send_reply(ctx: commands.Context, reply: Reply, answers: Answers) -> discord.Message:
    """Send ``reply`` for a command (prefix or slash), with its components when it has any."""
    view = await reply_view(reply, ctx.author.id, answers)
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
    if ctx.interaction is None:
        return await ctx.send(**kwargs)
    return await send_answer(ctx.interaction, ctx.send, private=kwargs["ephemeral"], **kwargs)
