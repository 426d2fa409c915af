"""One place for the build's settings: BuildOptions' defaults are the CLI's, and build_index
takes options (with keyword overrides) and picks the engine itself."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

import index
from bot.cli import build_parser
from index.build import DEFAULTS, BuildOptions, build_index
from index.ingest import FORMATS
from tests.index.test_build import write_dataset


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


def test_the_build_commands_defaults_are_build_options_defaults() -> None:
    args = parse("index", "build", "data.csv", "-o", "out.sqlite")
    assert (
        BuildOptions(
            fmt=args.format,
            method=args.method,
            k=args.k,
            min_playlists=args.min_playlists,
            min_shared=args.min_shared,
            strict=args.strict,
            memberships=not args.no_memberships,
            engine=args.engine,
            master=args.master,
        )
        == BuildOptions()
    )


def test_holdout_builds_with_the_same_defaults() -> None:
    args = parse("index", "holdout", "data.csv")
    assert (args.build_k, args.min_shared, args.min_playlists) == (
        DEFAULTS.k,
        DEFAULTS.min_shared,
        DEFAULTS.min_playlists,
    )


@pytest.mark.parametrize("command", ["build", "evaluate", "holdout"])
def test_every_dataset_command_offers_the_ingest_formats(command: str) -> None:
    parser = build_parser()
    index_parser = parser._subparsers._group_actions[0].choices["index"]
    sub = index_parser._subparsers._group_actions[0].choices[command]
    (fmt,) = [a for a in sub._actions if a.dest == "format"]
    assert list(fmt.choices) == ["auto", *FORMATS]


def test_build_options_are_frozen_and_public() -> None:
    assert index.BuildOptions is BuildOptions
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.k = 10  # type: ignore[misc]


def test_build_index_takes_options_and_keyword_overrides(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    out = tmp_path / "idx.sqlite"
    summary = build_index(
        data, out, BuildOptions(method="exact", k=5), min_shared=1, progress=False
    )
    meta = dict(sqlite3.connect(out).execute("SELECT key, value FROM meta"))
    assert (meta["method"], meta["k"], meta["min_shared"]) == ("exact", "5", "1")
    assert meta["min_playlists"] == str(DEFAULTS.min_playlists)
    assert summary.min_shared == 1


@pytest.mark.parametrize(
    "setting", [{"engine": "gpu"}, {"method": "fast"}, {"k": 0}, {"min_shared": 0}]
)
def test_an_impossible_setting_fails_before_anything_is_read(tmp_path: Path, setting) -> None:
    out = tmp_path / "idx.sqlite"
    with pytest.raises(ValueError):
        build_index(tmp_path / "no-such-dataset.csv", out, progress=False, **setting)
    assert not out.exists()


def test_an_unknown_setting_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        build_index(tmp_path / "data.csv", tmp_path / "idx.sqlite", num_bands=3)
