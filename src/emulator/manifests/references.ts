// What a manifest refers to and what it defines, with source ranges, for the checks that look across
// documents and files (and the cluster): a Service whose selector matches no pods, a reference to a
// ConfigMap, Secret, PersistentVolumeClaim or ServiceAccount that exists nowhere, a namespace that
// does not exist. Also the text edits of the editor's quick fixes. Plain logic: no `vscode` here;
// the editor (src/extension/workspace-index.ts, diagnostics.ts) keeps an index of every manifest of
// the workspace and asks it, so a keystroke costs lookups, never a scan.
//
// Messages are the cluster's own where it has words for the failure:
// - kubelet's configmap/secret managers (pkg/kubelet/util/manager/watch_based_manager.go) fail with
//   apierrors.NewNotFound(corev1.Resource("configmap"|"secret"), name): `configmap "x" not found`,
//   the text of the CreateContainerConfigError and FailedMount events;
// - kube-scheduler's volumebinding plugin: `persistentvolumeclaim "x" not found`;
// - kubelet's FailedToRetrieveImagePullSecret event (pkg/kubelet/kubelet_pods.go getPullSecretsForPod):
//   `Unable to retrieve some image pull secrets (x); attempting to pull the image may not succeed.`;
// - the ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go):
//   `error looking up service account ns/x: serviceaccount "x" not found`;
// - the NamespaceLifecycle admission plugin: `namespaces "x" not found`.

import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, stringify, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { Registry } from '../api/registry.ts';
import { parseChunks, positionIn, type Chunk } from './parse.ts';
import { POD_TEMPLATES } from './warnings.ts';
import { resolve, schemaForObject, type Schema } from '../api/schemas.ts';

/** A zero-based position, as in VS Code and LSP. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export type RefKind = 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim' | 'ServiceAccount';

export interface Reference {
  kind: RefKind;
  name: string;
  /** The namespace the object is looked up in (the referring object's). */
  namespace: string;
  /** The name's value in the source. */
  range: Range;
  /** How it is referred to: decides the message. */
  via: 'env' | 'envFrom' | 'volume' | 'imagePullSecrets' | 'serviceAccountName';
}

export interface Labeled {
  labels: Record<string, string>;
  /** The labels map in the source (or the nearest existing parent when there is none). */
  range: Range;
}

export interface ManifestFacts {
  /** Index of the document in the file, counting empty documents. */
  index: number;
  range: Range;
  apiVersion?: string;
  kind?: string;
  name?: string;
  /** The namespace written in the document (undefined: none, the context's: `default`). */
  namespace?: string;
  /** False for cluster-scoped kinds (Namespace, Node, PersistentVolume, ...). Unknown kinds count as namespaced. */
  namespaced: boolean;
  nameRange?: Range;
  namespaceRange?: Range;
  /** The pod template's labels (a Pod's own labels) for kinds that make pods. */
  template?: Labeled;
  /** A Service's `spec.selector` (a map of labels), with the `selector` key's range. */
  selector?: Labeled;
  refs: Reference[];
}

export const DEFAULT_NAMESPACE = 'default';
/** Namespaces every cluster has (the apiserver's and kube-controller-manager's system namespaces). */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

let registry: Registry | undefined;
function isNamespaced(apiVersion: string | undefined, kind: string | undefined): boolean {
  if (!apiVersion || !kind) return true;
  registry ??= new Registry();
  return registry.forKind(apiVersion, kind)?.namespaced ?? true;
}

/** The namespace an object lives in: its own, or `default` (the context's namespace of the emulator). */
export function namespaceOf(f: Pick<ManifestFacts, 'namespace' | 'namespaced'>): string {
  return f.namespaced ? (f.namespace ?? DEFAULT_NAMESPACE) : '';
}

type Path = (string | number)[];

/** Where each kind that makes pods keeps its pod template (a Pod is its own): warnings.ts's table. */
export const POD_TEMPLATE_PATH: Readonly<Record<string, Path>> = POD_TEMPLATES;

const parseOptions = { version: '1.1' as const, uniqueKeys: false, prettyErrors: false };

/**
 * The facts of each document of a file read from disk (the workspace's index): its own parse, so
 * indexing thousands of files does not push the open editors' documents out of parse.ts's cache.
 */
