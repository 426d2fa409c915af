"""The embed builder: data strings render literally, ping nobody, and fit Discord's limits."""

from __future__ import annotations

from dataclasses import replace

import discord
import pytest

from bot import embeds
from bot.card import (
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    TOTAL_MAX,
    Card,
    Field,
    fit,
)
from bot.console import markdown_to_text, render_embed
from bot.text import ELLIPSIS, clip, percent, safe
from index.model import (
    Answer,
    FallbackKind,
    FallbackLabel,
    PlaylistRef,
    Recommendation,
    Track,
    Why,
)
from tests.support.bot_fixtures import make_stats, make_track
from tests.support.fakediscord import validate

NASTY = [
    "@everyone",
    "@here",
    "**x**",
    "__init__",
    "~~gone~~",
    "||spoiler||",
    "`code`",
    "> quote",
    "# Heading",
    "- item",
    "[click](https://evil.example)",
    "Song [Live]",
    "back\\slash",
    "<@123456789012345678>",
    "<@&123456789012345678>",
    "a * b _ c",
]


track = make_track


def answer(
    seed: Track | None,
    items: list[tuple[Track, float, int]],
    total: int | None = None,
    has_more: bool = False,
    fallback: tuple[Track, ...] | list[Track] = (),
    rare: bool = False,
) -> Answer:
    recs = [Recommendation(track=t, jaccard=j, shared=s, score=j) for t, j, s in items]
    return Answer(
        seed=seed,
        items=recs,
        total=total if total is not None else len(recs),
        has_more=has_more,
        rare=rare,
        fallback=list(fallback),
        fallback_label=FallbackLabel(FallbackKind.ARTISTS, artists=("Artist",)),
    )


STATS = make_stats(tracks=1234, playlists=567, artists=89, built_at="2026-11-26T10:00:00Z")


@pytest.mark.parametrize("text", NASTY)
def test_safe_text_renders_literally(text: str) -> None:
    # Undoing Discord's markdown gives back exactly what the user or dataset wrote.
    assert markdown_to_text(safe(text)).replace("\u200b", "") == text


@pytest.mark.parametrize(
    "text", ["@everyone", "@here", "<@123456789012345678>", "<@&123456789012345678>"]
)
def test_safe_text_pings_nobody(text: str) -> None:
    out = safe(text)
    assert "@everyone" not in out and "@here" not in out
    assert "<@1" not in out and "<@&1" not in out


@pytest.mark.parametrize("text", ["[a **b**](c)", "[x ~~y~~ ||z|| __w__](`v`)", "[*](*)"])
def test_markup_inside_what_looks_like_a_link_is_escaped_too(text: str) -> None:
    out = safe(text)
    for i, ch in enumerate(out):
        if ch in "*_~|`[]":
            backslashes = len(out[:i]) - len(out[:i].rstrip("\\"))
            assert backslashes % 2 == 1, (out, i)  # shown as written, not bold or struck out
    assert markdown_to_text(out) == text


def test_safe_text_cannot_open_a_masked_link() -> None:
    out = safe("[click](https://evil.example)")
    assert "[click](" not in out
    assert "\\[click\\](" in out


def test_similar_embed_escapes_song_names() -> None:
    seed = track(1, "**x**", "@everyone")
    ans = answer(seed, [(track(2, "@here", "[a](http://b)"), 0.5, 7)])
    embed = embeds.similar_embed(ans, STATS)
    text = embed.title + embed.description
    assert "**x**" not in text and "\\*\\*x\\*\\*" in text
    assert "@everyone" not in text and "@here" not in text
    assert "[a](http://b)" not in text
    # The title format users see.
    assert embed.title.startswith("Songs like \\*\\*x\\*\\* — @")


def test_similar_embed_shows_the_match_the_list_and_the_index() -> None:
    seed = track(1, "One More Time", "Daft Punk", playlists=1234)
    ans = answer(
        seed,
        [
            (track(2, "Aerodynamic", "Daft Punk"), 0.634, 17),
            (track(3, "Levels", "Avicii"), 0.042, 3),
        ],
        total=25,
        has_more=True,
    )
    embed = embeds.similar_embed(ans, STATS, links={2: "https://open.spotify.com/track/abc"})
    assert embed.title == "Songs like One More Time — Daft Punk"
    lines = embed.description.splitlines()
    assert lines[0].startswith("Matched **One More Time** by **Daft Punk**")
    assert "in 1,234 playlists" in lines[0]
    assert (
        "**1.** [Aerodynamic](https://open.spotify.com/track/abc) — Daft Punk · 63% · in 17 shared playlists"
        in lines
    )
    assert "**2.** Levels — Avicii · 4.2% · in 3 shared playlists" in lines
    assert "Songs 1–2 of 25" in embed.footer.text
    assert "1,234 songs from 567 playlists" in embed.footer.text
    assert "built 2026-11-26" in embed.footer.text


