"""Write synthetic ListenBrainz listen dumps (full and incremental) of any size.

The real dumps are large and their users' listening is personal, so benchmarks and tests use
this stand-in. The format follows the listenbrainz-server source:

- layout (``listenstore/dump_listenstore.py``, ``dumps/exporter.py``): a dump is a folder or a
  ``.tar.xz``/``.tar.zst`` archive named ``listenbrainz-listens-dump-<id>-<YYYYMMDD>-<HHMMSS>-
  full`` (or ``-incremental``) holding ``SCHEMA_SEQUENCE`` (1), ``TIMESTAMP`` (full) or
  ``START_TIMESTAMP``/``END_TIMESTAMP`` (incremental), ``COPYING`` and
  ``listens/<YYYY>/<M>.listens``. A full dump holds the listens inserted up to its time, one
  file per month of ``listened_at`` (UTC), each sorted by ``listened_at``; an incremental holds
  the listens *inserted* in its window, one file per month of the insert time sorted by insert
  time (the server's ``ORDER BY created``), so late imports with old ``listened_at`` sit there.
- lines (``listen.py``, ``Listen.from_timescale(...).to_json()`` dumped by orjson): compact JSON
  ``{"user_id","user_name","listened_at"|"timestamp","track_metadata","recording_msid"}``;
  ``--timestamp-key`` picks the key (``timestamp`` is today's ``to_json``, ``listened_at`` the
  API's and older dumps'). ``track_metadata`` is stored as Postgres JSONB, whose objects come
  back with keys ordered by length then bytes, so that is the order written here
  (``track_name, artist_name, release_name, additional_info``); ``recording_msid`` is appended
  to ``additional_info`` and ``mbid_mapping`` to ``track_metadata`` as ``from_timescale`` does.
  Today's JSON dump query does not join the mapping (only the API, user exports and the spark
  dump do); it is written by default as asked of this generator, ``--no-mapping`` leaves it
  out. Fields of ``additional_info`` and ``mbid_mapping`` are those of ``docs/users/json.rst``
  and the clients' code: the Spotify importer's keys (``listens_importer/spotify.py``: artist
  names joined with ", ", ``spotify_id``/``origin_url`` URLs, ``isrc``, ``spotify_album_id``;
  its Spotify artist-URL lists and release-artist keys are left out to keep lines near the
  size asked), tag-reading players that send MBIDs, ``tracknumber`` and ``duration_ms``, a
  browser scrobbler that sends ``duration`` in seconds, minimal Last.fm imports. Lines average
  about 700 bytes (a mapped line carries seven UUIDs: two MSIDs and five MBIDs), 21 GB for
  30M listens; ``--no-mapping`` lines about 420.
- MBIDs: about 70 % of listens carry one (``mbid_mapping`` when the server's mapper matched
  the recording; some only ``additional_info.recording_mbid``, sent by a tag-reading player
  before the mapper ran). The 70 % is this project's working figure; the MetaBrainz forum says
  most submissions carry no MBID of their own (community.metabrainz.org, "Where does
  MessyBrainz data come from?"), which is why most MBIDs here come from the mapping. MBIDs and MSIDs are lowercase UUIDs hashed from ids and the seed; an MSID hashes
  the spelling (as MessyBrainz does), so spelling variants of a recording get their own MSIDs.

The shape is a model, not a measurement (no published per-user histogram was found):

- users: about ``3 * sqrt(listens)`` of them (16k at 30M), listens per user lognormal with
  sigma 2, capped at one listen per 400 s of the time range (230k for the default range):
  the median user has tens to hundreds of listens, a few hold hundreds of thousands (Last.fm
  importers, radio scrobblers).
- catalogue: ``listens / 10`` recordings (capped at 5M) by ``recordings / 12`` artists in
  ``artists / 400`` genres; artist popularity Zipf (0.8), a recording's weight inside its
  artist Zipf (0.6) times lognormal noise; 10-track releases; 8 % of recordings credit a
  featured artist. Durations lognormal around 3.6 min (60 s to 15 min).
- taste: each user keeps three genres (weights ~.65/.25/.10); a session plays one genre (8 %
  of sessions any genre): 55 % genre shuffles, 35 % artist-focused, 10 % an album in order.
  Across sessions 25 % of listens replay something the user played earlier (heavy rotation),
  2 % repeat the previous track, 5 % are charts hits drawn from global popularity.
- time: sessions of lognormal length (median 9, up to 400 listens); inside one, listens are a
  track duration apart, 6 % after a skip (10-60 s); between sessions 10 % of gaps are close to
  the 30-minute session rule on either side (1500-2100 s, some exactly 1799/1800/1801 s), the
  rest at least 31 min and spread over the user's active window (hours to weeks). Inserts
  follow listens by seconds (Spotify: up to an hour); 15 % of users imported their history
  late (inserted when they joined), and 0.2 % of listens are inserted in the last 14 days
  whatever their age, so incrementals carry late imports.
- quirks: 7 % of listens spell a recording differently (case, whitespace, "feat." forms,
  " - Remastered 2011"), consistently per client; Spotify spells featured artists "A, B";
  3 % lack ``release_name``; unicode names (accents, kana, Cyrillic, Greek, Hangul); a
  ``--malformed`` share (default 0.01 %) of broken lines (truncated JSON, no ``track_name``,
  empty ``artist_name``, ``listened_at`` as a string); ``--clean`` writes none.

Everything is drawn with numpy from ``--seed`` in the parent; worker processes (``--workers``,
default 2, forked) only render month files, so output is byte-identical for any worker count.
Lines are assembled from pre-rendered byte pieces. Archives are streamed: month files are
rendered into a scratch folder beside the archive and each is appended to the tar (piped
through ``xz -T2 -1``, or ``zstandard`` level 3 with 2 threads) and deleted, so at most a few
month files exist at once.

    python scripts/make_listenbrainz.py --listens 30000000 --seed 1 --out /work/bench-data/lb30m
    python scripts/make_listenbrainz.py --listens 5000 --incremental 2 --out /tmp/lb
    python scripts/make_listenbrainz.py --listens 3000000 --archive xz --out /tmp/lb3m.tar.xz

The code lives in ``scripts/listenbrainz_synth/``.
"""

