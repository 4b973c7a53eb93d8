// The details panel's messages between the extension host (src/extension/panels/details.ts) and the
// webview (main.ts), defined once and imported by both sides. Types only.

/** What commands and links pass around to name one object (live.ts ResourceRef, repeated here so the webview bundle imports no host code). */
export interface Ref {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface Link {
  ref: Ref;
  /** `Kind/name`, or `Kind/namespace/name` when the namespace differs from the panel's object. */
  label: string;
  /** Named by the object (a ConfigMap a pod mounts) but not in the cluster. */
  missing?: boolean;
  /** A short fact shown next to the link (a pod's phase, an optional reference). */
  note?: string;
}

export interface Fact {
  label: string;
  value: string;
  /** Links shown as the value (a pod's node, a Service's pods). */
  links?: Link[];
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ContainerInfo {
  name: string;
  /** Init and ephemeral containers are listed apart, as kubectl describe does. */
  role: 'container' | 'init' | 'ephemeral';
  image: string;
  ready?: boolean;
  restarts: number;
  /** Running, Waiting, Terminated, or Unknown (no status yet). */
  state: string;
  /** `since 2024-…`, the waiting reason, `exit code 1 (Error)`. */
  detail: string;
  lastState?: string;
  ports: string[];
}

export interface EventRow {
  type: string;
  reason: string;
  message: string;
  /** kubectl describe's "From". */
  source: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface SecretKey {
  key: string;
  /** Size of the decoded value, in bytes. */
  bytes: number;
  /** Present only after the user asked to reveal this key. */
  value?: string;
  /** How `value` is shown: text when it decodes to printable UTF-8, else its base64. */
  encoding?: 'text' | 'base64';
}

export interface Action {
  command: string;
  title: string;
  /** A codicon name. */
  icon: string;
}

export interface DetailsModel {
  ref: Ref;
  /** "Kind name" */
  title: string;
  /** The object went away (deleted); the rest is its last known state. */
  deleted: boolean;
  /** The panel no longer follows a cluster (it stopped, or the views moved to another): why. */
  offline?: string;
  /** The kind is not watched (or not available on this cluster): only what a GET showed. */
  resourceVersion?: string;
  createdAt?: string;
  facts: Fact[];
  conditions: Condition[];
  containers: ContainerInfo[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owners: Link[];
  owned: Link[];
  related: { title: string; links: Link[] }[];
  events: EventRow[];
  /** The object as `kubectl get -o yaml` prints it (Secret values masked unless revealed). */
  yaml: string;
  /** The same with metadata.managedFields (the YAML tab's toggle). */
  yamlWithManagedFields: string;
  /** For Secrets: the keys of `data`, never their values unless revealed. */
  secret?: { type: string; keys: SecretKey[] };
  /** For pods: the containers `kubectl logs -c` accepts (init containers too). */
  logContainers?: string[];
  actions: Action[];
}

export interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Lines from the end (undefined: all). */
  tailLines?: number;
}

export type Tab = 'summary' | 'events' | 'yaml' | 'edit' | 'logs' | 'secret';

/** The webview's initial state (data-state on <body>): no Secret values, ever. */
export interface InitialState {
  model?: DetailsModel;
  /** The object the panel shows (the model's may be missing: not found yet, or no cluster). */
  ref?: Ref;
  /** Shown under the title while there is no model: why (the cluster is starting, not running, no such object). */
  notice?: string;
  tab: Tab;
  logContainer?: string;
  /** `vscode.l10n.bundle`: the translations of the UI's messages (undefined in English), for @vscode/l10n's `config`. */
  l10n?: { [message: string]: string };
  /** `vscode.env.language` (`en`, `ko`): the page's `lang`. */
  language?: string;
}

export type HostMessage =
  | { type: 'model'; model: DetailsModel }
  | { type: 'showTab'; tab: Tab; container?: string }
  /** No model (yet): why, shown under the object's name. */
  | { type: 'notice'; text: string }
  | { type: 'revealed'; key: string; value: string; encoding: 'text' | 'base64' }
  | { type: 'logReset'; options: LogOptions }
  | { type: 'logData'; text: string }
  | { type: 'logEnd'; error?: string }
  /** The Edit tab's text (the object as it can be applied) and the JSON schema of its kind. */
  | { type: 'editText'; text: string; resourceVersion?: string; schema?: unknown; note?: string }
  | { type: 'applyResult'; ok: boolean; message: string; conflict?: boolean }
  /** A worker's source, fetched by the host: webview URIs are cross-origin for `new Worker`. */
  | { type: 'workerSource'; label: string; source: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'open'; ref: Ref }
  | { type: 'action'; command: string }
  | { type: 'reveal'; key: string }
  | { type: 'hide'; key: string }
  | { type: 'logs'; options: LogOptions }
  | { type: 'stopLogs' }
  | { type: 'editStart' }
  | { type: 'apply'; text: string; force: boolean }
  | { type: 'workerSource'; label: string }
  | { type: 'tab'; tab: Tab };
