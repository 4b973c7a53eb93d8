// What the apiserver would accept but warn about, and what would misbehave, in Kubernetes' words:
// - the apiserver's pod warnings (pkg/api/pod/warnings.go warningsForPodSpecAndMeta, sent as
//   `Warning:` lines by kubectl apply for Pods and every pod template);
// - removed API versions (k8s.io/apiserver/pkg/endpoints/deprecation WarningMessage's text, with the
//   versions from each type's +k8s:prerelease-lifecycle-gen tags in k8s.io/api);
// - a course pitfall: an image with no tag or `:latest` and no imagePullPolicy is pulled on every
//   start (core/v1 types.go, Container.ImagePullPolicy: "Defaults to Always if :latest tag is
//   specified, or IfNotPresent otherwise").
// Plain functions of the decoded object; validate.ts places them on the source.

import { defaultPullPolicy } from '../api/kinds/pod.ts';
import { canonicalQuantity, toMilli } from '../api/quantity.ts';

type O = Record<string, unknown>;
const isObj = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface FieldWarning {
  /** Field path as field.Path prints it: `spec.containers[0].env[1]`, `spec.nodeSelector[beta.kubernetes.io/os]`. */
  path: string;
  message: string;
  code: 'apiserver-warning' | 'image-pull-always';
}

/** Where each kind keeps its pod template (field paths as Kubernetes prints them). */
export const POD_TEMPLATES: Readonly<Record<string, string[]>> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

// pkg/api/node/util.go deprecatedNodeLabels.
const DEPRECATED_NODE_LABELS: Record<string, string> = {
  'beta.kubernetes.io/arch': 'deprecated since v1.14; use "kubernetes.io/arch" instead',
  'beta.kubernetes.io/os': 'deprecated since v1.14; use "kubernetes.io/os" instead',
  'failure-domain.beta.kubernetes.io/region': 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
  'failure-domain.beta.kubernetes.io/zone': 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
  'beta.kubernetes.io/instance-type': 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
};

// warnings.go: deprecated and removed volume plugins.
// [JSON field, the name field.Path prints (the Go Child() call's), message]
const DEPRECATED_VOLUMES: [string, string, string][] = [
  ['photonPersistentDisk', 'photonPersistentDisk', 'deprecated in v1.11, non-functional in v1.16+'],
  ['gitRepo', 'gitRepo', 'deprecated in v1.11'],
  ['scaleIO', 'scaleIO', 'deprecated in v1.16, non-functional in v1.22+'],
  ['flocker', 'flocker', 'deprecated in v1.22, non-functional in v1.25+'],
  ['storageos', 'storageOS', 'deprecated in v1.22, non-functional in v1.25+'],
  ['quobyte', 'quobyte', 'deprecated in v1.22, non-functional in v1.25+'],
  ['glusterfs', 'glusterfs', 'deprecated in v1.25, non-functional in v1.26+'],
  ['cephfs', 'cephfs', 'deprecated in v1.28, non-functional in v1.31+'],
  ['rbd', 'rbd', 'deprecated in v1.28, non-functional in v1.31+'],
];

/** field.Path's Key(): `[key]`. */
const key = (k: string) => `[${k}]`;
const join = (prefix: string, child: string) => (prefix ? `${prefix}.${child}` : child);

/** The warnings of an object of `kind` (its pod template's), in the order Kubernetes emits them. */
export function objectWarnings(kind: string, obj: unknown): FieldWarning[] {
  const at = POD_TEMPLATES[kind];
  if (!at || !isObj(obj)) return [];
  let template: unknown = obj;
  for (const k of at) template = isObj(template) ? template[k] : undefined;
  if (!isObj(template)) return [];
  return podWarnings(at.join('.'), template);
}

