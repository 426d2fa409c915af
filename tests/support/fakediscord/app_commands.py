"""Application command registrations (bulk overwrite), checked and stored as Discord does.

The rules are Discord's documented ones
(https://discord.com/developers/docs/interactions/application-commands): slash command
(CHAT_INPUT) names match ``^[-_'\\p{L}\\p{N}]{1,32}$`` in lower case, with a 1-100 character
description and at most 25 options; message and user context-menu commands (types 3 and 2)
have a 1-32 character name that may hold capitals and spaces, and no description or
options; names are unique per type; at most 100 slash, 15 user and 15 message commands.
A payload breaking one is answered 400 / 50035 with Discord's nested errors, so
``tree.sync()`` raises there as on Discord. A field the fake does not know is refused too:
it means discord.py sends something this fake never modelled, which a test should notice.
"""

from __future__ import annotations

from typing import Any

from .payloads import snowflake
from .validate import Problem, error_body

CHAT_INPUT, USER, MESSAGE = 1, 2, 3
MAX_COMMANDS = {CHAT_INPUT: 100, USER: 15, MESSAGE: 15}
MAX_OPTIONS = 25
MAX_CHOICES = 25
COMMAND_FIELDS = {
    "name",
    "name_localizations",
    "description",
    "description_localizations",
    "options",
    "default_member_permissions",
    "dm_permission",
    "default_permission",
    "type",
    "nsfw",
    "contexts",
    "integration_types",
}
OPTION_FIELDS = {
    "type",
    "name",
    "name_localizations",
    "description",
    "description_localizations",
    "required",
    "choices",
    "options",
    "channel_types",
    "min_value",
    "max_value",
    "min_length",
    "max_length",
    "autocomplete",
}
# Discord's locales (https://discord.com/developers/docs/reference#locales): an
# interaction's locale, and the keys of name_localizations / description_localizations.
LOCALES = frozenset(
    {"id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
     "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
     "th", "zh-CN", "ja", "zh-TW", "ko"}
)  # fmt: skip
INVALID_NAME = ("Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")
DUPLICATE = ("Application command names must be unique", "APPLICATION_COMMANDS_DUPLICATE_NAME")


def _slash_name_ok(name: str) -> bool:
    """Discord's CHAT_INPUT/option name rule: letters, digits, - _ ', lower case if cased."""
    return (
        1 <= len(name) <= 32
        and all(ch.isalnum() or ch in "-_'" for ch in name)
        and name == name.lower()
    )


def _localizations(path: tuple[str, ...], item: dict[str, Any], slash_names: bool) -> list[Problem]:
    """``name_localizations`` / ``description_localizations``: Discord locales as keys, each
    value held to the rule of the field it translates (``slash_names``: a slash command's or
    option's name; otherwise a context menu's 1-32 characters)."""
    out: list[Problem] = []
    for field in ("name_localizations", "description_localizations"):
        for locale, value in (item.get(field) or {}).items():
            where = (*path, field, locale)
            if locale not in LOCALES:
                out.append((where, "Not a Discord locale.", "LOCALE_INVALID"))
            elif field == "description_localizations":
                out += _length(where, value, 1, 100)
            elif slash_names and not _slash_name_ok(str(value)):
                out.append((where, *INVALID_NAME))
            else:
                out += _length(where, value, 1, 32)
    return out


def _length(path: tuple[str, ...], value: Any, low: int, high: int) -> list[Problem]:
    if isinstance(value, str) and low <= len(value) <= high:
        return []
    return [(path, f"Must be between {low} and {high} in length.", "BASE_TYPE_BAD_LENGTH")]


def _unknown(path: tuple[str, ...], item: dict[str, Any], known: set[str]) -> list[Problem]:
    return [
        ((*path, key), "The fake does not know this field.", "FAKE_UNKNOWN_FIELD")
        for key in sorted(set(item) - known)
    ]


def _option_problems(option: Any, path: tuple[str, ...]) -> list[Problem]:
    if not isinstance(option, dict):
        return [(path, "Must be an object.", "DICT_TYPE_CONVERT")]
    out = _unknown(path, option, OPTION_FIELDS)
    if not _slash_name_ok(str(option.get("name", ""))):
        out.append(((*path, "name"), *INVALID_NAME))
    out += _localizations(path, option, slash_names=True)
    out += _length((*path, "description"), option.get("description"), 1, 100)
    if option.get("type") not in range(1, 12):
        out.append(((*path, "type"), "Value must be one of (1, ..., 11).", "BASE_TYPE_CHOICES"))
    choices = option.get("choices") or []
    if len(choices) > MAX_CHOICES:
        out.append(((*path, "choices"), f"Must be {MAX_CHOICES} or fewer in length."))
    for i, choice in enumerate(choices):
        out += _length((*path, "choices", str(i), "name"), choice.get("name"), 1, 100)
        for locale, text in (choice.get("name_localizations") or {}).items():
            where = (*path, "choices", str(i), "name_localizations", locale)
            if locale not in LOCALES:
                out.append((where, "Not a Discord locale.", "LOCALE_INVALID"))
            out += _length(where, text, 1, 100)
    if choices and option.get("autocomplete"):
        out.append(((*path, "autocomplete"), "Autocomplete cannot be set with choices."))
    out += _options_problems(option.get("options") or [], path)
    return out


