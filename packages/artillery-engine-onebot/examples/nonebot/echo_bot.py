"""NoneBot2 (FastAPI driver, OneBot v11 adapter) with its built-in `echo` plugin: the application
the load-test examples drive. Listens on 127.0.0.1:<argv[1]> (reverse WebSocket /onebot/v11/ws) and
stops by itself after <argv[2]> seconds (default 600), so a forgotten run ends. Loopback only.

Run it with the interop venv (scripts/interop-setup.sh installs NoneBot2 2.4.x into .interop/venv):
    .interop/venv/bin/python packages/artillery-engine-onebot/examples/nonebot/echo_bot.py 8080 300
"""

import asyncio
import os
import sys

import nonebot
from nonebot.adapters.onebot.v11 import Adapter
from nonebot.log import default_filter, default_format, logger

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
LIFETIME = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0

# Thousands of connections: log warnings only (INFO logs every connect and message).
logger.remove()
logger.add(sys.stderr, level=os.environ.get("NONEBOT_LOG_LEVEL", "WARNING"), diagnose=False,
           filter=default_filter, format=default_format)

nonebot.init(_env_file=None, driver="~fastapi", host="127.0.0.1", port=PORT,
             log_level=os.environ.get("NONEBOT_LOG_LEVEL", "WARNING"), command_start={"/"})
driver = nonebot.get_driver()
driver.register_adapter(Adapter)
nonebot.load_builtin_plugins("echo")

# Who connected: printed every 10 s and at exit, so a run can show that no self id was used twice.
# (A duplicate X-Self-ID never gets here: the adapter refuses it, logging "There's already a bot".)
STATS = {"connects": 0, "current": 0, "peak": 0}
SEEN: set = set()


@driver.on_bot_connect
async def _bot_connect(bot) -> None:
    STATS["connects"] += 1
    STATS["current"] += 1
    STATS["peak"] = max(STATS["peak"], STATS["current"])
    SEEN.add(bot.self_id)


@driver.on_bot_disconnect
async def _bot_disconnect(bot) -> None:
    STATS["current"] -= 1


def stats_line() -> str:
    return (f"stats connects={STATS['connects']} distinct_self_ids={len(SEEN)} "
            f"peak_concurrent={STATS['peak']} current={STATS['current']}")


@driver.on_startup
async def _ready() -> None:
    print(f"ready ws://127.0.0.1:{PORT}/onebot/v11/ws", flush=True)

    async def _stop_later() -> None:
        await asyncio.sleep(LIFETIME)
        print(stats_line(), flush=True)
        print(f"lifetime of {LIFETIME:.0f}s over: exiting", flush=True)
        os._exit(0)

    async def _report() -> None:
        while True:
            await asyncio.sleep(10)
            print(stats_line(), flush=True)

    loop = asyncio.get_running_loop()
    loop.create_task(_stop_later())
    loop.create_task(_report())


@driver.on_shutdown
async def _bye() -> None:
    print(stats_line(), flush=True)


if __name__ == "__main__":
    nonebot.run()
