/**
 * `onebot-rx/protocol`: the pure OneBot v11 toolkit for builders of bridges and implementations:
 * io-ts codecs for every frame, CQ code, builders, frame decoding and encoding, and answering API
 * calls. No sockets, timers or rxjs.
 *
 * @packageDocumentation
 */
export * from './protocol';
