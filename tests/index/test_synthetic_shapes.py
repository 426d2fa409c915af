"""The generator's other shapes (``--shape``) and its options that change one figure.

The build's time has to hold on data shaped unlike the Zenodo stand-in, so each preset must
come out as described: counted here from the written file with the project's parsing rule
and its name normalisation, at small scale and beside the default shape at the same rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.index.test_synthetic import ms, read_rows, shape

ROWS = 60_000


def write(tmp: Path, *extra: str, rows: int = ROWS, seed: int = 0) -> Path:
    out = tmp / f"synthetic-{'-'.join(extra).replace('--', '')}-{rows}-{seed}.csv"
    argv = ["--rows", str(rows), "--out", str(out), "--seed", str(seed), "--no-measure"]
    assert ms.main([*argv, *extra]) == 0
    return out


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    """Each preset at ROWS rows, counted independently."""
    tmp = tmp_path_factory.mktemp("shapes")
    out: dict[str, dict[str, float]] = {}
    for name in ("zenodo", "dense", "long-tail", "flat"):
        rows = read_rows(write(tmp, "--shape", name))
        assert len(rows) == ROWS
        counted = shape(rows)
        counted["per_track_multi"] = counted["tracks"] * (1 - counted["one_playlist_track_share"])
        out[name] = counted
    return out


def test_dense_has_shorter_playlists_fewer_tracks_and_artists_and_more_repeats(
    shapes: dict[str, dict[str, float]],
) -> None:
    dense, default = shapes["dense"], shapes["zenodo"]
    preset = ms.SHAPES["dense"].at(ROWS)
    assert 11 <= dense["length_p50"] <= 13
    assert dense["playlists"] == preset.playlists
    assert dense["tracks"] == pytest.approx(preset.tracks, rel=0.1)
    assert dense["artists"] == pytest.approx(preset.artists, rel=0.05)
    # Per row: about two thirds of the default's distinct tracks, a third of its artists,
    # and a larger share of the tracks in two or more playlists.
    assert dense["tracks"] < 0.8 * default["tracks"]
    assert dense["artists"] < 0.45 * default["artists"]
    assert dense["one_playlist_track_share"] < default["one_playlist_track_share"] - 0.1
    assert dense["per_track_multi"] == pytest.approx(preset.multi_track_target, rel=0.1)


def test_long_tail_has_fewer_longer_playlists_and_flat_many_short_ones(
    shapes: dict[str, dict[str, float]],
) -> None:
    default, long_tail, flat = shapes["zenodo"], shapes["long-tail"], shapes["flat"]
    assert long_tail["playlists"] < 0.4 * default["playlists"]
    assert 55 <= long_tail["length_p50"] <= 65
    assert long_tail["length_p90"] > 2.5 * default["length_p90"]
    assert flat["playlists"] > 4 * default["playlists"]
    assert 7 <= flat["length_p50"] <= 9
    assert flat["length_max"] <= ms.SHAPES["flat"].length_cap  # no library playlists
    assert flat["one_playlist_track_share"] > default["one_playlist_track_share"] + 0.1


def test_a_preset_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "--shape", "dense", rows=20_000, seed=7)
    b = write(tmp_path / "b", "--shape", "dense", rows=20_000, seed=7)
    c = write(tmp_path / "c", "--shape", "dense", rows=20_000, seed=8)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


@pytest.mark.parametrize("lengths", ["lognormal", "pareto"])
def test_options_set_the_counts_and_the_median_the_file_has(tmp_path: Path, lengths: str) -> None:
    argv = ["--playlists", "600", "--tracks", "9000", "--artists", "700", "--users", "80"]
    argv += ["--lengths", lengths, "--length-median", "20", "--length-cap", "900"]
    argv += ["--longest", "0"]
    s = shape(read_rows(write(tmp_path, *argv, rows=30_000)))
    assert (s["playlists"], s["tracks"], s["users"]) == (600, 9000, 80)
    assert s["artists"] == pytest.approx(700, rel=0.05)
    assert 19 <= s["length_p50"] <= 21
    assert s["length_max"] <= 900


def test_more_known_tracks_put_more_tracks_in_two_playlists(tmp_path: Path) -> None:
    few = shape(read_rows(write(tmp_path, "--known-share", "0.3", rows=30_000)))
    many = shape(read_rows(write(tmp_path, "--known-share", "0.7", rows=30_000)))
    assert few["tracks"] == pytest.approx(many["tracks"], rel=0.05)
    assert many["one_playlist_track_share"] < few["one_playlist_track_share"] - 0.15


def test_the_longest_library_playlist_is_what_was_asked(tmp_path: Path) -> None:
    s = shape(read_rows(write(tmp_path, "--longest", "5000", rows=40_000)))
    assert s["length_max"] == 5000


def test_lengths_that_cannot_add_up_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.csv")
    argv = ["--rows", "10000", "--playlists", "1000", "--out", out]
    with pytest.raises(SystemExit):  # a median of 200 in playlists averaging 10 rows
        ms.main([*argv, "--lengths", "lognormal", "--length-median", "200"])
    assert "cannot average 10.0 rows per playlist" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the real file's quantiles have no median to set
        ms.main([*argv, "--length-median", "12"])
    assert "--lengths lognormal or pareto" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_the_printed_measurement_shows_the_shape_beside_its_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dense.csv"
    assert ms.main(["--shape", "dense", "--rows", "20000", "--out", str(out)]) == 0
    printed = {
        line.split()[0]: line.split()[1:]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("  ")
    }
    counted = shape(read_rows(out))
    preset = ms.SHAPES["dense"].at(20_000)
    assert printed["playlists"] == [f"{counted['playlists']:,}", "target", f"{preset.playlists:,}"]
    assert printed["length_p50"][:3] == [f"{counted['length_p50']:,.3f}", "target", "12"]
    assert printed["length_max"][0] == f"{counted['length_max']:,}"
    assert {"length_p90", "tracks", "artists"} <= printed.keys()
    multi = round(counted["tracks"] * (1 - counted["one_playlist_track_share"]))
    assert printed["tracks_in_2plus_playlists"][0] == f"{multi:,}"
    assert printed["tracks_in_2plus_playlists"][1] == "target"
