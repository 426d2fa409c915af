"""``/settings``: a server's settings, shown or changed by members with Manage Server.

The permission is Discord's to tell (the cog reads it from the interaction or the channel
and passes ``can_manage``); this part reads ``setting value`` (:func:`bot.server_settings.change`),
stores the result and shows every setting. A change applies from the next command on: the
settings live in memory (:class:`~bot.server_settings.ServerSettingsStore`).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.commands import COMMANDS
from bot.i18n import N_, _
from bot.replies.base import AnswersBase
from bot.replies.reply import Reply, notice
from bot.server_embeds import settings_embed
from bot.server_settings import ALWAYS_ON, SettingError, change, setting_named

NOT_ALLOWED = N_(
    "Only members with the **Manage Server** permission can see or change songsim's settings here."
)
IN_A_SERVER = N_("Settings belong to a server: use this command in one.")
# The commands a server may turn off: every listed Discord command but the way back.
SWITCHABLE = tuple(
    c.name for c in COMMANDS if c.listed and not c.is_menu and c.name not in ALWAYS_ON
)


class SettingsAnswers(AnswersBase):
    """Showing and changing the settings of the server a command came from."""

    async def settings(
        self,
        setting: str = "",
        value: str = "",
        *,
        can_manage: bool,
        channel: Callable[[str], int | None] = lambda _: None,
    ) -> Reply:
        """``/settings`` alone shows every setting; ``/settings why_names hidden`` changes one.

        ``channel`` reads a channel word ("#music", "here") for ``prefix_channels``.
        """
        if self.guild_id is None:
            return notice(_(IN_A_SERVER), "warning", ephemeral=True)
        if not can_manage:
            return notice(_(NOT_ALLOWED), "warning", ephemeral=True)
        language = {"default_language": self.services.settings.language}
        store = self.services.user_db.servers
        current = store.get(self.guild_id)
        if not setting.strip():
            return Reply(settings_embed(current, self.prefix, **language), ephemeral=True)
        try:
            key = setting_named(setting)
            new = change(current, key, value, commands=SWITCHABLE, channel=channel)
        except SettingError as exc:
            return notice(str(exc), "warning", ephemeral=True)
        await store.put(self.guild_id, new)
        self.use_names()  # this reply already follows the new song_names
        return Reply(
            settings_embed(
                new,
                self.prefix,
                saved=_("`{key}` changed; it applies from now on.", key=key),
                **language,
            ),
            ephemeral=True,
        )
