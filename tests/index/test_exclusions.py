"""Exclusions: blocked artists, "other artists only" and liked songs never shown, on any
page, in a top-up, a rare song's fallback, a mix or /foryou; pages stay full.

The index is built by the real pipeline from the hand-written playlists below, so the
neighbour lists (exact Jaccard) follow from them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import build_index
from index.model import Answer, Exclusions, Track
from index.names import block_key
from index.read.api import SongIndex
from index.read.exclude import credits
from tests.index.test_read_api import write_playlists

SEED = ("Eminem", "Lose Yourself")
DRE = ("Dr. Dre", "Still D.R.E.")
RARE = ("Obscure", "Demo")  # one playlist: no stored neighbours
QUIET = ("Quiet Act", "Whisper")  # two neighbours: its page is topped up from playlists
FAN = ("Fan Song", "Ode")  # every neighbour is a Rihanna song

# Songs crediting Eminem in the artist field or the title.
EMINEM_CREDITS = [
    ("Eminem", "Without Me"),
    ("Eminem", "Stan"),
    ("Eminem feat. Rihanna", "The Monster"),
    ("Rihanna", "Love The Way You Lie (feat. Eminem)"),
    ("Dr. Dre", "Forgot About Dre (feat. Eminem)"),
    ("Dr. Dre, Eminem", "I Need a Doctor"),
]
RIHANNA = [("Rihanna", "Umbrella"), ("Rihanna", "Diamonds")]
BEYONCE = [("Beyoncé", "Halo"), ("Beyoncé", "Crazy in Love (feat. JAY-Z)")]
FILLERS = [(f"Artist {a:02}", f"Track {a}-{n}") for a in range(15) for n in range(2)]

PLAYLISTS: dict[str, list[tuple[str, str]]] = {f"Rap {i}": [SEED] for i in range(1, 9)}
for j, song in enumerate(EMINEM_CREDITS + RIHANNA + BEYONCE):
    for i in range(1 + j % 2, 7 + j % 2):
        PLAYLISTS[f"Rap {i}"].append(song)
for j, song in enumerate(FILLERS):
    for i in range(1, 3 + j % 6):
        PLAYLISTS[f"Rap {i}"].append(song)
for i in range(1, 4):  # a version of Umbrella: hidden with Umbrella when Umbrella is liked
    PLAYLISTS[f"Rap {i}"].append(("Rihanna", "Umbrella - Radio Edit"))
for i in range(4, 9):
    PLAYLISTS[f"Rap {i}"].append(DRE)
for i in range(1, 4):
    PLAYLISTS[f"West Coast {i}"] = [DRE, ("Dr. Dre", "Nuthin' but a G Thang"), FILLERS[i]]
for i in range(1, 7):
    PLAYLISTS[f"Pop {i}"] = [*RIHANNA, BEYONCE[0]]
PLAYLISTS["Late Night"] = [
    RARE,
    QUIET,
    ("Rihanna", "Rude Boy"),  # in this playlist only: a playlist mate, never a neighbour
    *RIHANNA,
    *BEYONCE,
    FILLERS[0],
    *[(f"Night {n}", f"Song {n}") for n in range(12)],
]
# Neighbours share two playlists (min_shared=2): Whisper's are Umbrella and one filler.
PLAYLISTS["Late Night 2"] = [QUIET, RIHANNA[0], FILLERS[0]]
PLAYLISTS["Fan Club 1"] = [FAN, *RIHANNA, ("Tiny", "Cover")]  # Cover: a playlist mate only
PLAYLISTS["Fan Club 2"] = [FAN, *RIHANNA]

BLOCKED = Exclusions(artist_names=frozenset({"Rihanna", "beyonce"}))


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exclusions")
    out = folder / "x.sqlite"
    build_index(
        write_playlists(folder / "x.csv", PLAYLISTS), out, fmt="csv", method="exact", k=80,
        min_playlists=2, min_shared=2, memberships=True, progress=False,
    )  # fmt: skip
    return out


@pytest.fixture()
def idx(index_path: Path):
    with SongIndex.open(index_path) as opened:
        yield opened


def tid(idx: SongIndex, artist: str, title: str) -> int:
    rows = idx.query(
        "SELECT t.track_id FROM tracks t JOIN artists a USING(artist_id) "
        "WHERE a.name = ? AND t.title = ?",
        (artist, title),
    )
    assert rows, f"{artist} - {title} not in the fixture index"
    return rows[0][0]


def pages(ask, limit: int = 10) -> list[Answer]:
    """Every page of an answer: ``ask(offset)`` until it says there is no more."""
    out = [ask(0)]
    while out[-1].has_more:
        out.append(ask(len(out) * limit))
    return out


def shown(answers: list[Answer]) -> list[Track]:
    """Every song the answers show: their pages and any fallback under them."""
    return [t for a in answers for t in [r.track for r in a.items] + a.fallback]


def names(tracks: list[Track]) -> set[tuple[str, str]]:
    return {(t.artist, t.title) for t in tracks}


def by_rihanna_or_beyonce(t: Track) -> bool:
    return not credits(t).isdisjoint({"rihanna", "beyonce"})


def test_blocked_artists_never_appear_on_any_page_and_pages_stay_full(idx: SongIndex) -> None:
    seed = tid(idx, *SEED)
    before = pages(lambda o: idx.similar(seed, offset=o))
    after = pages(lambda o: idx.similar(seed, offset=o, exclusions=BLOCKED))
    hidden = [t for t in shown(before) if by_rihanna_or_beyonce(t)]
    # Credited as artist, as a second artist and as a guest in the title.
    assert names(hidden) >= {("Rihanna", "Umbrella"), ("Beyoncé", "Halo")}
    assert names(hidden) >= {("Eminem feat. Rihanna", "The Monster")}
    assert not any(by_rihanna_or_beyonce(t) for t in shown(after))
    # Nothing else is lost: the same songs, minus the hidden ones, across the pages.
    assert names(shown(after)) == names(shown(before)) - names(hidden)
    assert all(len(a.items) == 10 for a in after[:-1]) and len(after) >= 3
    assert after[0].total == before[0].total - len(hidden)
    assert after[0].excluded == len(hidden) and before[0].excluded == 0


def test_other_artists_only_removes_every_song_crediting_the_seeds_artist(
    idx: SongIndex,
) -> None:
    seed = tid(idx, *SEED)
    before = shown(pages(lambda o: idx.similar(seed, offset=o, more_of_artist=True)))
    assert names(before) >= set(EMINEM_CREDITS)
    only = Exclusions(other_artists_only=True)
    after = pages(lambda o: idx.similar(seed, offset=o, exclusions=only, more_of_artist=True))
    assert not names(shown(after)) & set(EMINEM_CREDITS)
    assert all("eminem" not in credits(t) for t in shown(after))
    assert names(shown(after)) == names(before) - set(EMINEM_CREDITS)
    assert all(len(a.items) == 10 for a in after[:-1])


def test_excluded_liked_songs_and_their_versions_never_appear(idx: SongIndex) -> None:
    seed = tid(idx, *SEED)
    umbrella, halo = tid(idx, "Rihanna", "Umbrella"), tid(idx, "Beyoncé", "Halo")
    before = shown(pages(lambda o: idx.similar(seed, offset=o)))
    assert {t.track_id for t in before} >= {umbrella, halo}
    liked = Exclusions(track_ids=frozenset({umbrella, halo}))
    after = shown(pages(lambda o: idx.similar(seed, offset=o, exclusions=liked)))
    assert not {t.track_id for t in after} & {umbrella, halo}
    # The radio edit was hidden behind Umbrella (one version each); liking Umbrella hides it.
    assert ("Rihanna", "Umbrella - Radio Edit") not in names(after)
    assert ("Rihanna", "Diamonds") in names(after)  # the artist itself is not blocked


def test_a_block_is_folded_and_a_block_of_several_names_needs_them_all(
    idx: SongIndex,
) -> None:
    seed = tid(idx, *SEED)
    spelled = [Exclusions(artist_names=frozenset({n})) for n in ("BEYONCE", " beyoncé ")]
    answers = [
        shown(pages(lambda o, e=e: idx.similar(seed, offset=o, exclusions=e))) for e in spelled
    ]
    assert names(answers[0]) == names(answers[1])
    assert not {a for a, _ in names(answers[0])} & {"Beyoncé"}
    pair = Exclusions(artist_names=frozenset({"Eminem feat. Rihanna"}))
    after = names(shown(pages(lambda o: idx.similar(seed, offset=o, exclusions=pair))))
    assert ("Eminem feat. Rihanna", "The Monster") not in after
    assert ("Rihanna", "Love The Way You Lie (feat. Eminem)") not in after
    assert {("Rihanna", "Umbrella"), ("Dr. Dre, Eminem", "I Need a Doctor")} <= after
    # The folded key names the same block as the name.
    by_key = Exclusions(artist_names=frozenset({block_key("Eminem feat. Rihanna")}))
    assert names(shown(pages(lambda o: idx.similar(seed, offset=o, exclusions=by_key)))) == after


def test_blocked_artist_ids_are_honoured(idx: SongIndex) -> None:
    seed = tid(idx, *SEED)
    rihanna = idx.track(tid(idx, "Rihanna", "Umbrella")).artist_id
    after = shown(pages(lambda o: idx.similar(seed, offset=o, exclusions=Exclusions(
        artist_ids=frozenset({rihanna})))))  # fmt: skip
    assert not any(t.artist_id == rihanna for t in after)
    assert ("Eminem feat. Rihanna", "The Monster") in names(after)  # another artist id


def test_a_mix_with_other_artists_only_leaves_out_every_seeds_artists(idx: SongIndex) -> None:
    seeds = [tid(idx, *SEED), tid(idx, *DRE)]
    before = shown(pages(lambda o: idx.mix(seeds, offset=o)))
    assert any("dr dre" in credits(t) for t in before)
    assert any("eminem" in credits(t) for t in before)
    only = Exclusions(other_artists_only=True)
    after = pages(lambda o: idx.mix(seeds, offset=o, exclusions=only))
    assert shown(after)
    assert not any(credits(t) & {"eminem", "dr dre"} for t in shown(after))
    assert all(len(a.items) == 10 for a in after[:-1])
    blocked = shown(pages(lambda o: idx.mix(seeds, offset=o, exclusions=BLOCKED)))
    assert not any(by_rihanna_or_beyonce(t) for t in blocked)


def test_for_you_honours_blocks_with_likes_and_without(idx: SongIndex) -> None:
    likes = [tid(idx, *SEED)]
    assert any(
        by_rihanna_or_beyonce(t) for t in shown(pages(lambda o: idx.for_you(likes, offset=o)))
    )
    after = pages(lambda o: idx.for_you(likes, offset=o, exclusions=BLOCKED))
    assert shown(after) and not any(by_rihanna_or_beyonce(t) for t in shown(after))
    # No likes: the index's best-known songs, which Rihanna leads, without her.
    popular = idx.for_you([])
    assert popular.fallback_source == "popular" and popular.fallback[0].artist == "Rihanna"
    blocked = idx.for_you([], exclusions=BLOCKED)
    assert len(blocked.fallback) == len(popular.fallback) == 10
    assert not any(by_rihanna_or_beyonce(t) for t in blocked.fallback)


def test_a_rare_songs_fallback_honours_blocks_and_stays_full(idx: SongIndex) -> None:
    rare = tid(idx, *RARE)
    before = idx.similar(rare, limit=5)
    assert before.rare and before.fallback_source == "playlists"
    assert any(by_rihanna_or_beyonce(t) for t in before.fallback)
    after = idx.similar(rare, limit=5, exclusions=BLOCKED)
    assert after.rare and after.fallback_source == "playlists"
    assert len(after.fallback) == 5 and not any(by_rihanna_or_beyonce(t) for t in after.fallback)


def test_a_short_pages_top_up_honours_blocks(idx: SongIndex) -> None:
    quiet = tid(idx, *QUIET)
    before = idx.similar(quiet)
    assert not before.rare and before.fallback_source == "playlists"
    assert ("Rihanna", "Rude Boy") in names(before.fallback)
    after = idx.similar(quiet, exclusions=BLOCKED)
    assert after.items and not after.rare
    assert not any(by_rihanna_or_beyonce(t) for t in shown([after]))
    assert len(after.items) + len(after.fallback) == len(before.items) + len(before.fallback)


def test_an_answer_emptied_by_exclusions_is_not_rare_and_falls_back(idx: SongIndex) -> None:
    fan = tid(idx, *FAN)
    before = idx.similar(fan)
    assert before.items and all(r.track.artist == "Rihanna" for r in before.items)
    after = idx.similar(fan, exclusions=BLOCKED)
    assert after.items == [] and after.total == 0 and not after.rare
    assert after.excluded == len(before.items)
    assert ("Tiny", "Cover") in names(after.fallback)
    assert not any(by_rihanna_or_beyonce(t) for t in after.fallback)


NOTHING = [
    None,
    Exclusions(),
    Exclusions(artist_names=frozenset({"Nobody In This Index"}), track_ids=frozenset({-1})),
]


def same_answers_hiding_nothing(idx: SongIndex, ids: list[int], ranking: str) -> set[str]:
    """Assert that default, empty and irrelevant exclusions answer alike; return which
    kinds of answer were met ("rare", "top-up")."""
    met: set[str] = set()
    for t in ids:
        for limit, offset in ((10, 0), (5, 5)):
            answers = [
                idx.similar(t, limit=limit, offset=offset, ranking=ranking, exclusions=e)
                for e in NOTHING
            ]
            assert answers[0] == answers[1] == answers[2]
            if answers[0].rare:
                met.add("rare")
            elif answers[0].fallback:
                met.add("top-up")
    for seeds in (ids[:2], ids[10:15]):
        mixes = [idx.mix(seeds, ranking=ranking, exclusions=e) for e in NOTHING]
        assert mixes[0] == mixes[1] == mixes[2]
    for likes in ([], ids[:1], ids[:40]):
        recs = [idx.for_you(likes, ranking=ranking, exclusions=e) for e in NOTHING]
        assert recs[0] == recs[1] == recs[2]
    return met


@pytest.mark.parametrize("ranking", ["closest", "popular", "deep cuts", "jaccard"])
def test_exclusions_that_hide_nothing_leave_every_answer_identical(
    idx: SongIndex, demo_index: Path, ranking: str
) -> None:
    """Default, empty and irrelevant exclusions give the same answers, rare songs, top-ups
    and fallbacks included (the irrelevant one runs every exclusion path)."""
    met = same_answers_hiding_nothing(idx, [int(t) for t in idx.rank_track], ranking)
    with SongIndex.open(demo_index) as demo:
        sample = [*demo.rank_track[::7][:60], *demo.rank_track[-40:]]  # the least known too
        met |= same_answers_hiding_nothing(demo, [int(t) for t in sample], ranking)
    assert met == {"rare", "top-up"}


def test_exclusions_accept_plain_collections_and_say_when_empty() -> None:
    e = Exclusions(artist_names=["Drake"], track_ids=[3, 3], artist_ids={1})  # type: ignore[arg-type]
    assert e.track_ids == frozenset({3}) and e.artist_names == frozenset({"Drake"})
    assert hash(e) == hash(
        Exclusions(
            artist_names=frozenset({"Drake"}), track_ids=frozenset({3}), artist_ids=frozenset({1})
        )
    )
    assert e and Exclusions(other_artists_only=True) and not Exclusions()


def test_popular_songs_stay_full_when_blocks_cover_the_best_known(idx: SongIndex) -> None:
    top = idx.tracks(int(t) for t in idx.rank_track[:50])  # more than one read's worth
    blocked = Exclusions(artist_names=frozenset(t.artist for t in top.values()))
    answer = idx.for_you([], exclusions=blocked)
    assert len(answer.fallback) == 10
    assert not {t.artist for t in answer.fallback} & blocked.artist_names


def test_an_artists_other_songs_stay_full_when_likes_cover_the_best_known(
    tmp_path: Path,
) -> None:
    """Without stored memberships a rare song falls back to its artist's other songs; with
    the best known of them liked, the list is still filled from the rest."""
    playlists = {f"Best Of {i}": [("Prolific", f"Hit {n}") for n in range(15)] for i in range(3)}
    playlists["Deep Cuts"] = [("Prolific", "B-Side")]  # one playlist: rare
    out = tmp_path / "prolific.sqlite"
    build_index(
        write_playlists(tmp_path / "p.csv", playlists), out, fmt="csv", method="exact",
        min_playlists=2, min_shared=2, memberships=False, progress=False,
    )  # fmt: skip
    with SongIndex.open(out) as prolific:
        rare = tid(prolific, "Prolific", "B-Side")
        before = prolific.similar(rare, limit=5)
        assert before.rare and before.fallback_source == "artist" and len(before.fallback) == 5
        liked = Exclusions(track_ids=frozenset(t.track_id for t in before.fallback))
        after = prolific.similar(rare, limit=5, exclusions=liked)
        assert after.fallback_source == "artist" and len(after.fallback) == 5
        assert not {t.track_id for t in after.fallback} & liked.track_ids


def test_a_song_credits_its_artists_and_the_guests_its_title_names() -> None:
    def song(artist: str, title: str) -> Track:
        return Track(1, 1, artist, title, 1)

    assert credits(song("Eminem feat. Rihanna", "The Monster")) == {"eminem", "rihanna"}
    assert credits(song("Rihanna", "Umbrella (feat. JAY-Z) - Remastered")) == {"rihanna", "jay z"}
    assert credits(song("Calvin Harris", "Slide [with Frank Ocean & Migos]")) == {
        "calvin harris", "frank ocean", "migos",
    }  # fmt: skip
    assert credits(song("Oasis", "Live Forever")) == {"oasis"}  # a title word, not a guest
    assert credits(song("The Rolling Stones", "(I Can't Get No) Satisfaction")) == {
        "rolling stones"
    }
