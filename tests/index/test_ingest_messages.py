"""What a build says about rows it cannot read: not UTF-8 (and how to convert), none at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from index.corpus import DatasetError
from index.ingest import read_dataset

ICONV = "iconv -f WINDOWS-1252 -t UTF-8 {stem}.csv > {stem}-utf8.csv"


def write_csv(path: Path, title: str, encoding: str, playlists: int = 6) -> Path:
    rows = [f"PL{p},Artist{s % 3},{title}{s}" for p in range(playlists) for s in range(p, p + 5)]
    path.write_bytes(("playlist,artist,track\n" + "\n".join(rows) + "\n").encode(encoding))
    return path


def test_a_latin1_csv_is_named_as_not_utf8_with_the_command_that_converts_it(tmp_path) -> None:
    data = write_csv(tmp_path / "latin.csv", "Sóng", "latin-1")
    with pytest.raises(DatasetError) as caught:
        read_dataset(data, progress=False)
    message = str(caught.value)
    assert "30 row(s), 30 malformed" in message  # still counted
    assert "not UTF-8 text" in message and ICONV.format(stem="latin") in message
    assert "Is it in that format?" not in message


def test_a_latin1_zenodo_file_gets_the_same_advice(tmp_path) -> None:
    user = "0" * 31 + "1"
    lines = ['"user_id","artistname","trackname","playlistname"']
    lines += [f'"{user}","Art","Sóng {t}","mix {p}"' for p in range(4) for t in range(3)]
    data = tmp_path / "spotify.csv"
    data.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8 text.*iconv -f WINDOWS-1252"):
        read_dataset(data, progress=False)


def test_a_mixed_file_says_why_its_rows_were_skipped(tmp_path, capsys) -> None:
    data = write_csv(tmp_path / "mixed.csv", "Song", "utf-8")
    with data.open("ab") as f:
        f.write("PL0,Artist4,Sóng4\nPL1,Artist4,Sóng5\n".encode("latin-1"))
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "2 malformed row(s) were skipped and counted" in printed
    assert "2 of them are not UTF-8 text" in printed and ICONV.format(stem="mixed") in printed
    assert main(["index", "build", str(data), "-o", str(out), "--quiet", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "line 32 is not a valid row (it is not valid UTF-8" in err
    assert ICONV.format(stem="mixed") in err


def test_a_header_only_csv_says_it_has_a_header_but_no_rows(tmp_path, capsys) -> None:
    data = tmp_path / "header.csv"
    data.write_text("playlist,artist,track\n", encoding="utf-8")
    assert main(["index", "build", str(data), "-o", str(tmp_path / "i.sqlite"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "it holds a header line but no rows" in err
    assert "0 malformed" not in err and "Is it in that format?" not in err


def test_a_dataset_given_twice_is_read_once_and_says_so(tmp_path, capsys, caplog) -> None:
    data = write_csv(tmp_path / "good.csv", "Song", "utf-8")
    out = tmp_path / "dup.sqlite"
    again = tmp_path / "sub" / ".." / "good.csv"
    (tmp_path / "sub").mkdir()
    assert main(["index", "build", str(data), str(again), "-o", str(out), "--quiet"]) == 0
    assert "playlists: 6," in capsys.readouterr().out  # not 12
    repeats = [r.getMessage() for r in caplog.records if "more than once" in r.getMessage()]
    assert repeats == [f"{again} was given more than once: it is read once, the repeat skipped."]
    corpus = read_dataset([data, data], progress=False)
    assert corpus.n_playlists == 6 and corpus.report.source == "good.csv"
