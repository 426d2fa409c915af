"""Everything the user database keeps about one user, found by its ``user_id`` column.

``/privacy`` shows, exports and deletes a user's rows (:mod:`bot.replies.privacy`). The
tables are read from the file rather than listed, so a table a later migration adds with a
``user_id`` column (the lists saved behind persistent buttons, say) is covered without
anyone remembering to extend ``/privacy``. Tables keyed by something else name no user:
the names of songs under buttons (``button_songs``), the Spotify and link caches, and the
servers' settings.
"""

from __future__ import annotations

import aiosqlite


class UserRows:
    """A part of :class:`bot.user_db.UserDB`: one user's rows, table by table."""

    _conn: aiosqlite.Connection

    async def user_tables(self) -> list[str]:
        """Every table with a ``user_id`` column: where rows about a user can be.

        Read from the file rather than listed here, so a table a later migration adds is
        covered by ``/privacy`` (shown, exported, deleted) without anyone remembering to.
        """
        async with self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ) as cur:
            names = [str(row[0]) for row in await cur.fetchall()]
        tables = []
        for name in names:
            async with self._conn.execute(f'PRAGMA table_info("{name}")') as cur:
                if any(col[1] == "user_id" for col in await cur.fetchall()):
                    tables.append(name)
        return tables

    async def user_rows(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """Every row keyed to ``user_id``, table by table (for ``/privacy export``)."""
        out: dict[str, list[dict[str, object]]] = {}
        for table in await self.user_tables():
            async with self._conn.execute(
                f'SELECT * FROM "{table}" WHERE user_id=?', (user_id,)
            ) as cur:
                columns = [d[0] for d in cur.description]
                out[table] = [dict(zip(columns, row, strict=True)) for row in await cur.fetchall()]
        return out

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete every row keyed to ``user_id`` in one transaction; the count per table."""
        counts: dict[str, int] = {}
        try:
            for table in await self.user_tables():
                cur = await self._conn.execute(f'DELETE FROM "{table}" WHERE user_id=?', (user_id,))
                counts[table] = cur.rowcount
            await self._conn.commit()
        except BaseException:
            await self._conn.rollback()
            raise
        return counts
