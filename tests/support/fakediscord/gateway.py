"""The fake Gateway: HELLO, IDENTIFY/READY, RESUME/RESUMED, heartbeats and dispatches.

One session per IDENTIFY. Dispatches are numbered per session and kept, so after a dropped
connection the client's RESUME gets every event it missed (as real Discord replays them)
and later events continue the same sequence. As on Discord, a client that closes with 1000
or 1001 ends its session, and a RESUME of a session that ended or expired
(:meth:`Gateway.expire_sessions`) is refused with op 9 Invalid Session, ``d: false``.

A test can hold the HELLO of the next connection, or the answer to the next IDENTIFY
(READY) or RESUME (RESUMED), to act while the client waits for it (:meth:`Gateway.hold`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .holds import Hold, Holds
from .journal import GatewayFrame, Journal
from .payloads import member_payload

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger("fakediscord.gateway")

# Intent bits the fake acts on (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


@dataclass
class Session:
    """A gateway session: what the client identified with and every event sent to it."""

    session_id: str
    intents: int
    shard: list[int] | None = None
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    conn: Any = None  # the connection context the session currently uses
    resumes: int = 0
    closed_with: int | None = None  # the close code of its last connection, once closed

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)


class Gateway:
    """Serves the WebSocket at /gateway (and the resume URL) for one FakeDiscord."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.frames: Journal[GatewayFrame] = Journal()
        self.sessions: dict[str, Session] = {}
        self.session: Session | None = None  # the latest identified session
        self.connections = 0
        self.close_codes: dict[int, int | None] = {}  # connection number → how it ended
        self.heartbeat_interval_ms = 41250
        # Privileged intents enabled "in the developer portal"; asking for others closes 4014.
        # Message Content only by default (FakeDiscord.set_privileged_intents changes it).
        self.allowed_privileged = MESSAGE_CONTENT
        self._send_lock = asyncio.Lock()
        self._holds: Holds[str] = Holds()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- connection -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.connections += 1
        compress = request.query.get("compress") == "zlib-stream"
        ctx = {
            "ws": ws,
            "n": self.connections,
            "session": None,
            "zlib": zlib.compressobj() if compress else None,
        }
        hold = self._holds.take("hello")
        if hold is not None:
            await hold.hold_here()
        await self._send(ctx, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(ctx, json.loads(msg.data))
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.close_codes[ctx["n"]] = ws.close_code
            session: Session | None = ctx["session"]
            if session is not None and session.ws is ws:
                session.ws = None
                session.closed_with = ws.close_code
                if ws.close_code in (1000, 1001):  # the client ended its session
                    self.sessions.pop(session.session_id, None)
        return ws

    async def _send(self, ctx: dict[str, Any], payload: dict[str, Any]) -> None:
        payload.setdefault("s", None)
        payload.setdefault("t", None)
        data = json.dumps(payload)
        ws: web.WebSocketResponse = ctx["ws"]
        if ws.closed:
            return
        try:
            if ctx["zlib"] is not None:
                c = ctx["zlib"]
                await ws.send_bytes(c.compress(data.encode()) + c.flush(zlib.Z_SYNC_FLUSH))
            else:
                await ws.send_str(data)
        except (ConnectionResetError, RuntimeError) as exc:
            log.debug("gateway send failed: %s", exc)

    async def _on_frame(self, ctx: dict[str, Any], frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        self.frames.append(GatewayFrame(op=op, d=d, connection=ctx["n"]))
        if op == 1:
            await self._send(ctx, {"op": 11})
        elif op == 2:
            await self._answer_later_if_held("ready", lambda: self._identify(ctx, d))
        elif op == 6:
            await self._answer_later_if_held("resumed", lambda: self._resume(ctx, d))
        elif op == 8:
            await self._send_members(ctx, d)

    async def _answer_later_if_held(
        self, stage: str, answer: Callable[[], Awaitable[None]]
    ) -> None:
        """Answer now, or, when held, in a task, so heartbeats are still ACKed meanwhile."""
        hold = self._holds.take(stage)
        if hold is None:
            await answer()
            return

        async def later() -> None:
            await hold.hold_here()
            await answer()

        task = asyncio.create_task(later(), name=f"fakediscord-held-{stage}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _identify(self, ctx: dict[str, Any], d: dict[str, Any]) -> None:
        ws: web.WebSocketResponse = ctx["ws"]
        if ws.closed:  # the client gave up while the answer was held
            return
        if d.get("token") != self.fake.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(d.get("intents", 0))
        if intents & PRIVILEGED & ~self.allowed_privileged:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session = Session(session_id=secrets.token_hex(16), intents=intents, shard=d.get("shard"))
        session.ws, session.conn = ws, ctx
        ctx["session"] = session
        self.sessions[session.session_id] = session
        self.session = session
        fake = self.fake
        ready = {
            "v": 10,
            "user": fake.bot_user.payload() | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(fake.guild_id), "unavailable": True}],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": fake.resume_gateway_url,
            "application": {"id": str(fake.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await self.dispatch("READY", ready)
        if session.has(GUILDS):
            await self.dispatch("GUILD_CREATE", fake.guild_payload(session.intents))

    async def _resume(self, ctx: dict[str, Any], d: dict[str, Any]) -> None:
        if ctx["ws"].closed:  # the client gave up while the answer was held
            return
        session = self.sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.fake.token:
            await self._send(ctx, {"op": 9, "d": False})
            return
        old = session.ws
        session.ws, session.conn = ctx["ws"], ctx
        ctx["session"] = session
        session.resumes += 1
        if old is not None and not old.closed:
            await old.close(code=4000)
        last = d.get("seq") or 0
        for payload in session.sent:
            if payload["s"] > last:
                await self._send(ctx, dict(payload))
        await self.dispatch("RESUMED", {}, session=session)

    async def _send_members(self, ctx: dict[str, Any], d: dict[str, Any]) -> None:
        """Op 8: the members asked for (by ids, or by name prefix and limit), in one chunk."""
        fake = self.fake
        users = list(fake.users.values())
        wanted = d.get("user_ids")
        not_found: list[str] = []
        if wanted is not None:
            ids = [int(i) for i in (wanted if isinstance(wanted, list) else [wanted])]
            not_found = [str(i) for i in ids if i not in fake.users]
            users = [u for u in users if u.id in ids]
        else:
            query = (d.get("query") or "").lower()
            users = [u for u in users if u.username.lower().startswith(query)]
            users = users[: d["limit"]] if d.get("limit") else users
        data: dict[str, Any] = {
            "guild_id": str(fake.guild_id),
            "members": [member_payload(u) for u in users],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        session = ctx["session"]
        if d.get("presences") and session is not None and session.has(GUILD_PRESENCES):
            shown = {u.id for u in users}
            data["presences"] = [
                p for p in fake.presence_payloads() if int(p["user"]["id"]) in shown
            ]
        if d.get("nonce"):
            data["nonce"] = d["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", data)

    # --- what tests drive ---------------------------------------------------------------

    async def dispatch(
        self, event: str, data: dict[str, Any], *, session: Session | None = None
    ) -> int:
        """Send an event with the session's next sequence number; kept for RESUME replay."""
        session = session or self.session
        if session is None:
            raise RuntimeError("no client has identified on the fake gateway yet")
        async with self._send_lock:
            session.seq += 1
            payload = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.sent.append(payload)
            if session.ws is not None and session.conn is not None:
                await self._send(session.conn, dict(payload))
        return session.seq

    async def close(self, code: int = 4000) -> None:
        """Close the current connection with a close code, as Discord does on errors."""
        session = self._current()
        ws = session.ws
        session.ws = None
        if ws is not None:
            await ws.close(code=code, message=b"closed by the fake")

    async def drop(self) -> None:
        """Cut the TCP connection without a close frame (a network failure)."""
        session = self._current()
        ws = session.ws
        session.ws = None
        if ws is not None:
            transport = ws._req.transport if ws._req is not None else None  # noqa: SLF001
            if transport is not None:
                transport.abort()
            else:
                await ws.close(code=1006)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client must close and RESUME."""
        session = self._current()
        if session.conn is not None:
            await self._send(session.conn, {"op": 7, "d": None})

    async def invalidate(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION."""
        session = self._current()
        if session.conn is not None:
            await self._send(session.conn, {"op": 9, "d": resumable})

    def expire_sessions(self) -> None:
        """Discord forgets every session: the next RESUME gets op 9 with ``d: false`` and the
        client must IDENTIFY again (a new session; discord.py waits 5 s before it does)."""
        self.sessions.clear()

    def hold(self, stage: str) -> Hold:
        """Hold the fake's next ``"hello"`` (op 10 on a new connection), ``"ready"`` (the
        answer to an IDENTIFY) or ``"resumed"`` (the answer to a RESUME) until released."""
        if stage not in ("hello", "ready", "resumed"):
            raise ValueError(f"unknown gateway stage {stage!r}")
        return self._holds.add(lambda point: point == stage, f"gateway {stage.upper()}")

    def _current(self) -> Session:
        if self.session is None:
            raise RuntimeError("no client has identified on the fake gateway yet")
        return self.session

    async def shutdown(self) -> None:
        self._holds.release_all()
        for task in list(self._tasks):
            task.cancel()
        for session in list(self.sessions.values()):  # a 1001 close ends (drops) it
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
