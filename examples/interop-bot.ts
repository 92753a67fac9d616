/**
 * The onebot-rx side of docs/interop.md, as it appears there: one bot for NoneBot2, aiocqhttp or
 * Koishi. It feeds the server a user's private and group message, prints what the server's bot
 * sends back, answers `get_group_member_info`, and leaves cleanly on Ctrl-C.
 *
 *   ONEBOT_URL=ws://127.0.0.1:8080/onebot/v11/ws ONEBOT_ACCESS_TOKEN=change-me node -r esbuild-register examples/interop-bot.ts
 *
 * In your own project import from 'onebot-rx' instead of '../src'.
 */
import { createClient } from '../src';

const client = createClient({
  url: process.env.ONEBOT_URL ?? 'ws://127.0.0.1:8080/onebot/v11/ws', // see each server below
  selfId: 10001000, // your bot's QQ number; Koishi must be configured with the same id
  accessToken: process.env.ONEBOT_ACCESS_TOKEN, // unset for Koishi (it checks none) and AliceBot
});

// Messages your server's bot sends arrive here (built-in send_msg/send_private_msg/send_group_msg).
client.sent$.subscribe((m) => console.log('bot says', m.messageType, m.userId ?? m.groupId, m.rawMessage));

async function main(): Promise<void> {
  const stopped = client.run(); // connects now; resolves when the client stops for good
  // Feed it a user's message. Always set `userId` to the user who speaks: a message "from" the bot
  // itself is dropped by Koishi and makes NoneBot/aiocqhttp bots answer themselves.
  await client.sendText('hello', 'private', { userId: 20002000 });
  await client.sendText('hello group', 'group', { userId: 20002000, groupId: 123456 });
  await stopped; // until disconnect() (Ctrl-C) or the reconnect attempts run out
}

process.once('SIGINT', () => void client.disconnect()); // Ctrl-C: leave cleanly
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// An API call your plugins make that has no built-in answer (registered before any call can
// arrive: the connection opens asynchronously).
client.handle('get_group_member_info', ({ group_id, user_id }) => ({
  group_id, user_id, nickname: 'alice', card: '', role: 'member',
}));
