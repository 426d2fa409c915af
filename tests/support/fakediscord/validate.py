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
PLACEHOLDER = 150
URL = 512  # a link button's url
FILES = 10
# Where an embed may point (thumbnail and image may also be an attachment of the message).
EMBED_URLS = (("url",), ("thumbnail", "url"), ("image", "url"), ("author", "url"))

# A field path and Discord's message, optionally with its error code (BASE_TYPE_INVALID).
Problem = tuple[tuple[str, ...], str] | tuple[tuple[str, ...], str, str]


def _too_long(path: tuple[str, ...], limit: int) -> Problem:
    return path, f"Must be {limit} or fewer in length."


def _embed_size(embed: dict[str, Any]) -> int:
    """The characters Discord counts towards the 6000 of an embed (and of a message)."""
    texts = [embed.get(key) or "" for key in EMBED_LIMITS]
    for fld in embed.get("fields") or []:
        texts += [fld.get("name") or "", fld.get("value") or ""]
    texts.append((embed.get("footer") or {}).get("text") or "")
    texts.append((embed.get("author") or {}).get("name") or "")
    return sum(map(len, texts))


def _embed_problems(embed: dict[str, Any], path: tuple[str, ...]) -> list[Problem]:
    out: list[Problem] = []
    for key, limit in EMBED_LIMITS.items():
        if len(embed.get(key) or "") > limit:
            out.append(_too_long((*path, key), limit))
    fields = embed.get("fields") or []
    if len(fields) > MAX_FIELDS:
        out.append(_too_long((*path, "fields"), MAX_FIELDS))
    for i, fld in enumerate(fields):
        for key, limit in FIELD_LIMITS.items():
            text = fld.get(key) or ""
            if not text.strip():
                out.append(((*path, "fields", str(i), key), "This field is required"))
            elif len(text) > limit:
                out.append(_too_long((*path, "fields", str(i), key), limit))
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    if len(footer) > FOOTER_TEXT:
        out.append(_too_long((*path, "footer", "text"), FOOTER_TEXT))
    if len(author) > AUTHOR_NAME:
        out.append(_too_long((*path, "author", "name"), AUTHOR_NAME))
    if _embed_size(embed) > EMBED_TOTAL:
        out.append((path, f"Embed size exceeds maximum size of {EMBED_TOTAL}"))
    for keys in EMBED_URLS:
        node: Any = embed
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        schemes = ("http://", "https://") + (("attachment://",) if keys[0] != "url" else ())
        if node is not None and not (isinstance(node, str) and node.startswith(schemes)):
            out.append(((*path, *keys), "Not a well formed URL.", "URL_TYPE_INVALID_URL"))
    return out


def _select_problems(comp: dict[str, Any], path: tuple[str, ...]) -> list[Problem]:
    """A string select: 1-25 options of 1-100 characters, a placeholder of at most 150."""
    out: list[Problem] = []
    if len(comp.get("placeholder") or "") > PLACEHOLDER:
        out.append(_too_long((*path, "placeholder"), PLACEHOLDER))
    options = comp.get("options") or []
    if not 1 <= len(options) <= SELECT_OPTIONS:
        out.append(((*path, "options"), f"Must be between 1 and {SELECT_OPTIONS} in length."))
    for o, opt in enumerate(options):
        for key in ("label", "value"):
            if not 1 <= len(opt.get(key) or "") <= SELECT_OPTION_TEXT:
                message = f"Must be between 1 and {SELECT_OPTION_TEXT} in length."
                out.append(((*path, "options", str(o), key), message))
        if len(opt.get("description") or "") > SELECT_OPTION_TEXT:
            out.append(_too_long((*path, "options", str(o), "description"), SELECT_OPTION_TEXT))
        if opt.get("value") in [other.get("value") for other in options[:o]]:
            message = "Select component option values must be unique"
            out.append(((*path, "options", str(o), "value"), message, "SELECT_VALUE_DUPLICATED"))
    low, high = comp.get("min_values", 1), comp.get("max_values", 1)
    if not 0 <= low <= high <= max(len(options), 1):
        out.append(((*path, "max_values"), "Must be between min_values and the option count."))
    return out


def _button_problems(comp: dict[str, Any], path: tuple[str, ...]) -> list[Problem]:
    """A button: a label or an emoji; a link button a well formed url and no custom id,
    any other button a custom id."""
    out: list[Problem] = []
    if len(comp.get("label") or "") > BUTTON_LABEL:
        out.append(_too_long((*path, "label"), BUTTON_LABEL))
    if not comp.get("label") and not comp.get("emoji"):
        out.append(((*path, "label"), "A button needs a label or an emoji."))
    if comp.get("style") == 5:  # link
        url = comp.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "discord://")):
            out.append(((*path, "url"), "Not a well formed URL.", "URL_TYPE_INVALID_URL"))
        elif len(url) > URL:
            out.append(_too_long((*path, "url"), URL))
        if comp.get("custom_id") is not None:
            out.append(((*path, "custom_id"), "A link button cannot have a custom id."))
    elif comp.get("custom_id") is None:
        out.append(((*path, "custom_id"), "This field is required"))
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
        if len(children) > 1 and any(c.get("type") != 2 for c in children):
            message = "A select menu must be alone in its action row."
            out.append((("components", str(r), "components"), message))
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
            if comp.get("type") == 2:
                out.extend(_button_problems(comp, path))
            elif comp.get("type") == 3:
                out.extend(_select_problems(comp, path))
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
    if len(embeds) > 1 and sum(_embed_size(e) for e in embeds) > EMBED_TOTAL:
        out.append((("embeds",), f"Embed size exceeds maximum size of {EMBED_TOTAL}"))
    if len(body.get("attachments") or []) > FILES:
        out.append(_too_long(("attachments",), FILES))
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
