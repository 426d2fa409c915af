"""A fake Spotify Web API on 127.0.0.1 for tests: token endpoint, search and single tracks.

It speaks the parts of the real API that ``bot.spotify`` uses (client-credentials token,
``GET /v1/search`` with ``limit`` at most 10, ``GET /v1/tracks/{id}``) and records every
request, so tests can count API calls. Behaviours a test can switch on: failures queued
per path (429 with ``Retry-After``, 500, ...), slow responses, and credentials that the
token endpoint rejects with ``invalid_client`` like the real one.

It runs in its own threads (``ThreadingHTTPServer``), so it answers while the test's event
loop is busy or blocked.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from index.names import fold

_FIELD_FILTERS = ("track:", "artist:", "album:")


@dataclass(frozen=True)
class FakeTrack:
    """One song in the fake catalogue."""

    id: str
    name: str
    artists: tuple[str, ...]
    album: str = "An Album"
    image_url: str | None = None

    def to_json(self) -> dict:
        images = []
        if self.image_url:
            # Spotify lists album art largest first: 640, 300 and 64 pixels.
            images = [
                {"url": f"{self.image_url}?size={s}", "height": s, "width": s}
                for s in (640, 300, 64)
            ]
        return {
            "id": self.id,
            "name": self.name,
            "type": "track",
            "uri": f"spotify:track:{self.id}",
            "external_urls": {"spotify": f"https://open.spotify.com/track/{self.id}"},
            "artists": [{"name": a, "type": "artist"} for a in self.artists],
            "album": {"name": self.album, "images": images},
        }


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str
    path: str
    params: dict[str, str]


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    body: dict


@dataclass
class FakeSpotify:
    """The fake API server; use as a context manager or call ``start``/``stop``."""

    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret"
    catalogue: list[FakeTrack] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._tokens: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._active = 0
        # Most requests received and not yet answered at once (a concurrency limit check).
        self.max_active = 0

    # --- set-up -----------------------------------------------------------------------------

    def add(self, id: str, name: str, *artists: str, image_url: str | None = None) -> FakeTrack:
        track = FakeTrack(id=id, name=name, artists=tuple(artists), image_url=image_url)
        self.catalogue.append(track)
        return track

    def fail_next(
        self, path_prefix: str, status: int, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Answer the next ``times`` requests whose path starts with ``path_prefix`` with ``status``."""
        body = {"error": {"status": status, "message": f"fake failure {status}"}}
        with self._lock:
            q = self._failures.setdefault(path_prefix, deque())
            for _ in range(times):
                q.append(_Failure(status, retry_after, body))

    def set_delay(self, path_prefix: str, seconds: float) -> None:
        """Answer requests under ``path_prefix`` only after ``seconds`` (0 removes the delay)."""
        with self._lock:
            self._delays[path_prefix] = seconds

    def count(self, path_prefix: str = "/v1/") -> int:
        """How many requests reached paths starting with ``path_prefix`` (default: API calls)."""
        with self._lock:
            return sum(1 for c in self.calls if c.path.startswith(path_prefix))

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # --- addresses --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "FakeSpotify is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_prefix(self) -> str:
        return f"{self.base_url}/v1/"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/api/token"

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> FakeSpotify:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSpotify:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- request handling (called from server threads) ----------------------------------------

    def _record(
        self, method: str, path: str, params: dict[str, str]
    ) -> tuple[float, _Failure | None]:
        with self._lock:
            self.calls.append(Call(method, path, params))
            delay = max((s for p, s in self._delays.items() if path.startswith(p)), default=0.0)
            failure = None
            for prefix, q in self._failures.items():
                if path.startswith(prefix) and q:
                    failure = q.popleft()
                    break
            return delay, failure

    def _enter(self) -> None:
        with self._lock:
            self._active += 1
            self.max_active = max(self.max_active, self._active)

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1

    def _issue_token(self, authorization: str) -> tuple[int, dict]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 400, {"error": "invalid_client", "error_description": "Invalid client secret"}
        with self._lock:
            token = f"fake-token-{len(self._tokens) + 1}"
            self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def _authorised(self, authorization: str) -> bool:
        with self._lock:
            return authorization.removeprefix("Bearer ") in self._tokens

    def _search(self, params: dict[str, str]) -> tuple[int, dict]:
        try:
            limit = int(params.get("limit", "20"))
        except ValueError:
            limit = -1
        if not 0 < limit <= 10:
            # Development-mode apps today: more than 10 is refused.
            return 400, {"error": {"status": 400, "message": "Invalid limit"}}
        query = params.get("q", "")
        for f in _FIELD_FILTERS:
            query = query.replace(f, " ")
        words = set(fold(query).split())
        scored = []
        for i, t in enumerate(self.catalogue):
            have = set(fold(" ".join((t.name, *t.artists))).split())
            overlap = len(words & have)
            if overlap:
                scored.append((-overlap, i, t))
        scored.sort()
        items = [t.to_json() for _, _, t in scored[:limit]]
        return 200, {"tracks": {"items": items, "limit": limit, "total": len(scored)}}

    def _track(self, track_id: str) -> tuple[int, dict]:
        for t in self.catalogue:
            if t.id == track_id:
                return 200, t.to_json()
        return 404, {"error": {"status": 404, "message": "Resource not found"}}


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSpotify
    _open = False  # this request is counted in ``FakeSpotify._active``

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test output quiet

    def _send(self, status: int, body: dict, retry_after: float | None = None) -> None:
        data = json.dumps(body).encode()
        # Answered before the first byte leaves: the client can send its next request as
        # soon as it reads this answer, possibly before this thread runs again, so a request
        # still counted after that would make the client look busier than it is.
        self._answered()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", str(int(retry_after)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            params.update({k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()})
        delay, failure = fake._record(method, url.path, params)
        if delay:
            time.sleep(delay)
        if failure is not None:
            self._send(failure.status, failure.body, failure.retry_after)
            return
        auth = self.headers.get("Authorization", "")
        if method == "POST" and url.path == "/api/token":
            self._send(*fake._issue_token(auth))
            return
        if method != "GET" or not url.path.startswith("/v1/"):
            self._send(404, {"error": {"status": 404, "message": "Service not found"}})
            return
        if not fake._authorised(auth):
            self._send(401, {"error": {"status": 401, "message": "Invalid access token"}})
            return
        if url.path == "/v1/search":
            self._send(*fake._search(params))
        elif url.path.startswith("/v1/tracks/"):
            self._send(*fake._track(url.path.removeprefix("/v1/tracks/")))
        else:
            self._send(404, {"error": {"status": 404, "message": "Service not found"}})

    def _counted(self, method: str) -> None:
        self._open = True
        self.server_fake._enter()
        try:
            self._handle(method)
        finally:
            self._answered()  # a request that raised before its answer

    def _answered(self) -> None:
        """This request stops counting as active (once, however it ends)."""
        if self._open:
            self._open = False
            self.server_fake._leave()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._counted("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._counted("POST")
