"""AliceBot plugin of the interop peer: reports each message event, answers ``echo: <text>``."""

from alicebot import Plugin
from alicebot.adapter.cqhttp.event import MessageEvent

from peer_report import report


class Echo(Plugin):
    async def handle(self) -> None:
        event = self.event
        text = event.get_plain_text()
        report("message", type=event.message_type, text=text, user_id=event.user_id, self_id=event.self_id)
        await event.reply(f"echo: {text}")
        report("send_result", type=event.message_type)

    async def rule(self) -> bool:
        return isinstance(self.event, MessageEvent)