export function extractFacts(text: string): ManifestFacts[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { ...parseOptions, lineCounter: lc });
  return factsOfDocs(Array.isArray(docs) ? docs : [], 0, rangeMaker(text, lc));
}

const chunkFacts = new WeakMap<Chunk, { line: number; index: number; facts: ManifestFacts[] }>();

/**
 * The facts of an open editor's documents, on parse.ts's per-document parse (the one the validation
 * engine uses): a keystroke re-reads only the document it changed, and nothing is parsed twice.
 */
export function extractFactsShared(text: string): ManifestFacts[] {
  const out: ManifestFacts[] = [];
  let index = 0;
  for (const p of parseChunks(text)) {
    let hit = chunkFacts.get(p.chunk);
    if (!hit || hit.line !== p.line || hit.index !== index) {
      const t = p.chunk.text;
      const range = (n: Node): Range => {
        const [start, end] = n.range ?? [0, 0];
        let e = end;
        while (e > start && /\s/.test(t[e - 1])) e--;
        return { start: positionIn(p, start), end: positionIn(p, e) };
      };
      hit = { line: p.line, index, facts: factsOfDocs(p.chunk.docs, index, range) };
      chunkFacts.set(p.chunk, hit);
    }
    out.push(...hit.facts);
    index += p.chunk.docs.length;
  }
  return out;
}

function factsOfDocs(list: readonly Document.Parsed[], first: number, range: (n: Node) => Range): ManifestFacts[] {
  const out: ManifestFacts[] = [];
  list.forEach((doc, i) => {
    const index = first + i;
    const root = doc.contents;
    if (!isMap(root) || doc.errors.length > 0) return;
    const apiVersion = str(get(root, 'apiVersion'));
    const kind = str(get(root, 'kind'));
    const metadata = get(root, 'metadata');
    const nameNode = isMap(metadata) ? get(metadata, 'name') : undefined;
    const nsNode = isMap(metadata) ? get(metadata, 'namespace') : undefined;
    const f: ManifestFacts = {
      index,
      range: range(root),
      apiVersion,
      kind,
      name: str(nameNode),
      namespace: str(nsNode) || undefined,
      namespaced: isNamespaced(apiVersion, kind),
      nameRange: nameNode && str(nameNode) !== undefined ? range(nameNode) : undefined,
      namespaceRange: nsNode && str(nsNode) ? range(nsNode) : undefined,
      refs: [],
    };
    const ns = namespaceOf(f);
    const templatePath = kind ? POD_TEMPLATE_PATH[kind] : undefined;
    if (templatePath) {
      const template = templatePath.length === 0 ? root : getIn(root, templatePath);
      if (isMap(template)) {
        const meta = get(template, 'metadata');
        const labels = isMap(meta) ? get(meta, 'labels') : undefined;
        f.template = { labels: stringMap(labels), range: range(isMap(labels) ? labels : isMap(meta) ? meta : template) };
        const spec = get(template, 'spec');
        if (isMap(spec)) collectPodRefs(spec, ns, range, f.refs);
      }
    }
    if (kind === 'Service') {
      const spec = get(root, 'spec');
      const pair = isMap(spec) ? pairOf(spec, 'selector') : undefined;
      if (pair && isMap(pair.value) && pair.value.items.length > 0) {
        f.selector = { labels: stringMap(pair.value), range: range(pair.key as Node) };
      }
    }
    out.push(f);
  });
  return out;
}

