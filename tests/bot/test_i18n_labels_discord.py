"""The index's labels in German, through the real discord.py client and the fake Discord:
a "did you mean" hint, a not-found hint, a rare song's fallback label (a named playlist and
a listening session, its date written the German way) and a Why? naming a session.

The index says what these are as data (:mod:`index.model`); the bot writes them in the
language of whoever asked (:mod:`bot.i18n.labels`), so none of them stays English."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from bot.bot import SongsimBot
from bot.services import Services
from index.build.store import write_index
from index.corpus import NeighbourTable
from tests.support.bot_fixtures import SEED, build_corpus, exact_neighbours
from tests.support.fakediscord import FakeDiscord, find_component

pytest.importorskip("index.read.api")

# Road trip (playlist 0) and Mix B (7) were listening sessions on 3 March 2025.
SESSIONS = [0, 7]
MARCH_3 = int(datetime(2025, 3, 3, 10, tzinfo=UTC).timestamp())
# Songs given no stored neighbours, so they are answered from their one playlist:
PARTY_ONLY = 12  # Filler 3 (id 12), only in "Party"
SESSION_ONLY = 19  # Filler 10 (id 19), only in Mix B, a session


@pytest.fixture(scope="module")
def song_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = build_corpus()
    dates = np.full(corpus.n_playlists, -1, dtype=np.int64)
    dates[SESSIONS] = MARCH_3
    corpus.playlist_dates = dates
    full = exact_neighbours(corpus)
    keep = ~np.isin(full.track, [PARTY_ONLY - 1, SESSION_ONLY - 1])  # 0-based in the table
    table = NeighbourTable(
        track=full.track[keep], rank=full.rank[keep], neighbour=full.neighbour[keep],
        jaccard=full.jaccard[keep], shared=full.shared[keep],
    )  # fmt: skip
    meta = {"source": "bot test fixture", "format": "hand-made", "method": "exact", "k": 30,
            "min_playlists": 1, "min_shared": 1, "rows_read": corpus.report.rows_read,
            "rows_malformed": 0, "build_seconds": 0}  # fmt: skip
    out = tmp_path_factory.mktemp("labels-index") / "songs.sqlite"
    write_index(corpus, table, out, meta)
    return out


@pytest_asyncio.fixture
async def bot(start_bot, services: Services) -> SongsimBot:
    bot = await start_bot(SongsimBot(services))
    await bot.tree.sync()
    return bot


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def similar(fake: FakeDiscord, song: str, locale: str = "de") -> dict:
    """The embed ``/similar song`` answers a client in ``locale`` with."""
    inter = await fake.slash("similar", {"song": song}, locale=locale)
    await inter.wait_answer()
    follow = await fake.wait_for_request("POST", webhook(fake))
    return follow.json["embeds"][0]


async def test_did_you_mean_and_not_found_hints_are_german(fake_discord: FakeDiscord, bot):
    unsure = await similar(fake_discord, "daft punk - qwxz zzyzx")
    assert unsure["title"] == "Meintest du…"
    assert unsure["description"].startswith(
        "Daft Punk hat keinen Song namens „qwxz zzyzx“ – meintest du einen von diesen?"
    )
    assert "did you mean" not in unsure["description"]

    unknown = await similar(fake_discord, "qwxz zzyzx")
    assert unknown["title"] == "Kein solcher Song"
    text = unknown["description"]
    assert "Kein Song passt zu „qwxz zzyzx“ – versuch „Künstler - Titel“" in text
    assert "No song matches" not in text


async def test_fallback_labels_are_german_with_a_german_date(fake_discord: FakeDiscord, bot):
    party = await similar(fake_discord, f"track:{PARTY_ONLY}")
    assert "**Aus der Playlist „Party“**" in party["description"]
    session = await similar(fake_discord, f"track:{SESSION_ONLY}")
    assert "**Aus einer Hörsitzung am 3. März 2025**" in session["description"]
    english = await similar(fake_discord, f"track:{SESSION_ONLY}", locale="en-GB")
    assert "**From a listening session on 3 March 2025**" in english["description"]


async def test_why_names_a_session_by_its_german_date(fake_discord: FakeDiscord, bot):
    inter = await fake_discord.slash("similar", {"song": SEED}, locale="de")
    await inter.wait_answer()
    await fake_discord.wait_for_request("POST", webhook(fake_discord))
    message = fake_discord.messages[inter.original_id]
    why = await fake_discord.click(message, label="Warum?", locale="de")
    await why.wait_answer()
    shown = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    menu = find_component(shown.json, type=3)
    first = menu["options"][0]
    assert first["label"].startswith("Aerodynamic")  # shares Road trip, gym and Mix C
    picked = await fake_discord.select(
        fake_discord.messages[why.original_id], [first["value"]], locale="de"
    )
    await picked.wait_answer()
    edit = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    embed = edit.json["embeds"][0]
    assert embed["title"] == "Warum diese Songs?"
    examples = embed["fields"][0]["value"]
    assert "• eine Hörsitzung am 3. März 2025" in examples and "Mix C" in examples
    assert "listening session" not in examples and "Road trip" not in examples


async def test_a_fallback_label_names_a_playlist_only_as_the_server_allows(
    fake_discord: FakeDiscord, bot, services: Services
):
    """A rare song's label quotes a stranger's playlist name, so the server's Why? names
    setting governs it too: hidden, or filtered when the name holds a listed word."""
    from bot.server_settings import ServerSettings

    servers = services.user_db.servers
    generic = "**From the one playlist with this song**"
    await servers.put(fake_discord.guild_id, ServerSettings(why_names="hidden"))
    hidden = await similar(fake_discord, f"track:{PARTY_ONLY}", locale="en-US")
    assert generic in hidden["description"] and "Party" not in hidden["description"]

    await servers.put(fake_discord.guild_id, ServerSettings(words=("party",)))
    filtered = await similar(fake_discord, f"track:{PARTY_ONLY}", locale="en-US")
    assert generic in filtered["description"] and "Party" not in filtered["description"]
    german = await similar(fake_discord, f"track:{PARTY_ONLY}")
    assert "**Aus der einzigen Playlist mit diesem Song**" in german["description"]

    await servers.put(fake_discord.guild_id, ServerSettings(why_names="shown"))
    shown = await similar(fake_discord, f"track:{PARTY_ONLY}", locale="en-US")
    assert "**From the playlist “Party”**" in shown["description"]
