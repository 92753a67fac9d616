"""NoneBot2 (FastAPI driver) + OneBot v11 adapter.

$PEER_MODE picks how it talks to the implementation (default reverse):
- reverse: it serves /onebot/v11/ws and the implementation dials in;
- forward: it dials $PEER_ONEBOT_URL (ONEBOT_WS_URLS; websockets driver);
- http: it calls the implementation's HTTP API at $PEER_ONEBOT_URL (ONEBOT_API_ROOTS for
  $PEER_SELF_ID; httpx driver) and takes its HTTP POST at /onebot/v11/http, checking
  X-Signature with $PEER_ONEBOT_SECRET when set.

Listens on 127.0.0.1:<port> (argv[1] or $PEER_PORT); the adapter serves
/onebot/v11/ws (also /onebot/v11/ and /onebot/v11/ws/). $ONEBOT_ACCESS_TOKEN,
when set, is checked by the adapter. Reports JSON lines on stdout
(see peer_report.py); NoneBot's own log goes to stderr.
"""

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("INTEROP_PEER_NAME", "nonebot")

from peer_report import access_token, api_timeout, parse_port, report  # noqa: E402

import nonebot  # noqa: E402
from nonebot.adapters.onebot.v11 import Adapter  # noqa: E402
from nonebot.log import default_filter, default_format, logger  # noqa: E402

# Keep stdout for the harness' JSON lines.
logger.remove()
logger.add(
    sys.stderr,
    level=os.environ.get("PEER_LOG_LEVEL", "INFO"),
    diagnose=False,
    filter=default_filter,
    format=default_format,
)

PORT = parse_port()

config = {
    "driver": "~fastapi",
    "host": "127.0.0.1",
    "port": PORT,
    "api_timeout": api_timeout(),
    "log_level": os.environ.get("PEER_LOG_LEVEL", "INFO"),
    # No command prefix games: the echo plugin handles every message.
    "command_start": {"/"},
}
# $PEER_CONFIG_JSON: extra settings as one JSON object, e.g. a community
# plugin's options ({"repeater_group": ["all"]} for nonebot-plugin-repeater).
config.update(json.loads(os.environ.get("PEER_CONFIG_JSON", "") or "{}"))
token = access_token()
if token:
    config["onebot_access_token"] = token
MODE = os.environ.get("PEER_MODE", "reverse")
if MODE == "forward":
    config["driver"] = "~fastapi+~websockets"
    config["onebot_ws_urls"] = [os.environ["PEER_ONEBOT_URL"]]
elif MODE == "http":
    config["driver"] = "~fastapi+~httpx"
    config["onebot_api_roots"] = {os.environ.get("PEER_SELF_ID", "10001000"): os.environ["PEER_ONEBOT_URL"]}
    if os.environ.get("PEER_ONEBOT_SECRET"):
        config["onebot_secret"] = os.environ["PEER_ONEBOT_SECRET"]

# _env_file=None: never pick up a stray .env from the working directory.
nonebot.init(_env_file=None, **config)
driver = nonebot.get_driver()
driver.register_adapter(Adapter)

# Import by module name (sys.path has this folder), whatever the cwd is.
# $PEER_PLUGINS (comma-separated module names) replaces the default set, e.g.
# "nonebot.plugins.echo,nonebot_plugins.world_probe" for the world tests.
_plugins = [p for p in os.environ.get("PEER_PLUGINS", "").split(",") if p] or [
    "nonebot_plugins.interop_echo",
    "nonebot_plugins.interop_probe",
]
for _name in _plugins:
    if nonebot.load_plugin(_name) is None:
        report("fatal", error=f"plugin {_name} failed to load")
        sys.exit(3)


@driver.on_startup
async def _ready() -> None:
    report("ready", port=PORT, path="/onebot/v11/ws", token=bool(token), mode=MODE)


@driver.on_shutdown
async def _shutdown() -> None:
    report("shutdown")


if __name__ == "__main__":
    nonebot.run()
