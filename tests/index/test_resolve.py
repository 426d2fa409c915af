"""Understanding what people type: variants, versions, ambiguity, artists, autocomplete."""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from bot.i18n.labels import note_of
from index.model import Hint, HintKind
from index.names import base_title, fold, same_song
from index.quality.query_variants import VARIANTS, typo, variants
from index.read.api import SongIndex
from tests.index.test_read_api import build

# ------------------------------------------------------------------ version suffixes


@pytest.mark.parametrize(
    ("title", "base"),
    [
        ("Yesterday - Remastered 2009", "yesterday"),
        ("Don't Stop Me Now - Remastered 2011", "dont stop me now"),
        ("Heroes - 2017 Remaster", "heroes"),
        ("Halo (Live)", "halo"),
        ("Halo - Live", "halo"),
        ("One More Time - Radio Edit", "one more time"),
        ("Crazy in Love (feat. Jay-Z)", "crazy in love"),
        ("Crazy in Love [feat. JAY Z]", "crazy in love"),
        ("Umbrella feat. JAY-Z", "umbrella"),
        ("Hey Jude - Single Version", "hey jude"),
        ("Love Me Do - Mono", "love me do"),
        ("Strobe - Original Mix", "strobe"),
        ("Get Lucky (feat. Pharrell Williams) - Radio Edit", "get lucky"),
        ("Love Story (Taylor’s Version)", "love story"),
        # Not version information: kept.
        ("(I Can't Get No) Satisfaction", "i cant get no satisfaction"),
        ("Live Forever", "live forever"),
        ("Blue (Da Ba Dee)", "blue da ba dee"),
        ("1999", "1999"),
        ("Señorita", "senorita"),
    ],
)
def test_base_title_strips_version_suffixes_only(title: str, base: str) -> None:
    assert base_title(title) == base


def test_same_song_needs_the_same_artist() -> None:
    assert same_song("Daft Punk", "One More Time", "DAFT PUNK", "One More Time - Radio Edit")
    assert same_song("The Beatles", "Let It Be", "Beatles", "Let It Be - Remastered 2009")
    assert same_song("Beyoncé", "Halo", "Beyonce", "Halo (Live)")
    assert not same_song("Beyoncé", "Halo", "Depeche Mode", "Halo")
    assert not same_song("Queen", "Don't Stop Me Now", "Queen", "Don't Stop Believin'")


def test_fold_drops_accents_case_and_punctuation() -> None:
    assert fold("Beyoncé") == "beyonce"
    assert fold("Don't Stop—Me Now!") == "dont stop me now"
    assert fold("Simon & Garfunkel") == "simon and garfunkel"
    assert fold("Motörhead") == fold("MOTORHEAD")


# ------------------------------------------------------------------ accuracy on the demo index


@pytest.fixture(scope="module")
def demo(demo_index: Path):
    with SongIndex.open(demo_index) as idx:
        yield idx


def _catalogue(idx: SongIndex) -> list[tuple[int, str, str]]:
    return [
        (tid, artist, title)
        for tid, artist, title in idx.query(
            "SELECT t.track_id, a.name, t.title FROM tracks t "
            "JOIN artists a ON a.artist_id = t.artist_id ORDER BY t.track_id"
        )
    ]


