// The kinds the apiserver serves: group, version, scope, names, subresources, and the per-kind
// strategy (defaulting, validation, field selectors), shaped like pkg/registry/*/strategy.go.

import { FieldError } from './errors.ts';
import * as pod from './kinds/pod.ts';
import * as ns from './kinds/namespace.ts';
import * as node from './kinds/node.ts';
import * as event from './kinds/event.ts';
import * as apps from './kinds/apps.ts';
import * as batch from './kinds/batch.ts';
import * as config from './kinds/config.ts';
import * as net from './kinds/networking.ts';
import * as policy from './kinds/policy.ts';
import * as rbac from './kinds/rbac.ts';
import * as rc from './kinds/replicationcontroller.ts';
import * as svc from './kinds/service.ts';
import * as storage from './kinds/storage.ts';
import * as autoscaling from './kinds/autoscaling.ts';
import * as eventsV1 from './kinds/events-v1.ts';
import { priorityClassStrategy } from './admission/priority.ts';
import * as authz from './kinds/authorization.ts';
import * as crd from './kinds/crd.ts';
import type { CustomResourceInfo } from './custom-resources.ts';

export type { Obj } from "./objects.ts";
import type { Obj } from "./objects.ts";

export interface StrategyContext {
  now: Date;
  /** Creates a uid, as the apiserver does for every object. */
  uid(): string;
}

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. "pods". */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served, e.g. ["status", "binding", "log"]. */
  subresources: string[];
  /** Whether spec changes bump metadata.generation (Deployments do; Pods in 1.32 do not). */
  generation?: boolean;
  /** Whether the object has a status that only the status subresource writes. */
  statusSubresource?: boolean;
  /** Whether status writes also write metadata.annotations (Deployments: the revision annotation). */
  statusWritesAnnotations?: boolean;
  /**
   * Defaulting that must come before the mutating admission plug-ins (decode-time SetDefaults_*:
   * pods, so that LimitRanger sees limits copied to requests). Kinds without it default in
   * prepareForCreate.
   */
  default?(obj: Obj): void;
  /** Defaults and status reset on create (PrepareForCreate + defaulting). */
  prepareForCreate?(obj: Obj, ctx: StrategyContext): void;
  /** On update of the main resource; status writes go through prepareForStatusUpdate. */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: StrategyContext): void;
  /**
   * After validation on create: allocate what must be unique among the resource's objects (a
   * Service's cluster IP and node ports), given every stored object of the resource.
   */
  allocate?(obj: Obj, existing: () => Promise<Obj[]>): Promise<FieldError[]>;
  validate?(obj: Obj): FieldError[];
  validateUpdate?(obj: Obj, old: Obj): FieldError[];
  /** Fields for field selectors beyond metadata.name and metadata.namespace. */
  fields?(obj: Obj): Record<string, string>;
  /** The grace period of a DELETE, given the one the request asked for (pods: CheckGracefulDelete). */
  gracefulDelete?(obj: Obj, requestedSeconds?: number): number | undefined;
  /** Finalizers set on create, e.g. namespaces' "kubernetes". */
  /**
   * Served from another version's storage (events.k8s.io/v1 from core/v1 Events, autoscaling/v1
   * from autoscaling/v2): the HTTP layer converts bodies in and objects out (conversion.ts).
   */
  conversion?: Conversion;
  /**
   * Create-only kinds that are never stored (authorization reviews, SelfSubjectReview): POST
   * answers 201 with the computed object; other verbs are not served.
   */
  review?(obj: Obj, ctx: { namespace?: string }): Obj;
  /** The storage path segment when it is not the resource: custom resources are kept under /registry/<group>/<plural>. */
  storagePrefix?: string;
  /** A custom resource version served for a CustomResourceDefinition (custom-resources.ts). */
  custom?: CustomResourceInfo;
  /** On the first DELETE of an object that will wait (finalizers, conditions), e.g. CRDs' cleanup finalizer. */
  prepareForDelete?(obj: Obj, ctx: StrategyContext): void;
}

export interface Conversion {
  storage: { group: string; version: string; kind: string };
  toStorage(obj: Obj): Obj;
  fromStorage(obj: Obj): Obj;
}

export const verbsAll = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** What both served versions of HorizontalPodAutoscaler share. */
const HPA = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  verbs: verbsAll,
  subresources: ['status'],
  statusSubresource: true,
  generation: true,
};

