"""`songsim index build` and `holdout` failures: one line that says what happened to -o."""

from __future__ import annotations

import index.ingest as ingest
from bot.cli import main


def test_holdout_out_of_memory_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    data = tmp_path / "p.csv"
    data.write_text("playlist,artist,track\np1,A,x\np1,B,y\np2,A,x\np2,B,y\n")

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 208. TiB for an array")

    monkeypatch.setattr("index.quality.holdout.evaluate", no_memory)
    code = main(["index", "holdout", str(data), "--quiet", "--build-k", "2147483647"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("songsim: ran out of memory evaluating") and "--build-k" in err


def test_a_failed_first_build_does_not_speak_of_an_index_that_is_not_there(
    tmp_path, capsys
) -> None:
    """It read 'The index at out.sqlite was not changed.' when there was no index at all."""
    data = tmp_path / "p.csv"
    data.write_text("playlist,artist,track\n")
    out = tmp_path / "out.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "was not changed" not in err and f"No index was written ({out} does not exist)" in err
    assert not out.exists()


def test_an_input_that_cannot_be_read_is_not_called_a_failed_write(
    tmp_path, capsys, monkeypatch
) -> None:
    data = tmp_path / "p.csv"
    data.write_text("playlist,artist,track\np1,A,x\np1,B,y\np2,A,x\np2,B,y\n")

    def broken_disk(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setitem(ingest._READERS, "csv", broken_disk)
    assert main(["index", "build", str(data), "-o", str(tmp_path / "o.sqlite"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"Cannot read {data}: Input/output error." in err and "could not write" not in err
