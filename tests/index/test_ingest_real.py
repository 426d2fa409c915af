"""The real samples in ../shared/data read exactly right (skipped where the folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.corpus import Corpus
from index.ingest import detect_format, read_dataset
from index.names import normalise_name

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ZENODO = DATA / "zenodo_sample" / "spotify_dataset_head10k.csv"
ZENODO_PANDAS = DATA / "zenodo_sample" / "spotify_dataset_random_sample.csv"
HARI = DATA / "harisekhon_playlists" / "playlist_tracks.csv.gz"
YES_SMALL = DATA / "yes" / "yes_small"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="module")
def zenodo() -> Corpus:
    return read_dataset(need(ZENODO), progress=False)


def playlists_named(c: Corpus, artist: str, title: str) -> list[str]:
    for t in range(c.n_tracks):
        if (c.artist_names[c.track_artist[t]], c.track_titles[t]) == (artist, title):
            return sorted(c.playlist_names[p] for p in c.playlists_of(t))
    raise KeyError((artist, title))


def test_zenodo_sample_matches_an_independent_reading_of_every_row(zenodo: Corpus) -> None:
    # The documented rule, written out plainly: strip the outer quotes, split on '","'.
    lines = ZENODO.read_text(encoding="utf-8").split("\n")[1:-1]
    playlist_ids: dict[tuple[str, str], int] = {}
    expected = set()
    for line in lines:
        user, artist, title, playlist = line[1:-1].split('","')
        pid = playlist_ids.setdefault((user, playlist), len(playlist_ids))
        expected.add((normalise_name(artist), normalise_name(title), pid))
    got = {
        (
            normalise_name(zenodo.artist_names[zenodo.track_artist[t]]),
            normalise_name(zenodo.track_titles[t]),
            int(p),
        )
        for t in range(zenodo.n_tracks)
        for p in zenodo.playlists_of(t)
    }
    assert got == expected
    r = zenodo.report
    assert (r.rows_read, r.rows_malformed) == (len(lines), 0) == (10_000, 0)
    assert r.duplicate_rows == len(lines) - len(expected)
    assert zenodo.playlist_names == [name for _, name in playlist_ids]
    assert zenodo.n_playlists == 40 and len(set(zenodo.playlist_names)) == 39
    assert zenodo.n_tracks == len({(a, t) for a, t, _ in expected})
    assert zenodo.n_artists == len({a for a, _, _ in expected})


def test_zenodo_sample_fields_with_raw_quotes_are_exact(zenodo: Corpus) -> None:
    assert playlists_named(
        zenodo,
        "Wolfgang Amadeus Mozart",
        'Serenade No. 13 in G Major, K. 525 "Eine Kleine Nachtmusik": I: Allegro',
    ) == ["Classique"]
    assert playlists_named(zenodo, "SNAP!", 'Rhythm Is A Dancer - Original 12"') == [
        "Everything at once"
    ]
    assert playlists_named(zenodo, "New Order", 'Lonesome Tonight [12" Version]') == [
        "Everything at once"
    ]
    assert playlists_named(zenodo, 'Osmani Garcia "La Voz"', "El Taxi") == [
        "Ecuador",
        "Everything at once",
    ]
    assert playlists_named(zenodo, "The Gaslight Anthem", '"45"') == ["Everything at once"]
    assert playlists_named(zenodo, 'Nas & Damian "Jr. Gong" Marley', "My Generation") == [
        "Everything at once"
    ]
    slash = zenodo.playlist_names.index('"/')
    in_slash = sorted(
        (zenodo.artist_names[zenodo.track_artist[t]], zenodo.track_titles[t])
        for t in range(zenodo.n_tracks)
        if slash in zenodo.playlists_of(t)
    )
    assert in_slash == [
        ("Glasvegas", "I Feel Wrong (Homosexuality, Pt. 1)"),
        ("Markus Krunegård", "Korallreven & Vintergatan"),
        ("Noah And The Whale", "I Have Nothing"),
        ("Slowdive", "So Tired - Single Version"),
        ("The Perishers", "Trouble Sleeping"),
        ("Vera Vinter", "Överallt"),
    ]
    # 26 fields hold raw quotes: 6 are the '"/' playlist, 5 are 3 distinct artists, 15 titles.
    assert sum('"' in t for t in zenodo.track_titles) == 15
    assert sum('"' in a for a in zenodo.artist_names) == 3


def test_zenodo_sample_empty_artists_and_stray_spaces(zenodo: Corpus) -> None:
    nobody = zenodo.artist_names.index("")
    titles = sorted(
        zenodo.track_titles[t] for t in range(zenodo.n_tracks) if zenodo.track_artist[t] == nobody
    )
    assert titles == [
        "07 - echoes",
        "Im Not Okay (I Promise) ~ My Chemical Romance",
        "Just The Girl - The Click Five Cover",
        "Low - Sleeping With Sirens Cover",
        "Pierce The Veil - -Just The Way You Are- Lyric Video (Punk Goes Pop 4)",
        "Pierce The Veil - Disasterology ( Lyrics )",
        "live and let die- paul mccartney",
        "patty walters - My Chemical Romance 'TEENAGERS' Cover",
    ]
    assert "Dolce" in zenodo.artist_names and "FAIRCHILD" in zenodo.artist_names
    for name in zenodo.artist_names + zenodo.track_titles:
        assert name == name.strip()
    # Playlist names are kept exactly as written (310 rows carry a trailing space).
    assert "2014 beginning " in zenodo.playlist_names


def test_pandas_rewritten_zenodo_sample_reads_as_generic_csv() -> None:
    path = need(ZENODO_PANDAS)
    assert detect_format(path) == "csv"
    c = read_dataset(path, progress=False)
    r = c.report
    assert (r.rows_read, r.rows_malformed) == (500, 0)
    assert c.n_playlists == 492  # (user_id, playlistname) pairs, as in the original
    assert "Spice Girls" in c.artist_names


def test_harisekhon_csv_gz() -> None:
    path = need(HARI)
    assert detect_format(path) == "csv"
    c = read_dataset(path, progress=False)
    r = c.report
    assert (r.rows_read, r.rows_malformed) == (137_330, 28)  # 28 empty lines in the sources
    assert c.n_playlists == 452
    uris = [u for u in c.track_uris if u is not None]
    assert len(uris) > 30_000
    assert all(u.startswith("spotify:track:") for u in uris)


def test_yes_small() -> None:
    folder = need(YES_SMALL)
    assert detect_format(folder) == "yes"
    c = read_dataset(folder, progress=False)
    r = c.report
    assert (r.rows_read, r.rows_malformed) == (175_911, 0)
    assert c.n_playlists == 41_480
    assert c.playlist_names[0] == "yes playlist 1"
    assert not any("\\/" in t for t in c.track_titles + c.artist_names)
    assert "Gucci Time (w/ Swizz Beatz)" in c.track_titles
