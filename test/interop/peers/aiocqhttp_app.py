"""aiocqhttp (CQHttp on Quart/Hypercorn) reverse WebSocket peer.

Listens on 127.0.0.1:<port> (argv[1] or $PEER_PORT) and serves /ws/ (also
/ws/api/ and /ws/event/, trailing slash optional). $ONEBOT_ACCESS_TOKEN, when
set, is checked on the upgrade (401 missing/malformed header, 403 wrong token).

On each message it reports the message, calls send_msg explicitly (through
`bot.send`) and reports the awaited result, then returns a dict so aiocqhttp
itself calls `.handle_quick_operation_async` with it.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("INTEROP_PEER_NAME", "aiocqhttp")

from peer_report import access_token, api_timeout, parse_port, report  # noqa: E402

import logging  # noqa: E402

from aiocqhttp import ActionFailed, CQHttp, Error, Event, Message  # noqa: E402
from quart import websocket  # noqa: E402
from werkzeug.exceptions import HTTPException  # noqa: E402

logging.basicConfig(stream=sys.stderr, level=logging.INFO)

PORT = parse_port()
TOKEN = access_token()
PROBE_GROUP = int(os.environ.get("PEER_PROBE_GROUP_ID", "123456"))
PROBE_USER = int(os.environ.get("PEER_PROBE_USER_ID", "20002000"))


class ReportingCQHttp(CQHttp):
    """CQHttp that reports each reverse-WS upgrade and its end.

    `CQHttp.__init__` registers `self._handle_wsr` as the view, so overriding
    it here wraps every /ws, /ws/api, /ws/event connection.
    """

    async def _handle_wsr(self) -> None:
        headers = websocket.headers
        info = {
            "path": websocket.path,
            "self_id": headers.get("X-Self-ID"),
            "role": headers.get("X-Client-Role"),
            "has_auth": "Authorization" in headers,
            "user_agent": headers.get("User-Agent"),
        }
        report("ws_request", **info)
        try:
            await super()._handle_wsr()
        except HTTPException as e:
            report("ws_rejected", status=e.code, **info)
            raise
        except KeyError as e:
            # A missing X-Client-Role / X-Self-ID header is a KeyError here
            # (the upgrade then fails with HTTP 500).
            report("ws_rejected", status=500, missing=str(e), **info)
            raise
        finally:
            report("bot_disconnect", self_id=info["self_id"])


bot = ReportingCQHttp(access_token=TOKEN, api_timeout_sec=api_timeout())


async def _call(action: str, **params) -> None:
    try:
        data = await bot.call_action(action, **params)
    except ActionFailed as e:
        report("api_error", action=action, error="ActionFailed", info=repr(e.result))
    except Error as e:
        report("api_error", action=action, error=type(e).__name__, info=str(e))
    else:
        report("api_result", action=action, data=data)


@bot.on_startup
async def _ready() -> None:
    report("ready", port=PORT, path="/ws/", token=bool(TOKEN))


@bot.on_websocket_connection
async def _connected(event: Event) -> None:
    # aiocqhttp has no "socket opened" hook; the lifecycle connect event is it.
    report("bot_connect", self_id=event.self_id)
    await _call("get_login_info", self_id=event.self_id)
    await _call(
        "get_group_member_info",
        self_id=event.self_id,
        group_id=PROBE_GROUP,
        user_id=PROBE_USER,
    )
    # The connect hook is done: every call it made has settled.
    report("connect_done", self_id=event.self_id)


@bot.on_meta_event
async def _meta(event: Event) -> None:
    report(
        "event",
        post_type="meta_event",
        meta_event_type=event.get("meta_event_type"),
        sub_type=event.get("sub_type"),
    )


@bot.on_message
async def _message(event: Event):
    # Segments or a CQ-code string: aiocqhttp's Message parses (and unescapes) both.
    parsed = Message(event.get("message"))
    text = parsed.extract_plain_text()
    kind = event.get("message_type")
    report(
        "message",
        type=kind,
        text=text,
        user_id=event.get("user_id"),
        group_id=event.get("group_id"),
        message_id=event.get("message_id"),
        self_id=event.get("self_id"),
        segments=[{"type": seg.type, "data": dict(seg.data)} for seg in parsed],
    )
    try:
        result = await bot.send(event, f"echo: {text}")
    except ActionFailed as e:
        report("send_error", type=kind, error="ActionFailed", info=repr(e.result))
    except Error as e:
        report("send_error", type=kind, error=type(e).__name__, info=str(e))
    else:
        message_id = result.get("message_id") if isinstance(result, dict) else None
        report("send_result", type=kind, message_id=message_id, data=result)
    # A dict return value becomes `.handle_quick_operation_async`.
    return {"reply": f"quick: {text}", "auto_escape": True}


async def _serve() -> None:
    # Hypercorn directly (what `bot.run` uses under Quart) so that SIGTERM gives
    # a short, deterministic graceful shutdown: open sockets get close 1011.
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
