"""graiax-anchor (OneBot 11 framework that can only dial out), forward WebSocket peer.

Dials $PEER_ONEBOT_URL (the implementation's forward WebSocket) with $ONEBOT_ACCESS_TOKEN as
`Authorization: Bearer`. Reports every event it parses (heartbeats included), the connect-time
get_login_info, and replies `echo: <text>` to every message. It listens on no port. JSON lines on
stdout (see peer_report.py); logs on stderr.
"""

import asyncio
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("INTEROP_PEER_NAME", "anchor")

from peer_report import access_token, report  # noqa: E402

from graia.broadcast import Broadcast  # noqa: E402
from graiax.anchor import Anchor  # noqa: E402
from graiax.anchor.connection import OneBotConfig  # noqa: E402
from graiax.anchor.event.lifecycle import HeartbeatEvent, LifecycleEvent  # noqa: E402
from graiax.anchor.event.message import GroupMessageEvent, MessageEvent  # noqa: E402
from loguru import logger  # noqa: E402

logger.remove()
logger.add(sys.stderr, level=os.environ.get("PEER_LOG_LEVEL", "INFO"))

URL = os.environ["PEER_ONEBOT_URL"]
app = Anchor(broadcast=Broadcast(), config=OneBotConfig(ws_url=URL, access_token=access_token() or ""), install_log=False)
service = app.service
tasks = set()


def spawn(coro) -> None:
    # Event callbacks run inside the socket's receive loop: an API call awaited there would wait for
    # an answer that loop can only read after the callback returns. Run them beside it.
    task = asyncio.get_running_loop().create_task(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def on_connect() -> None:
    try:
        info = await app.get_login_info()
    except Exception as e:  # noqa: BLE001
        report("api_error", action="get_login_info", error=type(e).__name__, info=str(e))
    else:
        report("api_result", action="get_login_info", data={"user_id": info.user_id, "nickname": info.nickname})
    report("connect_done")


async def reply(event: MessageEvent) -> None:
    text = "".join(seg.get("data", {}).get("text", "") for seg in event.message if seg.get("type") == "text")
    kind = "group" if isinstance(event, GroupMessageEvent) else "private"
    report("message", type=kind, text=text, user_id=event.user_id, group_id=getattr(event, "group_id", None), message_id=event.message_id)
    try:
        result = await app.send_message(event, f"echo: {text}")
    except Exception as e:  # noqa: BLE001
        report("send_error", type=kind, error=type(e).__name__, info=str(e))
        return
    report("send_result", type=kind, message_id=result.get("message_id") if isinstance(result, dict) else None, data=result)


original_dispatch = service._dispatch_event


async def dispatch(event) -> None:
    data = {"cls": type(event).__name__, "post_type": getattr(event, "post_type", None)}
    if isinstance(event, (HeartbeatEvent, LifecycleEvent)):
        data["meta_event_type"] = getattr(event, "meta_event_type", None)
        data["sub_type"] = getattr(event, "sub_type", None)
    report("event", **data)
    if isinstance(event, LifecycleEvent) and getattr(event, "sub_type", None) == "connect":
        report("bot_connect", self_id=event.self_id)
        spawn(on_connect())
    if isinstance(event, MessageEvent):
        spawn(reply(event))
    await original_dispatch(event)


service._dispatch_event = dispatch

if __name__ == "__main__":
    report("ready", url=URL, token=bool(access_token()))
    try:
        app.launch_blocking()
    except BaseException as e:  # noqa: BLE001
        report("stopped", error=type(e).__name__, info=str(e))
        raise
