import { createReferenceServer } from '../server/reference-server';
import { aborted, ExitCode } from './io';
import type { CommandContext } from './program';
import { isAddressInUse, printServerActivity } from './server-transcript';

/** Flags of `onebot-rx serve`. @since 0.1.0 @category cli */
export interface ServeFlags {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly token?: string;
  readonly handshakeTimeout: number;
}

/**
 * `onebot-rx serve`: runs the reference server until Ctrl-C (the context's abort signal) and prints
 * its activity.
 *
 * @since 0.1.0
 * @category cli
 */
export const runServe = async (ctx: CommandContext, flags: ServeFlags): Promise<number> => {
  const { printer, io } = ctx;
  const accessToken = flags.token ?? io.env.ONEBOT_ACCESS_TOKEN;
  let server;
  try {
    server = await createReferenceServer({
      host: flags.host,
      port: flags.port,
      path: flags.path,
      handshakeTimeout: flags.handshakeTimeout,
      ...(accessToken ? { accessToken } : {}),
      logger: ctx.logger,
    });
  } catch (e) {
    if (isAddressInUse(e)) {
      printer.print({ kind: 'error', text: `port ${flags.port} on ${flags.host} is already in use (choose another with --port, or --port 0 for any free one)` });
      return ExitCode.PortInUse;
    }
    printer.print({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    return ExitCode.Failure;
  }
  const stop = printServerActivity(server, printer);
  printer.print({
    kind: 'info',
    from: 'server',
    text: `listening on ${server.url}${accessToken ? ' (access token required)' : ''}; Ctrl-C stops`,
    data: { url: server.url, port: server.port },
  });
  await aborted(io.signal);
  await server.close();
  stop();
  printer.print({ kind: 'info', from: 'server', text: 'closed' });
  return ExitCode.Ok;
};
