/**
 * `onebot-rx/world`: the simulated QQ world for testing bots without an account: the world model
 * and its message store, the API actions it answers, the client glue, scripted conversations and
 * conversation files (docs/guides/conversations.md).
 *
 * @packageDocumentation
 */
export * from './world';