from __future__ import annotations

import argparse
import os
import shutil  # noqa: F401 - the tests patch shutil.which through this module
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.listenbrainz_synth.catalogue import build_catalogue  # noqa: E402
from scripts.listenbrainz_synth.dumps import JOB, Dump, plan_dumps, write_dumps  # noqa: E402
from scripts.listenbrainz_synth.ids import base62, uuid_of, uuids  # noqa: E402
from scripts.listenbrainz_synth.listens import add_malformed, build_listens  # noqa: E402
from scripts.listenbrainz_synth.model import DAY, MAX_RECORDINGS, Catalogue, Listens  # noqa: E402
from scripts.listenbrainz_synth.render import Renderer  # noqa: E402

__all__ = [
    "Catalogue",
    "Dump",
    "Listens",
    "Renderer",
    "add_malformed",
    "base62",
    "build_catalogue",
    "build_listens",
    "generate",
    "main",
    "plan_dumps",
    "uuid_of",
    "uuids",
    "write_dumps",
]


def _day(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())


def generate(args: argparse.Namespace) -> tuple[Catalogue, Listens, Renderer, int]:
    """Everything drawn from the seed: catalogue, listens, renderer; and the malformed count."""
    start, end = _day(args.start), _day(args.end) + DAY
    if end - start < 2 * DAY:
        raise SystemExit("--end must be at least a day after --start")
    n = args.listens
    n_rec = args.recordings or int(np.clip(n // 10, 1_000, MAX_RECORDINGS))
    n_users = args.users or int(np.clip(round(3 * np.sqrt(n)), 20, 1_000_000))
    n_users = min(n, max(n_users, -(-2 * n // max(1, (end - start) // 400))))
    rng = np.random.default_rng([args.seed, 1])
    cat = build_catalogue(n_rec, args.seed, rng)
    listens = build_listens(n, n_users, cat, start, end, rng)
    share = 0.0 if args.clean else args.malformed
    bad = add_malformed(listens, share, np.random.default_rng([args.seed, 2]))
    mapping = not args.no_mapping
    renderer = Renderer(cat, n_users, args.seed, args.timestamp_key, mapping)
    return cat, listens, renderer, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listens", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True, help="folder, or one .tar.xz/.tar.zst")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--recordings", type=int, default=0, help="catalogue size (listens/10)")
    ap.add_argument("--users", type=int, default=0, help="users (3 * sqrt(listens))")
    ap.add_argument("--start", default="2024-01-01", help="first day of listens (UTC)")
    ap.add_argument("--end", default="2026-11-30", help="last day of listens (UTC)")
    ap.add_argument("--incremental", type=int, default=0, help="incremental dumps after the full")
    ap.add_argument(
        "--split-at", help="the full dump's time (YYYY-MM-DD); later inserts go to incrementals"
    )
    ap.add_argument("--timestamp-key", choices=["listened_at", "timestamp"], default="listened_at")
    ap.add_argument("--archive", choices=["none", "xz", "zst"], default="none")
    ap.add_argument("--malformed", type=float, default=0.0001, help="share of broken lines")
    ap.add_argument("--clean", action="store_true", help="no malformed lines")
    ap.add_argument(
        "--no-mapping", action="store_true", help="no mbid_mapping (as today's JSON dump)"
    )
    ap.add_argument("--dump-id", type=int, default=1)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args(argv)
    if args.listens < 100:
        ap.error("--listens must be at least 100")
    if args.archive == "none" and args.out.name.endswith((".tar.xz", ".tar.zst")):
        args.archive = args.out.name.rsplit(".", 1)[1]
    n_inc = args.incremental or (1 if args.split_at else 0)

    t0 = time.perf_counter()
    cat, listens, renderer, bad = generate(args)
    split = _day(args.split_at) if args.split_at else None
    dumps = plan_dumps(listens, split, n_inc, args.dump_id)
    t1 = time.perf_counter()
    print(f"  drawn in {t1 - t0:.1f} s; writing {len(dumps)} dump(s)", file=sys.stderr)
    JOB.update(dumps=dumps, renderer=renderer, listens=listens)
    try:
        files, size, targets = write_dumps(
            dumps, args.out, args.archive, args.workers, max(100_000, args.listens // 5)
        )
    finally:
        JOB.clear()
    secs = time.perf_counter() - t0
    n = args.listens
    played = int(np.count_nonzero(np.bincount(listens.rec, minlength=len(cat.rec_artist))))
    on_disk = sum(p.stat().st_size for p in targets if p.is_file())
    packed = f", {on_disk:,} bytes packed" if on_disk else ""
    print(
        f"{n:,} listens, {len(renderer.head):,} users, {played:,} recordings "
        f"({len(cat.rec_artist):,} in catalogue), {listens.sessions:,} sessions, {bad:,} malformed, "
        f"{len(dumps)} dump(s), {files} files, {size:,} bytes ({size / n:.0f} B/listen{packed}) "
        f"in {secs:.1f} s ({n / secs:,.0f} listens/s) -> {', '.join(map(str, targets))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
