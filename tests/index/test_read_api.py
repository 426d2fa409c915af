"""The read API: presentation rules, rare songs, mixes, why, and opening indexes safely.

Small indexes are built here by the real pipeline from hand-written playlists, so the
neighbour lists (exact Jaccard) follow from the playlists below.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.i18n.labels import fallback_label as english
from index.build import build_index
from index.model import PlaylistRef
from index.names import same_song
from index.read.api import IndexOpenError, SongIndex, UnknownIdError

SEED = ("Daft Punk", "One More Time")

# Playlist name → (artist, title) rows. P1–P6 hold the seed; the rest shape the answers.
PLAYLISTS: dict[str, list[tuple[str, str]]] = {}
for i in range(1, 7):
    PLAYLISTS[f"French Touch {i}"] = [SEED]
for i in range(1, 6):  # another version of the seed, very close to it
    PLAYLISTS[f"French Touch {i}"].append(("Daft Punk", "One More Time - Radio Edit"))
for i in range(1, 5):  # a neighbour in two versions: only the closer one may be shown
    PLAYLISTS[f"French Touch {i}"].append(("Modjo", "Lady (Hear Me Tonight)"))
for i in range(1, 4):
    PLAYLISTS[f"French Touch {i}"].append(("Modjo", "Lady (Hear Me Tonight) - Remastered 2011"))
for n in range(5):  # five close songs by one artist: at most three per page
    for i in range(1, 5):
        PLAYLISTS[f"French Touch {i}"].append(("Stardust", f"Song {n}"))
for i in range(2, 5):
    PLAYLISTS[f"French Touch {i}"].append(("Cassius", "1999"))
    PLAYLISTS[f"French Touch {i}"].append(("Alan Braxe", "Intro"))
# A rare song (one playlist, so no neighbours) whose artist has other songs.
PLAYLISTS["French Touch 1"].append(("Obscure Band", "Lonely Song"))
PLAYLISTS["Obscure Nights A"] = [("Obscure Band", "Other Song"), ("Cassius", "1999")]
PLAYLISTS["Obscure Nights B"] = [("Obscure Band", "Other Song"), ("Cassius", "1999")]
# A rare song by an artist with no other songs.
PLAYLISTS["Solitude"] = [("Solo Artist", "Only Song")]
# Two songs that share only a title ("Halo"), and a popular electro playlist family.
for i in range(1, 9):
    PLAYLISTS[f"Pop Hits {i}"] = [("Beyoncé", "Halo"), ("Rihanna", "Umbrella")]
for i in range(1, 3):
    PLAYLISTS[f"Synth {i}"] = [("Depeche Mode", "Halo"), ("Depeche Mode", "Enjoy the Silence")]


def write_playlists(path: Path, playlists: dict[str, list[tuple[str, str]]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["playlist", "artist", "track"])
        for name, rows in playlists.items():
            for artist, title in rows:
                w.writerow([name, artist, title])
    return path


def build(tmp: Path, playlists=PLAYLISTS, *, memberships: bool = True, name="i.sqlite") -> Path:
    csv_path = write_playlists(tmp / f"{name}.csv", playlists)
    out = tmp / name
    build_index(
        csv_path, out, fmt="csv", method="exact", min_playlists=2, min_shared=1,
        memberships=memberships, progress=False,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("read"))


@pytest.fixture()
def idx(index_path: Path):
    with SongIndex.open(index_path) as opened:
        yield opened


def find(idx: SongIndex, artist: str, title: str) -> int:
    rows = idx.query(
        "SELECT t.track_id FROM tracks t JOIN artists a USING(artist_id) "
        "WHERE a.name = ? AND t.title = ?",
        (artist, title),
    )
    assert rows, f"{artist} - {title} not in the fixture index"
    return rows[0][0]


# ------------------------------------------------------------------ presentation rules


def test_similar_never_shows_a_version_of_the_seed(idx: SongIndex) -> None:
    answer = idx.similar(find(idx, *SEED), limit=50)
    labels = [(r.track.artist, r.track.title) for r in answer.items]
    assert answer.items, "the seed has neighbours in the fixture"
    assert not any(same_song(a, t, *SEED) for a, t in labels)
    # The radio edit is stored as the seed's closest neighbour, but must not be shown.
    stored = {n for n, _, _ in idx.neighbour_rows(find(idx, *SEED))}
    assert find(idx, "Daft Punk", "One More Time - Radio Edit") in stored


def test_similar_shows_one_version_of_each_neighbour_the_closest(idx: SongIndex) -> None:
    answer = idx.similar(find(idx, *SEED), limit=50, more_of_artist=True)
    modjo = [r.track.title for r in answer.items if r.track.artist == "Modjo"]
    assert modjo == ["Lady (Hear Me Tonight)"]


def test_at_most_three_songs_by_one_artist_per_page(idx: SongIndex) -> None:
    # The stored order ("jaccard") puts all five Stardust songs at the top.
    seed = find(idx, *SEED)
    first = idx.similar(seed, limit=5, ranking="jaccard")
    assert sum(r.track.artist == "Stardust" for r in first.items) == 3
    assert len(first.items) == 5 and first.has_more
    # The songs over the cap come on the next page, not lost.
    second = idx.similar(seed, limit=5, offset=5, ranking="jaccard")
    every = [r.track.track_id for r in first.items + second.items]
    assert sum(r.track.artist == "Stardust" for r in first.items + second.items) == 5
    assert len(every) == len(set(every)) == first.total
    assert not second.has_more


def test_the_cap_counts_every_artist_a_song_credits(tmp_path: Path) -> None:
    # An Eminem song's closest neighbours: three Eminem songs, two credited to Eminem and
    # someone else, then other artists. "Eminem, Rihanna" is Eminem too: a page of five
    # holds three songs crediting him, and the duets wait for the next page.
    seed = ("Eminem", "Lose Yourself")
    close = [("Eminem", f"Track {n}") for n in range(3)]
    close += [("Eminem, Rihanna", "Love the Way You Lie"), ("Eminem & Dr. Dre", "Forgot")]
    others = [("50 Cent", "In da Club"), ("Nas", "N.Y. State of Mind"), ("Drake", "Headlines")]
    playlists = {f"Rap {i}": [seed, *close] for i in range(1, 6)}
    for i in range(1, 4):
        playlists[f"Rap {i}"] += others
    with SongIndex.open(build(tmp_path, playlists, name="duets.sqlite")) as index:
        for ranking in ("jaccard", "closest"):
            first = index.similar(find(index, *seed), limit=5, ranking=ranking)
            second = index.similar(find(index, *seed), limit=5, offset=5, ranking=ranking)
            artists = [r.track.artist for r in first.items]
            assert sum("Eminem" in a for a in artists) == 3 and len(artists) == 5, ranking
            later = {r.track.title for r in second.items}
            assert {"Love the Way You Lie", "Forgot"} <= later, ranking


def test_a_page_deep_in_a_long_list_is_the_same_when_only_it_is_computed() -> None:
    import random

    from index.read.present import paginate

    rng = random.Random(7)
    items = [(n, frozenset(rng.sample("abcdef", rng.choice((1, 1, 2))))) for n in range(300)]
    everything = paginate(items, 10, artists_of=lambda item: item[1])
    for cap in (3, None):
        full = paginate(items, 10, artists_of=lambda item: item[1], per_artist=cap)
        for n in (1, 2, 7):
            some = paginate(items, 10, artists_of=lambda item: item[1], per_artist=cap, pages=n)
            assert some == full[:n]
    assert sum(map(len, everything)) == len(items) and len(everything) > 30


def test_more_of_artist_lifts_the_cap_and_keeps_the_ranking_order(idx: SongIndex) -> None:
    answer = idx.similar(find(idx, *SEED), limit=10, ranking="jaccard", more_of_artist=True)
    assert sum(r.track.artist == "Stardust" for r in answer.items) == 5
    scores = [r.score for r in answer.items]
    assert scores == sorted(scores, reverse=True)


def test_closest_spreads_a_page_over_songs_tied_on_the_same_playlists(idx: SongIndex) -> None:
    seed = find(idx, *SEED)

    def levels(answer):
        return [(r.shared, r.track.playlists) for r in answer.items]

    # Six songs were met in the same 4 playlists as the seed and nowhere else: in the
    # stored order they fill the whole first page, and would succeed or fail together.
    plain = idx.similar(seed, limit=5, ranking="jaccard", more_of_artist=True)
    assert set(levels(plain)) == {(4, 4)}
    # The default leads with them but mixes in songs with nearly as strong evidence.
    spread = idx.similar(seed, limit=5, more_of_artist=True)
    assert levels(spread)[0] == (4, 4)
    assert 2 <= levels(spread).count((4, 4)) <= 3 and len(set(levels(spread))) >= 2
    # Nothing is lost: every song is still there, further down.
    everything = {r.track.track_id for r in idx.similar(seed, limit=50, ranking="jaccard").items}
    assert {r.track.track_id for r in idx.similar(seed, limit=50).items} == everything


def test_unknown_ranking_is_a_clear_error(idx: SongIndex) -> None:
    with pytest.raises(ValueError, match="closest"):
        idx.similar(find(idx, *SEED), ranking="sideways")


# ------------------------------------------------------------------ rare songs


def test_rare_song_is_known_and_falls_back_to_its_playlist(idx: SongIndex) -> None:
    answer = idx.similar(find(idx, "Obscure Band", "Lonely Song"))
    assert answer.rare and answer.items == [] and answer.total == 0
    assert english(answer.fallback_label) == "From the playlist “French Touch 1”"
    assert answer.fallback and all(t.artist != "Obscure Band" for t in answer.fallback)
    # One version of each playlist-mate: 1 Daft Punk, 1 Modjo, 5 Stardust songs.
    assert len(answer.fallback) == 7
    assert sum(t.artist == "Daft Punk" for t in answer.fallback) == 1
    # A short list keeps at most three songs by one artist while others are left to show.
    short = idx.similar(find(idx, "Obscure Band", "Lonely Song"), limit=5)
    assert sum(t.artist == "Stardust" for t in short.fallback) == 3


def test_rare_song_without_memberships_falls_back_to_the_artists_other_songs(
    tmp_path: Path,
) -> None:
    with SongIndex.open(build(tmp_path, memberships=False)) as idx:
        answer = idx.similar(find(idx, "Obscure Band", "Lonely Song"))
        assert answer.rare and answer.items == [] and answer.total == 0
        assert [t.title for t in answer.fallback] == ["Other Song"]
        assert english(answer.fallback_label) == "Other songs by Obscure Band"


def test_rare_song_without_other_songs_says_so_honestly(idx: SongIndex) -> None:
    answer = idx.similar(find(idx, "Solo Artist", "Only Song"))
    assert answer.rare
    assert answer.fallback == [] and answer.fallback_label is None


# ------------------------------------------------------------------ artists, mixes, likes


def test_similar_artists_aggregates_track_neighbours(idx: SongIndex) -> None:
    daft = idx.track(find(idx, *SEED)).artist_id
    names = [s.artist.name for s in idx.similar_artists(daft, limit=10)]
    assert names[0] == "Stardust"  # five close songs outweigh one
    assert {"Modjo", "Cassius", "Alan Braxe"} <= set(names)
    assert "Daft Punk" not in names and "Depeche Mode" not in names


def test_artist_top_tracks_are_best_known_first_one_version_each(idx: SongIndex) -> None:
    modjo = idx.track(find(idx, "Modjo", "Lady (Hear Me Tonight)")).artist_id
    assert [t.title for t in idx.artist_top_tracks(modjo)] == ["Lady (Hear Me Tonight)"]


def test_mix_ranks_songs_close_to_all_seeds_first(idx: SongIndex) -> None:
    seeds = [find(idx, *SEED), find(idx, "Obscure Band", "Other Song")]
    answer = idx.mix(seeds, limit=10)
    assert answer.items[0].track.title == "1999"  # the one neighbour of both seeds
    shown = {r.track.track_id for r in answer.items}
    assert not shown & set(seeds)
    assert not any(same_song(r.track.artist, r.track.title, *SEED) for r in answer.items)
    assert [s.track_id for s in answer.seeds] == seeds


@pytest.mark.parametrize("count", [1, 6])
def test_mix_needs_two_to_five_songs(idx: SongIndex, count: int) -> None:
    ids = [int(t) for t in idx.rank_track[:count]]
    with pytest.raises(ValueError, match="2 to 5"):
        idx.mix(ids)


def test_for_you_never_returns_a_liked_song(idx: SongIndex) -> None:
    liked = [find(idx, *SEED), find(idx, "Modjo", "Lady (Hear Me Tonight)")]
    answer = idx.for_you(liked, limit=20)
    assert answer.items
    for r in answer.items:
        assert r.track.track_id not in liked
        assert r.track.title not in {
            "One More Time - Radio Edit",
            "Lady (Hear Me Tonight) - Remastered 2011",
        }


def test_for_you_with_one_like_answers_like_similar_on_that_song(idx: SongIndex) -> None:
    # The seed's neighbours include a group of tied songs, so the spread is at work.
    seed = find(idx, *SEED)
    for ranking in ("closest", "deep cuts", "jaccard"):
        for offset in (0, 5):
            mine = idx.for_you([seed], limit=5, offset=offset, ranking=ranking)
            same = idx.similar(seed, limit=5, offset=offset, ranking=ranking)
            assert [r.track.track_id for r in mine.items] == [
                r.track.track_id for r in same.items
            ], (ranking, offset)
            assert mine.seed is None


def test_for_you_without_likes_offers_popular_songs(idx: SongIndex) -> None:
    answer = idx.for_you([])
    assert answer.rare and answer.items == []
    assert english(answer.fallback_label) == "Popular songs in this index"
    assert answer.fallback[0].playlists == max(t.playlists for t in answer.fallback)


# ------------------------------------------------------------------ why


def test_why_gives_shared_count_and_example_playlists(idx: SongIndex) -> None:
    seed, lady = find(idx, *SEED), find(idx, "Modjo", "Lady (Hear Me Tonight)")
    why = idx.why(seed, lady)
    assert why.stored and why.shared == 4
    assert why.jaccard == pytest.approx(4 / 6)
    assert sorted(why.examples, key=lambda p: p.name) == [
        PlaylistRef(f"French Touch {i}") for i in range(1, 5)
    ]


def test_why_examples_are_at_most_five(idx: SongIndex) -> None:
    seed, edit = find(idx, *SEED), find(idx, "Daft Punk", "One More Time - Radio Edit")
    why = idx.why(seed, edit)
    assert why.shared == 5 and len(why.examples) == 5


def test_why_without_memberships_still_gives_the_count(tmp_path: Path) -> None:
    with SongIndex.open(build(tmp_path, memberships=False)) as idx:
        why = idx.why(find(idx, *SEED), find(idx, "Modjo", "Lady (Hear Me Tonight)"))
        assert why.shared == 4 and why.examples == []
        assert not idx.stats.has_memberships


def test_unknown_ids_raise_lookup_errors(idx: SongIndex) -> None:
    with pytest.raises(UnknownIdError):
        idx.track(10_000)
    with pytest.raises(UnknownIdError):
        idx.artist(10_000)


def test_stats_describe_the_index(idx: SongIndex) -> None:
    s = idx.stats
    assert s.tracks == len(idx.rank_track) and s.tracks > 10
    assert s.method == "exact" and s.has_memberships and s.neighbours > 0
    assert s.playlists == len(PLAYLISTS)


# ------------------------------------------------------------------ opening safely


def _assert_one_sentence_with_fix(exc: pytest.ExceptionInfo[IndexOpenError], path: Path) -> None:
    msg = str(exc.value)
    assert str(path) in msg and "songsim index build" in msg
    assert "\n" not in msg


def test_missing_index_names_the_build_command(tmp_path: Path) -> None:
    path = tmp_path / "nope.sqlite"
    with pytest.raises(IndexOpenError, match="No index at") as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)


def test_a_folder_is_not_an_index(tmp_path: Path) -> None:
    with pytest.raises(IndexOpenError, match="is a folder"):
        SongIndex.open(tmp_path)


def test_a_text_file_is_not_an_index(tmp_path: Path) -> None:
    path = tmp_path / "playlists.csv"
    path.write_text("playlist,artist,track\n")
    with pytest.raises(IndexOpenError, match="not a songsim index") as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)


def test_an_unrelated_sqlite_file_is_not_an_index(tmp_path: Path) -> None:
    path = tmp_path / "users.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes(x)")
    with pytest.raises(IndexOpenError, match="not a songsim index") as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)
    # Nor offered as a build target: the build would refuse to replace it.
    assert f"-o {path}" not in str(exc.value) and "-o PATH` (PATH a new file" in str(exc.value)


@pytest.mark.parametrize("content", [b"", b"garbage\n"])
def test_a_file_named_as_an_index_is_never_suggested_as_a_dataset(tmp_path, content) -> None:
    path = tmp_path / "emptyfile.sqlite"
    path.write_bytes(content)
    with pytest.raises(IndexOpenError, match="songsim index build DATASET -o ") as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)
    assert f"index build {path}" not in str(exc.value)  # never from the index into itself


@pytest.mark.parametrize(("version", "words"), [("3", "newer songsim"), ("0", "old schema")])
def test_unknown_schema_versions_are_explained(
    index_path: Path, tmp_path: Path, version: str, words: str
) -> None:
    path = tmp_path / "v.sqlite"
    shutil.copy(index_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    with pytest.raises(IndexOpenError, match=words) as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)


def test_a_schema_v1_index_still_answers(index_path: Path, tmp_path: Path) -> None:
    """An index built before v2 (no MBID, ISRC or session date columns) opens and answers."""
    path = tmp_path / "v1.sqlite"
    shutil.copy(index_path, path)
    before = SongIndex.open(index_path)
    seed = before.track(1)
    expected = [r.track.track_id for r in before.similar(seed.track_id).items]
    with sqlite3.connect(path) as conn:
        for table, column in [
            ("tracks", "recording_mbid"),
            ("tracks", "isrc"),
            ("playlists", "date"),
        ]:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    old = SongIndex.open(path)
    assert old.stats.schema_version == 1
    assert [r.track.track_id for r in old.similar(seed.track_id).items] == expected
    assert old.why(seed.track_id, expected[0]).shared >= 1


def test_an_index_without_search_tables_asks_for_a_rebuild(
    index_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(index_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE search_words")
    with pytest.raises(IndexOpenError, match="search_words") as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)


def test_a_truncated_index_is_reported_not_crashed_on(index_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.sqlite"
    data = index_path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexOpenError, match="truncated") as exc:
        SongIndex.open(path)
    _assert_one_sentence_with_fix(exc, path)


def test_a_damaged_page_becomes_an_index_error(index_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite"
    data = bytearray(index_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for p in range(1, len(data) // page):  # scribble over every page but the header page
        data[p * page : p * page + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(IndexOpenError, match="rebuild"), SongIndex.open(path) as idx:
        idx.similar(find(idx, *SEED))


# ------------------------------------------------------------------ read-only, concurrency


def test_opening_and_reading_never_writes_the_file(index_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    shutil.copy(index_path, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with SongIndex.open(path) as idx:
        idx.resolve("daft punk one more time")
        idx.similar(find(idx, *SEED))
        with pytest.raises(sqlite3.OperationalError):
            idx._conn.execute("DELETE FROM tracks")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(os.listdir(tmp_path)) == ["ro.sqlite"]  # no journal or lock files left


def test_a_read_only_file_opens(index_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    shutil.copy(index_path, path)
    path.chmod(0o444)
    with SongIndex.open(path) as idx:
        assert idx.resolve("one more time").match is not None


def test_many_threads_share_one_index_and_agree(idx: SongIndex) -> None:
    seed = find(idx, *SEED)
    want_similar = idx.similar(seed)
    want_match = idx.resolve("daft punk - one more time").match
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(30):
                assert idx.similar(seed) == want_similar
                assert idx.resolve("daft punk - one more time").match == want_match
                assert idx.autocomplete("daft pu")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_an_open_index_survives_a_rebuild_replacing_its_file(tmp_path: Path) -> None:
    path = build(tmp_path, name="live.sqlite")
    with SongIndex.open(path) as old, SongIndex.open(path) as other_reader:
        seed = find(old, *SEED)
        before = old.similar(seed)
        smaller = {k: v for k, v in PLAYLISTS.items() if not k.startswith("French")}
        build(tmp_path, smaller, name="live.sqlite")  # atomic replace under the readers
        assert old.similar(seed) == before
        assert other_reader.track(seed) == before.seed
    with SongIndex.open(path) as new:
        assert new.resolve("daft punk - one more time").match is None
