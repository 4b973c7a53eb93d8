// core/v1 Service and Endpoints, discovery.k8s.io/v1 EndpointSlice.
// Defaulting: pkg/apis/core/v1/defaults.go (SetDefaults_Service), pkg/apis/discovery/v1/defaults.go.
// Allocation of cluster IPs (10.96.0.0/12, kube-apiserver's default --service-cluster-ip-range) and
// node ports (30000-32767): pkg/registry/core/service/storage/alloc.go, ipallocator, portallocator.
// Validation: pkg/apis/core/validation/validation.go (ValidateService, ValidateEndpoints),
// pkg/apis/discovery/validation/validation.go.
//
// Allocation on create picks at random, as the allocators do, from the dynamic part of each range,
// skipping what the stored Services hold; a requested IP or port in use is a 422. (A type change to
// NodePort on update picks at random without that check.)

import { randomInt } from 'node:crypto';
import { FieldError } from '../errors.ts';
import { isDNS1123Label, validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { GoFieldError, GoValue, isDNS1035Label } from './common.ts';
import { enumErrors } from './enums.ts';

export const SERVICE_CIDR = '10.96.0.0/12';
const CIDR_BASE = (10 << 24) | (96 << 16);
const CIDR_SIZE = 1 << 20;
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

const ipString = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const ipNumber = (s: string): number | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
};
const inCidr = (n: number) => n > CIDR_BASE && n < CIDR_BASE + CIDR_SIZE - 1;

/** A random address above the static band (the first 256 addresses; 10.96.0.1 is the `kubernetes` Service's). */
export function allocateClusterIP(): string {
  return ipString(CIDR_BASE + 256 + randomInt(CIDR_SIZE - 256 - 1));
}

/** A random node port from the upper (dynamic) band of 30000-32767. */
export function allocateNodePort(): number {
  return NODE_PORT_MIN + 86 + randomInt(NODE_PORT_MAX - NODE_PORT_MIN + 1 - 86);
}

const usesNodePorts = (t: string) => t === 'NodePort' || t === 'LoadBalancer';

export function defaultService(obj: Obj, old?: Obj, allocate = true): void {
  const spec = (obj.spec ??= {});
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  spec.type ??= 'ClusterIP';
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
  for (const p of ports) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (usesNodePorts(spec.type)) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type === 'ExternalName') return;
  spec.internalTrafficPolicy ??= 'Cluster';
  // On update, what was allocated stays (patchAllocatedValues in the service REST storage).
  if (old?.spec && old.spec.type !== 'ExternalName') {
    if (!spec.clusterIP && old.spec.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs?.length && old.spec.clusterIPs) spec.clusterIPs = [...old.spec.clusterIPs];
    spec.ipFamilies ??= old.spec.ipFamilies;
    spec.ipFamilyPolicy ??= old.spec.ipFamilyPolicy;
    if (usesNodePorts(spec.type)) {
      for (const p of ports) {
        if (!p || p.nodePort) continue;
        const prev = (old.spec.ports ?? []).find((q: Obj) => q.port === p.port && (q.protocol ?? 'TCP') === p.protocol);
        if (prev?.nodePort) p.nodePort = prev.nodePort;
      }
    }
  }
  if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  if (!allocate) return;
  if (!spec.clusterIP) spec.clusterIP = allocateClusterIP();
  spec.clusterIPs ??= [spec.clusterIP];
  if (usesNodePorts(spec.type)) for (const p of ports) if (p && typeof p === 'object' && !p.nodePort) p.nodePort = allocateNodePort();
}

/**
 * Create-time allocation against the Services already stored (the ipallocator and portallocator
 * bitmaps): a requested IP or node port in use is a 422; free ones are picked at random.
 */
