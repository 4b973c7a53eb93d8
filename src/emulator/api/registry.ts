// The kinds the apiserver serves: group, version, scope, names, subresources, and the per-kind
// strategy (defaulting, validation, field selectors), shaped like pkg/registry/*/strategy.go.

import { FieldError } from './errors.ts';
import * as pod from './kinds/pod.ts';
import * as ns from './kinds/namespace.ts';
import * as node from './kinds/node.ts';
import * as event from './kinds/event.ts';

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
  /** Defaults and status reset on create (PrepareForCreate + defaulting). */
  prepareForCreate?(obj: Obj, ctx: StrategyContext): void;
  /** On update of the main resource; status writes go through prepareForStatusUpdate. */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: StrategyContext): void;
  validate?(obj: Obj): FieldError[];
  validateUpdate?(obj: Obj, old: Obj): FieldError[];
  /** Fields for field selectors beyond metadata.name and metadata.namespace. */
  fields?(obj: Obj): Record<string, string>;
  /** Default grace period for DELETE (pods: spec.terminationGracePeriodSeconds). */
  gracefulDelete?(obj: Obj): number | undefined;
  /** Finalizers set on create, e.g. namespaces' "kubernetes". */
}

export const verbsAll = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

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
    subresources: ['status', 'binding', 'log', 'eviction'],
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
    // Stored and listed, so that kubectl's "is this a CRD?" check works; serving the custom
    // resources they define comes with the apiserver-fidelity issue.
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
];

export interface GroupVersion {
  group: string;
  version: string;
}

export class Registry {
  private readonly byPath = new Map<string, ResourceDef>();
  private readonly byKind = new Map<string, ResourceDef>();

  constructor(readonly defs: ResourceDef[] = RESOURCES) {
    for (const d of defs) {
      this.byPath.set(`${d.group}/${d.version}/${d.resource}`, d);
      this.byKind.set(`${d.group}/${d.version}/${d.kind}`, d);
    }
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