export const RESOURCES: ResourceDef[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    resource: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
    statusSubresource: true,
    ...ns.strategy,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Node',
    resource: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    verbs: verbsAll,
    subresources: ['status', 'proxy'],
    statusSubresource: true,
    ...node.strategy,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    resource: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    verbs: verbsAll,
    // exec, attach and portforward are upgrades (http/streaming.ts).
    subresources: ['status', 'binding', 'log', 'eviction', 'exec', 'attach', 'portforward'],
    statusSubresource: true,
    ...pod.strategy,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    resource: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: verbsAll,
    subresources: [],
    ...event.strategy,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    resource: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    ...svc.service,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    resource: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
    verbs: verbsAll,
    subresources: [],
    ...svc.endpoints,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    resource: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    verbs: verbsAll,
    subresources: [],
    ...config.configMap,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    resource: 'secrets',
    singular: 'secret',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
    ...config.secret,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    verbs: verbsAll,
    subresources: [],
    ...config.serviceAccount,
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    resource: 'persistentvolumes',
    singular: 'persistentvolume',
    namespaced: false,
    shortNames: ['pv'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    ...storage.persistentVolume,
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    namespaced: true,
    shortNames: ['pvc'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    ...storage.persistentVolumeClaim,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ResourceQuota',
    resource: 'resourcequotas',
    singular: 'resourcequota',
    namespaced: true,
    shortNames: ['quota'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    ...policy.resourceQuota,
  },
  {
    group: '',
    version: 'v1',
    kind: 'LimitRange',
    resource: 'limitranges',
    singular: 'limitrange',
    namespaced: true,
    shortNames: ['limits'],
    verbs: verbsAll,
    subresources: [],
    ...policy.limitRange,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ReplicationController',
    resource: 'replicationcontrollers',
    singular: 'replicationcontroller',
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status', 'scale'],
    statusSubresource: true,
    generation: true,
    ...rc.replicationController,
  },
  {
    group: '',
    version: 'v1',
    kind: 'PodTemplate',
    resource: 'podtemplates',
    singular: 'podtemplate',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
    ...rc.podTemplate,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status', 'scale'],
    statusSubresource: true,
    statusWritesAnnotations: true,
    generation: true,
    ...apps.deployment,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    resource: 'replicasets',
    singular: 'replicaset',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status', 'scale'],
    statusSubresource: true,
    generation: true,
    ...apps.replicaSet,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    resource: 'daemonsets',
    singular: 'daemonset',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    ...apps.daemonSet,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    resource: 'statefulsets',
    singular: 'statefulset',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status', 'scale'],
    statusSubresource: true,
    generation: true,
    ...apps.statefulSet,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ControllerRevision',
    resource: 'controllerrevisions',
    singular: 'controllerrevision',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
    ...apps.controllerRevision,
  },
  {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    resource: 'jobs',
    singular: 'job',
    namespaced: true,
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    ...batch.job,
  },
  {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    resource: 'cronjobs',
    singular: 'cronjob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    ...batch.cronJob,
  },
  {
    // The storage version, listed first so that discovery prefers it.
    ...HPA,
    version: 'v2',
    ...autoscaling.hpa,
  },
  {
    ...HPA,
    version: 'v1',
    conversion: {
      storage: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
      toStorage: autoscaling.hpaV1ToV2,
      fromStorage: autoscaling.hpaV2ToV1,
    },
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    resource: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
    ...svc.endpointSlice,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    resource: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: verbsAll,
    subresources: [],
    conversion: {
      storage: { group: '', version: 'v1', kind: 'Event' },
      toStorage: eventsV1.eventV1ToCore,
      fromStorage: eventsV1.eventCoreToV1,
    },
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    resource: 'storageclasses',
    singular: 'storageclass',
    namespaced: false,
    shortNames: ['sc'],
    verbs: verbsAll,
    subresources: [],
    ...storage.storageClass,
  },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    ...policy.podDisruptionBudget,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    resource: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    ...net.ingress,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    resource: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
    verbs: verbsAll,
    subresources: [],
    generation: true,
    ...net.networkPolicy,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    resource: 'clusterroles',
    singular: 'clusterrole',
    namespaced: false,
    verbs: verbsAll,
    subresources: [],
    ...rbac.clusterRole,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRoleBinding',
    resource: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    namespaced: false,
    verbs: verbsAll,
    subresources: [],
    ...rbac.clusterRoleBinding,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'Role',
    resource: 'roles',
    singular: 'role',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
    ...rbac.role,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    resource: 'rolebindings',
    singular: 'rolebinding',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
    ...rbac.roleBinding,
  },
  {
    // The custom resources an established CRD defines are served by custom-resources.ts.
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    verbs: verbsAll,
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    ...crd.customResourceDefinition,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    resource: 'leases',
    singular: 'lease',
    namespaced: true,
    verbs: verbsAll,
    subresources: [],
  },
  {
    // Resolved into pods' spec.priority by the Priority admission plug-in (admission/priority.ts).
    group: 'scheduling.k8s.io',
    version: 'v1',
    kind: 'PriorityClass',
    resource: 'priorityclasses',
    singular: 'priorityclass',
    namespaced: false,
    shortNames: ['pc'],
    verbs: verbsAll,
    subresources: [],
    ...priorityClassStrategy,
  },
  // Reviews: create-only, not stored (kinds/authorization.ts).
  ...(
    [
      ['authorization.k8s.io', 'SelfSubjectAccessReview', false, (o: Obj) => authz.selfSubjectAccessReview(o)],
      ['authorization.k8s.io', 'SelfSubjectRulesReview', false, (o: Obj) => authz.selfSubjectRulesReview(o)],
      ['authorization.k8s.io', 'SubjectAccessReview', false, (o: Obj, c: { namespace?: string }) => authz.subjectAccessReview(o, c, false)],
      ['authorization.k8s.io', 'LocalSubjectAccessReview', true, (o: Obj, c: { namespace?: string }) => authz.subjectAccessReview(o, c, true)],
      ['authentication.k8s.io', 'SelfSubjectReview', false, (o: Obj) => authz.selfSubjectReview(o)],
    ] as const
  ).map(([group, kind, namespaced, review]): ResourceDef => ({
    group,
    version: 'v1',
    kind,
    resource: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ['create'],
    subresources: [],
    review,
  })),
];

export interface GroupVersion {
  group: string;
  version: string;
}

export class Registry {
  private readonly byPath = new Map<string, ResourceDef>();
  private readonly byKind = new Map<string, ResourceDef>();
  /** The kinds served now: the built-in ones, then custom resources as CRDs come and go. */
  readonly defs: ResourceDef[];
  /** Bumped on every change of the served kinds (discovery and OpenAPI documents follow it). */
  generation = 0;
  private readonly listeners = new Set<(removed: ResourceDef[], added: ResourceDef[]) => void>();

  constructor(defs: ResourceDef[] = RESOURCES) {
    this.defs = [...defs];
    for (const d of this.defs) this.index(d);
  }

  private index(d: ResourceDef): void {
    this.byPath.set(`${d.group}/${d.version}/${d.resource}`, d);
    this.byKind.set(`${d.group}/${d.version}/${d.kind}`, d);
  }

  /** Removes `old` defs and adds `next` ones at run time (custom resources of CRDs). */
  replace(old: ResourceDef[], next: ResourceDef[]): void {
    if (old.length === 0 && next.length === 0) return;
    for (const d of old) {
      const i = this.defs.indexOf(d);
      if (i >= 0) this.defs.splice(i, 1);
      if (this.byPath.get(`${d.group}/${d.version}/${d.resource}`) === d) this.byPath.delete(`${d.group}/${d.version}/${d.resource}`);
      if (this.byKind.get(`${d.group}/${d.version}/${d.kind}`) === d) this.byKind.delete(`${d.group}/${d.version}/${d.kind}`);
    }
    for (const d of next) {
      this.defs.push(d);
      this.index(d);
    }
    this.generation++;
    for (const l of this.listeners) l(old, next);
  }

  /** Calls `fn` after each run-time change of the served kinds; returns the unsubscribe function. */
  onChange(fn: (removed: ResourceDef[], added: ResourceDef[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  lookup(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  forKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    return this.byKind.get(`${group}/${version}/${kind}`);
  }

  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const d of this.defs) seen.set(`${d.group}/${d.version}`, { group: d.group, version: d.version });
    return [...seen.values()];
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.defs.filter((d) => d.group === group && d.version === version);
  }
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
