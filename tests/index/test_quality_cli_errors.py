"""`songsim index evaluate` and `holdout` report a wrong file or number in one line, exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.index.test_build import write_dataset


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("songsim: ")
    return err


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A dataset and the index built from it."""
    folder = tmp_path_factory.mktemp("built")
    data = write_dataset(folder / "spotify_dataset.csv")
    out = folder / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    return data, out


def evaluate(data: Path, index: Path | str, *extra: str) -> int:
    return main(["index", "evaluate", "--dataset", str(data), "--index", str(index), *extra])


def test_evaluate_a_dataset_given_as_the_index(built, capsys) -> None:
    data, _ = built
    assert evaluate(data, data) == 2
    assert "is not a songsim index (not an SQLite file)" in one_error_line(capsys)


def test_evaluate_an_sqlite_file_that_is_not_an_index(built, tmp_path, capsys) -> None:
    data, _ = built
    other = tmp_path / "users.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    conn.close()
    assert evaluate(data, other) == 2
    assert "is not a songsim index (no meta table)" in one_error_line(capsys)


def test_evaluate_against_another_dataset(built, tmp_path, capsys) -> None:
    _, index = built
    other = tmp_path / "other.csv"
    lines = ["playlist,artist,track"] + [f"p{p},a,s{p}-{t}" for p in range(5) for t in range(3)]
    other.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert evaluate(other, index) == 2
    err = one_error_line(capsys)
    assert "has 10 tracks but the dataset has 15" in err


@pytest.mark.parametrize("queries", ["-3", "0"])
def test_evaluate_needs_at_least_one_query(built, capsys, queries) -> None:
    data, index = built
    assert evaluate(data, index, "--queries", queries) == 2
    assert f"--queries must be at least 1 (got {queries})." in one_error_line(capsys)
    assert evaluate(data, index, "--queries", "3") == 0
    assert "over 3 of 3 sampled tracks" in capsys.readouterr().out


@pytest.mark.parametrize(
    "option, value, least",
    [
        ("--max-test-playlists", "-1", 0),
        ("--extras", "-1", 0),
        ("--build-k", "0", 1),
        ("--seed", "-2", 0),
        ("--ease-max-items", "-1", 0),
    ],
)
def test_holdout_names_the_option_below_its_least(built, capsys, option, value, least) -> None:
    data, _ = built
    assert main(["index", "holdout", str(data), "--quiet", option, value]) == 2
    assert f"{option} must be at least {least} (got {value})." in one_error_line(capsys)


def test_holdout_of_an_index_file(built, capsys) -> None:
    _, index = built
    assert main(["index", "holdout", str(index), "--quiet"]) == 2
    assert "it is an SQLite file (an index?)" in one_error_line(capsys)


def test_holdout_on_a_set_too_small_to_hold_out_says_so(tmp_path, capsys) -> None:
    # 40 playlists of 8 songs out of 30: each holds over 10 % of all tracks (a "library").
    lines = ["playlist,artist,track"]
    lines += [f"PL{p},Artist{s % 7},Song{s}" for p in range(40) for s in range(p % 23, p % 23 + 8)]
    data = tmp_path / "good.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["index", "holdout", str(data), "--quiet"]) == 2
    err = one_error_line(capsys)
    assert "Every one of the 40 playlists holds at least 10% of all 30 tracks" in err
    assert "too small to measure" in err and "test fraction" not in err
