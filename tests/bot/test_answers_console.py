"""Answers people can use, without Discord: the exclusion flags, listen lines within the
embed's budget, what a list emptied by exclusions says, and the console's ``listen N``,
``export``, ``block``/``unblock``/``blocks`` and ``--other-artists``; ``songsim ask
--other-artists``."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from bot import embeds
from bot.card import DESCRIPTION_MAX
from bot.cli import main
from bot.exclusions import UserExclusions, keep_artists, split_exclusion_flags
from bot.song_lines import LISTEN_START
from bot.text import ELLIPSIS
from index.model import Answer, Artist, ArtistScore, Recommendation
from tests.support.bot_fixtures import SEED, console_text, make_stats, make_track

pytest.importorskip("index.read.api")

STATS = make_stats(tracks=1234, playlists=567)
LINK = re.compile(r"\[([^\]]+)\]\((https://[A-Za-z0-9%._~\-/:?=&]+)\)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a - b", ("a - b", False, False)),
        ("a - b --other-artists", ("a - b", True, False)),
        ("a - b --other-artists --deep-cuts", ("a - b --deep-cuts", True, False)),
        ("a - b --deep cuts --include-liked", ("a - b --deep cuts", False, True)),
        ("a - b —other-artists --include-liked", ("a - b", True, True)),  # a phone's dash
        ("other-artists - song", ("other-artists - song", False, False)),  # not a flag
        ("a --other-artists - b", ("a --other-artists - b", False, False)),  # not at the end
    ],
)
def test_exclusion_flags_are_read_from_the_end(text: str, expected: tuple) -> None:
    flags = split_exclusion_flags(text)
    assert (flags.text, flags.other_artists, flags.include_liked) == expected


def page(titles: list[str], artist: str = "Artist") -> Answer:
    seed = make_track(1, "Seed", "Seed Artist", uri="spotify:track:0DiWol3AO6WpXZgp0goxAV")
    items = [
        Recommendation(make_track(i + 2, t, artist), 0.5, 3, 0.5) for i, t in enumerate(titles)
    ]
    return Answer(seed=seed, items=items, total=len(items), has_more=False)


def listen_lines(description: str) -> list[int]:
    lines = description.split("\n")
    return [i for i, line in enumerate(lines) if line.startswith(LISTEN_START)]


def test_every_song_of_an_ordinary_page_gets_its_listen_line() -> None:
    answer = page([f"Song number {i}" for i in range(10)], "Some Band")
    embed = embeds.similar_embed(answer, STATS, links={2: "https://open.spotify.com/track/x"})
    lines = embed.description.split("\n")
    at = listen_lines(embed.description)
    assert len(at) == 10 and all(lines[i - 1].startswith("**") for i in at)
    for i in at:  # Spotify is the title's link when known, not repeated as a search
        assert list(dict(LINK.findall(lines[i]))) == ["YT Music", "Apple", "Deezer"]
    assert "(https://open.spotify.com/track/x)" in lines[at[0] - 1]


def test_a_full_page_gets_shorter_searches_before_losing_any_line() -> None:
    titles = [f"Symphony No. {i} in C Minor, Op. 67: I. Allegro" for i in range(10)]
    embed = embeds.similar_embed(page(titles, "Ludwig van Beethoven & The Orchestra"), STATS)
    lines = embed.description.split("\n")
    at = listen_lines(embed.description)
    assert len(at) == 10 and len(embed.description) <= DESCRIPTION_MAX
    deezer = dict(LINK.findall(lines[at[0]]))["Deezer"]
    assert deezer == "https://www.deezer.com/search/Ludwig%20van%20Symphony%20No.%200%20in%20C"


def test_long_names_keep_the_embed_whole_and_the_top_songs_linked() -> None:
    titles = ["歌" * 80 + f" {i} (Remastered) [Live] & friends" for i in range(10)]
    embed = embeds.similar_embed(page(titles, "アーティスト" * 10), STATS)
    text = embed.description
    assert len(text) <= DESCRIPTION_MAX and not text.endswith(ELLIPSIS)
    lines = text.split("\n")
    at = listen_lines(text)
    assert 1 <= len(at) < 10  # not all fit, the first ones did
    songs = [i for i, line in enumerate(lines) if line.startswith("**")]
    assert at == [s + 1 for s in songs[: len(at)]]  # no gaps: top songs first
    for i in at:
        assert len(LINK.findall(lines[i])) == 3  # every link whole


def test_a_list_emptied_by_exclusions_says_so() -> None:
    emptied = Answer(
        seed=make_track(1, "Seed", "Seed Artist"), items=[], total=0, has_more=False, excluded=7
    )
    hidden = UserExclusions(blocks=2, likes=1)
    embed = embeds.similar_embed(emptied, STATS, hidden=hidden, prefix="!")
    assert "Every recommendation here is by an artist you blocked or a song you" in (
        embed.description
    )
    assert "No song shares" not in embed.description and "`!blocks`" in embed.description
    assert "7 songs hidden by your blocks and your likes" in embed.footer.text
    none_hidden = Answer(seed=emptied.seed, items=[], total=0, has_more=False)
    assert "No song shares" in embeds.similar_embed(none_hidden, STATS, hidden=hidden).description
    assert UserExclusions().footer(3) is None and hidden.footer(0) is None


def test_blocked_artists_leave_similar_artists_too() -> None:
    scores = [
        ArtistScore(Artist(i, name, 10), 1.0)
        for i, name in enumerate(["Eminem, Rihanna", "Drake", "Beyoncé", "Rihannaa"])
    ]
    kept = keep_artists(scores, ["rihanna", "BEYONCE"])
    assert [s.artist.name for s in kept] == ["Drake", "Rihannaa"]


async def test_console_listen_export_and_blocks(
    song_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    text = await console_text(
        song_index, tmp_path, "export", f"similar {SEED}", "listen 5", "export", "export"
    )
    assert "There is no list to export yet" in text
    assert LISTEN_START.strip() not in text and "-# " not in text  # the list stays short
    assert "[more · why N · listen N · export]" in text
    assert "── Listen to D.A.N.C.E. — Justice" in text
    assert (
        "YouTube Music <https://music.youtube.com/search?q=Justice%20D.A.N.C.E.> (search)" in text
    )
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 6 and "songsim-daft-punk-one-more-time (2).csv" in names  # kept both
    rows = list(csv.reader((folder / "songsim-daft-punk-one-more-time.csv").open()))
    assert len(rows) == 19 and rows[0][0] == "Artist Name(s)"
    doc = json.loads((folder / "songsim-daft-punk-one-more-time.jspf").read_text())
    assert len(doc["playlist"]["track"]) == 18
    assert f"Saved:\n  {folder}" in text

    text = await console_text(
        song_index,
        tmp_path,
        "block justice",
        "block justice",
        "blocks",
        f"similar {SEED}",
        "more",
        "unblock justice",
        "unblock justice",
    )
    assert "Blocked Justice" in text and "You already blocked Justice" in text
    assert "1. Justice" in text
    lists = text.split("── Songs like")[1:]
    assert lists and all("— Justice" not in chunk.split("Unblocked")[0] for chunk in lists)
    assert "1 song hidden by your blocks" in text
    assert "Unblocked Justice" in text and "is not one of your blocked artists" in text


async def test_console_other_artists_and_liked_songs(song_index: Path, tmp_path: Path) -> None:
    text = await console_text(song_index, tmp_path, f"similar {SEED} --other-artists", "more")
    songs = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert songs and not any("— Daft Punk" in line for line in songs)
    text = await console_text(
        song_index,
        tmp_path,
        "like daft punk - aerodynamic",
        f"similar {SEED}",
        f"similar {SEED} --include-liked",
    )
    without, with_liked = text.split("── Songs like")[1:]
    assert "Aerodynamic" not in without and "Aerodynamic" in with_liked


def test_ask_other_artists_leaves_out_the_songs_artist(demo_index: Path, capsys) -> None:
    argv = ["ask", "daft punk - one more time", "--index", str(demo_index), "--json"]
    assert main(argv) == 0
    everyone = json.loads(capsys.readouterr().out)
    assert any(n["artist"] == "Daft Punk" for n in everyone["neighbours"])
    assert main([*argv, "--other-artists"]) == 0
    others = json.loads(capsys.readouterr().out)
    assert others["neighbours"] and all(n["artist"] != "Daft Punk" for n in others["neighbours"])
    assert others["excluded"] > 0 and everyone["excluded"] == 0
    assert main(argv[:-1] + ["--other-artists"]) == 0
    assert "by Daft Punk left out: --other-artists" in capsys.readouterr().out


async def test_foryou_honours_blocks(song_index: Path, tmp_path: Path) -> None:
    text = await console_text(
        song_index, tmp_path, "like justice - d.a.n.c.e.", "foryou", "block daft punk", "foryou"
    )
    before, after = text.split("── Picked for you")[1:]
    assert "— Daft Punk" in before and "— Daft Punk" not in after
    assert "hidden by your blocks" in after
