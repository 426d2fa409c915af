"""The identity key of artist and track names, so spellings that differ only in case,
Unicode form or spacing ("Daft Punk", "DAFT  PUNK ", "Ｄａｆｔ Ｐｕｎｋ") count as one.

Ingest calls :func:`normalise_name` once per distinct raw string, and the read path calls
it on user queries, so both sides agree on what "the same name" means.
"""

from __future__ import annotations

import unicodedata


def normalise_name(s: str) -> str:
    """Return the comparison key of a name: NFKC, case-folded, whitespace collapsed, stripped.

    Idempotent: ``normalise_name(normalise_name(s)) == normalise_name(s)``. NFKC runs again
    after case folding because folding can produce text that is not NFKC-normal.
    """
    if s.isascii():
        # ASCII is already NFKC and casefold() == lower() there; this is the common case.
        return " ".join(s.lower().split())
    folded = unicodedata.normalize("NFKC", s).casefold()
    return " ".join(unicodedata.normalize("NFKC", folded).split())
