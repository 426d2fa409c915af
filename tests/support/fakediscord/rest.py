"""The fake REST API: the routes discord.py calls, answered the way Discord answers them.

Every request is recorded (after it is answered, with its status) in ``fake.requests``.
Status codes, error codes and headers follow Discord's: 401 without the bot token, 404
with code 10003/10008/10062 for unknown channels/messages/interactions, 400 code 40060 for an
interaction answered twice, 400 code 50035 for a body over Discord's limits, 403 code
50001/50013 for a post the bot's channel permissions do not allow, and 429 (with
``Via``, ``Retry-After`` and the X-RateLimit headers discord.py reads) when a test asks for it.
A test can also hold the answer to a request (:meth:`RestApi.hold`) to act while the client
waits for it.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import app_commands, validate
from .holds import Hold, Holds
from .journal import RecordedRequest, path_matches
from .payloads import EPHEMERAL, LOADING, apply_body, dm_channel_payload

if TYPE_CHECKING:
    from .interactions import FakeInteraction
    from .server import FakeDiscord

Answer = tuple[int, Any]
Handler = Callable[..., Awaitable[Answer]]

API_PREFIX = re.compile(r"^/api/v\d+")


@dataclass
class RateLimitRule:
    """Answer the next ``remaining`` requests matching method/path with 429."""

    method: str
    path: str
    remaining: int
    retry_after: float
    is_global: bool
    scope: str


def _error(status: int, code: int, message: str) -> Answer:
    return status, {"message": message, "code": code}


class RestApi:
    """Routes REST calls to handlers; owned by one FakeDiscord."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.rate_limits: list[RateLimitRule] = []
        self.holds: Holds[RecordedRequest] = Holds()
        a = r"(?P<app>\d+)"
        tok = r"(?P<token>[^/]+)"
        msg = r"(?P<message_id>\d+|@original)"
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            (m, re.compile(f"^{p}$"), h)
            for m, p, h in [
                ("GET", r"/gateway", self.get_gateway),
                ("GET", r"/gateway/bot", self.get_gateway_bot),
                ("GET", r"/users/@me", self.get_me),
                ("GET", r"/users/(?P<user_id>\d+)", self.get_user),
                ("GET", r"/oauth2/applications/@me", self.get_application),
                ("GET", r"/applications/@me", self.get_application),
                ("POST", r"/users/@me/channels", self.create_dm),
                ("GET", r"/channels/(?P<channel_id>\d+)", self.get_channel),
                ("POST", r"/channels/(?P<channel_id>\d+)/messages", self.create_message),
                (
                    "GET",
                    r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)",
                    self.get_message,
                ),
                (
                    "PATCH",
                    r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)",
                    self.edit_message,
                ),
                (
                    "DELETE",
                    r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)",
                    self.delete_message,
                ),
                ("POST", r"/channels/(?P<channel_id>\d+)/typing", self.typing),
                ("PUT", r"/channels/\d+/messages/\d+/reactions/[^/]+/@me", self.no_content),
                ("DELETE", r"/channels/\d+/messages/\d+/reactions/[^/]+/[^/]+", self.no_content),
                ("GET", r"/guilds/(?P<guild_id>\d+)/members/(?P<user_id>\d+)", self.get_member),
                ("POST", rf"/interactions/(?P<interaction_id>\d+)/{tok}/callback", self.callback),
                ("POST", rf"/webhooks/{a}/{tok}", self.followup),
                ("GET", rf"/webhooks/{a}/{tok}/messages/{msg}", self.get_webhook_message),
                ("PATCH", rf"/webhooks/{a}/{tok}/messages/{msg}", self.edit_webhook_message),
                ("DELETE", rf"/webhooks/{a}/{tok}/messages/{msg}", self.delete_webhook_message),
                ("GET", rf"/applications/{a}/commands", self.get_commands),
                ("PUT", rf"/applications/{a}/commands", self.put_commands),
                ("GET", rf"/applications/{a}/guilds/(?P<guild_id>\d+)/commands", self.get_commands),
                ("PUT", rf"/applications/{a}/guilds/(?P<guild_id>\d+)/commands", self.put_commands),
            ]
        ]

    # --- plumbing -------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        path = API_PREFIX.sub("", request.path)
        body: Any = None
        files: list[str] = []
        file_data: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    name = part.filename or part.name or ""
                    files.append(name)
                    file_data[name] = bytes(await part.read())
        elif request.can_read_body:
            raw = await request.text()
            body = json.loads(raw) if raw else None
        req = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers={k: v for k, v in request.headers.items() if k.lower() == "authorization"},
            files=files,
            file_data=file_data,
        )
        hold = self.holds.take(req)
        if hold is not None:
            await hold.hold_here()
        status, data, extra = await self._answer(req)
        req.status, req.response = status, data
        self.fake.requests.append(req)
        if status == 204 or data is None:
            return web.Response(status=204, headers=extra)
        # Exactly "application/json": discord.py treats "...; charset=utf-8" as text.
        headers = {"Content-Type": "application/json", **extra}
        return web.Response(status=status, body=json.dumps(data).encode(), headers=headers)

    def hold(self, method: str, path: str) -> Hold:
        """Hold the answer to the next request matching method/path (``*`` wildcards)."""
        return self.holds.add(lambda r: r.matches(method, path), f"{method.upper()} {path}")

    async def _answer(self, req: RecordedRequest) -> tuple[int, Any, dict[str, str]]:
        rule = self._rate_limit_for(req)
        if rule is not None:
            return (*self._too_many(rule), self._ratelimit_headers(req, remaining=0, rule=rule))
        for method, pattern, handler in self.routes:
            m = pattern.match(req.path)
            if m and method == req.method:
                public = req.path.startswith(("/webhooks/", "/interactions/"))
                if not public and req.headers.get("Authorization") != f"Bot {self.fake.token}":
                    status, data = _error(401, 0, "401: Unauthorized")
                else:
                    status, data = await handler(req, **m.groupdict())
                return status, data, self._ratelimit_headers(req, remaining=49)
        self.fake.unhandled.append(req)
        status, data = _error(404, 0, "404: Not Found")
        return status, data, {}

    def _rate_limit_for(self, req: RecordedRequest) -> RateLimitRule | None:
        for rule in self.rate_limits:
            if (
                rule.remaining > 0
                and rule.method == req.method
                and path_matches(rule.path, req.path)
            ):
                rule.remaining -= 1
                return rule
        return None

    def _too_many(self, rule: RateLimitRule) -> Answer:
        return 429, {
            "message": "You are being rate limited.",
            "retry_after": rule.retry_after,
            "global": rule.is_global,
            "code": 0,
        }

    def _ratelimit_headers(
        self, req: RecordedRequest, *, remaining: int, rule: RateLimitRule | None = None
    ) -> dict[str, str]:
        """Generous bucket headers: discord.py's header parsing runs, but never throttles."""
        reset_after = rule.retry_after if rule else 1.0
        bucket = re.sub(r"\d+", "N", req.path)
        headers = {
            "Via": "1.1 google",
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": f"fake-{req.method}-{bucket}",
        }
        if rule is not None:
            headers["Retry-After"] = str(math.ceil(rule.retry_after))
            headers["X-RateLimit-Scope"] = "global" if rule.is_global else rule.scope
            if rule.is_global:
                headers["X-RateLimit-Global"] = "true"
        return headers

    # --- identity ---------------------------------------------------------------------------

    async def get_gateway(self, req: RecordedRequest) -> Answer:
        return 200, {"url": self.fake.gateway_url}

    async def get_gateway_bot(self, req: RecordedRequest) -> Answer:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return 200, {"url": self.fake.gateway_url, "shards": 1, "session_start_limit": limit}

    async def get_me(self, req: RecordedRequest) -> Answer:
        return 200, self.fake.bot_user.payload() | {"verified": True, "mfa_enabled": False}

    async def get_user(self, req: RecordedRequest, user_id: str) -> Answer:
        user = self.fake.users.get(int(user_id))
        return (200, user.payload()) if user else _error(404, 10013, "Unknown User")

    async def get_member(self, req: RecordedRequest, guild_id: str, user_id: str) -> Answer:
        user = self.fake.users.get(int(user_id))
        if user is None or int(guild_id) != self.fake.guild_id:
            return _error(404, 10007, "Unknown Member")
        from .payloads import member_payload

        return 200, member_payload(user)

    async def get_application(self, req: RecordedRequest) -> Answer:
        fake = self.fake
        return 200, {
            "id": str(fake.application_id),
            "name": fake.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": fake.owner.payload(),
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
            "bot": fake.bot_user.payload(),
        }

    # --- channels and messages ---------------------------------------------------------------

    async def create_dm(self, req: RecordedRequest) -> Answer:
        user = self.fake.users.get(int((req.json or {}).get("recipient_id", 0)))
        if user is None:
            return _error(400, 50033, "Invalid Recipient(s)")
        self.fake.channels[user.dm_channel_id] = dm_channel_payload(user)
        return 200, dm_channel_payload(user)

    async def get_channel(self, req: RecordedRequest, channel_id: str) -> Answer:
        channel = self.fake.channels.get(int(channel_id))
        return (200, channel) if channel else _error(404, 10003, "Unknown Channel")

    async def create_message(self, req: RecordedRequest, channel_id: str) -> Answer:
        channel = self.fake.channels.get(int(channel_id))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        body = req.json or {}
        problems = validate.message_problems(body | {"attachments": req.files or None})
        if problems:
            return 400, validate.error_body(problems)
        refused, body = self.fake.post_refusal(channel, body)
        if refused is not None:
            return _error(403, *refused)
        extra: dict[str, Any] = {}
        if body.get("message_reference"):
            extra["message_reference"] = body["message_reference"] | {"channel_id": channel_id}
            extra["type"] = 19  # reply
        message = self.fake.new_bot_message(int(channel_id), body, extra=extra)
        await self.fake.echo_message(message)
        return 200, message

    async def typing(self, req: RecordedRequest, channel_id: str) -> Answer:
        channel = self.fake.channels.get(int(channel_id))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        refused, _body = self.fake.post_refusal(channel, {})
        return _error(403, *refused) if refused else (204, None)

    async def get_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Answer:
        message = self.fake.messages.get(int(message_id))
        # Ephemeral messages exist only for their interaction's webhook, not the channel API.
        if message is None or message["channel_id"] != channel_id or message["flags"] & EPHEMERAL:
            return _error(404, 10008, "Unknown Message")
        return 200, message

    async def edit_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Answer:
        status, message = await self.get_message(req, channel_id, message_id)
        if status != 200:
            return status, message
        if message["author"]["id"] != str(self.fake.bot_user.id):
            return _error(403, 50005, "Cannot edit a message authored by another user")
        return self._edit(message, req.json or {})

    async def delete_message(
        self, req: RecordedRequest, channel_id: str, message_id: str
    ) -> Answer:
        status, message = await self.get_message(req, channel_id, message_id)
        if status != 200:
            return status, message
        self.fake.messages.pop(int(message_id), None)
        return 204, None

    async def no_content(self, req: RecordedRequest, **_: str) -> Answer:
        return 204, None

    def _edit(self, message: dict[str, Any], body: dict[str, Any]) -> Answer:
        problems = validate.message_problems(body, edit=True)
        if problems:
            return 400, validate.error_body(problems)
        apply_body(message, body)
        message["flags"] = message.get("flags", 0) & ~LOADING
        message["edited_timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        return 200, message

    # --- interactions -----------------------------------------------------------------------

    def _live_interaction(self, interaction_id: str | None, token: str) -> FakeInteraction | None:
        """The interaction a callback (by id) or webhook call (token valid 15 min) is about."""
        inter = self.fake.interactions_by_token.get(token)
        if inter is None or (interaction_id is not None and str(inter.id) != interaction_id):
            return None
        if interaction_id is None and inter.age() > self.fake.token_lifetime:
            return None
        return inter

    async def callback(self, req: RecordedRequest, interaction_id: str, token: str) -> Answer:
        status, data = await self._callback(req, interaction_id, token)
        inter = self._live_interaction(interaction_id, token)
        if inter is not None and status >= 400:
            inter.refusals.append((status, data))
            inter.answered.set()  # wake wait_answer, which reports the refusal
        return status, data

    async def _callback(self, req: RecordedRequest, interaction_id: str, token: str) -> Answer:
        inter = self._live_interaction(interaction_id, token)
        if inter is None or inter.age() > self.fake.interaction_deadline:
            return _error(404, 10062, "Unknown interaction")
        if inter.callback is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = req.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}[inter.type]
        if kind not in allowed:
            return 400, validate.error_body(
                [(("type",), f"Value must be one of {sorted(allowed)}.")]
            )
        problems: list[validate.Problem] = []
        if kind in (4, 7):
            problems = validate.message_problems(data, edit=kind == 7)
        elif kind == 8:
            problems = validate.choice_problems(body)
        if problems:
            return 400, validate.error_body(problems)

        message: dict[str, Any] | None = None
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) & EPHEMERAL
            if kind == 5:
                message = self.fake.new_bot_message(inter.channel_id, {}, interaction=inter)
                message["flags"] = flags | LOADING
            else:
                message = self.fake.new_bot_message(inter.channel_id, data, interaction=inter)
                message["flags"] = flags | (int(data.get("flags") or 0) & ~LOADING)
            inter.original_id = int(message["id"])
        elif kind in (6, 7) and inter.message_id is not None:
            inter.original_id = inter.message_id
            message = self.fake.messages.get(inter.message_id)
            if kind == 7 and message is not None:
                self._edit(message, data)
        inter.callback = body
        inter.answered.set()

        if req.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        info: dict[str, Any] = {
            "id": str(inter.id),
            "type": inter.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message.get("flags", 0) & EPHEMERAL),
        }
        if message is not None and kind in (4, 5, 7):
            info["response_message_id"] = message["id"]
            return 200, {"interaction": info, "resource": {"type": kind, "message": message}}
        return 200, {"interaction": info}

    async def followup(self, req: RecordedRequest, app: str, token: str) -> Answer:
        inter = self._live_interaction(None, token)
        if inter is None or app != str(self.fake.application_id) or inter.callback is None:
            return _error(404, 10015, "Unknown Webhook")
        body = req.json or {}
        original = self.fake.messages.get(inter.original_id or 0)
        if original is not None and original.get("flags", 0) & LOADING:
            # Discord turns the first follow-up after a "thinking" defer into that message.
            status, message = self._edit(original, body)
            if status != 200:
                return status, message
        else:
            problems = validate.message_problems(body | {"attachments": req.files or None})
            if problems:
                return 400, validate.error_body(problems)
            message = self.fake.new_bot_message(inter.channel_id, body, interaction=inter)
            message["flags"] = int(body.get("flags") or 0)
            message["webhook_id"] = app
        inter.followup_ids.append(int(message["id"]))
        wait = req.query.get("wait", "0").lower() in ("1", "true")
        return (200, message) if wait else (204, None)

    def _webhook_message(
        self, app: str, token: str, message_id: str
    ) -> tuple[FakeInteraction | None, dict[str, Any] | None]:
        inter = self._live_interaction(None, token)
        if inter is None or app != str(self.fake.application_id):
            return None, None
        mid = inter.original_id if message_id == "@original" else int(message_id)
        if mid is None or (mid != inter.original_id and mid not in inter.followup_ids):
            return inter, None
        return inter, self.fake.messages.get(mid)

    async def get_webhook_message(
        self, req: RecordedRequest, app: str, token: str, message_id: str
    ) -> Answer:
        inter, message = self._webhook_message(app, token, message_id)
        if inter is None:
            return _error(404, 10015, "Unknown Webhook")
        return (200, message) if message else _error(404, 10008, "Unknown Message")

    async def edit_webhook_message(
        self, req: RecordedRequest, app: str, token: str, message_id: str
    ) -> Answer:
        inter, message = self._webhook_message(app, token, message_id)
        if inter is None:
            return _error(404, 10015, "Unknown Webhook")
        if message is None:
            return _error(404, 10008, "Unknown Message")
        return self._edit(message, req.json or {})

    async def delete_webhook_message(
        self, req: RecordedRequest, app: str, token: str, message_id: str
    ) -> Answer:
        inter, message = self._webhook_message(app, token, message_id)
        if inter is None or message is None:
            return _error(404, 10008, "Unknown Message")
        self.fake.messages.pop(int(message["id"]), None)
        return 204, None

    # --- application commands -----------------------------------------------------------------

    async def get_commands(
        self, req: RecordedRequest, app: str, guild_id: str | None = None
    ) -> Answer:
        key = int(guild_id) if guild_id else None
        return 200, self.fake.commands.get(key, [])

    async def put_commands(
        self, req: RecordedRequest, app: str, guild_id: str | None = None
    ) -> Answer:
        if app != str(self.fake.application_id):
            return _error(403, 50001, "Missing Access")
        if guild_id and int(guild_id) != self.fake.guild_id:
            return _error(403, 50001, "Missing Access")
        error = app_commands.registration_error(req.json)
        if error is not None:
            return 400, error
        stored = [app_commands.stored_command(c, app, guild_id) for c in req.json]
        self.fake.commands[int(guild_id) if guild_id else None] = stored
        return 200, stored
