"""World probe plugin (NoneBot2), loaded with the built-in `nonebot.plugins.echo`
for the simulated-world interop tests (test/interop/world-peers.test.ts):

- reports every message with what NoneBot made of a quote (`event.reply`,
  filled from `get_msg`) and whether it counts as addressed to the bot;
- `/oops` (no @ needed): sends "oops", then recalls it with `delete_msg`;
- reports every recall notice it receives and answers it in the group with
  "recalled <message_id>", so a conversation file can expect it.
"""

from nonebot import on_command, on_message, on_notice
from nonebot.adapters.onebot.v11 import Bot, GroupRecallNoticeEvent, MessageEvent, NoticeEvent
from nonebot.adapters.onebot.v11.exception import ActionFailed

from peer_report import report

watch = on_message(priority=1, block=False)


@watch.handle()
async def _watch(event: MessageEvent) -> None:
    reply = event.reply
    report(
        "message",
        type=event.message_type,
        text=event.get_plaintext(),
        user_id=event.user_id,
        group_id=getattr(event, "group_id", None),
        message_id=event.message_id,
        to_me=event.to_me,
        reply=None
        if reply is None
        else {"message_id": reply.message_id, "user_id": reply.sender.user_id, "text": reply.message.extract_plain_text()},
    )


oops = on_command("oops", priority=2, block=True)


@oops.handle()
async def _oops(bot: Bot, event: MessageEvent) -> None:
    sent = await bot.send(event, "oops")
    message_id = sent["message_id"]
    try:
        await bot.delete_msg(message_id=message_id)
    except ActionFailed as e:
        report("api_error", action="delete_msg", info=str(e))
        return
    report("deleted", message_id=message_id)


recalls = on_notice(priority=1, block=False)


@recalls.handle()
async def _notice(bot: Bot, event: NoticeEvent) -> None:
    data = {"notice_type": event.notice_type, "cls": type(event).__name__}
    if isinstance(event, GroupRecallNoticeEvent):
        data.update(message_id=event.message_id, user_id=event.user_id, operator_id=event.operator_id, group_id=event.group_id)
        report("notice", **data)
        await bot.send_group_msg(group_id=event.group_id, message=f"recalled {event.message_id}")
        return
    report("notice", **data)
