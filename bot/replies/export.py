"""Taking a list elsewhere: the Export button and ``/export``, and one song's listen links.

Export gives the list as three files (:func:`bot.export.export_files`: Spotify links, CSV,
JSPF). It re-reads the list's pages from the first, up to :data:`EXPORT_SONGS` songs, with
the options it was asked with and the user's blocks as they are now, so the files hold the
playlist the pages add up to (not only the page on screen). ``/export`` exports the user's
last list: each list reply is remembered per user, in memory (a restart forgets it, and
``/export`` then says how to get a list).

``listen`` is the console's word for the links Discord shows under each song.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

from bot import embeds
from bot.export import export_files
from bot.i18n import _, number
from bot.listen import listen_links
from bot.replies.blocks import BlockAnswers
from bot.replies.refs import SongRef
from bot.replies.reply import PageSpec, Reply, notice
from bot.services import Services
from bot.text import safe
from index.model import Answer, Track

EXPORT_SONGS = 50  # a playlist's worth; five pages of the list
EXPORT_PAGES = 10  # pages read at most (a page can be short: it caps songs per artist)
LAST_LISTS_MAX = 10_000  # users whose last list is kept; the oldest is forgotten first

_last_lists: weakref.WeakKeyDictionary[Services, OrderedDict[int, Reply]] = (
    weakref.WeakKeyDictionary()
)


def forget_last_list(services: Services, user_id: int) -> bool:
    """Forget ``user_id``'s last list (``/privacy delete``); True when there was one."""
    lists = _last_lists.get(services)
    return lists is not None and lists.pop(user_id, None) is not None


class ExportAnswers(BlockAnswers):
    """Exporting a list as files, and the listen links of one of its songs."""

    def remember_list(self, reply: Reply) -> Reply:
        """Keep ``reply`` (a page of a list) as this user's last list, for ``/export``."""
        if reply.page is not None:
            lists = _last_lists.setdefault(self.services, OrderedDict())
            lists[self.user_id] = reply
            lists.move_to_end(self.user_id)
            while len(lists) > LAST_LISTS_MAX:
                lists.popitem(last=False)
        return reply

    def last_list(self) -> Reply | None:
        return _last_lists.get(self.services, OrderedDict()).get(self.user_id)

    async def export_last(self) -> Reply:
        """``/export``: the user's last list as files, or how to get a list first."""
        last = self.last_list()
        return await self.export(last.page if last is not None else None)

    async def export(self, spec: PageSpec | None) -> Reply:
        """The Export button: the list ``spec`` is a page of, as three files."""
        if spec is None:
            return notice(
                _(
                    "There is no list to export yet. Ask for songs first "
                    "(`{c.similar} artist - title`, `{c.mix}` or "
                    "`{c.foryou}`), then press **Export** under the list or use "
                    "`{c.export}`.",
                    prefix=self.prefix,
                ),
                "info",
                ephemeral=True,
            )
        now = await self.seeds_now(spec)
        if isinstance(now, Reply):
            return now
        tracks, more, seeds, title = await self._whole_list(now)
        if not tracks:
            return notice(_("This list has no songs to export."), "info", ephemeral=True)
        links = await self.services.links_for(tracks)
        export = export_files(tracks, title, seeds=seeds, links=links.urls)
        text = export.summary()
        if more:
            text += " " + _(
                "The list goes on; these are its first {n} songs.", n=number(EXPORT_SONGS)
            )
        if export.linked:
            how = _(
                "Paste the links into a Spotify playlist; import the CSV into a playlist-transfer "
                "tool (TuneMyMusic, Soundiiz) or the JSPF into ListenBrainz."
            )
        else:  # no links to paste: the tools that find songs by name
            how = _(
                "Import the CSV into a playlist-transfer tool (TuneMyMusic, Soundiiz), which "
                "finds the songs by name, or the JSPF into ListenBrainz."
            )
        text += "\n" + how
        return Reply(
            embeds.notice_embed(text, "ok", _("Export: {title}", title=safe(title, 200))),
            files=export.files,
            ephemeral=True,
        )

    async def _whole_list(self, spec: PageSpec) -> tuple[list[Track], bool, list[Track], str]:
        """The list's songs page by page as "More" walks them, up to :data:`EXPORT_SONGS`
        (a page caps songs per artist, so one long page would not be the same list);
        whether more remain; its seeds; and a plain title."""
        chosen = await self.page_exclusions(spec)
        tracks: list[Track] = []
        offset, first, more, pages = 0, None, True, 0
        while more and len(tracks) < EXPORT_SONGS and pages < EXPORT_PAGES:
            pages += 1
            answer: Answer = await self.read_page(spec, chosen, offset)
            first = first or answer
            tracks += [*(i.track for i in answer.items), *answer.fallback]
            more, offset = answer.has_more, offset + spec.limit
        assert first is not None
        more = more or len(tracks) > EXPORT_SONGS
        tracks = list({t.track_id: t for t in tracks}.values())[:EXPORT_SONGS]
        if spec.mode == "similar":
            seed = first.seed
            assert seed is not None, "a song's neighbours always name the song"
            title = _("Songs like {title} — {artist}", title=seed.title, artist=seed.artist)
            return tracks, more, [seed], title
        if spec.mode == "mix":
            seeds = list(first.seeds)
            return (
                tracks,
                more,
                seeds,
                _("A mix of {names}", names=", ".join(s.title for s in seeds)),
            )
        if spec.mode == "playlist":
            return tracks, more, [], _("Your playlist mix")
        return tracks, more, [], _("Picked for you")

    async def listen(self, reply: Reply, track_id: int) -> Reply:
        """A listed song on every service (the console's ``listen N``)."""
        track = next((t for t in reply.items if t.track_id == track_id), None)
        if track is None:
            return notice(_("That song is not on this list."), "warning")
        track = (await self.still_there([SongRef.of(track)])).get(track_id)
        if track is None:
            return self.gone_notice()
        links = await self.services.links_for([track])
        lines = [
            f"[{link.service}]({link.url})" + ("" if link.direct else " " + _("(search)"))
            for link in listen_links(track, links.urls)
        ]
        title = _(
            "Listen to {title} — {artist}",
            title=safe(track.title, 150),
            artist=safe(track.artist, 90),
        )
        return notice("\n".join(lines), "info", title)
