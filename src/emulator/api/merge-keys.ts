// Strategic-merge-patch metadata: the `patchStrategy` and `patchMergeKey` struct tags of the built-in API
// types, as a small type graph. Sources: k8s.io/api core/v1/types.go, apps/v1/types.go, batch/v1/types.go,
// autoscaling/v2/types.go, policy/v1/types.go and k8s.io/apimachinery/pkg/apis/meta/v1/types.go (v1.32).
// The tags were checked against the x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key extensions of
// the published OpenAPI definitions; fields added after 1.17 (schedulingGates, resourceClaims, hostIPs,
// Service status conditions, ...) come from the v1.32 types.
//
// A field with no entry here has no patch strategy: maps merge key by key and lists are replaced whole,
// which is also what `strategy: 'replace'` means for a list. A few such lists are listed explicitly with
// 'replace' for documentation (tolerations, taints, envFrom, ...).

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export interface PatchMeta {
  strategy: PatchStrategy;
  key?: string;
}

/** A field of a struct type: its patch metadata and, for structs and lists of structs, the element type. */
export interface FieldMeta {
  strategy?: PatchStrategy;
  key?: string;
  type?: string;
}

type Struct = Record<string, FieldMeta>;

const merge = (key: string | undefined, type?: string): FieldMeta =>
  key === undefined ? { strategy: 'merge', type } : { strategy: 'merge', key, type };
const conditions: FieldMeta = { strategy: 'merge', key: 'type' };
const replace = (type?: string): FieldMeta => ({ strategy: 'replace', type });

const TYPES: Record<string, Struct> = {
  // meta/v1
  ObjectMeta: {
    finalizers: merge(undefined),
    ownerReferences: merge('uid'),
    managedFields: replace(),
  },
  LabelSelector: { matchExpressions: replace() },

  // core/v1
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    volumes: { strategy: 'merge,retainKeys', key: 'name' },
    initContainers: merge('name', 'Container'),
    containers: merge('name', 'Container'),
    ephemeralContainers: merge('name', 'Container'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    topologySpreadConstraints: merge('topologyKey'),
    schedulingGates: merge('name'),
    resourceClaims: { strategy: 'merge,retainKeys', key: 'name' },
    tolerations: replace(),
    readinessGates: replace(),
  },
  Container: {
    ports: merge('containerPort'),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
    envFrom: replace(),
    resizePolicy: replace(),
  },
  PodStatus: {
    conditions,
    podIPs: merge('ip'),
    hostIPs: merge('ip'),
    resourceClaimStatuses: { strategy: 'merge,retainKeys', key: 'name' },
  },
  NodeSpec: { podCIDRs: merge(undefined), taints: replace() },
  NodeStatus: { conditions, addresses: merge('type') },
  ServiceSpec: { ports: merge('port') },
  ServiceStatus: { conditions },
  NamespaceStatus: { conditions },
  PersistentVolumeClaimStatus: { conditions },
  ReplicationControllerSpec: { template: { type: 'PodTemplateSpec' } },
  ReplicationControllerStatus: { conditions },

  // apps/v1
  DeploymentSpec: {
    template: { type: 'PodTemplateSpec' },
    selector: { type: 'LabelSelector' },
    strategy: { strategy: 'retainKeys' },
  },
  DeploymentStatus: { conditions },
  ReplicaSetSpec: { template: { type: 'PodTemplateSpec' }, selector: { type: 'LabelSelector' } },
  ReplicaSetStatus: { conditions },
  DaemonSetSpec: { template: { type: 'PodTemplateSpec' }, selector: { type: 'LabelSelector' } },
  DaemonSetStatus: { conditions },
  StatefulSetSpec: {
    template: { type: 'PodTemplateSpec' },
    selector: { type: 'LabelSelector' },
    volumeClaimTemplates: replace(),
  },
  StatefulSetStatus: { conditions },

  // batch/v1
  JobSpec: { template: { type: 'PodTemplateSpec' }, selector: { type: 'LabelSelector' } },
  JobStatus: { conditions },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'JobSpec' } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },

  // autoscaling/v2, policy/v1
  HorizontalPodAutoscalerStatus: { conditions },
  PodDisruptionBudgetStatus: { conditions },
};

const object = (spec?: string, status?: string, extra: Struct = {}): Struct => ({
  metadata: { type: 'ObjectMeta' },
  ...(spec ? { spec: { type: spec } } : {}),
  ...(status ? { status: { type: status } } : {}),
  ...extra,
});

/** The root struct of each kind. Any other kind gets just `metadata`. */
const KINDS: Record<string, Struct> = {
  Pod: object('PodSpec', 'PodStatus'),
  PodTemplate: object(undefined, undefined, { template: { type: 'PodTemplateSpec' } }),
  Node: object('NodeSpec', 'NodeStatus'),
  Service: object('ServiceSpec', 'ServiceStatus'),
  Namespace: object(undefined, 'NamespaceStatus'),
  PersistentVolumeClaim: object(undefined, 'PersistentVolumeClaimStatus'),
  ServiceAccount: object(undefined, undefined, { secrets: merge('name'), imagePullSecrets: replace() }),
  ComponentStatus: object(undefined, undefined, { conditions }),
  ReplicationController: object('ReplicationControllerSpec', 'ReplicationControllerStatus'),
  Deployment: object('DeploymentSpec', 'DeploymentStatus'),
  ReplicaSet: object('ReplicaSetSpec', 'ReplicaSetStatus'),
  DaemonSet: object('DaemonSetSpec', 'DaemonSetStatus'),
  StatefulSet: object('StatefulSetSpec', 'StatefulSetStatus'),
  Job: object('JobSpec', 'JobStatus'),
  CronJob: object('CronJobSpec'),
  HorizontalPodAutoscaler: object(undefined, 'HorizontalPodAutoscalerStatus'),
  PodDisruptionBudget: object(undefined, 'PodDisruptionBudgetStatus'),
};
const DEFAULT_ROOT: Struct = object();

const own = <T>(rec: Record<string, T>, k: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(rec, k) ? rec[k] : undefined;

/** Name of the root struct type for a kind, to start a walk with fieldMeta(). */
export function rootType(kind: string): string {
  return own(KINDS, kind) ? `kind:${kind}` : 'kind:';
}

function struct(type: string | undefined): Struct | undefined {
  if (type === undefined) return undefined;
  if (type.startsWith('kind:')) return own(KINDS, type.slice(5)) ?? DEFAULT_ROOT;
  return own(TYPES, type);
}

/** Patch metadata of one field of a struct type (from rootType() or a previous fieldMeta().type). */
export function fieldMeta(type: string | undefined, field: string): FieldMeta | undefined {
  const s = struct(type);
  return s ? own(s, field) : undefined;
}

/**
 * The patch strategy and merge key of the field at `path` (field names from the object root, no list
 * indices: ['spec', 'template', 'spec', 'containers', 'env']) of an object of `kind`. undefined when the
 * field has no patch strategy (maps merge, lists are replaced).
 */
export function mergeKeyFor(kind: string, path: string[]): PatchMeta | undefined {
  let type: string | undefined = rootType(kind);
  let meta: FieldMeta | undefined;
  for (const seg of path) {
    meta = fieldMeta(type, seg);
    if (!meta) return undefined;
    type = meta.type;
  }
  if (!meta?.strategy) return undefined;
  return meta.key === undefined ? { strategy: meta.strategy } : { strategy: meta.strategy, key: meta.key };
}