function collectPodRefs(spec: YAMLMap, ns: string, range: (n: Node) => Range, refs: Reference[]): void {
  const add = (kind: RefKind, node: unknown, via: Reference['via']) => {
    const name = str(node);
    if (name) refs.push({ kind, name, namespace: ns, range: range(node as Node), via });
  };
  // An `optional: true` reference may be missing: the kubelet starts the container without it.
  const optional = (m: unknown) => isMap(m) && scalarValue(get(m, 'optional')) === true;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of items(get(spec, key))) {
      if (!isMap(c)) continue;
      for (const e of items(get(c, 'envFrom'))) {
        if (!isMap(e)) continue;
        const cm = get(e, 'configMapRef');
        if (isMap(cm) && !optional(cm)) add('ConfigMap', get(cm, 'name'), 'envFrom');
        const s = get(e, 'secretRef');
        if (isMap(s) && !optional(s)) add('Secret', get(s, 'name'), 'envFrom');
      }
      for (const e of items(get(c, 'env'))) {
        const from = isMap(e) ? get(e, 'valueFrom') : undefined;
        if (!isMap(from)) continue;
        const cm = get(from, 'configMapKeyRef');
        if (isMap(cm) && !optional(cm)) add('ConfigMap', get(cm, 'name'), 'env');
        const s = get(from, 'secretKeyRef');
        if (isMap(s) && !optional(s)) add('Secret', get(s, 'name'), 'env');
      }
    }
  }
  for (const v of items(get(spec, 'volumes'))) {
    if (!isMap(v)) continue;
    const cm = get(v, 'configMap');
    if (isMap(cm) && !optional(cm)) add('ConfigMap', get(cm, 'name'), 'volume');
    const s = get(v, 'secret');
    if (isMap(s) && !optional(s)) add('Secret', get(s, 'secretName'), 'volume');
    const pvc = get(v, 'persistentVolumeClaim');
    if (isMap(pvc)) add('PersistentVolumeClaim', get(pvc, 'claimName'), 'volume');
    const projected = get(v, 'projected');
    for (const src of isMap(projected) ? items(get(projected, 'sources')) : []) {
      if (!isMap(src)) continue;
      const pcm = get(src, 'configMap');
      if (isMap(pcm) && !optional(pcm)) add('ConfigMap', get(pcm, 'name'), 'volume');
      const ps = get(src, 'secret');
      if (isMap(ps) && !optional(ps)) add('Secret', get(ps, 'name'), 'volume');
    }
  }
  for (const s of items(get(spec, 'imagePullSecrets'))) if (isMap(s)) add('Secret', get(s, 'name'), 'imagePullSecrets');
  // serviceAccount is the deprecated alias; serviceAccountName wins when both are set.
  add('ServiceAccount', get(spec, 'serviceAccountName') ?? get(spec, 'serviceAccount'), 'serviceAccountName');
}

// ---------------------------------------------------------------------------------------------------
// The index of every manifest of a workspace.

export interface IndexEntry {
  /** The file (a URI string in the editor). */
  file: string;
  facts: ManifestFacts;
}

/**
 * Manifests by file, with lookups by kind/namespace/name and by label, updated file by file. A file
 * is replaced whole (`set`) when it changes; lookups never scan the workspace.
 */
export class ManifestIndex {
  private readonly files = new Map<string, ManifestFacts[]>();
  private readonly byName = new Map<string, IndexEntry[]>();
  /** Pod templates (and Pods) by `namespace\0key=value` of each of their labels. */
  private readonly byLabel = new Map<string, IndexEntry[]>();
  /** Bumped on every change, so callers can tell whether their results are stale. */
  version = 0;