function podWarnings(prefix: string, t: O): FieldWarning[] {
  const out: FieldWarning[] = [];
  const warn = (path: string, message: string) => out.push({ path, message, code: 'apiserver-warning' });
  const spec = isObj(t.spec) ? t.spec : {};
  const specPath = join(prefix, 'spec');

  if (isObj(spec.nodeSelector)) {
    for (const k of Object.keys(spec.nodeSelector)) {
      const msg = DEPRECATED_NODE_LABELS[k];
      if (msg) warn(`${specPath}.nodeSelector${key(k)}`, msg);
    }
  }
  list(spec.topologySpreadConstraints).forEach((c, i) => {
    if (!isObj(c)) return;
    const p = `${specPath}.topologySpreadConstraints[${i}]`;
    if (typeof c.topologyKey === 'string' && DEPRECATED_NODE_LABELS[c.topologyKey]) warn(`${p}.topologyKey`, `${c.topologyKey} is ${DEPRECATED_NODE_LABELS[c.topologyKey]}`);
    if (c.labelSelector === undefined || c.labelSelector === null) warn(`${p}.labelSelector`, 'a null labelSelector results in matching no pod');
  });
  list(spec.volumes).forEach((v, i) => {
    if (!isObj(v)) return;
    for (const [plugin, printed, msg] of DEPRECATED_VOLUMES) if (v[plugin] !== undefined && v[plugin] !== null) warn(`${specPath}.volumes[${i}].${printed}`, msg);
  });
  const pullSecrets = list(spec.imagePullSecrets);
  const seenSecrets = new Set<string>();
  pullSecrets.forEach((s, i) => {
    const name = isObj(s) && typeof s.name === 'string' ? s.name : '';
    if (pullSecrets.length > 1 && seenSecrets.has(name)) warn(`${specPath}.imagePullSecrets[${i}].name`, `duplicate name ${JSON.stringify(name)}`);
    seenSecrets.add(name);
  });
  pullSecrets.forEach((s, i) => {
    const name = isObj(s) && typeof s.name === 'string' ? s.name : '';
    if (!name) warn(`${specPath}.imagePullSecrets[${i}].name`, `invalid empty name ${JSON.stringify(name)}`);
  });

  const containers: [string, O][] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    list(spec[field]).forEach((c, i) => {
      if (isObj(c)) containers.push([`${specPath}.${field}[${i}]`, c]);
    });
  }
  for (const [p, c] of containers) {
    const res = isObj(c.resources) ? c.resources : {};
    for (const [which, resName] of [['limits', 'memory'], ['requests', 'memory'], ['limits', 'ephemeral-storage'], ['requests', 'ephemeral-storage']]) {
      const rl = res[which];
      const q = isObj(rl) ? rl[resName] : undefined;
      if (typeof q !== 'string' && typeof q !== 'number') continue;
      try {
        if (toMilli(q) % 1000 !== 0) warn(`${p}.resources.${which}${key(resName)}`, `fractional byte value ${JSON.stringify(canonicalQuantity(q))} is invalid, must be an integer`);
      } catch {
        // Not a quantity: structural validation reports it.
      }
    }
    const env = list(c.env);
    if (env.length > 1) {
      const names = new Set<string>();
      env.forEach((e, i) => {
        if (!isObj(e)) return;
        const name = typeof e.name === 'string' ? e.name : '';
        if (names.has(name)) {
          const ref = `$(${name})`;
          const value = typeof e.value === 'string' ? e.value : '';
          if (e.valueFrom != null || value === ref || !value.includes(ref)) {
            warn(`${p}.env[${i}]`, `hides previous definition of ${JSON.stringify(name)}, which may be dropped when using apply`);
          }
        } else names.add(name);
      });
    }
  }
  // Ports across all containers: the same port and protocol twice.
  const seenPorts = new Map<string, { path: string; hostIP: string; hostPort: number }[]>();
  for (const [p, c] of containers) {
    list(c.ports).forEach((port, i) => {
      if (!isObj(port)) return;
      const path = `${p}.ports[${i}]`;
      const hostIP = typeof port.hostIP === 'string' ? port.hostIP : '';
      const hostPort = typeof port.hostPort === 'number' ? port.hostPort : 0;
      const k = `${String(port.containerPort)}/${typeof port.protocol === 'string' ? port.protocol : 'TCP'}`;
      const others = seenPorts.get(k) ?? [];
      for (const o of others) {
        if (hostIP === o.hostIP && hostPort === o.hostPort) warn(path, `duplicate port definition with ${o.path}`);
        else if (hostPort === 0 || o.hostPort === 0) warn(path, `overlapping port definition with ${o.path}`);
        else if (hostPort === o.hostPort && (hostIP === '') !== (o.hostIP === '')) warn(path, `dangerously ambiguous port definition with ${o.path}`);
      }
      others.push({ path, hostIP, hostPort });
      seenPorts.set(k, others);
    });
  }
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    warn(`${specPath}.terminationGracePeriodSeconds`, 'must be >= 0; negative values are invalid and will be treated as 1');
  }
  // The pitfall, after the apiserver's own warnings.
  for (const [p, c] of containers) {
    if (typeof c.image !== 'string' || !c.image || c.imagePullPolicy !== undefined) continue;
    if (defaultPullPolicy(c.image) !== 'Always') continue;
    const why = /:latest$/.test(c.image) ? 'the :latest tag' : 'no tag';
    out.push({
      path: `${p}.image`,
      code: 'image-pull-always',
      message: `${JSON.stringify(c.image)} has ${why}: imagePullPolicy defaults to Always ("Defaults to Always if :latest tag is specified, or IfNotPresent otherwise"), so each pod start pulls the image and may get a different version`,
    });
  }
  return out;
}

