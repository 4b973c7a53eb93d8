// A container's environment and its command line as the kubelet makes them
// (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables, pkg/kubelet/envvars/envvars.go,
// third_party/forked/golang/expansion/expand.go, pkg/api/v1/resource/helpers.go
// ExtractContainerResourceValue).

import type { Obj } from '../api/objects.ts';
import { fieldPathValue, resourceFieldValue } from '../runtime/downward.ts';

/**
 * `$(VAR)` expansion as Kubernetes does it for env values, command and args: `$(VAR)` takes the
 * variable's value, `$$` is a literal `$` (so `$$(VAR)` stays `$(VAR)`), an unknown variable or
 * an unclosed `$(` is left as written.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = name === '' ? undefined : lookup(name);
      out += v ?? `$(${name})`;
      i = close + 1;
    } else {
      out += ch + next;
      i += 2;
    }
  }
  return out;
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** IsServiceIPSet: a ClusterIP that is not None. */
function serviceIPSet(svc: Obj): boolean {
  const ip = svc.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None';
}

/** The Service environment variables (docker links style) for the given Services (envvars.FromServices). */
export function serviceEnv(services: Obj[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    if (!serviceIPSet(svc)) continue;
    const name = String(svc.metadata.name).toUpperCase().replace(/-/g, '_');
    const ip: string = svc.spec.clusterIP;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    const ports: Obj[] = svc.spec.ports ?? [];
    out.push([`${name}_SERVICE_HOST`, ip]);
    if (ports.length > 0) out.push([`${name}_SERVICE_PORT`, String(ports[0].port)]);
    for (const p of ports) {
      if (p.name) out.push([`${name}_SERVICE_PORT_${String(p.name).toUpperCase().replace(/-/g, '_')}`, String(p.port)]);
    }
    ports.forEach((p, i) => {
      const proto = String(p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${host}:${p.port}`;
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      if (i === 0) out.push([`${name}_PORT`, url]);
      out.push([prefix, url], [`${prefix}_PROTO`, proto], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
    });
  }
  return out;
}

export interface EnvSources {
  pod: Obj;
  container: Obj;
  podIP?: string;
  hostIP: string;
  /** The node's allocatable resources, for limits a container does not set. */
  allocatable: Record<string, string>;
  configMap(namespace: string, name: string): Obj | undefined;
  secret(namespace: string, name: string): Obj | undefined;
  /** Every Service the kubelet knows (it picks the namespace's and the master services). */
  services(): Obj[];
}

export interface EnvResult {
  /** In the order the kubelet hands them to the runtime. */
  env: [string, string][];
  /** The first error that stops the container from being created (CreateContainerConfigError). */
  error?: string;
  /** Events to record (InvalidEnvironmentVariableNames). */
  warnings: { reason: string; message: string }[];
}

/** Which Services a pod sees in its environment (getServiceEnvVarMap). */
function visibleServices(all: Obj[], namespace: string, enableServiceLinks: boolean): Obj[] {
  const byName = new Map<string, Obj>();
  for (const svc of all) {
    if (!serviceIPSet(svc)) continue;
    const n = svc.metadata.name;
    if (svc.metadata.namespace === 'default' && n === 'kubernetes') {
      if (!byName.has(n)) byName.set(n, svc);
    } else if (svc.metadata.namespace === namespace && enableServiceLinks) {
      byName.set(n, svc);
    }
  }
  return [...byName.values()];
}

function decodeSecret(v: unknown): string {
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** makeEnvironmentVariables: envFrom, then env (with `$(VAR)` over what came before), then Service variables. */
export function makeEnvironment(src: EnvSources): EnvResult {
  const { pod, container } = src;
  const ns: string = pod.metadata.namespace;
  const warnings: EnvResult['warnings'] = [];
  const svcEnv = new Map(serviceEnv(visibleServices(src.services(), ns, pod.spec?.enableServiceLinks !== false)));
  const tmp = new Map<string, string>();
  const lookup = (name: string) => tmp.get(name) ?? svcEnv.get(name);
  const fail = (error: string): EnvResult => ({ env: [], error, warnings });

  for (const from of (container.envFrom ?? []) as Obj[]) {
    const prefix: string = from.prefix ?? '';
    let data: Record<string, string>;
    let kind: string;
    let name: string;
    if (from.configMapRef) {
      name = from.configMapRef.name ?? '';
      kind = 'configMap';
      const cm = src.configMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        return fail(`configmap "${name}" not found`);
      }
      data = { ...(cm.data ?? {}) };
      for (const [k, v] of Object.entries((cm.binaryData ?? {}) as Record<string, string>)) data[k] = decodeSecret(v);
    } else if (from.secretRef) {
      name = from.secretRef.name ?? '';
      kind = 'secret';
      const s = src.secret(ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        return fail(`secret "${name}" not found`);
      }
      data = {};
      for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>)) data[k] = decodeSecret(v);
    } else continue;
    const invalid: string[] = [];
    for (const [k0, v] of Object.entries(data)) {
      const k = prefix + k0;
      if (!ENV_VAR_NAME.test(k)) {
        invalid.push(k);
        continue;
      }
      tmp.set(k, v);
    }
    if (invalid.length > 0) {
      invalid.sort();
      warnings.push({
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.join(', ')}] from the EnvFrom ${kind} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  for (const e of (container.env ?? []) as Obj[]) {
    let value: string = e.value ?? '';
    if (value !== '') {
      value = expandVars(value, lookup);
    } else if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.fieldRef) {
        value = fieldPathValue(pod, vf.fieldRef.fieldPath ?? '', src.podIP, src.hostIP) ?? '';
      } else if (vf.resourceFieldRef) {
        value = resourceFieldValue(pod, container, vf.resourceFieldRef, src.allocatable);
      } else if (vf.configMapKeyRef) {
        const { name = '', key = '', optional } = vf.configMapKeyRef;
        const cm = src.configMap(ns, name);
        if (!cm) {
          if (optional) continue;
          return fail(`configmap "${name}" not found`);
        }
        const v = cm.data?.[key] ?? (cm.binaryData?.[key] !== undefined ? decodeSecret(cm.binaryData[key]) : undefined);
        if (v === undefined) {
          if (optional) continue;
          return fail(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = v;
      } else if (vf.secretKeyRef) {
        const { name = '', key = '', optional } = vf.secretKeyRef;
        const s = src.secret(ns, name);
        if (!s) {
          if (optional) continue;
          return fail(`secret "${name}" not found`);
        }
        const raw = s.data?.[key];
        if (raw === undefined) {
          if (optional) continue;
          return fail(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = decodeSecret(raw);
      }
    }
    tmp.set(e.name, value);
  }

  const env: [string, string][] = [...tmp];
  for (const [k, v] of svcEnv) if (!tmp.has(k)) env.push([k, v]);
  return { env, warnings };
}

/** The container's argv: command and args with `$(VAR)` expanded from its environment (kubecontainer.ExpandContainerCommandAndArgs). */
export function expandCommand(container: Obj, env: Record<string, string>): { command: string[]; args: string[] } {
  const lookup = (n: string) => (Object.prototype.hasOwnProperty.call(env, n) ? env[n] : undefined);
  return {
    command: ((container.command ?? []) as string[]).map((s) => expandVars(String(s), lookup)),
    args: ((container.args ?? []) as string[]).map((s) => expandVars(String(s), lookup)),
  };
}
