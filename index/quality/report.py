"""A holdout run's findings as Markdown: the split in a paragraph, then the tables.

One row per method against exact Jaccard, each hit-rate gain with its standard error;
with tuned methods, a comparison table (songsim's default against co-occurrence, RP3beta,
EASE and ALS, each with the setting chosen on validation playlists); then the ``/foryou``
and mixes table against summed Jaccard. ``songsim index holdout``
prints it and can write it into ``docs/QUALITY.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from index.quality.scores import MethodScore, gain_standard_error
from index.quality.split import COVERAGE_SEEDS, LIKES, HoldoutSplit, Seeds
from index.read.present import MAX_PER_ARTIST

if TYPE_CHECKING:
    from index.quality.tuning import Validation

# The comparison table's rows, in order (those the run measured): the reference, songsim's
# default as shown and as answered, then co-occurrence and the tuned methods.
COMPARISON_ROWS = (
    "exact",
    "closest",
    "closest+fallback",
    "popular+fallback",
    "deep-cuts+fallback",
    "cooccurrence",
    "rp3beta",
    "ease",
    "als",
)


@dataclass
class QualityReport:
    """Everything one holdout run measured, ready for ``docs/QUALITY.md``."""

    dataset: str
    split: HoldoutSplit
    seeds: Seeds
    k: int
    rows: list[MethodScore] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)
    repeats: list[tuple[HoldoutSplit, Seeds]] = field(default_factory=list)
    likes_rows: list[MethodScore] = field(default_factory=list)  # the /foryou table
    likes_queries: list[int] = field(default_factory=list)  # its queries, per split
    validations: list[Validation] = field(default_factory=list)  # per split, when tuning

    def split_line(self) -> str:
        """The split in one sentence (per-split means over repeated splits)."""
        runs = self.repeats or [(self.split, self.seeds)]
        first = runs[0][0]

        def mean(values: list[int]) -> str:
            return f"{np.mean(values):,.0f}"

        train = mean([sp_.n_train for sp_, _ in runs])
        test = mean([len(sp_.test_playlists) for sp_, _ in runs])
        quarantined = mean([sp_.n_quarantined for sp_, _ in runs])
        seeds = mean([len(sd.track) for _, sd in runs])
        seeded = mean([len(np.unique(sd.playlist)) for _, sd in runs])
        over = (
            f"Per split, mean of {len(runs)} (seeds {self.settings.get('seed', 0)}, +1, …): "
            if len(runs) > 1
            else ""
        )
        guard = (
            f"{quarantined} quarantined as near-copies of a test playlist"
            if self.settings.get("near_copy_guard", True)
            else "near-copy guard off (nothing quarantined)"
        )
        return (
            f"Playlists: {first.n_playlists:,}, of which {first.n_libraries:,} library-sized are never "
            f"test playlists. {over}{train} train, {test} test, {guard}. Seeds: {seeds} "
            f"from {seeded} test playlists; coverage over up to {COVERAGE_SEEDS:,} of them; "
            f"train catalogue {int((first.popularity > 0).sum()):,} tracks. {self.shown_line()}"
        )

    def shown_line(self) -> str:
        """What a seed's top k is: the bot's first page, or the plain top k (no cap)."""
        cap = self.settings.get("per_artist", MAX_PER_ARTIST)
        if cap is None:
            return (
                f"Top {self.k}: each method's plain top {self.k} (one version of each song, "
                "no artist cap; `--no-artist-cap`)."
            )
        return (
            f"Top {self.k}: the bot's first page (one version of each song, at most {cap} "
            "per artist, topped up from further down), for every row."
        )

    def markdown(self) -> str:
        """The split in one paragraph, then one table row per method (vs exact Jaccard)."""
        k = self.k
        ref = next((r for r in self.rows if r.key == "exact" and r.hit_rate is not None), None)
        lines = [
            self.split_line(),
            "",
            f"| method | HitRate@{k} | vs exact (± s.e.) | Recall@{k} | coverage | vs exact | "
            "median popularity | seconds |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        clusters = self.clusters()
        for r in self.rows:
            if r.hit_rate is None:
                lines.append(f"| {r.name} | — | — | — | — | — | — | skipped |")
                continue
            hit_vs = self._hit_vs(r, ref, clusters)
            cov_vs = f"{r.coverage / ref.coverage * 100:.0f} %" if ref and ref.coverage else "—"
            lines.append(
                f"| {r.name} | {r.hit_rate:.3f} | {hit_vs} | {r.recall:.4f} | {r.coverage:,} | "
                f"{cov_vs} | {_popularity(r.median_popularity)} | {r.seconds:.1f} |"
            )
        notes = [f"- {r.name}: {r.note}" for r in self.rows if r.note]
        lines += [""] + notes if notes else []
        return "\n".join(lines + self.comparison_lines() + self._likes_lines())

    def comparison_lines(self) -> list[str]:
        """The comparison table (:data:`COMPARISON_ROWS`), when a tuned method ran: HitRate
        with its standard error, coverage, median popularity and the chosen setting."""
        if not any(r.settings or r.key in ("rp3beta", "ease", "als") for r in self.rows):
            return []
        k, clusters = self.k, self.clusters()
        by_key = {r.key: r for r in self.rows}
        ref = by_key.get("exact")
        held = np.mean([len(v.split.test_playlists) for v in self.validations] or [0])
        lines = [
            "",
            f"Compared methods, each tuned per split on {held:,.0f} "
            "validation playlists held out of that split's train playlists (the test playlists "
            f"take no part), by HitRate@{k} there; ± is the standard error (seeds of one "
            "playlist count as one observation).",
            "",
            f"| method | HitRate@{k} | coverage | vs exact | median popularity | "
            f"setting (validation HitRate@{k}) |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for key in COMPARISON_ROWS:
            r = by_key.get(key)
            if r is None:
                continue
            if r.hit_rate is None:
                lines.append(f"| {r.name} | — | — | — | — | {r.note} |")
                continue
            se = gain_standard_error(r.hits, np.zeros(len(r.hits)), clusters)
            cov = f"{r.coverage / ref.coverage * 100:.0f} %" if ref and ref.coverage else "—"
            setting = f"{r.settings} ({r.validation_hit_rate:.3f})" if r.settings else "—"
            lines.append(
                f"| {r.name} | {r.hit_rate:.3f} ± {se:.3f} | {r.coverage:,} | {cov} | "
                f"{_popularity(r.median_popularity)} | {setting} |"
            )
        return lines

    def _likes_lines(self) -> list[str]:
        """The ``/foryou`` and mixes table: several likes ranked together."""
        if not self.likes_rows:
            return []
        k, n = self.k, self.settings.get("likes", LIKES)
        ref = self.likes_rows[0]
        every = np.arange(len(ref.hits))  # one query per test playlist: no clusters
        lines = [
            "",
            f"`/foryou` and mixes: {n} tracks of one test playlist (drawn from its seeds) "
            f"liked together, {np.mean(self.likes_queries):,.0f} queries a split; a hit is "
            "another track of that playlist on the first page. Each like's stored top-30 "
            "(index as built) in the setting's order, fused by rank (`index.read.ranking.fuse`); "
            "the reference sums each song's Jaccard with the likes.",
            "",
            f"| `/foryou`, {n} likes | HitRate@{k} | vs summed Jaccard (± s.e.) | Recall@{k} | "
            "coverage | vs Jaccard | median popularity |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in self.likes_rows:
            vs = self._hit_vs(r, ref, every)
            cov = f"{r.coverage / ref.coverage * 100:.0f} %" if ref.coverage else "—"
            lines.append(
                f"| {r.name} | {r.hit_rate:.3f} | {vs} | {r.recall:.4f} | {r.coverage:,} | "
                f"{cov} | {_popularity(r.median_popularity)} |"
            )
        return lines

    def clusters(self) -> np.ndarray:
        """Per seed (all splits, in order), an id of its test playlist unique across splits."""
        runs = self.repeats or [(self.split, self.seeds)]
        out, offset = [], 0
        for split, seeds in runs:
            out.append(seeds.playlist + offset)
            offset += len(split.test_playlists)
        return np.concatenate(out)

    @staticmethod
    def _hit_vs(row: MethodScore, ref: MethodScore | None, clusters: np.ndarray) -> str:
        """Relative HitRate gain over the reference row, with its standard error when known."""
        if not ref or not ref.hit_rate:
            return "—"
        gain = f"{(row.hit_rate / ref.hit_rate - 1) * 100:+.1f}"
        if row is ref or row.hits is None or ref.hits is None:
            return f"{gain} %"
        se = gain_standard_error(row.hits, ref.hits, clusters) / ref.hit_rate * 100
        return f"{gain} ± {se:.1f} %" if np.isfinite(se) else f"{gain} %"


def _popularity(value: float) -> str:
    """A median popularity as people read it: "2,630", "23.3", "3.5" (never "2.63e+03")."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
