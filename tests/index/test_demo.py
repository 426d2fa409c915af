"""The demo dataset: a sound catalogue, deterministic playlists, and neighbours that make sense.

The last tests build the demo index with the real pipeline (the ``demo_index`` fixtures in
conftest) and judge its neighbours by the catalogue's own genre labels, never by hard-coded
songs, so they keep holding when the catalogue or the generator is tuned.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from index.build.demo import (
    GENRES,
    MAX_LENGTH,
    MIN_LENGTH,
    MIN_PLAYLISTS_PER_SONG,
    MOODS,
    RELATED_GENRES,
    Song,
    generate_demo_playlists,
    load_catalogue,
    write_demo_dataset,
)

ROCK_FAMILY = {"metal", "rock", "classic rock"}
ONE_MORE_TIME = ("Daft Punk", "One More Time")
METAL_SONG = ("Metallica", "Master of Puppets")


def folded(text: str) -> str:
    """The ingest's identity rule for names: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str, str], Song]:
    return {(s.artist, s.title): s for s in load_catalogue()}


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str, str]]:
    return generate_demo_playlists()


@pytest.fixture(scope="module")
def playlists_of(rows) -> dict[tuple[str, str], set[str]]:
    """Song → the names of the playlists it is in."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for playlist, artist, title in rows:
        out[(artist, title)].add(playlist)
    return out


def top_neighbours(playlists_of, song, k=10, min_shared=2):
    """Exact Jaccard top-k, computed here from the rows: the yardstick for the built index."""
    mine = playlists_of[song]
    scored = []
    for other, theirs in playlists_of.items():
        shared = len(mine & theirs)
        if other != song and shared >= min_shared:
            scored.append((-shared / len(mine | theirs), -shared, other))
    return [other for *_, other in sorted(scored)[:k]]


def share_in(songs, catalogue, genres) -> float:
    return sum(catalogue[s].genre in genres for s in songs) / len(songs)


# --- catalogue ------------------------------------------------------------------------


def test_catalogue_is_a_few_hundred_labelled_songs_across_genres_and_decades(catalogue):
    songs = list(catalogue.values())
    assert 350 <= len(songs) <= 500
    genres = Counter(s.genre for s in songs)
    assert set(genres) == set(GENRES)
    assert min(genres.values()) >= 8, genres
    decades = Counter(s.decade for s in songs)
    for decade in range(1960, 2030, 10):
        assert decades[decade] >= 15, (decade, decades)
    for s in songs:
        assert 1 <= len(s.moods) <= 3 and set(s.moods) <= set(MOODS), s
        assert s.artist.strip() == s.artist and s.title.strip() == s.title and s.artist, s


def test_catalogue_has_no_song_twice_even_after_name_folding(catalogue):
    keys = Counter((folded(a), folded(t)) for a, t in catalogue)
    assert [k for k, n in keys.items() if n > 1] == []


def test_catalogue_holds_the_songs_query_tests_rely_on(catalogue):
    for song in [
        ONE_MORE_TIME,
        ("Daft Punk", "Get Lucky"),
        ("Daft Punk", "Around the World"),
        ("Daft Punk", "Harder, Better, Faster, Stronger"),
        ("Daft Punk", "Digital Love"),
        ("Daft Punk", "Instant Crush"),
        ("Beyoncé", "Halo"),
        ("Queen", "Don't Stop Me Now"),
        METAL_SONG,
    ]:
        assert song in catalogue, song
    # One title, several artists: the resolver must choose, or ask.
    by_title = defaultdict(set)
    for artist, title in catalogue:
        by_title[title].add(artist)
    assert {"Nine Inch Nails", "Johnny Cash"} <= by_title["Hurt"]
    assert {"Beyoncé", "Depeche Mode"} <= by_title["Halo"]
    assert {"Gnarls Barkley", "Aerosmith"} <= by_title["Crazy"]
    assert {"Leonard Cohen", "Jeff Buckley"} <= by_title["Hallelujah"]
    # Artist-only queries and "at most 3 per artist" need artists with many songs.
    per_artist = Counter(artist for artist, _ in catalogue)
    assert per_artist["Daft Punk"] >= 10
    assert sum(n >= 4 for n in per_artist.values()) >= 5
    artists = set(per_artist)
    for name in ["Beyoncé", "Sigur Rós", "Motörhead", "Björk", "Céline Dion", "Mötley Crüe"]:
        assert name in artists, name


def test_version_variants_name_an_original_by_the_same_artist(catalogue):
    from index.names import base_title

    variants = [s for s in catalogue.values() if s.variant_of]
    assert len(variants) >= 5
    assert ("Daft Punk", "One More Time - Radio Edit") in catalogue
    assert ("Queen", "Bohemian Rhapsody - Remastered 2011") in catalogue
    for v in variants:
        original = catalogue[(v.artist, v.variant_of)]
        assert original.variant_of is None and not original.rare
        assert (v.genre, v.decade) == (original.genre, original.decade)
        assert v.popularity < original.popularity  # a bare query should find the original
        # The read path must recognise the pair as one song.
        assert base_title(v.title) == base_title(original.title), v


# --- generated playlists --------------------------------------------------------------


def test_generation_is_deterministic_for_a_seed(rows):
    assert generate_demo_playlists(0) == rows
    assert generate_demo_playlists(1) != rows


def test_generation_does_not_depend_on_hash_randomisation(rows):
    """Another interpreter with another string-hash seed must write the same rows."""
    code = (
        "import hashlib, index.build.demo as d; "
        "print(hashlib.sha256(repr(d.generate_demo_playlists(0)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == hashlib.sha256(repr(rows).encode()).hexdigest()


def test_playlists_are_a_few_hundred_uniquely_named_lists_of_10_to_40_songs(rows):
    songs_in = defaultdict(list)
    for playlist, artist, title in rows:
        songs_in[playlist].append((artist, title))
    assert 400 <= len(songs_in) <= 600
    assert len({folded(name) for name in songs_in}) == len(songs_in)
    for name, songs in songs_in.items():
        assert MIN_LENGTH <= len(songs) <= MAX_LENGTH, (name, len(songs))
        assert len(set(songs)) == len(songs), f"{name} lists a song twice"


def test_every_song_is_used_and_rare_songs_appear_exactly_once(catalogue, playlists_of):
    assert set(playlists_of) == set(catalogue)
    rare = [key for key, s in catalogue.items() if s.rare]
    assert len(rare) >= 5
    for key, song in catalogue.items():
        n = len(playlists_of[key])
        if song.rare:
            assert n == 1, key
        else:
            assert n >= MIN_PLAYLISTS_PER_SONG, key


def test_popular_songs_are_in_more_playlists(catalogue, playlists_of):
    def mean_count(songs):
        return sum(len(playlists_of[k]) for k in songs) / len(songs)

    plain = [k for k, s in catalogue.items() if not s.rare and not s.variant_of]
    hits = [k for k in plain if catalogue[k].popularity >= 8]
    deep_cuts = [k for k in plain if catalogue[k].popularity <= 5]
    assert mean_count(hits) > 2 * mean_count(deep_cuts)


def test_variants_appear_mostly_beside_their_original(catalogue, playlists_of):
    for key, song in catalogue.items():
        if song.variant_of:
            mine = playlists_of[key]
            with_original = mine & playlists_of[(song.artist, song.variant_of)]
            assert len(with_original) >= 0.5 * len(mine), key


def test_exact_neighbours_of_the_generated_rows_share_genres(catalogue, playlists_of):
    """Before any index is built: the playlists themselves carry the genre structure."""
    dance = top_neighbours(playlists_of, ONE_MORE_TIME)
    assert len(dance) == 10 and share_in(dance, catalogue, {"electronic"}) >= 0.7
    metal = top_neighbours(playlists_of, METAL_SONG)
    assert len(metal) == 10 and share_in(metal, catalogue, ROCK_FAMILY) >= 0.7
    shares = []
    for key, song in catalogue.items():
        near = top_neighbours(playlists_of, key)
        if len(near) == 10:
            shares.append(share_in(near, catalogue, {song.genre, *RELATED_GENRES[song.genre]}))
    assert sum(shares) / len(shares) >= 0.8


# --- the CSV and the real pipeline ----------------------------------------------------


def test_write_demo_dataset_writes_a_generic_csv_that_round_trips(tmp_path, rows):
    out = write_demo_dataset(tmp_path / "sub" / "demo.csv")
    assert out == tmp_path / "sub" / "demo.csv"
    with out.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        assert next(reader) == ["playlist", "artist", "track"]
        assert [tuple(r) for r in reader] == rows
    # Names with quotes, commas and non-ASCII letters come back exactly.
    tracks = {(a, t) for _, a, t in rows}
    assert ("David Bowie", '"Heroes"') in tracks
    assert ("Tyler, The Creator", "EARFQUAKE") in tracks
    assert ("Sigur Rós", "Hoppípolla") in tracks
    assert sorted(p.name for p in out.parent.iterdir()) == ["demo.csv"]  # no temp file left


def test_write_demo_dataset_into_a_folder_uses_the_default_name(tmp_path):
    out = write_demo_dataset(tmp_path)
    assert out == tmp_path / "demo-playlists.csv" and out.stat().st_size > 0


def test_demo_csv_is_read_whole_by_the_ingest(demo_dataset, catalogue, rows):
    from index.ingest import read_dataset

    corpus = read_dataset(demo_dataset, "csv", strict=True, progress=False)
    assert corpus.report.rows_malformed == 0
    assert corpus.n_tracks == len(catalogue)
    assert corpus.n_playlists == len({r[0] for r in rows})
    names = {
        (corpus.artist_names[corpus.track_artist[t]], corpus.track_titles[t])
        for t in range(corpus.n_tracks)
    }
    assert names == set(catalogue)


def _stored_neighbours(index: Path, song: tuple[str, str]) -> list[tuple[str, str]]:
    with sqlite3.connect(index) as conn:
        rows = conn.execute(
            """SELECT na.name, nt.title FROM tracks t JOIN artists a USING (artist_id)
               JOIN neighbours n ON n.track_id = t.track_id
               JOIN tracks nt ON nt.track_id = n.neighbour_id
               JOIN artists na ON na.artist_id = nt.artist_id
               WHERE a.name = ? AND t.title = ? ORDER BY n.rank LIMIT 10""",
            song,
        ).fetchall()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("index_fixture", ["demo_index", "demo_index_lsh"])
def test_built_demo_index_recommends_songs_of_the_same_genre(request, index_fixture, catalogue):
    index = request.getfixturevalue(index_fixture)
    dance = _stored_neighbours(index, ONE_MORE_TIME)
    assert len(dance) == 10 and share_in(dance, catalogue, {"electronic"}) >= 0.7, dance
    metal = _stored_neighbours(index, METAL_SONG)
    assert len(metal) == 10 and share_in(metal, catalogue, ROCK_FAMILY) >= 0.7, metal


def test_built_demo_index_has_no_neighbours_for_the_rare_songs(demo_index, catalogue):
    rare = [key for key, s in catalogue.items() if s.rare]
    with sqlite3.connect(demo_index) as conn:
        for artist, title in rare:
            track_id, playlists = conn.execute(
                "SELECT t.track_id, t.playlists FROM tracks t JOIN artists a USING (artist_id)"
                " WHERE a.name = ? AND t.title = ?",
                (artist, title),
            ).fetchone()
            assert playlists == 1
            n = conn.execute(
                "SELECT count(*) FROM neighbours WHERE track_id = ?", (track_id,)
            ).fetchone()[0]
            assert n == 0, (artist, title)
