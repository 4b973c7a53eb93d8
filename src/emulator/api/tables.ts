// Server-side printing: meta.k8s.io/v1 Table for `kubectl get`.
//
// Columns and cells follow kubernetes pkg/printers/internalversion/printers.go (v1.32). The apiserver's
// TableConvertor (pkg/printers/storage/storage.go) always prints with Wide: true, so every row carries the
// priority-1 cells too and kubectl hides them unless -o wide. Resources without a printer get the
// default convertor of k8s.io/apiserver/pkg/registry/rest/table.go: Name and "Created At".
// The row `object` follows handlers/response.go asTable: PartialObjectMetadata for includeObject=Metadata
// (the default), the object for Object, nothing for None.
//
// Objects are the v1 JSON objects as stored. Where printers.go reads a field that v1 defaulting always
// fills (replicas, Service type, port protocol, CronJob suspend), the default is applied here so that an
// object stored without defaults prints as the real apiserver would print it.

import { formatLabelSelector, labelSelectorFromObject, selectorString } from './selectors.ts';

export interface TableOptions {
  includeObject: 'None' | 'Metadata' | 'Object';
  /** Emulated time, ms since the epoch. */
  now: number;
  resourceVersion: string;
  continue?: string;
  /** apiVersion of the objects, e.g. 'v1' or 'apps/v1'. */
  apiVersion: string;
  /** Kind of the objects, e.g. 'Pod'. */
  kind: string;
  /** metav1.TableOptions.noHeaders: leave out the column definitions (watch events after the first). */
  noHeaders?: boolean;
}

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

// ---------------------------------------------------------------------------------------------
// k8s.io/apimachinery/pkg/util/duration/duration.go

/** duration.HumanDuration: ~2-3 significant figures ("59s", "119s", "2m", "5m30s", "3h5m", "2d3h", "3y2d"). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) || t <= -62135596800000 ? undefined : t;
}

/** translateTimestampSince: "<unknown>" for a zero time. */
function since(ts: unknown, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

// ---------------------------------------------------------------------------------------------
// Column descriptions (the SwaggerDoc strings printers.go uses; kubectl does not show them).

const D = {
  name:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  containers: 'Names of each container in the template.',
  images: 'Images referenced by each container in the template.',
};

type Col = [name: string, type: string, description: string, priority?: 0 | 1, format?: string];

const nameCol: Col = ['Name', 'string', D.name, 0, 'name'];
const ageCol: Col = ['Age', 'string', D.creationTimestamp];
const containersCol: Col = ['Containers', 'string', D.containers, 1];
const imagesCol: Col = ['Images', 'string', D.images, 1];

function columns(cols: Col[]): TableColumnDefinition[] {
  return cols.map(([name, type, description, priority = 0, format = '']) => ({ name, type, format, description, priority }));
}

interface Printer {
  columns: TableColumnDefinition[];
  cells(obj: any, now: number): unknown[];
  conditions?(obj: any): TableRowCondition[] | undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by printers.go

/** labels.FormatLabels: sorted k=v joined by ",", "<none>" when empty. */
function formatLabels(m: Record<string, string> | undefined | null): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${m![k]}`).join(',');
}

/** layoutContainerCells. */
function containerCells(containers: any[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(',')];
}

const num = (v: unknown, dflt = 0): number => (typeof v === 'number' ? v : dflt);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---------------------------------------------------------------------------------------------
// Pods

const podSucceeded: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const podFailed: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

const isRestartableInit = (c: any): boolean => c?.restartPolicy === 'Always';

function printPodCells(pod: any, now: number): unknown[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs: any[] = spec.initContainers ?? [];
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (a: number | undefined, ts: unknown): number | undefined => {
    const t = parseTime(ts);
    return t !== undefined && (a === undefined || a < t) ? t : a;
  };

  const podPhase = str(status.phase);
  let reason = podPhase;
  if (status.reason) reason = status.reason;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, any>();
  for (const c of initSpecs) {
    initByName.set(c?.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    restarts += num(cs.restartCount);
    if (cs.lastState?.terminated) lastRestart = later(lastRestart, cs.lastState.terminated.finishedAt);
    const restartable = isRestartableInit(initByName.get(cs.name));
    if (restartable) {
      restartableInitRestarts += num(cs.restartCount);
      if (cs.lastState?.terminated) lastRestartableInitRestart = later(lastRestartableInitRestart, cs.lastState.terminated.finishedAt);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && num(term.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (term) {
      if (!term.reason) {
        reason = num(term.signal) !== 0 ? `Init:Signal:${num(term.signal)}` : `Init:ExitCode:${num(term.exitCode)}`;
      } else {
        reason = 'Init:' + term.reason;
      }
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = 'Init:' + waiting.reason;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (status.conditions ?? []).find((c: any) => c?.type === 'Initialized')?.status === 'True';
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += num(cs.restartCount);
      if (cs.lastState?.terminated) lastRestart = later(lastRestart, cs.lastState.terminated.finishedAt);
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting && waiting.reason) {
        reason = waiting.reason;
      } else if (term && term.reason) {
        reason = term.reason;
      } else if (term && !term.reason) {
        reason = num(term.signal) !== 0 ? `Signal:${num(term.signal)}` : `ExitCode:${num(term.exitCode)}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata?.deletionTimestamp != null;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && podPhase !== 'Succeeded' && podPhase !== 'Failed') reason = 'Terminating';

  let restartsStr: string = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsStr = `${restarts} (${humanDuration(now - lastRestart)} ago)`;

  // The v1 -> internal conversion fills podIPs from podIP when only podIP is set.
  const podIP = (status.podIPs ?? [])[0]?.ip || status.podIP || '<none>';
  const nodeName = spec.nodeName || '<none>';
  const nominated = status.nominatedNodeName || '<none>';
  let readinessGates = '<none>';
  const gates: any[] = spec.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const g of gates) {
      const c = (status.conditions ?? []).find((x: any) => x?.type === g?.conditionType);
      if (c?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsStr,
    since(pod.metadata?.creationTimestamp, now),
    podIP,
    nodeName,
    nominated,
    readinessGates,
  ];
}

