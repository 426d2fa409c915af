"""What the bot answers, without Discord: text in, :class:`~bot.replies.reply.Reply` out.

The cogs (Discord) and the console (terminal) both call :class:`Answers`, so every command
behaves the same in both; they differ only in how a reply is shown and how its buttons are
pressed. :class:`Answers` is one object per command, made of a part per family of commands:

- :mod:`~bot.replies.lists`: ``similar``, the list buttons (More, Back, pick, Why?),
  ``about`` and ``help``; :mod:`~bot.replies.mixes`: ``mix`` and ``foryou``;
- :mod:`~bot.replies.playlist`: a mix from an attached playlist file;
- :mod:`~bot.replies.seeds` and :mod:`~bot.seed_reading`: the song a command names
  (typed text, a link, what the caller is playing);
- :mod:`~bot.replies.artist`, :mod:`~bot.replies.likes`, :mod:`~bot.replies.blocks` (and
  :mod:`~bot.exclusions`, what every list leaves out), :mod:`~bot.replies.export`,
  :mod:`~bot.replies.autocomplete`;
- :mod:`~bot.replies.settings` (a server's ``/settings``) and :mod:`~bot.replies.privacy`
  (what songsim keeps about a user: shown, exported, deleted);
- :mod:`~bot.replies.base`: what they all share (resolving text, finding a button's songs
  in the index answering now), :mod:`~bot.replies.refs`: a song as a button names it, and
  :mod:`~bot.replies.reply`: the :class:`Reply` and :class:`PageSpec` types.
"""

from bot.replies.lists import Answers
from bot.replies.reply import PAGE_SIZE, PageSpec, Reply, notice

__all__ = ["PAGE_SIZE", "Answers", "PageSpec", "Reply", "notice"]