export async function allocateService(obj: Obj, existing: () => Promise<Obj[]>): Promise<FieldError[]> {
  const spec = obj.spec;
  if (!spec || spec.type === 'ExternalName') return [];
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const s of await existing()) {
    for (const ip of s.spec?.clusterIPs ?? [s.spec?.clusterIP]) if (ip && ip !== 'None') ips.add(ip);
    for (const p of s.spec?.ports ?? []) if (p?.nodePort) nodePorts.add(p.nodePort);
  }
  const errs: FieldError[] = [];
  if (spec.clusterIP && spec.clusterIP !== 'None' && ips.has(spec.clusterIP)) {
    const ip = String(spec.clusterIP);
    errs.push(new GoFieldError('Invalid', 'spec.clusterIPs', new GoValue(`[]string{${JSON.stringify(ip)}}`), `failed to allocate IP ${ip}: provided IP is already allocated`));
  }
  if (!spec.clusterIP) {
    let ip = allocateClusterIP();
    while (ips.has(ip)) ip = allocateClusterIP();
    spec.clusterIP = ip;
  }
  spec.clusterIPs ??= [spec.clusterIP];
  if (usesNodePorts(spec.type)) {
    (spec.ports ?? []).forEach((p: Obj, i: number) => {
      if (!p || typeof p !== 'object') return;
      if (p.nodePort) {
        if (nodePorts.has(p.nodePort)) errs.push(new FieldError('Invalid', `spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
        nodePorts.add(p.nodePort);
        return;
      }
      if (nodePorts.size >= NODE_PORT_MAX - NODE_PORT_MIN + 1) {
        errs.push(new FieldError('Invalid', `spec.ports[${i}].nodePort`, 0, 'range is full'));
        return;
      }
      let port = allocateNodePort();
      for (let n = 0; nodePorts.has(port); n++) port = n < 1000 ? allocateNodePort() : NODE_PORT_MIN + ((port - NODE_PORT_MIN + 1) % (NODE_PORT_MAX - NODE_PORT_MIN + 1));
      p.nodePort = port;
      nodePorts.add(port);
    });
  }
  return errs;
}

/** validation.IsValidPortName: an IANA_SVC_NAME. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push("must not contain consecutive hyphens ('-')");
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push("must not begin or end with a hyphen ('-')");
  return errs;
}

const portRange = 'must be between 1 and 65535, inclusive';

function validatePortNumOrName(v: unknown, field: string): FieldError[] {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1 && v <= 65535 ? [] : [new FieldError('Invalid', field, v, portRange)];
  if (typeof v === 'string') return isValidPortName(v).map((m) => new FieldError('Invalid', field, v, m));
  return [new FieldError('Invalid', field, v ?? null, 'must be an integer or a string')];
}

function validateService(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, isDNS1035Label);
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [...errs, new FieldError('Required', 'spec', undefined)];
  const type = spec.type;
  if (!['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'].includes(type)) {
    errs.push(new FieldError('NotSupported', 'spec.type', type, 'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'));
  }
  const headless = spec.clusterIP === 'None';
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(new FieldError('Required', 'spec.externalName', undefined));
  } else if (ports.length === 0 && !headless) errs.push(new FieldError('Required', 'spec.ports', undefined));
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (!p || typeof p !== 'object') {
      errs.push(new FieldError('Invalid', path, p, 'must be an object'));
      return;
    }
    if (ports.length > 1 && !p.name) errs.push(new FieldError('Required', `${path}.name`, undefined));
    else if (p.name) {
      for (const m of isDNS1123Label(String(p.name))) errs.push(new FieldError('Invalid', `${path}.name`, p.name, m));
      if (names.has(p.name)) errs.push(new FieldError('Duplicate', `${path}.name`, p.name));
      names.add(p.name);
    }
    if (p.port === undefined || p.port === 0) errs.push(new FieldError('Required', `${path}.port`, undefined));
    else if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.push(new FieldError('Invalid', `${path}.port`, p.port, portRange));
    if (!PROTOCOLS.includes(p.protocol)) errs.push(new FieldError('NotSupported', `${path}.protocol`, p.protocol, 'supported values: "SCTP", "TCP", "UDP"'));
    errs.push(...validatePortNumOrName(p.targetPort, `${path}.targetPort`));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(new FieldError('Forbidden', `${path}.nodePort`, undefined, "may not be used when `type` is 'ClusterIP'"));
      else if (!Number.isInteger(p.nodePort) || p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
        errs.push(new FieldError('Invalid', `${path}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
      }
    }
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) {
      errs.push(
        new GoFieldError(
          'Duplicate',
          path,
          new GoValue(
            `core.ServicePort{Name:${JSON.stringify(String(p.name ?? ''))}, Protocol:${JSON.stringify(String(p.protocol))}, AppProtocol:(*string)(nil), Port:${p.port}, TargetPort:${typeof p.targetPort === 'number' ? `intstr.IntOrString{Type:0, IntVal:${p.targetPort}, StrVal:""}` : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(String(p.targetPort))}}`}, NodePort:${p.nodePort ?? 0}}`,
          ),
        ),
      );
    }
    seen.add(key);
  });
  if (spec.clusterIP && !headless && type !== 'ExternalName') {
    const n = ipNumber(String(spec.clusterIP));
    if (n === undefined) errs.push(new FieldError('Invalid', 'spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    else if (!inCidr(n)) {
      errs.push(
        new GoFieldError(
          'Invalid',
          'spec.clusterIPs',
          new GoValue(`[]string{${JSON.stringify(String(spec.clusterIP))}}`),
          `failed to allocate IP ${spec.clusterIP}: provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
        ),
      );
    }
  }
  if (spec.sessionAffinity !== 'None' && spec.sessionAffinity !== 'ClientIP') {
    errs.push(new FieldError('NotSupported', 'spec.sessionAffinity', spec.sessionAffinity, 'supported values: "ClientIP", "None"'));
  }
  for (const f of ['externalTrafficPolicy', 'internalTrafficPolicy']) {
    const v = spec[f];
    if (v !== undefined && v !== 'Cluster' && v !== 'Local') errs.push(new FieldError('NotSupported', `spec.${f}`, v, 'supported values: "Cluster", "Local"'));
  }
  if (spec.externalTrafficPolicy !== undefined && !usesNodePorts(type)) {
    errs.push(new FieldError('Invalid', 'spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  // ipFamilyPolicy, ipFamilies[*] (validateIPFamilies: sets.List of the supported values).
  errs.push(...enumErrors('io.k8s.api.core.v1.ServiceSpec', spec, 'spec'));
  return errs;
}

/**
 * dropTypeDependentFields (pkg/registry/core/service/strategy.go): on a type change, fields the new
 * type cannot have are cleared when they are what the old object held (so `kubectl apply` from
 * NodePort to ClusterIP works although the live node ports are not in the manifest).
 */
export function dropTypeDependentFields(obj: Obj, old: Obj): void {
  const n = obj.spec;
  const o = old.spec;
  if (!n || typeof n !== 'object' || !o) return;
  const newType = n.type ?? 'ClusterIP';
  const oldType = o.type ?? 'ClusterIP';
  if (newType === oldType) return;
  if (usesNodePorts(oldType) && !usesNodePorts(newType)) {
    (n.ports ?? []).forEach((p: Obj, i: number) => {
      if (p && p.nodePort && p.nodePort === o.ports?.[i]?.nodePort) delete p.nodePort;
    });
    if (n.externalTrafficPolicy === o.externalTrafficPolicy) delete n.externalTrafficPolicy;
    if (n.healthCheckNodePort === o.healthCheckNodePort) delete n.healthCheckNodePort;
  }
  if (oldType === 'LoadBalancer' && newType !== 'LoadBalancer') {
    if (n.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete n.allocateLoadBalancerNodePorts;
    if (n.loadBalancerClass === o.loadBalancerClass) delete n.loadBalancerClass;
  }
  if (newType === 'ExternalName' && oldType !== 'ExternalName') {
    if (n.clusterIP === o.clusterIP) delete n.clusterIP;
    if (JSON.stringify(n.clusterIPs) === JSON.stringify(o.clusterIPs)) delete n.clusterIPs;
    if (JSON.stringify(n.ipFamilies) === JSON.stringify(o.ipFamilies)) delete n.ipFamilies;
    if (n.ipFamilyPolicy === o.ipFamilyPolicy) delete n.ipFamilyPolicy;
    if (n.internalTrafficPolicy === o.internalTrafficPolicy) delete n.internalTrafficPolicy;
  }
}

export const service = {
  fields(obj: Obj): Record<string, string> {
    return { 'spec.clusterIP': String(obj.spec?.clusterIP ?? ''), 'spec.type': String(obj.spec?.type ?? '') };
  },
  prepareForCreate(obj: Obj): void {
    // Cluster IP and node ports come from allocate(), which sees the other Services.
    defaultService(obj, undefined, false);
    obj.status = { loadBalancer: {} };
  },
  allocate: allocateService,
  prepareForUpdate(obj: Obj, old: Obj): void {
    dropTypeDependentFields(obj, old);
    defaultService(obj, old);
  },
  validate: validateService,
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = validateService(obj);
    const before = old.spec?.clusterIP;
    if (before && before !== 'None' && obj.spec?.type !== 'ExternalName' && old.spec?.type !== 'ExternalName' && obj.spec?.clusterIP !== before) {
      errs.push(new FieldError('Invalid', 'spec.clusterIPs[0]', obj.spec?.clusterIP ?? '', 'may not change once set'));
    }
    return errs;
  },
};

// ---- Endpoints ----

export const endpoints = {
  prepareForCreate: defaultEndpoints,
  prepareForUpdate: defaultEndpoints,
  validate(obj: Obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, true);
    (obj.subsets ?? []).forEach((s: Obj, i: number) => {
      (s?.addresses ?? []).forEach((a: Obj, j: number) => {
        if (!a?.ip) errs.push(new FieldError('Required', `subsets[${i}].addresses[${j}].ip`, undefined));
      });
      (s?.ports ?? []).forEach((p: Obj, j: number) => {
        if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) errs.push(new FieldError('Invalid', `subsets[${i}].ports[${j}].port`, p?.port ?? 0, portRange));
      });
    });
    return errs;
  },
};

function defaultEndpoints(obj: Obj): void {
  for (const s of obj.subsets ?? []) for (const p of s?.ports ?? []) if (p) p.protocol ??= 'TCP';
}

// ---- EndpointSlice ----

function defaultSlice(obj: Obj): void {
  for (const p of obj.ports ?? []) if (p) p.protocol ??= 'TCP';
}

export const endpointSlice = {
  prepareForCreate: defaultSlice,
  prepareForUpdate: defaultSlice,
  validate(obj: Obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, true);
    if (!obj.addressType) errs.push(new FieldError('Required', 'addressType', undefined));
    else if (!['FQDN', 'IPv4', 'IPv6'].includes(obj.addressType)) {
      errs.push(new FieldError('NotSupported', 'addressType', obj.addressType, 'supported values: "FQDN", "IPv4", "IPv6"'));
    }
    (obj.endpoints ?? []).forEach((e: Obj, i: number) => {
      const addrs = e?.addresses;
      if (!Array.isArray(addrs) || addrs.length === 0) errs.push(new FieldError('Required', `endpoints[${i}].addresses`, undefined, 'must contain at least 1 address'));
      else if (obj.addressType === 'IPv4') {
        addrs.forEach((a: string, j: number) => {
          if (ipNumber(String(a)) === undefined) errs.push(new FieldError('Invalid', `endpoints[${i}].addresses[${j}]`, a, 'must be a valid IPv4 address'));
        });
      }
    });
    (obj.ports ?? []).forEach((p: Obj, i: number) => {
      if (p?.port !== undefined && p?.port !== null && (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)) {
        errs.push(new FieldError('Invalid', `ports[${i}].port`, p.port, portRange));
      }
      if (p?.protocol && !PROTOCOLS.includes(p.protocol)) errs.push(new FieldError('NotSupported', `ports[${i}].protocol`, p.protocol, 'supported values: "SCTP", "TCP", "UDP"'));
    });
    return errs;
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = endpointSlice.validate(obj);
    if (obj.addressType !== old.addressType) errs.push(new FieldError('Invalid', 'addressType', obj.addressType, 'field is immutable'));
    return errs;
  },
};

