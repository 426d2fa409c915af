"""What a finished build reports: the summary the CLI prints and the ``meta`` rows.

Shared by both engines (the local pipeline and :mod:`index.spark.engine`), so it imports
neither of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.build.options import DEFAULTS, BuildOptions
from index.corpus import Corpus, IngestReport
from index.ingest.files import not_utf8_note
from index.sources import source_rows, summary_lines

# The build suggests --min-shared 1 --min-playlists 1 when fewer than this share of the
# songs got neighbours, on a collection small enough (memberships) to rebuild in seconds:
# on one curator's 452 playlists it lifted held-out HitRate@10 by 45 % (docs/QUALITY.md).
HINT_MAX_SHARE = 0.6
HINT_MAX_MEMBERSHIPS = 1_000_000


def stage_lines(stages: dict[str, float]) -> list[str]:
    """Time by stage, a line per stage with its sub-stages (names indented by two spaces in
    ``stages``) after a colon: readable in a terminal, one ``grep`` away in a log."""
    groups: list[tuple[str, list[str]]] = []
    for name, secs in stages.items():
        text = f"{name.strip()} {secs:.1f} s"
        if name.startswith("  ") and groups:
            groups[-1][1].append(text)
        else:
            groups.append((text, []))
    lines = [f"    {head}: {', '.join(subs)}" if subs else f"    {head}" for head, subs in groups]
    return ["  time by stage:", *lines] if lines else []


@dataclass
class BuildSummary:
    """What a finished build did, for the CLI summary and for tests."""

    out: Path
    corpus: Corpus
    method: str
    neighbour_rows: int
    tracks_with_neighbours: int
    stage_seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    writer_peak_rss_mb: float = 0.0  # the forked corpus-table writer (shares pages with the build)
    size_bytes: int = 0
    min_playlists: int = DEFAULTS.min_playlists
    min_shared: int = DEFAULTS.min_shared

    def lines(self) -> list[str]:
        r = self.corpus.report
        ingest_s = self.stage_seconds.get("ingest", 0.0) or 1e-9
        out = [
            f"Built {self.out} in {self.total_seconds:.1f} s (method {self.method}, {self.size_bytes / 1e6:.1f} MB on disk).",
            f"  peak RSS: {self.peak_rss_mb:,.0f} MB, plus {self.writer_peak_rss_mb:,.0f} MB in the table writer running alongside (pages shared with the build counted in both)",
            f"  rows read: {r.rows_read:,} ({r.rows_read / ingest_s:,.0f} rows/s), malformed: {r.rows_malformed:,}, repeated in a playlist: {r.duplicate_rows:,}",
            f"  playlists: {self.corpus.n_playlists - self.sessions:,}, listening sessions: {self.sessions:,}, tracks: {self.corpus.n_tracks:,}, artists: {self.corpus.n_artists:,}",
            f"  tracks with neighbours: {self.tracks_with_neighbours:,}, neighbour rows: {self.neighbour_rows:,}",
            *summary_lines(r.sources),
            *stage_lines(self.stage_seconds),
        ]
        hint = self.few_neighbours_hint()
        if hint:
            out.append(hint)
        if r.rows_malformed:
            out.append(
                f"  {r.rows_malformed:,} malformed row(s) were skipped and counted; first at "
                f"{r.first_malformed()} (use --strict to fail instead)."
            )
        if r.rows_not_utf8:
            note = not_utf8_note(r.rows_not_utf8, r.not_utf8_source, False)
            out.append(f"  {note[0].upper()}{note[1:]}")
        return out

    @property
    def sessions(self) -> int:
        dates = self.corpus.playlist_dates
        return 0 if dates is None else int((dates >= 0).sum())

    def few_neighbours_hint(self) -> str | None:
        """A suggestion when most songs of a small collection got no neighbours."""
        n = self.corpus.n_tracks
        if not n or (self.min_shared <= 1 and self.min_playlists <= 1):
            return None
        share = self.tracks_with_neighbours / n
        if share >= HINT_MAX_SHARE or len(self.corpus.indices) > HINT_MAX_MEMBERSHIPS:
            return None
        return (
            f"  only {share:.0%} of the songs have recommendations of their own (the rest are "
            f"in fewer than {self.min_playlists} playlists or share fewer than "
            f"{self.min_shared} with any song; the bot answers those from their playlists). "
            "If one person curated these playlists, --min-shared 1 --min-playlists 1 gives "
            "many more songs real recommendations (docs/QUALITY.md)."
        )


def extras_meta(extras: int, artist_extras: int = 0) -> dict[str, object]:
    """``meta`` rows saying what the neighbour table holds after each Jaccard top ``k``."""
    out: dict[str, object] = {"extras": max(extras, 0), "artist_extras": max(artist_extras, 0)}
    if artist_extras > 0:
        out["artist_extras_rule"] = (
            "after the extras: up to artist_extras tracks sharing a credited artist and at "
            "least one playlist with the track (whatever min_shared) that are not stored yet "
            "(Jaccard desc, shared desc, id asc), each with its exact jaccard and shared, for "
            "every track in min_playlists playlists; every discovery ranking counts a song by "
            "the seed's artist double (docs/QUALITY.md)"
        )
    if extras <= 0:
        return out
    return {
        **out,
        "extras": extras,
        "extras_rule": "ranks k+1..k+extras: the co-occurring tracks not in the Jaccard "
        "top k sharing most playlists with the track (then Jaccard desc, id asc), each with "
        "its exact jaccard and shared; candidates for the discovery rankings, which favour "
        "well-supported pairs a Jaccard top k leaves out (docs/QUALITY.md)",
    }


SOURCE_NAMES = 3  # inputs named in ``meta.source``; the rest are counted


def build_meta(
    dataset: str | Path | Sequence[str | Path],
    report: IngestReport,
    method: str,
    params: dict[str, object],
    options: BuildOptions,
) -> dict[str, object]:
    """The ``meta`` rows every engine writes besides the counts ``index.build.store`` adds."""
    paths = [dataset] if isinstance(dataset, str | Path) else list(dataset)
    names = [Path(p).resolve().name for p in paths]
    if len(names) > SOURCE_NAMES:  # 1,000 MPD slices given one by one: a line, not a page
        names = [*names[: SOURCE_NAMES - 1], f"{len(names) - SOURCE_NAMES + 1:,} more"]
    return {
        "source": " + ".join(names),
        "sources": json.dumps(source_rows(report.sources), sort_keys=True),
        "session_gap": options.session_gap,
        "format": report.format,
        "method": method,
        "num_perm": params.get("num_perm", 0),
        "bands": params.get("bands", 0),
        "rows_per_band": params.get("rows_per_band", 0),
        "k": options.k,
        **extras_meta(int(params.get("extras", 0)), options.artist_extras),
        "min_playlists": options.min_playlists,
        "min_shared": options.min_shared,
        "rows_read": report.rows_read,
        "rows_malformed": report.rows_malformed,
        "malformed_lines": ",".join(str(n) for n in report.malformed_lines),
        "duplicate_rows": report.duplicate_rows,
        "engine_params": json.dumps(params, default=str, sort_keys=True),
    }
