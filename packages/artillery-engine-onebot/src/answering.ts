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
  /** Called once per bot connection, before it connects; returns the undo function. */
  attach(client: OneBotClient, bot: { readonly selfId: number }): () => void;
}

/** The built-in handlers of onebot-rx answer; nothing to attach. */
export const builtInAnswerer: Answerer = {
  attach: () => () => undefined,
};
