"""The fake Discord's checks of what a message may hold: components and embed links refused
with Discord's 400 / 50035, field by field, as Discord refuses them."""

from __future__ import annotations

import pytest

from tests.support.fakediscord import validate


def _select(**fields) -> dict:
    option = {"label": "One More Time", "value": "1.abcd"}
    return {"type": 3, "custom_id": "menu", "options": [option]} | fields


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ([_select(placeholder="p" * 151)], ("placeholder",)),
        ([_select(options=[])], ("options",)),
        ([_select(options=[{"label": "", "value": "v"}])], ("options", "0", "label")),
        ([_select(options=[{"label": "l", "value": "v" * 101}])], ("options", "0", "value")),
        ([_select(max_values=2)], ("max_values",)),
        ([_select(options=[{"label": "a", "value": "v"}, {"label": "b", "value": "v"}])],
         ("options", "1", "value")),
        ([{"type": 2, "style": 1, "custom_id": "b"}], ("label",)),
        ([{"type": 2, "style": 1, "label": "No id"}], ("custom_id",)),
        ([{"type": 2, "style": 5, "label": "Go", "url": "ftp://x.example"}], ("url",)),
        ([{"type": 2, "style": 5, "label": "Go", "url": "https://x.example/" + "a" * 500}],
         ("url",)),
    ],
)  # fmt: skip
def test_fake_refuses_components_discord_refuses(row: list[dict], where: tuple[str, ...]) -> None:
    body = {"content": "x", "components": [{"type": 1, "components": row}]}
    problems = validate.message_problems(body)
    assert [p[0] for p in problems] == [("components", "0", "components", "0", *where)]


def test_fake_refuses_a_select_beside_a_button_and_embeds_over_6000_together() -> None:
    button = {"type": 2, "style": 1, "label": "More", "custom_id": "more"}
    body = {"content": "x", "components": [{"type": 1, "components": [_select(), button]}]}
    assert [p[0] for p in validate.message_problems(body)] == [("components", "0", "components")]
    body = {"content": "x", "components": [{"type": 1, "components": [_select()]},
                                           {"type": 1, "components": [button]}]}  # fmt: skip
    assert validate.message_problems(body) == []
    half = {"title": "t", "description": "d" * 3500}
    assert [p[0] for p in validate.message_problems({"embeds": [half, half]})] == [("embeds",)]
    assert validate.message_problems({"embeds": [half]}) == []
    bad_link = {"title": "t", "url": "open.spotify.com/track/x", "thumbnail": {"url": "x.png"}}
    problems = validate.message_problems({"embeds": [bad_link]})
    assert [p[0] for p in problems] == [("embeds", "0", "url"), ("embeds", "0", "thumbnail", "url")]
