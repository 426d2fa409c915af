"""songsim's application: the Discord bot, the console mode and the ``songsim`` CLI."""

__version__ = "0.1.0"
