import type { OneBotClient } from 'onebot-rx';

/**
 * The one place where a bot's answers to the server's API calls are decided.
 *
 * By default onebot-rx's built-in handlers answer (`send_msg` and friends return a message id and
 * are reported on `sent$`, which is how replies are timed; `get_login_info`, `get_status`... answer
 * from the client's options). A simulated QQ world (friends, groups, a message store behind
 * `get_msg`, `get_group_member_list`...) plugs in here: an answerer registers its handlers with
 * `client.handle(action, handler)` when a bot connection is created and removes them when it is
 * closed. Pick one in the script with `config.engines.onebot.answerer: <processor function name>`;
 * the function is called once per worker with the engine options and returns an {@link Answerer}.
 */
export interface Answerer {
  /**
   * Called once per bot connection, before it connects; returns the undo function. An answerer that
   * answers the send actions itself (a world stores the bot's messages, so `client.sent$` stays
   * silent) hands every message the bot sent to `reportReply`, which feeds the reply correlation
   * (`onebot.reply_ms`) exactly as `client.sent$` does for the built-ins.
   */
  attach(client: OneBotClient, bot: { readonly selfId: number }, reportReply: (message: ReplyMessage) => void): () => void;
}

/** A message the bot sent, as the reply correlation needs it. */
export interface ReplyMessage {
  readonly messageType: 'private' | 'group';
  readonly userId: number | undefined;
  readonly groupId: number | undefined;
  /** Segments (`{ type: 'text', data: { text } }`...); the text segments make the reply's text. */
  readonly message: ReadonlyArray<{ readonly type: string; readonly data: Readonly<Record<string, unknown>> }>;
  /** CQ-code form (also matched by a text expectation); empty when unknown. */
  readonly rawMessage?: string;
}

/** The built-in handlers of onebot-rx answer; nothing to attach. */
export const builtInAnswerer: Answerer = {
  attach: () => () => undefined,
};
