"""Probe plugin: on every bot connection call get_login_info and
get_group_member_info and report each result; report connect/disconnect."""

import os

from nonebot import get_driver
from nonebot.adapters.onebot.v11 import Bot
from nonebot.adapters.onebot.v11.exception import ActionFailed, NetworkError

from peer_report import report

driver = get_driver()

PROBE_GROUP = int(os.environ.get("PEER_PROBE_GROUP_ID", "123456"))
PROBE_USER = int(os.environ.get("PEER_PROBE_USER_ID", "20002000"))


async def _call(bot: Bot, action: str, **params) -> None:
    try:
        data = await bot.call_api(action, **params)
    except ActionFailed as e:
        report("api_error", action=action, error="ActionFailed", info=str(e))
    except NetworkError as e:
        report("api_error", action=action, error="NetworkError", info=str(e))
    else:
        report("api_result", action=action, data=data)


@driver.on_bot_connect
async def _connected(bot: Bot) -> None:
    report("bot_connect", self_id=bot.self_id)
    await _call(bot, "get_login_info")
    await _call(
        bot, "get_group_member_info", group_id=PROBE_GROUP, user_id=PROBE_USER
    )
    # The connect hook is done: every call it made has settled.
    report("connect_done", self_id=bot.self_id)


@driver.on_bot_disconnect
async def _disconnected(bot: Bot) -> None:
    report("bot_disconnect", self_id=bot.self_id)
