import * as os from 'node:os';

/** One line saying where the figures came from. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown cpu';
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  return `${model}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}, load ${load}, ${new Date().toISOString()}`;
}