  get size(): number {
    return this.files.size;
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  get(file: string): readonly ManifestFacts[] | undefined {
    return this.files.get(file);
  }

  set(file: string, facts: ManifestFacts[]): void {
    this.remove(file, false);
    this.files.set(file, facts);
    for (const f of facts) {
      const entry = { file, facts: f };
      if (f.kind && f.name) push(this.byName, nameKey(f.kind, namespaceOf(f), f.name), entry);
      if (f.template) {
        const ns = namespaceOf(f);
        for (const [k, v] of Object.entries(f.template.labels)) push(this.byLabel, `${ns}\0${k}=${v}`, entry);
      }
    }
    this.version++;
  }

  delete(file: string): void {
    this.remove(file, true);
  }

  private remove(file: string, bump: boolean): void {
    const old = this.files.get(file);
    if (!old) return;
    this.files.delete(file);
    const drop = (map: Map<string, IndexEntry[]>, key: string) => {
      const list = map.get(key)?.filter((e) => e.file !== file);
      if (list && list.length > 0) map.set(key, list);
      else map.delete(key);
    };
    for (const f of old) {
      if (f.kind && f.name) drop(this.byName, nameKey(f.kind, namespaceOf(f), f.name));
      if (f.template) for (const [k, v] of Object.entries(f.template.labels)) drop(this.byLabel, `${namespaceOf(f)}\0${k}=${v}`);
    }
    if (bump) this.version++;
  }

  /** The documents defining kind/name in namespace (`''` for cluster-scoped kinds). */
  find(kind: string, namespace: string, name: string): readonly IndexEntry[] {
    return this.byName.get(nameKey(kind, namespace, name)) ?? [];
  }

  /** Pod templates and Pods of namespace whose labels the selector (a map, ANDed) matches. */
  selectTemplates(namespace: string, selector: Record<string, string>): IndexEntry[] {
    const keys = Object.entries(selector).map(([k, v]) => `${namespace}\0${k}=${v}`);
    if (keys.length === 0) return [];
    let smallest: IndexEntry[] | undefined;
    for (const key of keys) {
      const list = this.byLabel.get(key);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    return smallest!.filter((e) => matches(selector, e.facts.template!.labels));
  }
}

function nameKey(kind: string, namespace: string, name: string): string {
  return `${kind}\0${namespace}\0${name}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, v: V): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// The checks.

/**
 * What the target cluster has, from a cache (never a request per check). `undefined`: the cluster
 * cannot tell (not listed yet, a list refused or cut short); nothing is reported missing then.
 * Without a cluster (no ClusterView) the checks rely on the workspace alone.
 */
export interface ClusterView {
  /** Whether the object exists; kind `Namespace` with namespace `''` for namespaces. */
  has(kind: RefKind | 'Namespace', namespace: string, name: string): boolean | undefined;
  /** Whether some pod of namespace has all the selector's labels. */
  hasPods(namespace: string, selector: Record<string, string>): boolean | undefined;
}

export type CrossCode = 'configmap-not-found' | 'secret-not-found' | 'pvc-not-found' | 'serviceaccount-not-found' | 'namespace-not-found' | 'selector-matches-no-pods';

export interface CrossProblem {
  severity: 'error' | 'warning';
  code: CrossCode;
  message: string;
  range: Range;
  /** The missing object, for quick fixes. */
  missing?: { kind: RefKind | 'Namespace'; namespace: string; name: string };
}

const CODE: Record<RefKind, CrossCode> = {
  ConfigMap: 'configmap-not-found',
  Secret: 'secret-not-found',
  PersistentVolumeClaim: 'pvc-not-found',
  ServiceAccount: 'serviceaccount-not-found',
};

/** Objects every namespace has: the ServiceAccount and root CA ConfigMap its controllers make. */
function builtIn(kind: RefKind, name: string): boolean {
  return (kind === 'ServiceAccount' && name === 'default') || (kind === 'ConfigMap' && name === 'kube-root-ca.crt');
}

/** Checks a file's documents against the workspace's index and the cluster's view (none: no cluster to ask). */
export function crossCheck(facts: readonly ManifestFacts[], index: ManifestIndex, cluster?: ClusterView): CrossProblem[] {
  const problems: CrossProblem[] = [];
  // Found in the workspace or the cluster, or the cluster cannot tell (not listed yet, a list it
  // refused or cut short): only what is missing for certain is reported.
  const exists = (kind: RefKind | 'Namespace', namespace: string, name: string) =>
    index.find(kind, namespace, name).length > 0 || (cluster !== undefined && cluster.has(kind, namespace, name) !== false);
  for (const f of facts) {
    if (f.namespaced && f.namespace && f.namespaceRange && !SYSTEM_NAMESPACES.has(f.namespace) && !exists('Namespace', '', f.namespace)) {
      problems.push({
        severity: 'error',
        code: 'namespace-not-found',
        message: `namespaces "${f.namespace}" not found`,
        range: f.namespaceRange,
        missing: { kind: 'Namespace', namespace: '', name: f.namespace },
      });
    }
    const seenPullSecrets = new Set<string>();
    for (const r of f.refs) {
      if (builtIn(r.kind, r.name) || exists(r.kind, r.namespace, r.name)) continue;
      const p: CrossProblem = { severity: 'warning', code: CODE[r.kind], message: '', range: r.range, missing: { kind: r.kind, namespace: r.namespace, name: r.name } };
      switch (r.kind) {
        case 'ConfigMap':
          p.message = `configmap "${r.name}" not found`;
          break;
        case 'Secret':
          if (r.via === 'imagePullSecrets') {
            if (seenPullSecrets.has(r.name)) continue;
            seenPullSecrets.add(r.name);
            p.message = `Unable to retrieve some image pull secrets (${r.name}); attempting to pull the image may not succeed.`;
          } else p.message = `secret "${r.name}" not found`;
          break;
        case 'PersistentVolumeClaim':
          p.message = `persistentvolumeclaim "${r.name}" not found`;
          break;
        case 'ServiceAccount': {
          const text = `error looking up service account ${r.namespace}/${r.name}: serviceaccount "${r.name}" not found`;
          // A Pod is refused by admission (apply fails); a workload's pods are refused later (FailedCreate).
          if (f.kind === 'Pod') {
            p.severity = 'error';
            p.message = `pods "${f.name ?? ''}" is forbidden: ${text}`;
          } else p.message = text;
          break;
        }
      }
      problems.push(p);
    }
    if (f.selector) {
      const ns = namespaceOf(f);
      const inWorkspace = index.selectTemplates(ns, f.selector.labels).length > 0;
      if (!inWorkspace && (cluster === undefined || cluster.hasPods(ns, f.selector.labels) === false)) {
        const sel = Object.entries(f.selector.labels).map(([k, v]) => `${k}=${v}`).join(',');
        problems.push({
          severity: 'warning',
          code: 'selector-matches-no-pods',
          message: `selector ${sel} matches no pod template in the workspace and no pod in ${ns === DEFAULT_NAMESPACE ? 'the cluster' : `namespace ${ns}`}: the Service has no endpoints`,
          range: f.selector.range,
        });
      }
    }
  }
  return problems;
}

/** The documents a reference at `pos` (or a Service's selector there) leads to. */
export function definitionsAt(facts: readonly ManifestFacts[], pos: Position, index: ManifestIndex): { file: string; range: Range }[] {
  for (const f of facts) {
    if (!contains(f.range, pos)) continue;
    for (const r of f.refs) {
      if (contains(r.range, pos)) return index.find(r.kind, r.namespace, r.name).map((e) => ({ file: e.file, range: e.facts.nameRange ?? e.facts.range }));
    }
    if (f.namespaceRange && f.namespace && contains(f.namespaceRange, pos)) {
      return index.find('Namespace', '', f.namespace).map((e) => ({ file: e.file, range: e.facts.nameRange ?? e.facts.range }));
    }
    if (f.selector && contains(f.selector.range, pos)) {
      return index.selectTemplates(namespaceOf(f), f.selector.labels).map((e) => ({ file: e.file, range: e.facts.template!.range }));
    }
  }
  return [];
}

export function contains(r: Range, p: Position): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

// ---------------------------------------------------------------------------------------------------
// Quick fixes: text edits computed on the source, keeping its indentation.

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A ConfigMap (or Secret) document to add, as `kubectl create configmap NAME --dry-run -o yaml` shapes it. */
export function skeleton(kind: 'ConfigMap' | 'Secret', name: string, namespace?: string): string {
  const meta = [`  name: ${scalar(name)}`, ...(namespace && namespace !== DEFAULT_NAMESPACE ? [`  namespace: ${scalar(namespace)}`] : [])];
  return ['apiVersion: v1', `kind: ${kind}`, 'metadata:', ...meta, kind === 'Secret' ? 'stringData: {}' : 'data: {}', ''].join('\n');
}

/** A Namespace document, first in the file: `kubectl apply -f` creates objects in the file's order. */
export function namespaceDocument(name: string): TextEdit {
  const at = { line: 0, character: 0 };
  return { range: { start: at, end: at }, newText: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${scalar(name)}\n---\n` };
}

/** The edit appending a new document to the end of a file. */
export function appendDocument(text: string, doc: string): TextEdit {
  const lc = new LineCounter();
  parseAllDocuments(text, { lineCounter: lc });
  const end = rangeMaker(text, lc)({ range: [text.length, text.length, text.length] } as Node).end;
  const sep = text.length === 0 ? '' : text.endsWith('\n') ? '---\n' : '\n---\n';
  return { range: { start: end, end }, newText: sep + doc };
}

/**
 * Makes the pod template's labels of the document at `line` carry the selector's `matchLabels`
 * (apps and batch kinds) or `selector` map (ReplicationController): changes differing values, adds
 * missing keys, creates `labels` (and `metadata`) when there are none. Undefined when there is
 * nothing to do or the selector has only expressions.
 */
export function fixTemplateLabels(text: string, line: number): TextEdit[] | undefined {
  const at = docAt(text, line);
  if (!at) return undefined;
  const { root, range, text: src } = at;
  const kind = str(get(root, 'kind'));
  const path = kind ? POD_TEMPLATE_PATH[kind] : undefined;
  if (!path || path.length === 0) return undefined;
  const selectorParent = getIn(root, path.slice(0, -1));
  const selector = isMap(selectorParent) ? get(selectorParent, 'selector') : undefined;
  if (!isMap(selector)) return undefined;
  const matchLabels = kind === 'ReplicationController' ? selector : get(selector, 'matchLabels');
  const want = stringMap(matchLabels);
  if (Object.keys(want).length === 0) return undefined;
  const template = getIn(root, path);
  if (!isMap(template)) return undefined;
  const meta = get(template, 'metadata');
  const labels = isMap(meta) ? get(meta, 'labels') : undefined;
  if (isMap(labels) && !labels.flow) {
    const edits: TextEdit[] = [];
    const add: string[] = [];
    for (const [k, v] of Object.entries(want)) {
      const pair = pairOf(labels, k);
      if (!pair) add.push(`${scalar(k)}: ${scalar(v)}`);
      else if (str(pair.value) !== v) {
        const node = pair.value as Node | null;
        if (node?.range) edits.push({ range: range(node), newText: scalar(v) });
        else edits.push(insertAfterKey(src, range, pair, ` ${scalar(v)}`));
      }
    }
    if (add.length > 0) edits.push(insertIntoMap(src, range, labels, add));
    return edits.length > 0 ? edits : undefined;
  }
  const merged = { ...stringMap(labels), ...want };
  if (isMap(labels)) return [{ range: range(labels), newText: `{${Object.entries(merged).map(([k, v]) => `${scalar(k)}: ${scalar(v)}`).join(', ')}}` }];
  const labelLines = ['labels:', ...Object.entries(merged).map(([k, v]) => `  ${scalar(k)}: ${scalar(v)}`)];
  if (isMap(meta) && !meta.flow) return [insertIntoMap(src, range, meta, labelLines)];
  if (meta === undefined && !template.flow) return [insertIntoMap(src, range, template, ['metadata:', ...labelLines.map((l) => `  ${l}`)])];
  return undefined;
}

/**
 * Adds the field a `PATH: Required value` error names, below its parent in the document at `line`
 * (creating missing parent maps), with an empty value of the schema's type: `""`, `0`, `false`, `[]`
 * or `{}` for the user to fill.
 */
export function addRequiredField(text: string, line: number, fieldPath: string): TextEdit | undefined {
  const at = docAt(text, line);
  if (!at) return undefined;
  const { root, range, text: src } = at;
  const path = splitPath(fieldPath);
  if (path.length === 0) return undefined;
  let node: YAMLMap = root;
  let i = 0;
  for (; i < path.length - 1; i++) {
    const p = path[i];
    const next = typeof p === 'number' ? (isSeq(node) ? (node as never as { items: unknown[] }).items[p] : undefined) : get(node, p);
    if (next === undefined || next === null) break;
    if (isSeq(next) && typeof path[i + 1] === 'number') {
      const item = next.items[path[i + 1] as number];
      if (!isMap(item)) return undefined;
      node = item;
      i++;
      continue;
    }
    if (!isMap(next)) return undefined;
    node = next;
  }
  const rest = path.slice(i);
  if (rest.some((p) => typeof p === 'number') || node.flow) return undefined;
  if (get(node, rest[0] as string) !== undefined) return undefined;
  const apiVersion = str(get(root, 'apiVersion'));
  const kind = str(get(root, 'kind'));
  const lines: string[] = [];
  rest.forEach((key, j) => {
    const pad = '  '.repeat(j);
    if (j < rest.length - 1) lines.push(`${pad}${key}:`);
    else lines.push(`${pad}${key}: ${emptyValue(apiVersion, kind, path)}`);
  });
  // A workload's selector: the template's labels, which it must match (an empty one is invalid too).
  const templatePath = kind ? POD_TEMPLATE_PATH[kind] : undefined;
  if (fieldPath === 'spec.selector' && templatePath?.length === 2 && kind !== 'Job') {
    const meta = get(getIn(root, templatePath), 'metadata');
    const labels = Object.entries(stringMap(isMap(meta) ? get(meta, 'labels') : undefined));
    if (labels.length > 0) {
      const indent = kind === 'ReplicationController' ? '  ' : '    ';
      lines.splice(0, lines.length, 'selector:', ...(kind === 'ReplicationController' ? [] : ['  matchLabels:']), ...labels.map(([k, v]) => `${indent}${scalar(k)}: ${scalar(v)}`));
    }
  }
  return insertIntoMap(src, range, node, lines);
}

/** An empty value of the field's schema type. */
function emptyValue(apiVersion: string | undefined, kind: string | undefined, path: Path): string {
  let s: Schema | undefined = apiVersion && kind ? schemaForObject(apiVersion, kind) : undefined;
  for (const p of path) {
    if (!s) break;
    s = resolve(s);
    s = typeof p === 'number' ? s.items : s.properties?.[p];
  }
  const t = s ? resolve(s) : undefined;
  switch (t?.type) {
    case 'integer':
    case 'number':
      return '0';
    case 'boolean':
      return 'false';
    case 'array':
      return '[]';
    case 'object':
      return '{}';
    default:
      return t?.properties ? '{}' : '""';
  }
}

export function splitPath(path: string): Path {
  const out: Path = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3]);
  }
  return out;
}

