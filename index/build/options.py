"""Every setting of an index build, with its default, in one place: :class:`BuildOptions`.

The command line (``songsim index build`` and ``holdout``), :func:`index.build.build_index`,
the Spark engine and the neighbour kernels all take their defaults from here, so a default
is changed once and the help text, the library and the stored ``meta`` follow.

This module imports nothing from the rest of :mod:`index`, so every stage can import it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

METHODS = ("lsh", "exact", "auto")
"""How neighbours are found: MinHash + LSH (exact re-rank), exact Jaccard, or chosen by size."""

ENGINES = ("local", "spark")
"""Where a build runs: this machine, or Apache Spark (the optional ``spark`` extra)."""

RERANK_FACTOR = 3
"""With ``rerank=None`` the LSH path re-ranks ``RERANK_FACTOR * k`` candidates exactly."""


LEAST = {"k": 1, "min_playlists": 1, "min_shared": 1, "extras": 0, "artist_extras": 0}
LEAST |= {"session_gap": 0}
"""The least meaningful value of each numeric setting (the CLI names the flag with it)."""


@dataclass(frozen=True)
class BuildOptions:
    """How to build an index; each field's default is the build's default.

    Pass one to :func:`index.build.build_index` (or override fields by keyword there); the
    fields below say what each setting trades.
    """

    fmt: str = "auto"
    """Dataset format, one of ``index.ingest.FORMATS``; ``auto`` detects it from the
    content. Naming it skips the sniffing and turns "cannot tell" into "not that format"."""

    method: str = "lsh"
    """``lsh``: MinHash + LSH candidates for the expensive (popular) tracks, exact re-rank,
    exact scan for the rest; near-exact recall at a fraction of the exact cost on big data.
    ``exact``: every track scanned exactly (the reference; its cost grows with the sum of
    squared playlist lengths). ``auto``: exact when the scan is small (at most 50 million co-occurrence
    pairs, well under a second), else lsh."""

    k: int = 30
    """Neighbours stored per track. More gives the bot's rankings and pages more to choose
    from (the discovery rankings re-order these ``k``), at a proportionally larger file."""

    extras: int = 20
    """Candidates stored per track *after* its Jaccard top ``k`` (ranks ``k + 1`` on): the
    songs sharing most playlists with it that are not in the top ``k``, each with its exact
    Jaccard and shared count. The discovery rankings re-order the top ``k`` and these; a
    Jaccard top ``k`` alone leaves out the well-supported, better-known songs that
    "closest" and "popular" pick (docs/QUALITY.md). 0 stores the top ``k`` only; each
    extra adds a row to every track with more than ``k`` co-occurring songs."""

    artist_extras: int = 5
    """Songs by the track's own artists stored after the extras: those sharing a credited
    artist ("A, B" and "C feat. A" credit A) and at least one playlist with it (the artist
    is the second piece of evidence, so ``min_shared`` does not apply) that are not stored
    yet, best Jaccard first, each with its exact Jaccard and shared count
    (:mod:`index.build.artist_rows`). Every discovery ranking counts a song by the seed's
    artist double, and without these rows an album track beside the single, or met once
    with a song in a handful of playlists, is often not stored for it to pick. 0 stores
    none."""

    min_playlists: int = 2
    """Playlists a track must be in to get neighbours of its own (one in fewer than
    ``min_shared`` has none anyway). Lower gives more songs a list of their own, from
    thinner evidence; the bot answers the others from their playlists. Higher makes a
    smaller file."""

    min_shared: int = 2
    """Playlists a neighbour must share with the track. 2 keeps one chance co-occurrence
    from counting as similarity; 1 suits a collection one person curated, where most songs
    share only one playlist (docs/QUALITY.md)."""

    session_gap: int = 1800
    """Seconds of silence that end a listening session (listens only). A session is to
    listens what a playlist is to a playlist dataset; 30 minutes is the common choice in
    session-based recommendation. Shorter cuts more, smaller sessions."""

    strict: bool = False
    """Fail on the first malformed row (naming its line) instead of skipping and counting
    it: for datasets that should be clean."""

    memberships: bool = True
    """Store playlist names and memberships (which playlist holds which track). Without
    them the file is smaller, but answers cannot name the playlists two songs share, and a
    song with no neighbours is answered from its artist's other songs, not its playlists."""

    engine: str = "local"
    """``local``: this machine (numba kernels, all cores). ``spark``: Apache Spark, for
    catalogues past one machine; needs ``pip install 'songsim[spark]'`` and Java 17, and
    costs a JVM start-up that only pays off on big data (docs/SCALE.md)."""

    master: str = "local[2]"
    """Spark master with ``engine="spark"``: ``local[N]``, ``spark://host:7077``, ``yarn``,
    ``k8s://...``. Ignored by the local engine."""

    num_perm: int = 128
    """MinHash permutations, one LSH band each (``rows_per_band = 1``, so a pair collides
    in a band with probability exactly J, what low-Jaccard top-k needs). More permutations
    rank candidates better and cost proportionally more signature time and bucket memory."""

    bucket_cap: int = 256
    """Members of one LSH bucket a query looks at; a larger bucket (a playlist's many rare
    tracks) is cut to the ``bucket_cap`` nearest the query in set size, since J(a, b) <=
    min(|a|, |b|) / max(|a|, |b|). Higher finds more candidates at more time per query."""

    rerank: int | None = None
    """Candidates per query scored exactly on the LSH path, those sharing most bands;
    ``None`` means ``RERANK_FACTOR * k``. Higher raises recall and re-rank time."""

    exact_below: int = 40_000
    """Scan cost (memberships walked) up to which a track is scanned exactly instead of
    through LSH. Per query LSH is cheaper above about 5,000, but its recall@10 there is
    only 0.5-0.6: mid-popular tracks' neighbour Jaccards (0.1-0.2) are too close together
    for 128 one-row bands to rank. Above 40,000 (about 12k popular tracks, set size 70+)
    LSH is 10x cheaper and its recall 0.75-0.9; tracks in 20+ playlists keep recall@10
    0.97 overall (scripts/bench_lsh_tiers.py, docs/BENCHMARKS.md). 0 sends every query
    through LSH."""

    exact_budget: int = 5_500_000_000
    """Most memberships the exact scan may walk in all (0: no limit). When the queries under
    ``exact_below`` would walk more, the most expensive of them go through LSH too, so a
    denser collection or one of longer playlists, where every popular song's scan is
    longer, cannot stretch the build without bound. Each query moved costs recall (LSH
    finds 50-90 % of a mid-popular song's top 10), so the default leaves the full-scale
    Zenodo stand-in (4.8 billion) and the dense shape (5.1) alone and only trims the
    long-tail shape (6.5 billion; docs/BENCHMARKS.md): at 4.5 billion its recall@10 fell
    to 0.949."""

    seed: int = 1
    """Seed of the MinHash permutations (datasketch's default), so a build is repeatable."""

    def check(self) -> None:
        """Raise ValueError, in one sentence, for a setting no engine can build with."""
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}.")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}.")
        for name, low in LEAST.items():
            if getattr(self, name) < low:
                raise ValueError(f"{name} must be at least {low} (got {getattr(self, name)}).")

    def capped(self, n_tracks: int) -> BuildOptions:
        """These options with ``k``, ``extras`` and ``artist_extras`` cut to what a catalogue
        of ``n_tracks`` songs can fill (a song has at most ``n_tracks - 1`` neighbours), so
        ``--k 2147483647`` on a small file builds instead of sizing arrays by the request."""
        most = most_neighbours(n_tracks)
        return replace(
            self,
            k=min(self.k, most),
            extras=min(self.extras, most),
            artist_extras=min(self.artist_extras, most),
        )

    def lsh_params(self) -> dict[str, object]:
        """The LSH kernel's tuning, as keyword arguments of ``lsh_neighbours``."""
        return {
            "num_perm": self.num_perm,
            "bucket_cap": self.bucket_cap,
            "rerank": self.rerank,
            "exact_below": self.exact_below,
            "exact_budget": self.exact_budget,
            "seed": self.seed,
        }


def most_neighbours(n_tracks: int) -> int:
    """The most neighbours a song of a catalogue of ``n_tracks`` can have (at least 1)."""
    return max(n_tracks - 1, LEAST["k"])


DEFAULTS = BuildOptions()
"""The defaults, for signatures and help texts that need one value (``DEFAULTS.k``)."""
