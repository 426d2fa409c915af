"""`songsim index build -o PATH` never destroys a file that is not an index, unless forced."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.index.test_build import digest, write_dataset


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("songsim: ")
    return err


def test_the_output_cannot_be_the_dataset_itself(tmp_path, capsys) -> None:
    data = write_dataset(tmp_path / "copy.csv")
    before = digest(data)
    same = tmp_path / "sub" / ".." / "copy.csv"  # the same file, spelled another way
    (tmp_path / "sub").mkdir()
    assert main(["index", "build", str(data), "-o", str(same), "--quiet"]) == 2
    err = one_error_line(capsys)
    assert "is one of the datasets being read" in err and "--force" in err
    assert digest(data) == before


@pytest.mark.parametrize("kind", ["text", "other sqlite"])
def test_an_existing_file_that_is_not_an_index_is_kept(tmp_path, capsys, kind) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    if kind == "text":
        out = tmp_path / "notes.txt"
        out.write_text("my notes\n", encoding="utf-8")
        why = "not an SQLite file"
    else:
        out = tmp_path / "users.sqlite"
        with sqlite3.connect(out) as conn:
            conn.execute("CREATE TABLE users (id INTEGER)")
        conn.close()
        why = "without songsim's meta table"
    before = digest(out)
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 2
    err = one_error_line(capsys)
    assert why in err and "--force" in err
    assert digest(out) == before
    # --force replaces it with an index.
    assert main(["index", "build", str(data), "-o", str(out), "--quiet", "--force"]) == 0
    assert out.read_bytes().startswith(b"SQLite format 3\x00")
    assert "meta" in {r[0] for r in sqlite3.connect(out).execute("SELECT name FROM sqlite_master")}


def test_an_index_or_an_empty_file_is_replaced_as_before(tmp_path) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    out = tmp_path / "idx.sqlite"
    out.touch()
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    assert main(["index", "build", str(data), "-o", str(out), "--quiet", "--k", "5"]) == 0
    assert dict(sqlite3.connect(out).execute("SELECT key, value FROM meta"))["k"] == "5"


def test_an_empty_output_path_is_named_as_empty(tmp_path, capsys) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    assert main(["index", "build", str(data), "-o", "", "--quiet"]) == 2
    assert "the output path is empty" in one_error_line(capsys)
    assert main(["index", "demo", "-o", ""]) == 2
    assert "the output path is empty" in one_error_line(capsys)


def test_the_demo_command_keeps_a_file_that_is_not_an_index(tmp_path: Path, capsys) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("my notes\n", encoding="utf-8")
    assert main(["index", "demo", "-o", str(out)]) == 2
    assert "is not a songsim index" in one_error_line(capsys)
    assert out.read_text(encoding="utf-8") == "my notes\n"
    assert not (tmp_path / "demo-playlists.csv").exists()


def test_force_is_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["index", "build", "--help"])
    assert "--force" in capsys.readouterr().out


@pytest.mark.parametrize(
    "option, value, least", [("--k", "0", 1), ("--min-shared", "-1", 1), ("--extras", "-1", 0)]
)
def test_a_number_below_its_least_names_the_option(tmp_path, capsys, option, value, least):
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), option, value, "--quiet"]) == 2
    assert one_error_line(capsys) == f"songsim: {option} must be at least {least} (got {value}).\n"
    assert not out.exists()


def test_the_library_names_the_setting_in_a_full_sentence(tmp_path) -> None:
    from index.build import build_index

    with pytest.raises(ValueError, match=r"^min_playlists must be at least 1 \(got 0\)\.$"):
        build_index(tmp_path / "data.csv", tmp_path / "i.sqlite", min_playlists=0, progress=False)


def test_an_output_that_is_a_link_keeps_it_and_replaces_what_it_points_to(tmp_path) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    (tmp_path / "indexes").mkdir()
    target = tmp_path / "indexes" / "current.sqlite"
    assert main(["index", "build", str(data), "-o", str(target), "--quiet", "--k", "1"]) == 0
    link = tmp_path / "neighbours.sqlite"
    link.symlink_to(Path("indexes") / "current.sqlite")
    assert main(["index", "build", str(data), "-o", str(link), "--quiet", "--k", "2"]) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()  # the host's link stays
    with sqlite3.connect(target) as conn:  # the file it points to is the new index
        k = conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0]
    conn.close()
    assert k == "2"
