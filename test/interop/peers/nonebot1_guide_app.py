"""NoneBot 1 (``nonebot`` 1.x, built on aiocqhttp) reverse WebSocket peer.

Listens on 127.0.0.1:<port> (argv[1] or $PEER_PORT) at /ws/. $ONEBOT_ACCESS_TOKEN,
when set, is its ACCESS_TOKEN. The config starts from ``nonebot.default_config``,
as docs/interop.md says it must; with $PEER_BARE_CONFIG=1 it is a plain object
without those defaults instead, and the peer reports how ``nonebot.init`` fails.

An ``echo`` command (command start ``''`` or ``/``) reports the message and
replies with ``echo: <text>`` through ``session.send`` (send_msg).
"""

import os
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("INTEROP_PEER_NAME", "nonebot1")

from peer_report import access_token, parse_port, report  # noqa: E402

import logging  # noqa: E402

import nonebot  # noqa: E402
from nonebot import CommandSession, on_command  # noqa: E402

logging.basicConfig(stream=sys.stderr, level=logging.INFO)

PORT = parse_port()
TOKEN = access_token()


def make_config():
    if os.environ.get("PEER_BARE_CONFIG") == "1":
        # What docs/interop.md warns against: settings without NoneBot's defaults.
        class BareConfig:
            HOST = "127.0.0.1"
            PORT = PORT
            ACCESS_TOKEN = TOKEN or ""

        return BareConfig
    config = types.ModuleType("config")
    exec("from nonebot.default_config import *", config.__dict__)  # the guide's first line
    config.HOST = "127.0.0.1"
    config.PORT = PORT
    config.ACCESS_TOKEN = TOKEN or ""
    config.COMMAND_START = {"", "/"}
    config.DEBUG = False
    return config


@on_command("echo")
async def echo(session: CommandSession) -> None:
    text = session.current_arg_text.strip()
    event = session.event
    report(
        "message",
        type=event.get("message_type"),
        text=text,
        user_id=event.get("user_id"),
        group_id=event.get("group_id"),
        self_id=event.get("self_id"),
    )
    await session.send(f"echo: {text}")
    report("send_result", type=event.get("message_type"))


if __name__ == "__main__":
    try:
        nonebot.init(make_config())
    except Exception as e:  # the bare config: report the failure the guide describes
        report("init_failed", error=type(e).__name__, info=str(e))
        sys.exit(3)

    @nonebot.on_startup
    async def _ready() -> None:
        report("ready", port=PORT, path="/ws/", token=bool(TOKEN))

    @nonebot.on_websocket_connect
    async def _connected(event) -> None:
        report("bot_connect", self_id=event.self_id)

    nonebot.run(host="127.0.0.1", port=PORT, use_reloader=False)