interface Lifecycle {
  deprecated: string;
  removed: string;
  replacement?: string;
}

// +k8s:prerelease-lifecycle-gen tags of the removed versions a course meets in old manifests
// (k8s.io/api <group>/<version>/types.go; Kubernetes' deprecation guide lists the same versions).
const REMOVED: Record<string, Lifecycle> = {};
function removed(apiVersion: string, kinds: string[], deprecated: string, gone: string, replacementVersion?: string): void {
  for (const kind of kinds) REMOVED[`${apiVersion}/${kind}`] = { deprecated, removed: gone, replacement: replacementVersion && `${replacementVersion} ${kind}` };
}
removed('extensions/v1beta1', ['Deployment', 'DaemonSet', 'ReplicaSet'], '1.8', '1.16', 'apps/v1');
removed('apps/v1beta1', ['Deployment', 'StatefulSet'], '1.8', '1.16', 'apps/v1');
removed('apps/v1beta2', ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'], '1.9', '1.16', 'apps/v1');
removed('extensions/v1beta1', ['NetworkPolicy'], '1.9', '1.16', 'networking.k8s.io/v1');
removed('extensions/v1beta1', ['Ingress'], '1.14', '1.22', 'networking.k8s.io/v1');
removed('networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], '1.19', '1.22', 'networking.k8s.io/v1');
removed('rbac.authorization.k8s.io/v1beta1', ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'], '1.17', '1.22', 'rbac.authorization.k8s.io/v1');
removed('batch/v1beta1', ['CronJob'], '1.21', '1.25', 'batch/v1');
removed('policy/v1beta1', ['PodDisruptionBudget'], '1.21', '1.25', 'policy/v1');
removed('policy/v1beta1', ['PodSecurityPolicy'], '1.21', '1.25');
removed('autoscaling/v2beta1', ['HorizontalPodAutoscaler'], '1.22', '1.25', 'autoscaling/v2');
removed('autoscaling/v2beta2', ['HorizontalPodAutoscaler'], '1.23', '1.26', 'autoscaling/v2');
removed('discovery.k8s.io/v1beta1', ['EndpointSlice'], '1.21', '1.25', 'discovery.k8s.io/v1');

/** `extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment`, or undefined. */
export function removedApiMessage(apiVersion: string, kind: string): string | undefined {
  const l = REMOVED[`${apiVersion}/${kind}`];
  if (!l) return undefined;
  return `${apiVersion} ${kind} is deprecated in v${l.deprecated}+, unavailable in v${l.removed}+${l.replacement ? `; use ${l.replacement}` : ''}`;
}