/** Inserts lines (indented relative to the map's keys) after the last entry of a block map. */
function insertIntoMap(text: string, range: (n: Node) => Range, map: YAMLMap, lines: string[]): TextEdit {
  const first = map.items[0]?.key as Node | undefined;
  const last = map.items[map.items.length - 1];
  const indent = first?.range ? range(first).start.character : range(map).start.character;
  const lastNode = ((last?.value as Node | null)?.range ? last!.value : last?.key) as Node | undefined;
  let off = lastNode?.range ? lastNode.range[1] : map.range![1];
  // Go to the start of the next line (after any comment ending the last entry's line).
  while (off > 0 && off <= text.length && text[off - 1] !== '\n' && off < text.length) off++;
  const atEnd = off >= text.length && !text.endsWith('\n');
  const pos = range({ range: [off, off, off] } as Node).start;
  const body = lines.map((l) => ' '.repeat(indent) + l).join('\n');
  return { range: { start: pos, end: pos }, newText: atEnd ? `\n${body}` : `${body}\n` };
}

function insertAfterKey(_text: string, range: (n: Node) => Range, pair: Pair, s: string): TextEdit {
  const end = range(pair.key as Node).end;
  const pos = { line: end.line, character: end.character + 1 };
  return { range: { start: pos, end: pos }, newText: s };
}

