"""songsim's application: the Discord bot, the console mode and the ``songsim`` CLI.

Where things live (the library it answers from is :mod:`index`, which never imports this):

- :mod:`bot.cli`: the ``songsim`` command line, one module per subcommand;
- :mod:`bot.bot` (the discord.py ``Bot`` and ``setup_hook``), :mod:`bot.cogs` (one feature
  per cog), :mod:`bot.views` (buttons), :mod:`bot.presence`; :mod:`bot.console` is the same
  bot in a terminal;
- :mod:`bot.commands`: the one command catalogue slash, prefix, console and help come from;
- :mod:`bot.replies`: what every command answers, without Discord;
- what a reply shows: :mod:`bot.embeds`, :mod:`bot.card` (Discord's limits),
  :mod:`bot.song_lines`, :mod:`bot.text` (strangers' text made safe), :mod:`bot.listen`
  (links for every service), :mod:`bot.export` (the Export files), :mod:`bot.discovery`;
- reading what people give: :mod:`bot.seed_reading` (the song a command names),
  :mod:`bot.links` (pasted links, with the outside services they
  need), :mod:`bot.playlists` (attached playlist files);
- outside services and state: :mod:`bot.spotify`, :mod:`bot.services` (the index, the user
  database and the HTTP session one bot shares), :mod:`bot.user_db` and
  :mod:`bot.user_db_schema` (likes and blocks, migrated on upgrade), :mod:`bot.settings`,
  :mod:`bot.heartbeat`, :mod:`bot.working`, :mod:`bot.errors`.
"""

__version__ = "0.1.0"