const pods: Printer = {
  columns: columns([
    nameCol,
    ['Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'],
    ['Status', 'string', 'The aggregate status of the containers in this pod.'],
    [
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ],
    ageCol,
    ['IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1],
    [
      'Node',
      'string',
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
      1,
    ],
    [
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
      1,
    ],
    [
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      1,
    ],
  ]),
  cells: printPodCells,
  conditions(pod) {
    const phase = pod.status?.phase;
    return phase === 'Succeeded' ? podSucceeded : phase === 'Failed' ? podFailed : undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Nodes

function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role.length > 0) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

const nodeAddress = (node: any, type: string): string =>
  (node.status?.addresses ?? []).find((a: any) => a?.type === type)?.address ?? '<none>';

const nodes: Printer = {
  columns: columns([
    nameCol,
    ['Status', 'string', 'The status of the node'],
    ['Roles', 'string', 'The roles of the node'],
    ageCol,
    ['Version', 'string', 'Kubelet Version reported by the node.'],
    ['Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1],
    ['External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1],
    ['OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1],
    ['Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1],
    ['Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1],
  ]),
  cells(node, now) {
    const status: string[] = [];
    // Only the Ready condition counts (NodeAllConditions); the last one of that type wins.
    let ready: any;
    for (const c of node.status?.conditions ?? []) if (c?.type === 'Ready') ready = c;
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const roles = nodeRoles(node.metadata?.labels).join(',') || '<none>';
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata?.name ?? '',
      status.join(','),
      roles,
      since(node.metadata?.creationTimestamp, now),
      str(info.kubeletVersion),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Namespaces, ConfigMaps, Secrets, Leases, ServiceAccounts

const namespaces: Printer = {
  columns: columns([nameCol, ['Status', 'string', 'The status of the namespace'], ageCol]),
  cells: (ns, now) => [ns.metadata?.name ?? '', str(ns.status?.phase), since(ns.metadata?.creationTimestamp, now)],
};

const configmaps: Printer = {
  columns: columns([
    nameCol,
    [
      'Data',
      'string',
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ],
    ageCol,
  ]),
  cells: (cm, now) => [
    cm.metadata?.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    since(cm.metadata?.creationTimestamp, now),
  ],
};

const secrets: Printer = {
  columns: columns([
    nameCol,
    ['Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'],
    [
      'Data',
      'string',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ],
    ageCol,
  ]),
  cells: (s, now) => [
    s.metadata?.name ?? '',
    // v1 defaulting sets type Opaque.
    s.type || 'Opaque',
    // stringData is merged into data when the Secret is written.
    new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]).size,
    since(s.metadata?.creationTimestamp, now),
  ],
};

const leases: Printer = {
  columns: columns([
    nameCol,
    ['Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'],
    ageCol,
  ]),
  cells: (l, now) => [l.metadata?.name ?? '', str(l.spec?.holderIdentity), since(l.metadata?.creationTimestamp, now)],
};

const serviceaccounts: Printer = {
  columns: columns([
    nameCol,
    ['Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'],
    ageCol,
  ]),
  cells: (sa, now) => [sa.metadata?.name ?? '', (sa.secrets ?? []).length, since(sa.metadata?.creationTimestamp, now)],
};

// ---------------------------------------------------------------------------------------------
// Events (core/v1 and events.k8s.io/v1, which the apiserver prints with the same printer)

function formatEventSource(source: any, reportingController: string, reportingInstance: string): string {
  const component = source?.component || reportingController || '';
  const instance = source?.host || reportingInstance || '';
  return instance.length === 0 ? component : `${component}, ${instance}`;
}

/** The fields of an events.k8s.io/v1 Event under their core/v1 names (the internal type is shared). */
function coreEvent(e: any): any {
  if (!('regarding' in e) && !('note' in e) && !('deprecatedSource' in e)) return e;
  return {
    ...e,
    involvedObject: e.involvedObject ?? e.regarding,
    message: e.message ?? e.note,
    source: e.source ?? e.deprecatedSource,
    firstTimestamp: e.firstTimestamp ?? e.deprecatedFirstTimestamp,
    lastTimestamp: e.lastTimestamp ?? e.deprecatedLastTimestamp,
    count: e.count ?? e.deprecatedCount,
  };
}

const events: Printer = {
  columns: columns([
    ['Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'],
    ['Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'],
    ['Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."],
    ['Object', 'string', 'The object that this event is about.'],
    [
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
      1,
    ],
    ['Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1],
    ['Message', 'string', 'A human-readable description of the status of this operation.'],
    ['First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1],
    ['Count', 'string', 'The number of times this event has occurred.', 1],
    ['Name', 'string', D.name, 1, 'name'],
  ]),
  cells(raw, now) {
    const e = coreEvent(raw);
    let firstTimestamp = since(e.firstTimestamp, now);
    if (parseTime(e.firstTimestamp) === undefined) firstTimestamp = since(e.eventTime, now);
    let lastTimestamp = since(e.lastTimestamp, now);
    if (parseTime(e.lastTimestamp) === undefined) lastTimestamp = firstTimestamp;
    let count = num(e.count);
    if (e.series) {
      lastTimestamp = since(e.series.lastObservedTime, now);
      count = num(e.series.count);
    } else if (count === 0) {
      count = 1;
    }
    const io = e.involvedObject ?? {};
    const kind = str(io.kind).toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    return [
      lastTimestamp,
      str(e.type),
      str(e.reason),
      target,
      str(io.fieldPath),
      formatEventSource(e.source, str(e.reportingController ?? e.reportingComponent), str(e.reportingInstance)),
      str(e.message).trim(),
      firstTimestamp,
      count,
      e.metadata?.name ?? '',
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Services and endpoints

function loadBalancerIPs(status: any): string {
  const seen = new Set<string>();
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing?.ip) seen.add(ing.ip);
    else if (ing?.hostname) seen.add(ing.hostname);
  }
  // The server prints wide, so the list is not clipped to 16 characters.
  return [...seen].sort().join(',');
}

function serviceExternalIP(svc: any, type: string): string {
  const externalIPs: string[] = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc.status);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb.length > 0 ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(svc.spec?.externalName);
  }
  return '<unknown>';
}

function makePortString(ports: any[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const protocol = p?.protocol || 'TCP';
      return num(p?.nodePort) > 0 ? `${num(p?.port)}:${p.nodePort}/${protocol}` : `${num(p?.port)}/${protocol}`;
    })
    .join(',');
}

const services: Printer = {
  columns: columns([
    nameCol,
    ['Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'],
    ['Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'],
    ['External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'],
    ['Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'],
    ageCol,
    ['Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1],
  ]),
  cells(svc, now) {
    const type = svc.spec?.type || 'ClusterIP';
    const clusterIPs: string[] = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
    return [
      svc.metadata?.name ?? '',
      type,
      clusterIPs.length > 0 ? clusterIPs[0] : '<none>',
      serviceExternalIP(svc, type),
      makePortString(svc.spec?.ports) || '<none>',
      since(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};

function formatEndpoints(ep: any): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a?.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        const ip = str(a?.ip);
        list.push(`${ip.includes(':') ? `[${ip}]` : ip}:${num(port?.port)}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const endpoints: Printer = {
  columns: columns([
    nameCol,
    ['Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'],
    ageCol,
  ]),
  cells: (ep, now) => [ep.metadata?.name ?? '', formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)],
};

// ---------------------------------------------------------------------------------------------
// Workloads

const deployments: Printer = {
  columns: columns([
    nameCol,
    ['Ready', 'string', 'Number of the pod with ready state'],
    ['Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'],
    ['Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'],
    ageCol,
    containersCol,
    imagesCol,
    ['Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1],
  ]),
  cells(d, now) {
    const status = d.status ?? {};
    let selector: string;
    try {
      selector = selectorString(labelSelectorFromObject(d.spec?.selector));
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata?.name ?? '',
      `${num(status.readyReplicas)}/${num(d.spec?.replicas, 1)}`,
      num(status.updatedReplicas),
      num(status.availableReplicas),
      since(d.metadata?.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

const replicasets: Printer = {
  columns: columns([
    nameCol,
    ['Desired', 'integer', 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset'],
    ['Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset'],
    ['Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet controller with a Ready Condition.'],
    ageCol,
    containersCol,
    imagesCol,
    ['Selector', 'string', 'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template.', 1],
  ]),
  cells(rs, now) {
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '',
      num(rs.spec?.replicas, 1),
      num(rs.status?.replicas),
      num(rs.status?.readyReplicas),
      since(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

const replicationcontrollers: Printer = {
  columns: columns([
    nameCol,
    ['Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'],
    ['Current', 'integer', 'Replicas is the most recently observed number of replicas.'],
    ['Ready', 'integer', 'The number of ready replicas for this replication controller.'],
    ageCol,
    containersCol,
    imagesCol,
    ['Selector', 'string', 'Selector is a label query over pods that should match the Replicas count.', 1],
  ]),
  cells(rc, now) {
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return [
      rc.metadata?.name ?? '',
      num(rc.spec?.replicas, 1),
      num(rc.status?.replicas),
      num(rc.status?.readyReplicas),
      since(rc.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};

const daemonsets: Printer = {
  columns: columns([
    nameCol,
    ['Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'],
    ['Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'],
    ['Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'],
    ['Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'],
    ['Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'],
    ['Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."],
    ageCol,
    containersCol,
    imagesCol,
    ['Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1],
  ]),
  cells(ds, now) {
    const s = ds.status ?? {};
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata?.name ?? '',
      num(s.desiredNumberScheduled),
      num(s.currentNumberScheduled),
      num(s.numberReady),
      num(s.updatedNumberScheduled),
      num(s.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

const statefulsets: Printer = {
  columns: columns([nameCol, ['Ready', 'string', 'Number of the pod with ready state'], ageCol, containersCol, imagesCol]),
  cells(ss, now) {
    const [names, images] = containerCells(ss.spec?.template?.spec?.containers);
    return [
      ss.metadata?.name ?? '',
      `${num(ss.status?.readyReplicas)}/${num(ss.spec?.replicas, 1)}`,
      since(ss.metadata?.creationTimestamp, now),
      names,
      images,
    ];
  },
};

const jobCondition = (job: any, type: string): boolean =>
  (job.status?.conditions ?? []).find((c: any) => c?.type === type)?.status === 'True';

const jobs: Printer = {
  columns: columns([
    nameCol,
    ['Status', 'string', 'Status of the job.'],
    ['Completions', 'string', 'The number of pods which reached phase Succeeded.'],
    ['Duration', 'string', 'Time required to complete the job.'],
    ageCol,
    containersCol,
    imagesCol,
    ['Selector', 'string', 'A label query over pods that should match the pod count.', 1],
  ]),
  cells(job, now) {
    const succeeded = num(job.status?.succeeded);
    let completions: string;
    if (typeof job.spec?.completions === 'number') {
      completions = `${succeeded}/${job.spec.completions}`;
    } else {
      const parallelism = num(job.spec?.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(job.status?.startTime);
    const end = parseTime(job.status?.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
    let status: string;
    if (jobCondition(job, 'Complete')) status = 'Complete';
    else if (jobCondition(job, 'Failed')) status = 'Failed';
    else if (job.metadata?.deletionTimestamp != null) status = 'Terminating';
    else if (jobCondition(job, 'Suspended')) status = 'Suspended';
    else if (jobCondition(job, 'FailureTarget')) status = 'FailureTarget';
    else status = 'Running';
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      job.metadata?.name ?? '',
      status,
      completions,
      duration,
      since(job.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

const cronjobs: Printer = {
  columns: columns([
    nameCol,
    ['Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'],
    ['Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'],
    ['Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.'],
    ['Active', 'integer', 'A list of pointers to currently running jobs.'],
    ['Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'],
    ageCol,
    containersCol,
    imagesCol,
    ['Selector', 'string', 'A label query over pods that should match the pod count.', 1],
  ]),
  cells(cj, now) {
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
    const suspend = typeof cj.spec?.suspend === 'boolean' ? cj.spec.suspend : false;
    const jobSpec = cj.spec?.jobTemplate?.spec ?? {};
    const [names, images] = containerCells(jobSpec.template?.spec?.containers);
    return [
      cj.metadata?.name ?? '',
      str(cj.spec?.schedule),
      cj.spec?.timeZone ?? '<none>',
      suspend ? 'True' : 'False',
      (cj.status?.active ?? []).length,
      last,
      since(cj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};

const podtemplates: Printer = {
  columns: columns([
    nameCol,
    ['Containers', 'string', D.containers],
    ['Images', 'string', D.images],
    ['Pod Labels', 'string', 'The labels for the pod template.'],
  ]),
  cells(pt) {
    const [names, images] = containerCells(pt.template?.spec?.containers);
    return [pt.metadata?.name ?? '', names, images, formatLabels(pt.template?.metadata?.labels)];
  },
};

// ---------------------------------------------------------------------------------------------
// Storage, quota, autoscaling, discovery, policy and networking (printers.go, v1.32)

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
function accessModes(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  for (const [m, short] of [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']]) if (set.has(m)) out.push(short);
  return out.join(',');
}

const storageClassOf = (o: any): string => o.spec?.storageClassName ?? o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
const quantityString = (q: unknown): string => (q === undefined || q === null ? '0' : String(q));

const persistentvolumes: Printer = {
  columns: columns([
    nameCol,
    ['Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity'],
    ['Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'],
    ['Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'],
    ['Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'],
    ['Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'],
    ['StorageClass', 'string', 'StorageClass of the pv'],
    ['VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'],
    ['Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'],
    ageCol,
    ['VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', 1],
  ]),
  cells(pv, now) {
    const ref = pv.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : str(pv.status?.phase);
    return [
      pv.metadata?.name ?? '',
      quantityString(pv.spec?.capacity?.storage),
      accessModes(pv.spec?.accessModes),
      str(pv.spec?.persistentVolumeReclaimPolicy),
      phase,
      claim,
      storageClassOf(pv),
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      str(pv.status?.reason),
      since(pv.metadata?.creationTimestamp, now),
      pv.spec?.volumeMode ?? '<unset>',
    ];
  },
};

const persistentvolumeclaims: Printer = {
  columns: columns([
    nameCol,
    ['Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'],
    ['Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'],
    ['Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'],
    ['Access Modes', 'string', 'accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'],
    ['StorageClass', 'string', 'StorageClass of the pvc'],
    ['VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'],
    ageCol,
    ['VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', 1],
  ]),
  cells(pvc, now) {
    const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : str(pvc.status?.phase);
    const bound = !!pvc.spec?.volumeName;
    return [
      pvc.metadata?.name ?? '',
      phase,
      str(pvc.spec?.volumeName),
      bound ? quantityString(pvc.status?.capacity?.storage) : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClassOf(pvc),
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      since(pvc.metadata?.creationTimestamp, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
};

const resourcequotas: Printer = {
  columns: columns([
    nameCol,
    ageCol,
    ['Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'],
    ['Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'],
  ]),
  cells(rq, now) {
    const req: string[] = [];
    const lim: string[] = [];
    for (const r of Object.keys(rq.spec?.hard ?? {}).sort()) {
      const cell = `${r}: ${quantityString(rq.status?.used?.[r])}/${quantityString(rq.status?.hard?.[r])}`;
      (r.split('.').length > 1 && r.split('.')[0] === 'limits' ? lim : req).push(cell);
    }
    return [rq.metadata?.name ?? '', since(rq.metadata?.creationTimestamp, now), req.join(', '), lim.join(', ')];
  },
};

const limitranges: Printer = {
  columns: columns([nameCol, ['Created At', 'date', D.creationTimestamp]]),
  cells: (lr) => [lr.metadata?.name ?? '', rfc3339(lr.metadata?.creationTimestamp)],
};

/** formatHPAMetrics for the Resource metrics the course uses; others print as <unknown>/target. */
function hpaTargets(hpa: any): string {
  let metrics: any[] = hpa.spec?.metrics ?? [];
  let current: any[] = hpa.status?.currentMetrics ?? [];
  if (!hpa.spec?.metrics && typeof hpa.spec?.targetCPUUtilizationPercentage === 'number') {
    // autoscaling/v1: the same row as the v2 form it converts to.
    metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.spec.targetCPUUtilizationPercentage } } }];
    const cur = hpa.status?.currentCPUUtilizationPercentage;
    current = typeof cur === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }] : [];
  }
  if (metrics.length === 0) return '<none>';
  const list: string[] = [];
  const max = 2;
  metrics.forEach((m, i) => {
    if (i >= max) return;
    const st = current[i];
    if (m?.type === 'Resource' && m.resource) {
      const t = m.resource.target ?? {};
      if (t.averageValue !== undefined) {
        const cur = st?.resource?.current?.averageValue !== undefined ? String(st.resource.current.averageValue) : '<unknown>';
        list.push(`${m.resource.name}: ${cur}/${t.averageValue}`);
      } else {
        const cur = typeof st?.resource?.current?.averageUtilization === 'number' ? `${st.resource.current.averageUtilization}%` : '<unknown>';
        const target = typeof t.averageUtilization === 'number' ? `${t.averageUtilization}%` : '<auto>';
        list.push(`${m.resource.name}: ${cur}/${target}`);
      }
    } else list.push('<unknown type>');
  });
  const more = metrics.length > max ? ` + ${metrics.length - max} more...` : '';
  return list.join(', ') + more;
}

const horizontalpodautoscalers: Printer = {
  columns: columns([
    nameCol,
    ['Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'],
    ['Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.'],
    ['MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'],
    ['MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'],
    ['Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'],
    ageCol,
  ]),
  cells(hpa, now) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    return [
      hpa.metadata?.name ?? '',
      `${ref.kind ?? ''}/${ref.name ?? ''}`,
      hpaTargets(hpa),
      typeof hpa.spec?.minReplicas === 'number' ? String(hpa.spec.minReplicas) : '<unset>',
      num(hpa.spec?.maxReplicas),
      num(hpa.status?.currentReplicas),
      since(hpa.metadata?.creationTimestamp, now),
    ];
  },
};

const endpointslices: Printer = {
  columns: columns([
    nameCol,
    ['AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'],
    ['Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'],
    ['Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'],
    ageCol,
  ]),
  cells(es, now) {
    const ports: any[] = es.ports ?? [];
    let portStr = '<unset>';
    if (ports.length) {
      const shown = ports.slice(0, 3).map((p) => (typeof p?.port === 'number' ? String(p.port) : '<unset>'));
      portStr = shown.join(',') + (ports.length > 3 ? ` + ${ports.length - 3} more...` : '');
    }
    const addrs: string[] = [];
    let total = 0;
    for (const e of es.endpoints ?? []) for (const a of e?.addresses ?? []) {
      total++;
      if (addrs.length < 3) addrs.push(a);
    }
    const epStr = total === 0 ? '<unset>' : addrs.join(',') + (total > 3 ? ` + ${total - 3} more...` : '');
    return [es.metadata?.name ?? '', str(es.addressType), portStr, epStr, since(es.metadata?.creationTimestamp, now)];
  },
};

const storageclasses: Printer = {
  columns: columns([
    nameCol,
    ['Provisioner', 'string', 'provisioner indicates the type of the provisioner.'],
    ['ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'],
    ['VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'],
    ['AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'],
    ageCol,
  ]),
  cells(sc, now) {
    const ann = sc.metadata?.annotations ?? {};
    const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`,
      str(sc.provisioner),
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion === true,
      since(sc.metadata?.creationTimestamp, now),
    ];
  },
};

// printers.go printPriorityClass.
const priorityclasses: Printer = {
  columns: columns([
    nameCol,
    ['Value', 'integer', 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.'],
    ['Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.'],
    ageCol,
    ['PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.'],
  ]),
  cells: (pc, now) => [pc.metadata?.name ?? '', num(pc.value), pc.globalDefault === true, since(pc.metadata?.creationTimestamp, now), str(pc.preemptionPolicy)],
};

const intOrString = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

const poddisruptionbudgets: Printer = {
  columns: columns([
    nameCol,
    ['Min Available', 'string', 'The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'],
    ['Max Unavailable', 'string', 'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'],
    ['Allowed Disruptions', 'integer', 'Number of pod disruptions that are currently allowed.'],
    ageCol,
  ]),
  cells: (pdb, now) => [
    pdb.metadata?.name ?? '',
    intOrString(pdb.spec?.minAvailable),
    intOrString(pdb.spec?.maxUnavailable),
    num(pdb.status?.disruptionsAllowed),
    since(pdb.metadata?.creationTimestamp, now),
  ],
};

const ingresses: Printer = {
  columns: columns([
    nameCol,
    ['Class', 'string', 'The name of the IngressClass resource used by this Ingress.'],
    ['Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'],
    ['Address', 'string', 'Address is a list containing ingress points for the load-balancer'],
    ['Ports', 'string', 'Ports of TLS configurations that open'],
    ageCol,
  ]),
  cells(ing, now) {
    const rules: any[] = ing.spec?.rules ?? [];
    const hosts: string[] = [];
    let more = false;
    for (const r of rules) {
      if (hosts.length === 3) more = true;
      if (!more && r?.host) hosts.push(r.host);
    }
    const hostStr = hosts.length === 0 ? '*' : hosts.join(',') + (more ? ` + ${rules.length - 3} more...` : '');
    const addrs = (ing.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip || i?.hostname).filter(Boolean);
    return [
      ing.metadata?.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      hostStr,
      addrs.join(','),
      (ing.spec?.tls ?? []).length ? '80, 443' : '80',
      since(ing.metadata?.creationTimestamp, now),
    ];
  },
};

const networkpolicies: Printer = {
  columns: columns([nameCol, ['Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.'], ageCol]),
  cells: (np, now) => [np.metadata?.name ?? '', formatLabelSelector(np.spec?.podSelector ?? {}), since(np.metadata?.creationTimestamp, now)],
};

/** RoleBindings and ClusterRoleBindings (printers.go printRoleBinding/printClusterRoleBinding, rbac SubjectsStrings). */
function bindingPrinter(roleRefDoc: string): Printer {
  return {
    columns: columns([
      nameCol,
      ['Role', 'string', roleRefDoc],
      ageCol,
      ['Users', 'string', 'Users in the roleBinding', 1],
      ['Groups', 'string', 'Groups in the roleBinding', 1],
      ['ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1],
    ]),
    cells: (b, now) => {
      const subjects: { kind?: string; name?: string; namespace?: string }[] = Array.isArray(b.subjects) ? b.subjects : [];
      const of = (kind: string) => subjects.filter((x) => x?.kind === kind);
      return [
        b.metadata?.name ?? '',
        `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
        since(b.metadata?.creationTimestamp, now),
        of('User').map((x) => x.name ?? '').join(', '),
        of('Group').map((x) => x.name ?? '').join(', '),
        of('ServiceAccount').map((x) => `${x.namespace ?? ''}/${x.name ?? ''}`).join(', '),
      ];
    },
  };
}
const rolebindings = bindingPrinter(
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
);
const clusterrolebindings = bindingPrinter(
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
);

/** autoscaling/v1 Scale (`kubectl get deploy x --subresource=scale`). */
const scales: Printer = {
  columns: columns([
    nameCol,
    ['Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'],
    ['Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'],
  ]),
  cells: (s) => [s.metadata?.name ?? '', num(s.spec?.replicas), num(s.status?.replicas)],
};

const controllerrevisions: Printer = {
  columns: columns([
    nameCol,
    ['Controller', 'string', 'Controller of the object'],
    ['Revision', 'string', 'Revision indicates the revision of the state represented by Data.'],
    ageCol,
  ]),
  cells(cr, now) {
    const ref = (cr.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
    let controller = '<none>';
    if (ref) {
      const av = String(ref.apiVersion ?? '');
      const group = av.includes('/') ? av.slice(0, av.indexOf('/')) : '';
      controller = `${String(ref.kind ?? '').toLowerCase()}${group ? `.${group}` : ''}/${ref.name ?? ''}`;
    }
    return [cr.metadata?.name ?? '', controller, num(cr.revision), since(cr.metadata?.creationTimestamp, now)];
  },
};

// ---------------------------------------------------------------------------------------------
// Default convertor (k8s.io/apiserver/pkg/registry/rest/table.go)

function rfc3339(ts: unknown): string {
  const t = parseTime(ts);
  // Go's zero time.Time formats as 0001-01-01T00:00:00Z.
  return t === undefined ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const defaultPrinter: Printer = {
  columns: columns([nameCol, ['Created At', 'date', D.creationTimestamp]]),
  cells: (obj) => [obj.metadata?.name ?? '', rfc3339(obj.metadata?.creationTimestamp)],
};

/** Printers by "<group>/<resource>" ("" for the core group). */
const PRINTERS = new Map<string, Printer>([
  ['/pods', pods],
  ['/nodes', nodes],
  ['/namespaces', namespaces],
  ['/events', events],
  ['events.k8s.io/events', events],
  ['/configmaps', configmaps],
  ['/secrets', secrets],
  ['/services', services],
  ['/endpoints', endpoints],
  ['/serviceaccounts', serviceaccounts],
  ['/replicationcontrollers', replicationcontrollers],
  ['/podtemplates', podtemplates],
  ['coordination.k8s.io/leases', leases],
  ['apps/deployments', deployments],
  ['apps/replicasets', replicasets],
  ['apps/daemonsets', daemonsets],
  ['apps/statefulsets', statefulsets],
  ['batch/jobs', jobs],
  ['batch/cronjobs', cronjobs],
  ['/persistentvolumes', persistentvolumes],
  ['/persistentvolumeclaims', persistentvolumeclaims],
  ['/resourcequotas', resourcequotas],
  ['/limitranges', limitranges],
  ['autoscaling/horizontalpodautoscalers', horizontalpodautoscalers],
  ['discovery.k8s.io/endpointslices', endpointslices],
  ['storage.k8s.io/storageclasses', storageclasses],
  ['policy/poddisruptionbudgets', poddisruptionbudgets],
  ['scheduling.k8s.io/priorityclasses', priorityclasses],
  ['networking.k8s.io/ingresses', ingresses],
  ['networking.k8s.io/networkpolicies', networkpolicies],
  ['rbac.authorization.k8s.io/rolebindings', rolebindings],
  ['rbac.authorization.k8s.io/clusterrolebindings', clusterrolebindings],
  ['apps/controllerrevisions', controllerrevisions],
  ['autoscaling/scale', scales],
]);

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function printerFor(resource: string, apiVersion: string): Printer {
  return PRINTERS.get(`${groupOf(apiVersion)}/${resource}`) ?? defaultPrinter;
}

/** The column definitions `kubectl get <resource>` would receive. */
export function tableColumns(resource: string, apiVersion: string): TableColumnDefinition[] {
  return printerFor(resource, apiVersion).columns;
}

/**
 * A meta.k8s.io/v1 Table of `objects` of `resource` (plural, e.g. 'pods'; the group comes from
 * opts.apiVersion). For a single-object GET pass the one object and its resourceVersion.
 */
export function toTable(resource: string, objects: any[], opts: TableOptions): Table {
  const printer = printerFor(resource, opts.apiVersion);
  const rows: TableRow[] = objects.map((obj) => {
    const row: TableRow = { cells: printer.cells(obj, opts.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    switch (opts.includeObject) {
      case 'Object':
        row.object = obj.kind && obj.apiVersion ? obj : { ...obj, apiVersion: opts.apiVersion, kind: opts.kind };
        break;
      case 'None':
        break;
      default:
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
    }
    return row;
  });
  const metadata: Table['metadata'] = { resourceVersion: opts.resourceVersion };
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns,
    rows,
  };
}
