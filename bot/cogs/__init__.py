"""The bot's features, one per module; each ends in ``async def setup(bot)``."""