function docAt(text: string, line: number): { root: YAMLMap; range: (n: Node) => Range; text: string } | undefined {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { ...parseOptions, lineCounter: lc });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const range = rangeMaker(text, lc);
  for (const doc of list) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const r = range(root);
    if (line >= r.start.line && line <= r.end.line) return { root, range, text };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// yaml helpers.

function rangeMaker(text: string, lc: LineCounter): (n: Node) => Range {
  const pos = (offset: number): Position => {
    const lp = lc.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: lp.line - 1, character: lp.col - 1 };
  };
  return (n: Node) => {
    const [start, end] = n.range ?? [0, 0];
    let e = end;
    while (e > start && /\s/.test(text[e - 1])) e--;
    return { start: pos(start), end: pos(e) };
  };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === key) as Pair | undefined;
}

function get(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const v = pairOf(map, key)?.value;
  return v === null ? undefined : (v as Node | undefined);
}

function getIn(map: unknown, path: Path): Node | undefined {
  let n: unknown = map;
  for (const p of path) {
    if (typeof p === 'number') n = isSeq(n) ? n.items[p] : undefined;
    else n = get(n, p);
    if (n === undefined) return undefined;
  }
  return n as Node;
}

function items(n: unknown): unknown[] {
  return isSeq(n) ? n.items : [];
}

function scalarValue(n: unknown): unknown {
  return isScalar(n) ? n.value : undefined;
}

function str(n: unknown): string | undefined {
  const v = scalarValue(n);
  return typeof v === 'string' ? v : undefined;
}

/** A map of scalars as label strings (`1` and `true` as the text kubectl would reject anyway). */
function stringMap(n: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(n)) return out;
  for (const p of n.items) {
    if (!isScalar(p.key)) continue;
    const v = scalarValue(p.value);
    if (v === null || v === undefined || typeof v === 'object') continue;
    out[String(p.key.value)] = String(v);
  }
  return out;
}

/** A label key or value as a plain YAML scalar when it reads back as the same string, quoted otherwise. */
function scalar(s: string): string {
  return stringify(s, { version: '1.1' }).trimEnd();
}
