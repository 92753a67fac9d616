/**
 * Stand-ins for what Artillery hands an engine: its event emitter (records every emit) and its
 * helpers' template renderer (`{{ name }}` / `{{ a.b }}` from `context.vars`, recursively through
 * objects and arrays; a string that is one whole placeholder keeps the value's type, as Artillery's
 * does). The real Artillery runs the engine in `npm run test:load`.
 */
import { createClient, createMessageEvent } from 'onebot-rx';
import { OneBotEngine, type EventsLike, type HelpersLike, type ScriptLike, type VuContext } from '../../packages/artillery-engine-onebot/src/engine';

export class FakeEvents implements EventsLike {
  readonly emitted: Array<[string, ...unknown[]]> = [];
  emit(event: string, ...args: unknown[]): boolean {
    this.emitted.push([event, ...args]);
    return true;
  }
  counter(name: string): number {
    return this.emitted.filter(([e, n]) => e === 'counter' && n === name).reduce((sum, [, , v]) => sum + Number(v), 0);
  }
  histogram(name: string): number[] {
    return this.emitted.filter(([e, n]) => e === 'histogram' && n === name).map(([, , v]) => Number(v));
  }
  errors(): string[] {
    return this.emitted.filter(([e]) => e === 'error').map(([, n]) => String(n));
  }
  count(event: string): number {
    return this.emitted.filter(([e]) => e === event).length;
  }
}

const lookup = (vars: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), vars);

export const fakeHelpers: HelpersLike = {
  template(value: unknown, context: VuContext): unknown {
    const render = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const whole = /^\{\{\s*([\w.$]+)\s*\}\}$/.exec(v);
        if (whole !== null) return lookup(context.vars, whole[1]!);
        return v.replace(/\{\{\s*([\w.$]+)\s*\}\}/g, (_, p: string) => String(lookup(context.vars, p) ?? ''));
      }
      if (Array.isArray(v)) return v.map(render);
      if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]));
      return v;
    };
    return render(value);
  },
};

export const makeEngine = (config: ScriptLike['config'], env: Record<string, string | undefined> = {}): OneBotEngine =>
  new OneBotEngine({ config }, new FakeEvents(), fakeHelpers, { createClient, createMessageEvent: createMessageEvent as never }, env);

export interface VuResult {
  readonly err: Error | null;
  readonly context: VuContext;
  readonly events: FakeEvents;
}

/** Runs one VU of `flow` to its end. */
export const runVu = (engine: OneBotEngine, flow: unknown[], vars: Record<string, unknown> = {}, events = new FakeEvents()): Promise<VuResult> =>
  new Promise((resolve) => {
    const scenario = engine.createScenario({ flow }, events);
    scenario({ vars: { ...vars } }, (err, context) => resolve({ err, context, events }));
  });
