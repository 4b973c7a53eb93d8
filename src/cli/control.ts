// kube-emulator node … and clock …: operations on a running cluster, through its authenticated
// control endpoint (the same one the extension uses).

import { HELP, parse } from './args.ts';
import { CliError, UsageError } from './errors.ts';
import { readTarget, type Target } from './kubeconfig.ts';
import { parseDuration } from '../emulator/clock.ts';
import http from 'node:http';
import https from 'node:https';

const CONTROL = '/kube-emulator/v1';

/** One request to the control endpoint, trusting the server as the kubeconfig says (insecure-skip-tls-verify). */
function request(t: Target, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const url = new URL(`${t.server}${CONTROL}${path}`);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method,
        headers: { Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/json' },
        rejectUnauthorized: !t.insecure,
        ...(t.ca ? { ca: t.ca } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One call to the control endpoint: the parsed JSON reply (or, with raw, its text). */
export async function call(t: Target, method: string, path: string, body?: unknown, raw = false): Promise<any> {
  let res: { status: number; text: string };
  try {
    res = await request(t, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  } catch {
    throw new CliError(`no cluster answers at ${t.server} (from ${t.file}): is "kube-emulator serve" running?`);
  }
  let data: any;
  try {
    data = JSON.parse(res.text);
  } catch {
    data = { message: res.text };
  }
  if (res.status < 200 || res.status >= 300) throw new CliError(data?.message ?? `the cluster answered ${res.status}`);
  return raw ? res.text : data;
}

function parseKV(v: string | undefined, flag: string): Record<string, string> | undefined {
  if (!v) return undefined;
  const out: Record<string, string> = {};
  for (const part of v.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid value "${part}" for --${flag}: use KEY=VALUE`, 'node');
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function parseTaints(v: string | undefined): object[] | undefined {
  if (!v) return undefined;
  return v.split(',').map((part) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
    if (!m) throw new UsageError(`invalid value "${part}" for --taints: use KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute`, 'node');
    return m[2] !== undefined ? { key: m[1], value: m[2], effect: m[3] } : { key: m[1], effect: m[3] };
  });
}

export async function nodeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('node', args, {
    kubeconfig: { type: 'string' },
    cpu: { type: 'string' },
    memory: { type: 'string' },
    labels: { type: 'string' },
    taints: { type: 'string' },
  });
  if (values.help) {
    console.log(HELP.node);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  if (!action) throw new UsageError('missing action: stop, start, add or delete', 'node');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, 'node');
  if (!['stop', 'start', 'add', 'delete'].includes(action)) throw new UsageError(`unknown action "${action}": use stop, start, add or delete`, 'node');
  if (action !== 'add' && !name) throw new UsageError(`node ${action} needs the node's NAME`, 'node');
  if (action !== 'add' && (values.cpu || values.memory || values.labels || values.taints)) {
    throw new UsageError('--cpu, --memory, --labels and --taints go with "node add" only', 'node');
  }
  if (values.cpu !== undefined && !/^\d+(\.\d+)?m?$/.test(values.cpu)) throw new UsageError(`invalid value "${values.cpu}" for --cpu: use a number of CPUs (2) or millicores (1500m)`, 'node');
  if (values.memory !== undefined && !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(values.memory)) {
    throw new UsageError(`invalid value "${values.memory}" for --memory: use a quantity such as 4Gi or 2048Mi`, 'node');
  }
  const labels = parseKV(values.labels, 'labels');
  const taints = parseTaints(values.taints);
  const t = readTarget(values.kubeconfig);
  if (action === 'add') {
    const r = await call(t, 'POST', '/nodes', { name, cpu: values.cpu, memory: values.memory, labels, taints });
    console.log(`node/${r.name} added`);
  } else if (action === 'delete') {
    await call(t, 'DELETE', `/nodes/${encodeURIComponent(name)}`);
    console.log(`node/${name} deleted`);
  } else {
    await call(t, 'POST', `/nodes/${encodeURIComponent(name)}/${action}`);
    console.log(`node/${name} ${action === 'stop' ? 'stopped' : 'started'}`);
  }
  return 0;
}

export async function clockCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('clock', args, { kubeconfig: { type: 'string' } });
  if (values.help) {
    console.log(HELP.clock);
    return 0;
  }
  const [action, duration, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, 'clock');
  if (action !== 'show' && action !== 'advance') throw new UsageError(action ? `unknown action "${action}": use show or advance` : 'missing action: show or advance', 'clock');
  if (action === 'advance') {
    if (!duration) throw new UsageError('clock advance needs a DURATION such as 90s, 5m or 1h', 'clock');
    try {
      parseDuration(duration);
    } catch (e) {
      throw new UsageError((e as Error).message, 'clock');
    }
  } else if (duration) throw new UsageError(`unexpected argument "${duration}"`, 'clock');
  const t = readTarget(values.kubeconfig);
  const info = action === 'advance' ? await call(t, 'POST', '/clock/advance', { duration }) : await call(t, 'GET', '/clock');
  if (action === 'advance') console.log(`advanced ${duration}`);
  console.log(`now: ${info.now}`);
  console.log(`mode: ${info.mode}, time scale: ${info.timeScale}, fast-forwarded: ${info.skewSeconds}s`);
  return 0;
}
