"""The synthetic Zenodo-format generator (scripts/make_synthetic.py) writes what benchmarks need.

The full-scale file stands in for the real 12.9M-row dataset, so at small scale it must be
deterministic, carry the real file's format quirks, and have the real file's shape in
proportion. Shapes are counted here from the file itself, with the project's parsing rule
and its name normalisation, not taken from the generator's variables.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from index.names import normalise_name as _normalise_name
from tests.support.scripts import load_script

normalise_name = functools.lru_cache(maxsize=None)(_normalise_name)
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_synthetic.py"
HEADER = '"user_id", "artistname", "trackname", "playlistname"'


ms = load_script("make_synthetic")


def write(tmp: Path, rows: int, seed: int = 0) -> Path:
    out = tmp / f"synthetic-{rows}-{seed}.csv"
    if not out.exists():
        assert (
            ms.main(["--rows", str(rows), "--out", str(out), "--seed", str(seed), "--no-measure"])
            == 0
        )
    return out


def parse(line: str) -> list[str]:
    """The project's rule for the Zenodo file: strip the outer quotes, split on ``","``."""
    return line.rstrip("\n")[1:-1].split('","')


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        assert f.readline().rstrip("\n") == HEADER
        return [parse(line) for line in f]


def shape(rows: list[list[str]]) -> dict[str, float]:
    """Independent count: playlists are (user, name), tracks normalised (artist, title)."""
    artists_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    playlists_of: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    length: Counter[tuple[str, str]] = Counter()
    for user, artist, title, name in rows:
        pl = (user, name)
        a = normalise_name(artist)
        artists_of[pl].add(a)
        playlists_of[(a, normalise_name(title))].add(pl)
        length[pl] += 1
    lengths = np.array(list(length.values()))
    return {
        "users": len({r[0] for r in rows}),
        "playlists": len(length),
        "tracks": len(playlists_of),
        "artists": len({a for s in artists_of.values() for a in s}),
        "one_artist_share": float(np.mean([len(s) == 1 for s in artists_of.values()])),
        "one_playlist_track_share": float(np.mean([len(s) == 1 for s in playlists_of.values()])),
        "length_p50": float(np.percentile(lengths, 50)),
        "length_p90": float(np.percentile(lengths, 90)),
        "length_max": int(lengths.max()),
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("synthetic"), 50_000)