// ---- the `kubernetes` Service ----

/** The API server's address as pods would see it: the control-plane node, port 8443 as minikube has it. */
export const APISERVER_ENDPOINT = { ip: '192.168.49.2', port: 8443 };

/**
 * The `kubernetes` Service in `default` with the first address of the range (10.96.0.1), its
 * Endpoints and EndpointSlice, as kube-apiserver's kubernetes-service controller keeps them
 * (pkg/controlplane/controller/kubernetesservice, pkg/controlplane/reconcilers).
 */
export function kubernetesServiceObjects(): { service: Obj; endpoints: Obj; endpointSlice: Obj } {
  const { ip, port } = APISERVER_ENDPOINT;
  return {
    service: {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: ipString(CIDR_BASE + 1), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None' },
    },
    endpoints: {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    },
    endpointSlice: {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
  };
}

/**
 * The cluster DNS Service at the tenth address of the range (10.96.0.10), as kubeadm's CoreDNS addon
 * creates it in kube-system (cmd/kubeadm/app/phases/addons/dns/manifests.go); pods' resolv.conf
 * names it. The emulated network answers DNS itself (network/dns.ts).
 */
export function kubeDnsService(): Obj {
  return {
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: ipString(CIDR_BASE + 10),
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      selector: { 'k8s-app': 'kube-dns' },
      sessionAffinity: 'None',
    },
  };
}
