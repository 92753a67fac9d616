"""NoneBot 1 commands for the simulated-world interop tests (see nonebot1_app.py)."""

from nonebot import CommandSession, on_command
from nonebot.permission import GROUP_ADMIN

from peer_report import report


@on_command("admin_only", permission=GROUP_ADMIN, only_to_me=False)
async def _admin_only(session: CommandSession) -> None:
    report("command", name="admin_only", user_id=session.event.user_id, group_id=session.event.group_id)
    await session.send("admin ok")


@on_command("ping", only_to_me=False)
async def _ping(session: CommandSession) -> None:
    report("command", name="ping", user_id=session.event.user_id)
    await session.send("pong")
