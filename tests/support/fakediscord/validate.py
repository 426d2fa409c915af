"""Discord's documented limits on outgoing messages, checked the way the real API checks them.

A body that breaks a limit is answered with 400 / code 50035 "Invalid Form Body" and the same
nested ``errors`` shape Discord uses, so discord.py raises ``HTTPException`` exactly as it
would in production: a bot that passes against the fake does not fail on real Discord for
an over-long title, a 26th field or a 101-character autocomplete choice.
"""

from __future__ import annotations

from typing import Any

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
MAX_FIELDS = 25
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
EMBED_TOTAL = 6000
MAX_EMBEDS = 10
CONTENT = 2000
ACTION_ROWS = 5
ROW_BUTTONS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_OPTION_TEXT = 100
CHOICES = 25
CHOICE_TEXT = 100

# A field path and Discord's message, optionally with its error code (BASE_TYPE_INVALID).
Problem = tuple[tuple[str, ...], str] | tuple[tuple[str, ...], str, str]


def _too_long(path: tuple[str, ...], limit: int) -> Problem:
    return path, f"Must be {limit} or fewer in length."


def _embed_problems(embed: dict[str, Any], path: tuple[str, ...]) -> list[Problem]:
    out: list[Problem] = []
    total = 0
    for key, limit in EMBED_LIMITS.items():
        text = embed.get(key) or ""
        total += len(text)
        if len(text) > limit:
            out.append(_too_long((*path, key), limit))
    fields = embed.get("fields") or []
    if len(fields) > MAX_FIELDS:
        out.append(_too_long((*path, "fields"), MAX_FIELDS))
    for i, fld in enumerate(fields):
        for key, limit in FIELD_LIMITS.items():
            text = fld.get(key) or ""
            total += len(text)
            if not text.strip():
                out.append(((*path, "fields", str(i), key), "This field is required"))
            elif len(text) > limit:
                out.append(_too_long((*path, "fields", str(i), key), limit))
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    total += len(footer) + len(author)
    if len(footer) > FOOTER_TEXT:
        out.append(_too_long((*path, "footer", "text"), FOOTER_TEXT))
    if len(author) > AUTHOR_NAME:
        out.append(_too_long((*path, "author", "name"), AUTHOR_NAME))
    if total > EMBED_TOTAL:
        out.append((path, f"Embed size exceeds maximum size of {EMBED_TOTAL}"))
    return out


def _component_problems(rows: list[dict[str, Any]]) -> list[Problem]:
    out: list[Problem] = []
    if len(rows) > ACTION_ROWS:
        out.append(_too_long(("components",), ACTION_ROWS))
    seen: set[str] = set()  # custom ids are unique within a message, disabled ones too
    for r, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") == 1 and len(children) > ROW_BUTTONS:
            out.append(_too_long(("components", str(r), "components"), ROW_BUTTONS))
        for c, comp in enumerate(children):
            path = ("components", str(r), "components", str(c))
            custom_id = comp.get("custom_id")
            if len(custom_id or "") > CUSTOM_ID:
                out.append(_too_long((*path, "custom_id"), CUSTOM_ID))
            if custom_id is not None and custom_id in seen:
                out.append(
                    (
                        (*path, "custom_id"),
                        "Component custom id cannot be duplicated",
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                    )
                )
            if custom_id is not None:
                seen.add(custom_id)
            if len(comp.get("label") or "") > BUTTON_LABEL:
                out.append(_too_long((*path, "label"), BUTTON_LABEL))
            options = comp.get("options") or []
            if len(options) > SELECT_OPTIONS:
                out.append(_too_long((*path, "options"), SELECT_OPTIONS))
            for o, opt in enumerate(options):
                for key in ("label", "value", "description"):
                    if len(opt.get(key) or "") > SELECT_OPTION_TEXT:
                        out.append(_too_long((*path, "options", str(o), key), SELECT_OPTION_TEXT))
    return out


def message_problems(body: dict[str, Any], *, edit: bool = False) -> list[Problem]:
    """Every limit the message body breaks (empty list when Discord would accept it)."""
    out: list[Problem] = []
    content = body.get("content") or ""
    if len(content) > CONTENT:
        out.append(_too_long(("content",), CONTENT))
    embeds = body.get("embeds") or ([body["embed"]] if body.get("embed") else [])
    if len(embeds) > MAX_EMBEDS:
        out.append(_too_long(("embeds",), MAX_EMBEDS))
    for i, embed in enumerate(embeds):
        out.extend(_embed_problems(embed, ("embeds", str(i))))
    out.extend(_component_problems(body.get("components") or []))
    has_payload = content or embeds or body.get("components") or body.get("poll")
    has_files = body.get("attachments") or body.get("sticker_ids")
    if not edit and not has_payload and not has_files:
        out.append(((), "Cannot send an empty message"))
    return out


def choice_problems(body: dict[str, Any]) -> list[Problem]:
    """Limits on an autocomplete answer (callback type 8)."""
    choices = (body.get("data") or {}).get("choices") or []
    out: list[Problem] = []
    if len(choices) > CHOICES:
        out.append(_too_long(("data", "choices"), CHOICES))
    for i, choice in enumerate(choices):
        for key in ("name", "value"):
            value = choice.get(key)
            if isinstance(value, str) and not 1 <= len(value) <= CHOICE_TEXT:
                out.append(
                    (
                        ("data", "choices", str(i), key),
                        f"Must be between 1 and {CHOICE_TEXT} in length.",
                    )
                )
    return out


def error_body(problems: list[Problem]) -> dict[str, Any]:
    """Discord's 400 body: code 50035 with errors nested by field path."""
    if len(problems) == 1 and problems[0][0] == ():
        return {"message": problems[0][1], "code": 50006}
    errors: dict[str, Any] = {}
    for path, message, *code in problems:
        node = errors
        for part in path:
            node = node.setdefault(part, {})
        error = {"code": code[0] if code else "BASE_TYPE_INVALID", "message": message}
        node.setdefault("_errors", []).append(error)
    return {"message": "Invalid Form Body", "code": 50035, "errors": errors}