def test_accuracy_set_resolves_95_percent_of_typed_variants(demo: SongIndex) -> None:
    """Every variant people type, for every demo song: top-1 must be the song asked for."""
    songs = _catalogue(demo)
    assert len(songs) > 300
    titles = collections.Counter(base_title(t) for _, _, t in songs)
    rng = random.Random(20261126)
    total: collections.Counter[str] = collections.Counter()
    right: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    for tid, artist, title in songs:
        if base_title(title) != fold(title):
            continue  # a version of another song ("... - Remastered"): the title is ambiguous
        for name, query in variants(artist, title, rng).items():
            if name == "quoted title" and titles[base_title(title)] > 1:
                continue  # the title alone names several songs
            total[name] += 1
            match = demo.resolve(query).match
            if match is not None and match.track_id == tid:
                right[name] += 1
            else:
                wrong.append(f"{query!r} → {match.label if match else None}")
    accuracy = sum(right.values()) / sum(total.values())
    assert sum(total.values()) > 4000
    assert accuracy >= 0.95, f"top-1 accuracy {accuracy:.1%}; e.g. {wrong[:10]}"
    for name in VARIANTS:  # no single way of typing may be broken
        assert right[name] / total[name] >= 0.9, f"{name}: {right[name]}/{total[name]}"


@pytest.mark.parametrize(
    "query",
    [
        "daft punk - one more time",
        "One More Time by Daft Punk",
        "daft punk – one more time",
        "daft punk — one more time",
        "one more time daft punk",
        '"one more time"',
        "DAFT PUNK ONE MORE TIME",
        "  daft   punk !!  one more time?? ",
        "daft pnuk - one more tiem",
        "daftpunk one more time",
    ],
)
def test_the_issue_examples_resolve(demo: SongIndex, query: str) -> None:
    r = demo.resolve(query)
    assert r.match is not None and (r.match.artist, r.match.title) == ("Daft Punk", "One More Time")
    assert 0.0 < r.confidence <= 1.0


def test_accents_and_apostrophes_need_not_be_typed(demo: SongIndex) -> None:
    assert demo.resolve("beyonce halo").match.artist == "Beyoncé"
    assert demo.resolve("dont stop me now").match.title == "Don't Stop Me Now"


def test_a_misspelt_query_is_less_confident_than_an_exact_one(demo: SongIndex) -> None:
    exact = demo.resolve("queen - don't stop me now")
    sloppy = demo.resolve("qeen - dont stpo me now")
    assert exact.match == sloppy.match
    assert sloppy.confidence < exact.confidence


def test_a_typo_generator_changes_one_letter_at_most() -> None:
    rng = random.Random(1)
    for _ in range(200):
        out = typo("one more time", rng)
        assert out != "one more time" and abs(len(out) - len("one more time")) <= 1


# ------------------------------------------------------------------ artists


def test_artist_only_query_offers_the_best_known_songs(demo: SongIndex) -> None:
    r = demo.resolve("daft punk")
    assert r.match is None and r.artist is not None and r.artist.name == "Daft Punk"
    assert r.suggestions and all(t.artist == "Daft Punk" for t in r.suggestions)
    counts = [t.playlists for t in r.suggestions]
    assert counts == sorted(counts, reverse=True)
    assert len({base_title(t.title) for t in r.suggestions}) == len(r.suggestions)


def test_an_artist_is_found_without_its_article_or_accents(demo: SongIndex) -> None:
    assert demo.resolve("beatles").artist.name == "The Beatles"
    assert demo.resolve("BEYONCE").artist.name == "Beyoncé"


def test_known_artist_with_unknown_song_offers_that_artists_songs(demo: SongIndex) -> None:
    r = demo.resolve("daft punk - qwxz zzyzx")
    assert r.match is None
    assert r.artist is not None and r.artist.name == "Daft Punk"
    assert r.hint == Hint(
        HintKind.NOT_BY_ARTIST,
        text="daft punk - qwxz zzyzx",
        artist="Daft Punk",
        title="qwxz zzyzx",
    )
    assert note_of(r) == "No song by Daft Punk is called “qwxz zzyzx”; did you mean one of these?"


# ------------------------------------------------------------------ nothing close, ambiguity


@pytest.mark.parametrize("query", ["qwxz zzyzx", "", "   ", "!!!"])
def test_nothing_close_says_so_and_how_to_ask(demo: SongIndex, query: str) -> None:
    r = demo.resolve(query)
    assert r.match is None and r.artist is None
    assert r.hint is not None and r.hint.kind in (HintKind.NO_MATCH, HintKind.NO_WORDS)
    note = note_of(r)
    assert note and "artist - title" in note and f"for example “{r.hint.example}”" in note
    assert r.hint.example and demo.resolve(r.hint.example).match is not None  # a real song


