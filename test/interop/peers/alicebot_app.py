"""AliceBot (``alicebot`` with ``alicebot-adapter-cqhttp``) reverse WebSocket peer.

Listens on 127.0.0.1:<port> (argv[1] or $PEER_PORT) at /cqhttp/ws (the adapter's
default path). $ONEBOT_ACCESS_TOKEN, when set, becomes the adapter's
``access_token`` (docs/interop.md: in 0.11.0 that makes it close every
connection). The plugin in alicebot_plugins/ reports each message and replies.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("INTEROP_PEER_NAME", "alicebot")

from peer_report import access_token, parse_port, report  # noqa: E402

from alicebot import Bot  # noqa: E402

PORT = parse_port()
TOKEN = access_token()

cqhttp = {"adapter_type": "reverse-ws", "host": "127.0.0.1", "port": PORT, "url": "/cqhttp/ws"}
if TOKEN:
    cqhttp["access_token"] = TOKEN

bot = Bot(
    config_file=None,
    config_dict={
        "bot": {"plugin_dirs": [str(HERE / "alicebot_plugins")], "adapters": ["alicebot.adapter.cqhttp"]},
        "adapter": {"cqhttp": cqhttp},
    },
)


@bot.bot_run_hook
async def _ready(_bot: Bot) -> None:
    report("ready", port=PORT, path="/cqhttp/ws", token=bool(TOKEN))


if __name__ == "__main__":
    bot.run()
