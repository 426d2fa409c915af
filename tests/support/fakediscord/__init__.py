"""A fake Discord (REST + Gateway on 127.0.0.1) that the real discord.py client runs against."""

from .client import running, start_client, stop_client
from .interactions import FakeInteraction, find_component
from .journal import GatewayFrame, RecordedRequest
from .payloads import EPHEMERAL, LOADING, FakeUser, snowflake
from .server import FakeDiscord

__all__ = [
    "EPHEMERAL",
    "LOADING",
    "FakeDiscord",
    "FakeInteraction",
    "FakeUser",
    "GatewayFrame",
    "RecordedRequest",
    "find_component",
    "running",
    "snowflake",
    "start_client",
    "stop_client",
]