@pytest.fixture(scope="module")
def tied(tmp_path_factory: pytest.TempPathFactory):
    """Two songs named "Home", equally popular; "Halo" where Beyoncé's is far more popular."""
    playlists: dict[str, list[tuple[str, str]]] = {}
    for i in range(6):
        playlists[f"A{i}"] = [("Edward Sharpe", "Home"), ("Beyoncé", "Halo"), ("Filler", "A")]
        playlists[f"B{i}"] = [("Michael Buble", "Home"), ("Beyoncé", "Halo"), ("Filler", "B")]
    playlists["C"] = [("Depeche Mode", "Halo"), ("Filler", "A")]
    playlists["D"] = [("Depeche Mode", "Halo"), ("Filler", "B")]
    playlists["E"] = [("Yes", "Roundabout"), ("Yes", "Roundabout - 2003 Remaster"), ("Filler", "B")]
    playlists["F"] = [("Yes", "Roundabout"), ("Filler", "A")]
    with SongIndex.open(build(tmp_path_factory.mktemp("tied"), playlists)) as idx:
        yield idx


def test_two_equally_popular_songs_with_one_title_ask_which_one(tied: SongIndex) -> None:
    r = tied.resolve("home")
    assert r.match is None
    assert {t.artist for t in r.suggestions[:2]} == {"Edward Sharpe", "Michael Buble"}
    assert r.confidence < 0.8


def test_a_far_more_popular_song_wins_a_title_tie(tied: SongIndex) -> None:
    r = tied.resolve("halo")
    assert r.match is not None and r.match.artist == "Beyoncé"
    assert [t.artist for t in r.suggestions][:1] == ["Depeche Mode"]  # offered as the other


def test_the_artist_settles_a_title_tie(tied: SongIndex) -> None:
    assert tied.resolve("home michael buble").match.artist == "Michael Buble"
    assert tied.resolve("depeche mode halo").match.artist == "Depeche Mode"


def test_versions_of_one_song_are_not_an_ambiguity(tied: SongIndex) -> None:
    r = tied.resolve("roundabout")
    assert r.match is not None and r.match.title == "Roundabout"  # the better-known version
    assert all(t.title != "Roundabout - 2003 Remaster" for t in r.suggestions)
    typed = tied.resolve("yes - roundabout 2003 remaster")
    assert typed.match is not None and typed.match.title == "Roundabout - 2003 Remaster"


# ------------------------------------------------------------------ autocomplete


def test_autocomplete_completes_the_last_word(demo: SongIndex) -> None:
    got = demo.autocomplete("daft punk - one mo")
    assert got and got[0].title == "One More Time"
    assert all(t.artist == "Daft Punk" for t in got)


def test_autocomplete_is_best_known_first_one_version_each(demo: SongIndex) -> None:
    got = demo.autocomplete("the beatles ", limit=25)
    assert got and all(t.artist == "The Beatles" for t in got)
    assert [t.playlists for t in got] == sorted((t.playlists for t in got), reverse=True)
    assert len({base_title(t.title) for t in got}) == len(got)


@pytest.mark.parametrize("prefix", ["d", "be", "bey"])
def test_autocomplete_short_prefixes(demo: SongIndex, prefix: str) -> None:
    got = demo.autocomplete(prefix, limit=10)
    assert 0 < len(got) <= 10
    for t in got:
        assert any(w.startswith(prefix) for w in fold(f"{t.artist} {t.title}").split())


def test_autocomplete_of_nonsense_is_empty(demo: SongIndex) -> None:
    assert demo.autocomplete("zzqx") == []
    assert demo.autocomplete("") == []