@pytest.fixture(scope="module")
def small_rows(small: Path) -> list[list[str]]:
    return read_rows(small)


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    for d in "abc":
        (tmp_path / d).mkdir()
    a = write(tmp_path / "a", 20_000, seed=3)
    b = write(tmp_path / "b", 20_000, seed=3)
    c = write(tmp_path / "c", 20_000, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_writes_exactly_the_rows_asked_for_in_zenodo_layout(small: Path) -> None:
    lines = small.read_text(encoding="utf-8").split("\n")
    assert lines[0] == HEADER
    assert lines[-1] == ""  # ends with a newline
    data = lines[1:-1]
    assert len(data) == 50_000
    # Data rows: every field quoted, no space after the separating commas.
    assert all(line.startswith('"') and line.endswith('"') for line in data)
    assert all(len(parse(line)) == 4 for line in data)
    assert all(len(parse(line)[0]) == 32 and int(parse(line)[0], 16) >= 0 for line in data[:500])


def test_raw_quotes_parse_by_the_projects_rule_but_fool_the_csv_module(small: Path) -> None:
    lines = small.read_text(encoding="utf-8").splitlines()[1:]
    quoted = [line for line in lines if line.count('"') > 8]
    assert quoted, "no field with a raw quote was written"
    twelve = [parse(line) for line in quoted if '12"",' in line]
    serenade = [parse(line) for line in quoted if '": I: Allegro' in line]
    assert twelve and serenade
    assert all(f[2].endswith(' - Original 12"') for f in twelve)
    assert all(
        f[2].startswith("Serenade No. ") and f[2].endswith('": I: Allegro') for f in serenade
    )
    assert all('"' in f[2] and len(f) == 4 for f in serenade)
    # The quirk is real: Python's csv module reads these lines into different values.
    misread = [line for line in quoted if next(csv.reader([line])) != parse(line)]
    assert len(misread) == len(quoted)


def test_a_playlist_is_named_quote_slash(small: Path, small_rows: list[list[str]]) -> None:
    assert any(line.endswith(',""/"') for line in small.read_text(encoding="utf-8").splitlines())
    assert any(r[3] == '"/' for r in small_rows)


def test_has_the_other_quirks_of_the_real_file(small_rows: list[list[str]]) -> None:
    assert any(r[1] == "" for r in small_rows), "no empty artist field"
    assert any(f != f.strip() for r in small_rows for f in r[1:3]), "no stray spaces in names"
    assert any(r[3] != r[3].strip() for r in small_rows), "no stray spaces in playlist names"
    assert any(not "".join(r).isascii() for r in small_rows), "no non-ASCII names"
    repeats = Counter(tuple(r) for r in small_rows)
    assert max(repeats.values()) >= 2, "no track repeated within a playlist"
    # Spelling variants: rows whose raw names differ but normalise to the same track.
    spellings: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for r in small_rows:
        spellings[(normalise_name(r[1]), normalise_name(r[2]))].add((r[1], r[2]))
    assert any(len(s) > 1 for s in spellings.values())
    # Common playlist names are reused by many users; a user never has two of one name.
    users_by_name: dict[str, set[str]] = defaultdict(set)
    for r in small_rows:
        users_by_name[r[3]].add(r[0])
    assert len(users_by_name["Starred"]) >= 5
    assert len(users_by_name["Liked from Radio"]) >= 2


def test_small_scale_has_the_real_shape_in_proportion(small_rows: list[list[str]]) -> None:
    s = shape(small_rows)
    scale = 50_000 / ms.FULL_ROWS
    assert s["users"] == pytest.approx(ms.FULL_USERS * scale, rel=0.1)
    assert s["playlists"] == pytest.approx(ms.FULL_PLAYLISTS * scale, rel=0.05)
    assert s["artists"] == pytest.approx(ms.FULL_ARTISTS * scale, rel=0.1)
    assert s["tracks"] == pytest.approx(ms.FULL_TRACKS * scale, rel=0.4)
    assert s["one_artist_share"] == pytest.approx(0.45, abs=0.03)
    assert s["one_playlist_track_share"] > 0.5
    assert 12 <= s["length_p50"] <= 20
    assert 60 <= s["length_p90"] <= 150
    # The library playlist scales too, and is the longest one.
    assert s["length_max"] >= 0.8 * ms.HUGE_SIZES[0] * scale


def test_counts_scale_with_rows_and_hit_the_track_target(
    tmp_path: Path, small_rows: list[list[str]]
) -> None:
    a = shape(small_rows)
    b = shape(read_rows(write(tmp_path, 100_000)))
    for key in ("users", "playlists", "tracks", "artists"):
        assert b[key] / a[key] == pytest.approx(2.0, rel=0.15), key
    assert b["tracks"] == pytest.approx(ms.FULL_TRACKS * 100_000 / ms.FULL_ROWS, rel=0.1)
    assert b["one_artist_share"] == pytest.approx(0.45, abs=0.02)
    assert b["one_playlist_track_share"] > 0.5


def test_the_scripts_own_measurement_agrees_with_an_independent_count(
    small: Path, small_rows: list[list[str]]
) -> None:
    mine = shape(small_rows)
    theirs = ms.measure_zenodo(small)
    assert theirs["rows"] == len(small_rows)
    assert theirs["malformed_rows"] == 0
    for key in ("users", "playlists", "tracks", "artists", "length_p50", "length_max"):
        assert theirs[key] == mine[key], key
    for key in ("one_artist_share", "one_playlist_track_share"):
        assert theirs[key] == pytest.approx(mine[key]), key


def test_a_users_playlists_overlap_more_than_strangers(small_rows: list[list[str]]) -> None:
    """Users favour scenes, so similarity means something: same-user playlists share artists."""
    artists: dict[tuple[str, str], set[str]] = defaultdict(set)
    for user, artist, _, name in small_rows:
        artists[(user, name)].add(normalise_name(artist))
    keys = [k for k, v in artists.items() if len(v) >= 5]
    rng = np.random.default_rng(0)

    def jaccard(x: tuple[str, str], y: tuple[str, str]) -> float:
        a, b = artists[x], artists[y]
        return len(a & b) / len(a | b)

    by_user: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for k in keys:
        by_user[k[0]].append(k)
    same = [jaccard(v[i], v[j]) for v in by_user.values() for i in range(len(v)) for j in range(i)]
    pairs = rng.integers(len(keys), size=(3000, 2))
    strangers = [jaccard(keys[i], keys[j]) for i, j in pairs if keys[i][0] != keys[j][0]]
    assert np.mean(same) > 2 * np.mean(strangers)


def test_mpd_slices_hold_the_same_playlists(tmp_path: Path) -> None:
    out = tmp_path / "mpd"
    assert ms.main(["--rows", "5000", "--out", str(out), "--format", "mpd"]) == 0
    slices = sorted(out.glob("mpd.slice.*.json"))
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in slices]
    playlists = [pl for d in docs for pl in d["playlists"]]
    assert all(len(d["playlists"]) == 1000 for d in docs[:-1])
    assert len(playlists) == round(ms.FULL_PLAYLISTS * 5000 / ms.FULL_ROWS)
    tracks = [t for pl in playlists for t in pl["tracks"]]
    assert len(tracks) == 5000
    assert all(
        t["track_uri"].startswith("spotify:track:") and len(t["track_uri"]) == 36 for t in tracks
    )
    # One URI per track, the same wherever the track appears.
    uris = defaultdict(set)
    for t in tracks:
        uris[(t["artist_name"], t["track_name"])].add(t["track_uri"])
    assert all(len(u) == 1 for u in uris.values())
    zen = read_rows(write(tmp_path, 5000))
    assert Counter((r[1], r[2]) for r in zen).keys() >= {k for k in uris}  # same catalogue