def _options_problems(options: list[Any], path: tuple[str, ...]) -> list[Problem]:
    """A command's (or subcommand's) option list: at most 25, required ones first."""
    out: list[Problem] = []
    if len(options) > MAX_OPTIONS:
        out.append(((*path, "options"), f"Must be {MAX_OPTIONS} or fewer in length."))
    optional_seen = False
    for i, option in enumerate(options):
        out += _option_problems(option, (*path, "options", str(i)))
        required = isinstance(option, dict) and option.get("required", False)
        if required and optional_seen:
            message = "Required options must be placed before non-required options"
            out.append(((*path, "options", str(i), "required"), message))
        optional_seen = optional_seen or not required
    return out


def _command_problems(command: Any, index: int) -> list[Problem]:
    path = (str(index),)
    if not isinstance(command, dict):
        return [(path, "Must be an object.", "DICT_TYPE_CONVERT")]
    out = _unknown(path, command, COMMAND_FIELDS)
    kind = command.get("type", CHAT_INPUT)
    if kind not in MAX_COMMANDS:
        return [*out, ((*path, "type"), "Value must be one of (1, 2, 3).", "BASE_TYPE_CHOICES")]
    name = command.get("name")
    out += _localizations(path, command, slash_names=kind == CHAT_INPUT)
    if kind == CHAT_INPUT:
        if not isinstance(name, str) or not _slash_name_ok(name):
            out.append(((*path, "name"), *INVALID_NAME))
        out += _length((*path, "description"), command.get("description"), 1, 100)
    else:  # context menus: any case, spaces allowed; no description, no options
        out += _length((*path, "name"), name, 1, 32)
        if isinstance(name, str) and not name.strip():
            out.append(((*path, "name"), *INVALID_NAME))
        if command.get("description"):
            out.append(((*path, "description"), "Context menu commands cannot have description"))
        if command.get("options"):
            out.append(((*path, "options"), "Context menu commands cannot have options"))
    if kind == CHAT_INPUT:
        out += _options_problems(command.get("options") or [], path)
    for key, allowed in (("contexts", {0, 1, 2}), ("integration_types", {0, 1})):
        value = command.get(key)
        if value is not None and (not isinstance(value, list) or not set(value) <= allowed):
            out.append(((*path, key), f"Values must be among {sorted(allowed)}."))
    return out


def registration_error(commands: Any) -> dict[str, Any] | None:
    """Discord's 400 body for a bulk-overwrite body it would refuse, else None."""
    if not isinstance(commands, list):
        error = {"code": "LIST_TYPE_CONVERT", "message": "Must be an array."}
        return {"message": "Invalid Form Body", "code": 50035, "errors": {"_errors": [error]}}
    problems = registration_problems(commands)
    if problems:
        return error_body(problems)
    for kind, limit in MAX_COMMANDS.items():
        if sum(1 for c in commands if c.get("type", CHAT_INPUT) == kind) > limit:
            return {
                "message": f"Maximum number of application commands reached ({limit})",
                "code": 30032,
            }
    return None


def registration_problems(commands: list[Any]) -> list[Problem]:
    """Every field rule a bulk-overwrite body breaks (empty when Discord would accept it)."""
    out: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        problems = _command_problems(command, index)
        out += problems
        if problems:
            continue
        key = (command.get("type", CHAT_INPUT), command["name"])
        if key in seen:
            out.append(((str(index),), *DUPLICATE))
        seen.add(key)
    return out


def stored_command(command: dict[str, Any], app: str, guild_id: str | None) -> dict[str, Any]:
    """The application command object Discord returns for one registered command."""
    item = {
        "id": str(snowflake()),
        "application_id": app,
        "version": str(snowflake()),
        "type": CHAT_INPUT,
        "description": "",  # context menus: "" when fetched, as documented
        "default_member_permissions": None,
        "nsfw": False,
    } | command
    if item["type"] == CHAT_INPUT:
        item.setdefault("options", [])
    if item["default_member_permissions"] is not None:
        item["default_member_permissions"] = str(item["default_member_permissions"])
    if guild_id:
        item["guild_id"] = guild_id
    else:
        item.setdefault("contexts", None)
        item.setdefault("integration_types", [0])
    return item
