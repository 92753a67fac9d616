"""NoneBot 1 (nonebot 1.9, on aiocqhttp) reverse WebSocket peer.

Listens on 127.0.0.1:<port> (argv[1] or $PEER_PORT) and serves /ws/ like
aiocqhttp. The config starts from `nonebot.default_config` (every default
kept) and overrides only host, port, token and the command start.

Commands (nonebot1_plugins/admin.py; any group member may type them, no @ needed):
  /admin_only  permission GROUP_ADMIN: NoneBot 1 asks get_group_member_info
               for the sender's role; an admin gets "admin ok", anyone else
               nothing (NoneBot 1 ignores a command the sender may not run).
  /ping        anyone: "pong".
JSON lines on stdout for the harness (peer_report.py).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("INTEROP_PEER_NAME", "nonebot1")

from peer_report import access_token, api_timeout, parse_port, report  # noqa: E402

import logging  # noqa: E402

import nonebot  # noqa: E402
from nonebot import default_config  # noqa: E402

logging.basicConfig(stream=sys.stderr, level=logging.INFO)

PORT = parse_port()
TOKEN = access_token()


class Config:
    """nonebot.default_config, then our few overrides."""


for _key in dir(default_config):
    if _key.isupper():
        setattr(Config, _key, getattr(default_config, _key))
Config.HOST = "127.0.0.1"
Config.PORT = PORT
Config.DEBUG = False
Config.ACCESS_TOKEN = TOKEN or ""
Config.COMMAND_START = {"/"}
# Handed to aiocqhttp's CQHttp (NoneBot 1 passes every config key lowercased).
Config.API_TIMEOUT_SEC = api_timeout()

nonebot.init(Config)
bot = nonebot.get_bot()


if nonebot.load_plugin("nonebot1_plugins.admin") is None:
    report("fatal", error="plugin nonebot1_plugins.admin failed to load")
    sys.exit(3)


@nonebot.on_websocket_connect
async def _connected(event) -> None:
    report("bot_connect", self_id=event.self_id)


@bot.on_message
async def _message(event) -> None:
    report(
        "message",
        type=event.get("message_type"),
        text=str(event.get("raw_message")),
        user_id=event.get("user_id"),
        group_id=event.get("group_id"),
        message_id=event.get("message_id"),
    )


@bot.on_startup
async def _ready() -> None:
    report("ready", port=PORT, path="/ws/", token=bool(TOKEN))


async def _serve() -> None:
    # Hypercorn directly (as the aiocqhttp peer does) for a short, bounded shutdown.
    import asyncio
    import signal

    from hypercorn.asyncio import serve
    from hypercorn.config import Config as HypercornConfig

    config = HypercornConfig()
    config.bind = [f"127.0.0.1:{PORT}"]
    config.graceful_timeout = float(os.environ.get("PEER_GRACEFUL_TIMEOUT", "1"))
    config.accesslog = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(bot.asgi, config, shutdown_trigger=stop.wait)
    report("shutdown")


if __name__ == "__main__":
    import asyncio

    asyncio.run(_serve())
