// kube-emulator traffic …: emulated load on a running cluster's Services, through its control
// endpoint (as `node` and `clock` reach it). The generator itself is src/emulator/network/traffic.ts.
//
//   kube-emulator traffic SERVICE [-n NS] (--rps N | --schedule OFFSET=RPS,...) [--for DURATION] [--name NAME] [--port PORT]
//   kube-emulator traffic list
//   kube-emulator traffic stop NAME

import { HELP, parse } from './args.ts';
import { UsageError } from './errors.ts';
import { readTarget } from './kubeconfig.ts';
import { call } from './control.ts';
import { parseDuration } from '../emulator/clock.ts';
import { checkRps, formatDuration, parseSchedule } from '../emulator/network/traffic.ts';

const usage = (message: string) => new UsageError(message, 'traffic');

/** Runs a check that throws the emulator's 400 and turns its message into a usage error. */
function check<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw usage((e as Error).message);
  }
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n');
}

export async function trafficCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('traffic', args, {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    rps: { type: 'string' },
    schedule: { type: 'string' },
    for: { type: 'string' },
    name: { type: 'string' },
    port: { type: 'string' },
  });
  if (values.help) {
    console.log(HELP.traffic);
    return 0;
  }
  const [first, second, ...extra] = positionals;
  if (!first) throw usage('give the SERVICE to send traffic to, or "list" or "stop NAME"');
  const startFlags = ['namespace', 'rps', 'schedule', 'for', 'name', 'port'].filter((f) => values[f] !== undefined);

  if (first === 'list' || first === 'stop') {
    if (startFlags.length) throw usage(`--${startFlags[0]} goes with starting traffic, not with "traffic ${first}"`);
    if (first === 'list' && second !== undefined) throw usage(`unexpected argument "${second}"`);
    if (first === 'stop' && second === undefined) throw usage('traffic stop needs the traffic\'s NAME (see "kube-emulator traffic list")');
    if (extra.length) throw usage(`unexpected argument "${extra[0]}"`);
    const t = readTarget(values.kubeconfig);
    if (first === 'stop') {
      const s = await call(t, 'DELETE', `/traffic/${encodeURIComponent(second)}`);
      console.log(`traffic/${s.name} stopped: ${s.sent} requests sent, ${s.failed} failed`);
      return 0;
    }
    const { items } = await call(t, 'GET', '/traffic');
    if (!items.length) {
      console.log('No emulated traffic.');
      return 0;
    }
    const rows = [['NAME', 'NAMESPACE', 'SERVICE', 'RPS', 'ENDPOINTS', 'SENT', 'FAILED', 'STATUS']];
    for (const s of items) rows.push([s.name, s.namespace, s.service, String(s.rps), String(s.endpoints), String(s.sent), String(s.failed), s.phase]);
    console.log(pad(rows));
    return 0;
  }

  // Starting: `traffic start SERVICE` also works, for a Service named list, stop or start.
  const service = first === 'start' ? second : first;
  const rest = first === 'start' ? extra : [second, ...extra].filter((x) => x !== undefined);
  if (!service) throw usage('traffic start needs the SERVICE');
  if (rest.length) throw usage(`unexpected argument "${rest[0]}"`);
  if (values.rps === undefined && values.schedule === undefined) throw usage('give --rps N (requests per second) or --schedule OFFSET=RPS,...');
  const rps = values.rps === undefined ? undefined : check(() => checkRps(values.rps, 'value for --rps'));
  const schedule = values.schedule === undefined ? undefined : check(() => parseSchedule(values.schedule));
  if (values.for !== undefined) {
    const ms = check(() => parseDuration(values.for));
    if (!(ms > 0)) throw usage(`invalid value "${values.for}" for --for: use a duration above 0, such as 90s, 10m or 1h`);
  }
  const t = readTarget(values.kubeconfig);
  const s = await call(t, 'POST', '/traffic', {
    service,
    namespace: values.namespace,
    rps,
    schedule: schedule?.map((p) => ({ at: formatDuration(p.at), rps: p.rps })),
    duration: values.for,
    name: values.name,
    port: values.port,
  });
  const rate = s.schedule ? `schedule ${s.schedule.map((p: { at: string; rps: number }) => `${p.at}=${p.rps}`).join(',')}` : `${s.rps} requests/s`;
  console.log(`traffic/${s.name} started: ${rate} to ${s.url}${values.for ? ` for ${values.for}` : ' until stopped'}`);
  return 0;
}
