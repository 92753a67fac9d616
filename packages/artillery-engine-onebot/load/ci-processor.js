'use strict';
// Processor of ci.yml: a `function` step that checks what the engine put on the VU's context.
module.exports = {
  checkIdentity(context, events, done) {
    const vu = context.onebot;
    if (!vu || typeof vu.selfId !== 'number' || typeof vu.userId !== 'number') return done(new Error('no onebot state on the context'));
    if (context.vars.botId !== undefined && context.scenario && context.scenario.name === 'bot accounts' && vu.selfId !== Number(context.vars.botId)) {
      return done(new Error(`self id ${vu.selfId} is not the payload's ${context.vars.botId}`));
    }
    events.emit('counter', 'ci.function_step', 1);
    return done();
  },
};
