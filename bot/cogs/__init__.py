"""The bot's features, one per module; each ends in ``async def setup(bot)``.

Their names, descriptions and options come from the catalogue (:mod:`bot.commands`);
``_options`` holds what several cogs share, so no cog imports another.
"""