def test_the_projects_reader_reads_it_without_losing_a_row(small: Path) -> None:
    ingest = pytest.importorskip("index.ingest")
    corpus = ingest.read_dataset(small, "auto", progress=False)
    assert corpus.report.format == "zenodo"
    assert corpus.report.rows_read == 50_000
    assert corpus.report.rows_malformed == 0
    assert corpus.n_tracks == ms.measure_zenodo(small)["tracks"]


def test_build_benchmark_reports_time_memory_stages_and_size(tmp_path: Path) -> None:
    """scripts/bench_build.py runs the real CLI on a small synthetic file and tabulates it."""
    spec = importlib.util.spec_from_file_location("bench_build", SCRIPT.with_name("bench_build.py"))
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_build"] = bench
    spec.loader.exec_module(bench)
    data = write(tmp_path, 10_000)
    out = tmp_path / "bench"
    argv = [str(data), "--out-dir", str(out), "--methods", "exact", "--evaluate", "exact"]
    argv += ["--queries", "50", "--songsim", f"{sys.executable} -m bot.cli"]
    assert bench.main(argv) == 0
    md = (out / "bench_build.md").read_text()
    result = json.loads((out / "bench_build.json").read_text())["results"][0]
    assert (out / "index-exact.sqlite").stat().st_size > 0
    assert result["run"]["wall_s"] > 0 and result["run"]["peak_rss_mb"] > 10
    assert {"ingest", "neighbours", "write"} <= set(result["stages"])
    assert result["rows_per_s"] > 0
    assert result["meta"]["rows_read"] == "10000"
    # The exact index is its own reference: every stored neighbour is a hit.
    assert result["recall"] == pytest.approx(1.0)
    assert "| peak RSS |" in md and "index size on disk" in md and "--method exact" in md


def test_the_projects_reader_sees_the_same_dataset_in_both_formats(tmp_path: Path) -> None:
    ingest = pytest.importorskip("index.ingest")
    assert ms.main(["--rows", "5000", "--out", str(tmp_path / "mpd"), "--format", "mpd"]) == 0
    mpd = ingest.read_dataset(tmp_path / "mpd", "auto", progress=False)
    zen = ingest.read_dataset(write(tmp_path, 5000), "auto", progress=False)
    assert (mpd.report.format, zen.report.format) == ("mpd", "zenodo")
    assert mpd.report.rows_malformed == zen.report.rows_malformed == 0
    assert (mpd.n_tracks, mpd.n_playlists, mpd.n_artists) == (
        zen.n_tracks,
        zen.n_playlists,
        zen.n_artists,
    )
    assert all(u and u.startswith("spotify:track:") for u in mpd.track_uris)


def test_the_mpd_slice_shape_writes_playlists_of_the_mpds_lengths(tmp_path: Path) -> None:
    ingest = pytest.importorskip("index.ingest")
    out = tmp_path / "mpd-slice"
    argv = ["--shape", "mpd-slice", "--rows", "50000", "--format", "mpd", "--out", str(out)]
    assert ms.main([*argv, "--no-measure"]) == 0
    corpus = ingest.read_dataset(out, "mpd", progress=False)
    lengths = np.bincount(corpus.indices, minlength=corpus.n_playlists)
    assert corpus.n_playlists == 750  # 15,000 at its full scale of 1M rows
    assert lengths.max() <= 250 and abs(np.median(lengths) - 50) <= 5  # no library playlists
    assert corpus.report.rows_read == 50_000 and corpus.report.rows_malformed == 0
