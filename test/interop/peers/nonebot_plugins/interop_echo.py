"""Echo plugin: report every event, reply `echo: <text>` to messages and
report the awaited result of the send (the `message_id` our side returned)."""

from nonebot import on, on_message
from nonebot.adapters.onebot.v11 import (
    Bot,
    Event,
    GroupMessageEvent,
    MessageEvent,
    MetaEvent,
    PrivateMessageEvent,
)
from nonebot.adapters.onebot.v11.exception import ActionFailed, NetworkError

from peer_report import report

# Sees everything, including events NoneBot could only parse as its base
# `Event` (a message missing `font`/`sub_type` lands here as class `Event`).
watch = on(priority=1, block=False)


@watch.handle()
async def _watch(event: Event) -> None:
    data = {
        "cls": type(event).__name__,
        "post_type": getattr(event, "post_type", None),
    }
    if isinstance(event, MetaEvent):
        data["meta_event_type"] = getattr(event, "meta_event_type", None)
        data["sub_type"] = getattr(event, "sub_type", None)
    report("event", **data)


echo = on_message(priority=5, block=True)


@echo.handle()
async def _echo(bot: Bot, event: MessageEvent) -> None:
    text = event.get_plaintext()
    kind = (
        "group"
        if isinstance(event, GroupMessageEvent)
        else "private"
        if isinstance(event, PrivateMessageEvent)
        else event.message_type
    )
    report(
        "message",
        type=kind,
        text=text,
        user_id=event.user_id,
        group_id=getattr(event, "group_id", None),
        message_id=event.message_id,
        self_id=bot.self_id,
        # As received (NoneBot strips a leading at-me from `message`, not from this).
        segments=[{"type": seg.type, "data": dict(seg.data)} for seg in event.original_message],
        to_me=event.to_me,
    )
    try:
        result = await bot.send(event, f"echo: {text}")
    except ActionFailed as e:
        report("send_error", type=kind, error="ActionFailed", info=str(e))
        return
    except NetworkError as e:
        report("send_error", type=kind, error="NetworkError", info=str(e))
        return
    message_id = result.get("message_id") if isinstance(result, dict) else None
    report("send_result", type=kind, message_id=message_id, data=result)