def test_similar_embed_numbers_continue_on_later_pages() -> None:
    seed = track(1, "Seed")
    ans = answer(seed, [(track(12, "Eleventh"), 0.1, 2)], total=11)
    embed = embeds.similar_embed(ans, STATS, offset=10)
    assert "**11.** Eleventh" in embed.description
    assert "Song 11 of 11 · " in embed.footer.text  # one song: no "11–11"


def test_similar_embed_without_neighbours_shows_the_fallback() -> None:
    seed = track(1, "Lonely")
    ans = answer(seed, [], fallback=[track(5, "Other Song")])
    embed = embeds.similar_embed(ans, STATS)
    assert "No song shares enough playlists" in embed.description
    assert "**Other songs by Artist**" in embed.description
    assert "Other Song" in embed.description


def from_playlists(seed, fallback, label):
    """A rare answer whose fallback is the songs of the seed's playlists."""
    ans = answer(seed, [], fallback=fallback, rare=True)
    return replace(ans, fallback_label=label, fallback_source="playlists")


def test_rare_song_answered_from_its_playlist_says_it_is_a_weaker_hint() -> None:
    seed = track(1, "Lonely")
    label = FallbackLabel(FallbackKind.PLAYLIST, playlist=PlaylistRef("Summer 2015"))
    ans = from_playlists(seed, [track(5, "Mate")], label)
    embed = embeds.similar_embed(ans, STATS)
    assert "too few playlists for recommendations of its own" in embed.description
    assert "weaker hint" in embed.description
    assert "**From the playlist “Summer 2015”**" in embed.description
    assert "Mate" in embed.description
    assert "Discovery:" not in embed.footer.text  # the fallback was not ranked


def test_mix_of_rare_songs_shows_the_fallback() -> None:
    label = FallbackLabel(FallbackKind.PLAYLISTS, seeds=2, read=3, total=3)
    ans = from_playlists(None, [track(5, "Mate")], label)
    embed = embeds.mix_embed([track(1, "A"), track(2, "B")], ans, STATS)
    assert "**From the 3 playlists with these songs**" in embed.description
    assert "Mate" in embed.description


def test_fit_cuts_every_part_to_discords_limits() -> None:
    card = Card(
        title="t" * 1000,
        description="d" * 10_000,
        fields=[Field("n" * 400, "v" * 2000) for _ in range(30)],
        footer="f" * 3000,
    )
    embed = fit(card)
    assert len(embed.title) == TITLE_MAX and embed.title.endswith("…")
    assert len(embed.description) <= DESCRIPTION_MAX
    assert len(embed.fields) <= FIELDS_MAX
    assert all(
        len(f.value) <= FIELD_VALUE_MAX and len(f.name) <= FIELD_NAME_MAX for f in embed.fields
    )
    assert len(embed.footer.text) <= FOOTER_MAX
    assert len(embed) <= TOTAL_MAX


def test_long_song_names_still_fit_in_one_embed() -> None:
    long = "**" * 300 + "@everyone" * 50
    seed = track(1, long, long)
    items = [(track(i, long, long), 0.5, 3) for i in range(2, 27)]
    embed = embeds.similar_embed(
        answer(seed, items), STATS, links={i: "https://x.example/" + "a" * 200 for i in range(30)}
    )
    assert len(embed) <= TOTAL_MAX
    assert len(embed.title) <= TITLE_MAX
    assert len(embed.description) <= DESCRIPTION_MAX
    assert "@everyone" not in embed.title + embed.description


def test_clip_never_leaves_an_escaping_backslash() -> None:
    text = safe("a*" * 100)  # a\*a\*…
    for limit in range(2, 40):
        out = clip(text, limit)
        assert len(out) <= limit
        body = out.removesuffix(ELLIPSIS)
        assert (len(body) - len(body.rstrip("\\"))) % 2 == 0


@pytest.mark.parametrize(
    ("x", "expected"), [(0.634, "63%"), (0.042, "4.2%"), (0.0004, "<0.1%"), (1.0, "100%")]
)
def test_percent(x: float, expected: str) -> None:
    assert percent(x) == expected


