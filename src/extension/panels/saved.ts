// What the two webview panels keep across a window reload (issue 8): the webview stores it with
// `acquireVsCodeApi().setState(...)`, VS Code keeps it with the editor layout, and hands it back to the
// panel's serializer (`registerWebviewPanelSerializer`, details.ts and topology.ts) after the reload.
// VS Code's guide: https://code.visualstudio.com/api/extension-guides/webview#serialization
//
// The saved state is data from a page, read back by the host: it is checked field by field here and
// anything unexpected is dropped. It names an object and a tab, never a Secret's value (the host
// reads the live object again after the reload and shows its keys masked).
//
// No `vscode` import: used by both webviews and the host, unit-tested under Node
// (test/extension/panels/saved.test.ts).
import type { Ref, Tab } from '../../webview/details/protocol.ts';
import { TOPO_KINDS, type TopoKind, type TopoView } from '../../webview/topology/protocol.ts';

/** Bumped when the shape changes: an older state is then dropped rather than misread. */
export const SAVED_VERSION = 1;

const TABS: readonly Tab[] = ['summary', 'events', 'yaml', 'edit', 'logs', 'secret'];
/** Longer strings than any Kubernetes name or selector are not ours: dropped. */
const MAX = 4096;

export interface SavedDetails {
  v: typeof SAVED_VERSION;
  ref: Ref;
  tab: Tab;
  /** The Logs tab's container. */
  logContainer?: string;
}

export interface SavedTopology {
  v: typeof SAVED_VERSION;
  view: TopoView;
}

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= MAX;
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The object's reference as the panel uses it: apiVersion, kind, namespace, name, uid, and nothing else. */
function cleanRef(r: unknown): Ref | undefined {
  if (!isObj(r) || !str(r.apiVersion) || !str(r.kind) || !str(r.name)) return undefined;
  const ref: Ref = { apiVersion: r.apiVersion, kind: r.kind, name: r.name };
  if (str(r.namespace)) ref.namespace = r.namespace;
  if (str(r.uid)) ref.uid = r.uid;
  return ref;
}

/** The details webview's state: which object and which tab. */
export function saveDetails(ref: Ref, tab: Tab, logContainer?: string): SavedDetails {
  const s: SavedDetails = { v: SAVED_VERSION, ref: cleanRef(ref) ?? ref, tab };
  if (logContainer) s.logContainer = logContainer;
  return s;
}

/** The state handed to the details serializer, or undefined when it does not name an object. */
export function restoreDetails(state: unknown): { ref: Ref; tab: Tab; logContainer?: string } | undefined {
  if (!isObj(state) || state.v !== SAVED_VERSION) return undefined;
  const ref = cleanRef(state.ref);
  if (!ref) return undefined;
  const tab = TABS.includes(state.tab as Tab) ? (state.tab as Tab) : 'summary';
  return { ref, tab, ...(str(state.logContainer) ? { logContainer: state.logContainer } : {}) };
}

function cleanView(v: unknown): TopoView {
  const view: TopoView = { groupBy: 'namespace', filter: {} };
  if (!isObj(v)) return view;
  if (v.groupBy === 'node') view.groupBy = 'node';
  const f = isObj(v.filter) ? v.filter : {};
  if (str(f.namespace)) view.filter.namespace = f.namespace;
  if (str(f.selector)) view.filter.selector = f.selector;
  if (Array.isArray(f.kinds)) {
    const kinds = TOPO_KINDS.filter((k) => (f.kinds as unknown[]).includes(k));
    if (kinds.length) view.filter.kinds = kinds as TopoKind[];
  }
  return view;
}

/** The topology webview's state: its grouping and filters. */
export function saveTopology(view: TopoView): SavedTopology {
  return { v: SAVED_VERSION, view: cleanView(view) };
}

/** The state handed to the topology serializer: its view, or the default one when the state is not ours. */
export function restoreTopology(state: unknown): TopoView {
  return isObj(state) && state.v === SAVED_VERSION ? cleanView(state.view) : cleanView(undefined);
}
