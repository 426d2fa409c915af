"""Search tables the read path needs, created at build time inside the index file.

(Filled in by the read path: FTS5/trigram or token tables over track and artist names.)
"""

from __future__ import annotations

import sqlite3


def create_search_tables(conn: sqlite3.Connection) -> None:
    """Create and fill the read path's search tables from ``tracks`` and ``artists``."""