def test_why_embed_lists_example_playlists_escaped() -> None:
    a, b = track(1, "A"), track(2, "B")
    examples = [PlaylistRef("Road trip"), PlaylistRef("**gym**"), PlaylistRef("@everyone")]
    why = Why(track=a, neighbour=b, shared=3, jaccard=0.25, examples=examples, stored=True)
    embed = embeds.why_embed(a, b, why)
    assert "in 3 playlists" in embed.description
    value = embed.fields[0].value
    assert "Road trip" in value and "\\*\\*gym\\*\\*" in value and "@everyone" not in value


def test_choose_embed_numbers_the_suggestions() -> None:
    embed = embeds.choose_embed(
        "one more", [track(1, "One More Time", "Daft Punk"), track(2, "One More Night", "Maroon 5")]
    )
    assert "**1.** One More Time — Daft Punk" in embed.description
    assert "**2.** One More Night — Maroon 5" in embed.description


def test_about_embed_reports_index_size() -> None:
    embed = embeds.about_embed(
        make_stats(tracks=1234, artists=89, playlists=567, built_at="2026-11-26")
    )
    values = {f.name: f.value for f in embed.fields}
    assert values["Songs"] == "1,234" and values["Playlists"] == "567" and values["Artists"] == "89"


def test_help_uses_the_configured_prefix() -> None:
    embed = embeds.help_embed("?")
    assert "`?similar song or link`" in embed.description
    assert "`!similar" not in embed.description


def test_console_renders_links_and_drops_markdown() -> None:
    seed = track(1, "One More Time", "Daft Punk")
    ans = answer(seed, [(track(2, "Aero*dynamic"), 0.5, 4)])
    text = render_embed(
        embeds.similar_embed(ans, STATS, links={2: "https://open.spotify.com/track/x"})
    )
    assert "Songs like One More Time — Daft Punk" in text
    assert (
        "1. Aero*dynamic <https://open.spotify.com/track/x> — Artist · 50% · in 4 shared playlists"
        in text
    )
    assert "**" not in text


def test_notice_embed_kinds_have_distinct_colours() -> None:
    colours = {embeds.notice_embed("x", k).colour for k in ("ok", "info", "warning", "error")}
    assert len(colours) == 4
    assert isinstance(embeds.notice_embed("x"), discord.Embed)


def test_many_slices_given_one_by_one_are_named_in_a_line_and_described_once(
    tmp_path,
) -> None:
    from bot.help_embeds import about_embed
    from index.build import build_index
    from index.read.api import SongIndex
    from tests.index.test_ingest_formats import mpd_slice, write_json

    songs = [("A", "a", "spotify:track:1"), ("B", "b", "spotify:track:2"), ("C", "c", "x")]
    files = [
        write_json(tmp_path / f"mpd.slice.{i * 1000}-{i * 1000 + 999}.json",
                   mpd_slice(i * 1000, [("mix", songs), ("more", songs[:2])]))
        for i in range(5)
    ]  # fmt: skip
    out = tmp_path / "index.sqlite"
    build_index(files, out, min_shared=1, min_playlists=1, progress=False)
    with SongIndex.open(out) as idx:
        stats = idx.stats
    assert stats.source == "mpd.slice.0-999.json + mpd.slice.1000-1999.json + 3 more"
    data = next(f.value for f in about_embed(stats).fields if f.name == "Data")
    assert data == "Million Playlist Dataset (2017), research and non-commercial use only"


def test_a_research_only_dataset_is_named_so_in_the_build_summary(tmp_path, capsys) -> None:
    from bot.cli import main
    from tests.index.test_ingest_formats import mpd_slice, write_json

    songs = [("A", "a", "spotify:track:1"), ("B", "b", "spotify:track:2")]
    data = write_json(tmp_path / "mpd.slice.0-999.json", mpd_slice(0, [("x", songs)] * 3))
    assert main(["index", "build", str(data), "-o", str(tmp_path / "i.sqlite"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert (
        "  data: Million Playlist Dataset (2017), research and non-commercial use only" in printed
    )
    assert "do not cover a bot open to the public" in printed


def test_a_blank_field_still_reaches_discord() -> None:
    """Discord refuses a field whose name or value is only white space (the whole reply with
    it); a blank index fact in /about, or any blank field, shows as empty instead."""
    blank = replace(STATS, source=" ", method="\n")
    for embed in (
        embeds.about_embed(blank),
        fit(Card(title="t", fields=[Field(" ", "\n \t"), Field("", "")])),
    ):
        assert validate.message_problems({"embeds": [embed.to_dict()]}) == []
