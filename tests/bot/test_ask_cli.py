"""``songsim ask``: the answer the bot would give, as a table or as JSON for other tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from index.names import same_song
from index.paths import demo_index_path


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_documented_shape(demo_index: Path, capsys) -> None:
    code, out, _ = ask(capsys, "daft punk - one more time", "--index", str(demo_index), "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc["match"]) >= {"track_id", "artist", "title", "playlists", "confidence"}
    assert (doc["match"]["artist"], doc["match"]["title"]) == ("Daft Punk", "One More Time")
    assert 0 < doc["match"]["confidence"] <= 1
    assert isinstance(doc["suggestions"], list)
    assert 0 < len(doc["neighbours"]) <= 10
    for n in doc["neighbours"]:
        assert set(n) >= {"track_id", "artist", "title", "jaccard", "shared", "playlists"}
        assert 0 < n["jaccard"] <= 1 and n["shared"] >= 1
        assert not same_song(n["artist"], n["title"], "Daft Punk", "One More Time")
    scores = [n["score"] for n in doc["neighbours"]]  # the ranking's order, best first
    assert scores == sorted(scores, reverse=True)


def test_k_sets_how_many_neighbours(demo_index: Path, capsys) -> None:
    _, out, _ = ask(capsys, "get lucky", "--index", str(demo_index), "--json", "-k", "3")
    assert len(json.loads(out)["neighbours"]) == 3


def test_k_beyond_a_page_lists_every_song_the_pages_would(demo_index: Path, capsys) -> None:
    """One page holds at most 3 songs an artist; -k 1000 shows what paging shows, all of it."""
    from index.read.api import SongIndex

    _, out, _ = ask(capsys, "get lucky", "--index", str(demo_index), "--json", "-k", "1000")
    doc = json.loads(out)
    with SongIndex.open(demo_index) as idx:
        paged, offset = [], 0
        while True:
            page = idx.similar(doc["match"]["track_id"], limit=10, offset=offset)
            paged += [r.track.track_id for r in page.items]
            if not page.has_more:
                break
            offset += 10
    assert [n["track_id"] for n in doc["neighbours"]] == paged
    assert len(paged) == doc["total"] and not doc["has_more"]
    by_artist = [n["artist"] for n in doc["neighbours"]]
    assert max(by_artist.count(a) for a in by_artist) > 3  # more than one page's cap
    _, table, _ = ask(capsys, "get lucky", "--index", str(demo_index), "-k", "1000")
    assert "more (use -k" not in table


def test_json_and_table_agree_with_the_read_api(demo_index: Path, capsys) -> None:
    from index.read.api import SongIndex

    _, out, _ = ask(capsys, "beyonce halo", "--index", str(demo_index), "--json")
    doc = json.loads(out)
    with SongIndex.open(demo_index) as idx:
        answer = idx.similar(doc["match"]["track_id"], limit=10)
    assert [n["track_id"] for n in doc["neighbours"]] == [r.track.track_id for r in answer.items]
    _, table, _ = ask(capsys, "beyonce halo", "--index", str(demo_index))
    assert table.splitlines()[0].startswith("Beyoncé - Halo")
    for r in answer.items:
        assert f"{r.track.artist} - {r.track.title}"[:59] in table


def test_no_match_gives_null_and_advice(demo_index: Path, capsys) -> None:
    code, out, _ = ask(capsys, "qwxz zzyzx", "--index", str(demo_index), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["match"] is None and doc["neighbours"] == []  # scripts can tell
    assert "artist - title" in doc["message"]
    code, table, _ = ask(capsys, "qwxz zzyzx", "--index", str(demo_index))
    assert code == 1 and "No song matches" in table


def test_artist_query_lists_the_artists_songs(demo_index: Path, capsys) -> None:
    _, out, _ = ask(capsys, "daft punk", "--index", str(demo_index), "--json")
    doc = json.loads(out)
    assert doc["match"] is None and doc["artist"]["name"] == "Daft Punk"
    assert doc["suggestions"] and all(s["artist"] == "Daft Punk" for s in doc["suggestions"])
    _, table, _ = ask(capsys, "daft punk", "--index", str(demo_index))
    assert "Daft Punk (artist" in table and "Similar artists:" in table


def test_rare_song_is_answered_honestly(demo_index: Path, capsys) -> None:
    from index.read.api import SongIndex

    with SongIndex.open(demo_index) as idx:
        rare = [
            idx.track(tid)
            for (tid,) in idx.query("SELECT track_id FROM tracks WHERE playlists = 1")
        ]
        rare = [t for t in rare if idx.resolve(t.label).match == t]
    if not rare:
        pytest.skip("the demo index has no rare song that resolves by name")
    _, out, _ = ask(capsys, rare[0].label, "--index", str(demo_index), "--json")
    doc = json.loads(out)
    assert doc["match"]["track_id"] == rare[0].track_id
    assert doc["neighbours"] == [] and doc["rare"] is True
    # The demo's rare songs sit in one playlist: its other songs answer, labelled by it.
    assert doc["fallback_source"] == "playlists" and doc["fallback"]
    assert doc["fallback_label"].startswith("From the playlist “")
    assert rare[0].track_id not in {t["track_id"] for t in doc["fallback"]}
    _, table, _ = ask(capsys, rare[0].label, "--index", str(demo_index))
    assert "too few playlists for recommendations of its own" in table
    assert doc["fallback_label"] + ":" in table
    assert f"  1. {doc['fallback'][0]['artist']} - {doc['fallback'][0]['title']}" in table


def test_missing_index_is_one_sentence_not_a_traceback(tmp_path: Path, capsys) -> None:
    path = tmp_path / "missing.sqlite"
    code, out, err = ask(capsys, "daft punk", "--index", str(path))
    assert code == 2 and out == ""
    assert err.startswith("songsim: No index at") and "songsim index build" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_k_is_a_user_error(demo_index: Path, capsys) -> None:
    code, _, err = ask(capsys, "x", "--index", str(demo_index), "-k", "0")
    assert code == 2 and "-k" in err


def test_index_defaults_to_songsim_index(demo_index: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SONGSIM_INDEX", str(demo_index))
    code, out, _ = ask(capsys, "one more time", "--json")
    assert code == 0 and json.loads(out)["match"]["title"] == "One More Time"
    monkeypatch.setenv("SONGSIM_INDEX", str(demo_index.with_name("gone.sqlite")))
    code, _, err = ask(capsys, "one more time")
    assert code == 2 and "gone.sqlite" in err


def test_without_any_index_the_demo_is_built_and_used(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SONGSIM_INDEX", raising=False)
    monkeypatch.setenv("SONGSIM_DATA_DIR", str(tmp_path / "data"))
    assert not demo_index_path().exists()
    code, out, err = ask(capsys, "daft punk - one more time", "--json")
    assert code == 0 and json.loads(out)["match"]["title"] == "One More Time"
    assert demo_index_path().exists() and "demo index" in err


def test_songsim_ask_runs_as_a_command(demo_index: Path) -> None:
    env = {**os.environ, "SONGSIM_INDEX": str(demo_index)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "One More Time by Daft Punk", "-k", "5"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Daft Punk - One More Time")
    assert sum(line[:3].strip().isdigit() for line in lines) == 5


def test_discovery_is_an_option_or_a_flag_at_the_end_as_in_discord(
    demo_index: Path, capsys
) -> None:
    from index.read.api import SongIndex

    def ids(*argv: str) -> tuple[list[int], str]:
        _, out, _ = ask(capsys, *argv, "--index", str(demo_index), "--json", "-k", "10")
        doc = json.loads(out)
        assert doc["match"]["title"] == "One More Time"  # the flag is not part of the song
        return [n["track_id"] for n in doc["neighbours"]], doc["discovery"]

    with SongIndex.open(demo_index) as idx:
        seed = idx.resolve("daft punk - one more time").match.track_id
        want = {r: [i.track.track_id for i in idx.similar(seed, ranking=r).items] for r in
                ("closest", "popular", "deep cuts")}  # fmt: skip
    assert want["deep cuts"] != want["popular"]  # the settings differ on this song
    assert ids("daft punk - one more time") == (want["closest"], "closest")
    assert ids("daft punk - one more time --deep-cuts") == (want["deep cuts"], "deep cuts")
    assert ids("daft punk - one more time", "--discovery", "popular") == (
        want["popular"], "popular",
    )  # fmt: skip
    code, _, err = ask(capsys, "daft punk - one more time --loud", "--index", str(demo_index))
    assert code == 2 and "“--loud” is not a discovery setting" in err


def test_the_table_never_writes_escape_sequences(demo_index: Path, capsys) -> None:
    code, table, _ = ask(capsys, "\x1b]0;owned\x07qqzx", "--index", str(demo_index))
    assert code == 1 and "\x1b" not in table and "\x07" not in table
    assert "?]0;owned?qqzx" in table


@pytest.mark.parametrize("argv", [["ask", "get lucky", "-k", "50"], ["index", "demo", "-o"]])
def test_a_reader_that_leaves_early_gets_no_traceback(demo_index: Path, tmp_path, argv) -> None:
    """`songsim … | head -1`: the pipe closes before the output is written."""
    if argv[-1] == "-o":
        argv = [*argv, str(tmp_path / "demo.sqlite")]
    else:
        argv = [*argv, "--index", str(demo_index)]
    read, write = os.pipe()
    os.close(read)  # the reader is gone before songsim writes a line
    with os.fdopen(write, "wb") as out:
        proc = subprocess.run(
            [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *argv],
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    err = proc.stderr.decode()
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 0


def test_a_link_that_cannot_be_read_is_said_without_discord_marks(demo_index: Path, capsys) -> None:
    code, out, _ = ask(capsys, "spotify:track:xyz", "--index", str(demo_index))
    assert code == 1
    assert "cut off" in out and "artist - title" in out
    assert "`" not in out  # the bot's code marks are Discord's, not the terminal's
    code, out, _ = ask(capsys, "spotify:track:xyz", "--index", str(demo_index), "--json")
    message = json.loads(out)["message"]
    assert "cut off" in message and "`" not in message
