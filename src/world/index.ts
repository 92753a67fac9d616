/**
 * The simulated QQ world (docs/guides/conversations.md): a pure model of the bot account, friends,
 * groups and a bounded message store; the API actions it answers; the client glue; scripted
 * conversations.
 */
export {
  Sex,
  Role,
  UserSpec,
  FriendSpec,
  MemberSpec,
  GroupSpec,
  BotSpec,
  StoredMessage,
  StoredForward,
  UnknownPolicy,
  WorldSpec,
  decodeWorldSpec,
  type WorldSpecInput,
  type Profile,
} from './spec';
export { MessageStore, DEFAULT_STORE_OPTIONS, type StoreOptions, type Evicted } from './store';
export {
  World,
  WorldError,
  WORLD_REFUSED_RETCODE,
  loadWorld,
  createWorld,
  isGroupSaid,
  isPrivateSaid,
  type WorldOptions,
  type WorldRefusal,
  type MemberState,
  type GroupState,
  type Outcome,
  type Said,
  type Chat,
  type MemberInfo,
  type GetMsgData,
} from './world';
export { WORLD_ACTIONS, runWorldAction, type BotMessage, type ActionOutcome, type WorldAction } from './actions';
export { attachWorld, type WorldHost, type AttachWorldOptions, type WorldAttachment } from './attach';
export {
  simulate,
  toReply,
  textOf,
  chatKey,
  describeChat,
  DEFAULT_SIMULATION_OPTIONS,
  type SimulationOptions,
  type Simulation,
  type Conversation,
  type Reply,
  type WaitOptions,
  type SayOptions,
} from './conversation';
export { replyProblems, expectReply, type ReplyExpectation } from './expect';
export { decodeScript, DEFAULT_SCRIPT_OPTIONS, type Script, type Step, type StepKind, type ExpectStep, type MessageRef } from './script';
export { runConversation, type RunConversationOptions, type ConversationResult, type StepResult, type TranscriptEntry } from './run-conversation';
