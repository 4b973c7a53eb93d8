// The details panel's webview (issue 8): header with the kind's actions, and tabs (vscode-elements):
// Summary, Events, YAML, Edit (Monaco + monaco-yaml with our offline schema), Logs (pods) and Secret
// (keys masked; one value is asked from the host when the user clicks Reveal). Everything is built
// with DOM calls and textContent (no HTML from data), colours come from --vscode-* variables.
// Its words are localized with @vscode/l10n from the bundle the host puts in the initial state (issue 9);
// kubectl's words (kinds, describe's keys, status values, event reasons) stay as kubectl prints them.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode/codicons/dist/codicon.css';
import * as l10n from '@vscode/l10n';
import './details.css';
import type { ContainerInfo, DetailsModel, HostMessage, InitialState, Link, LogOptions, Ref, Tab, WebviewMessage } from './protocol.ts';
import { saveDetails, type SavedDetails } from '../../extension/panels/saved.ts';

declare function acquireVsCodeApi(): { postMessage(msg: WebviewMessage): void; setState(state: SavedDetails): void };
const vscode = acquireVsCodeApi();
const post = (m: WebviewMessage) => vscode.postMessage(m);

const initial = JSON.parse(document.body.dataset.state ?? '{}') as InitialState;
// Before any l10n.t: the translations VS Code loaded for the extension (none in English).
l10n.config({ contents: initial.l10n ?? {} });
if (initial.language) document.documentElement.lang = initial.language;
let model: DetailsModel | undefined = initial.model;
let currentTab: Tab = initial.tab ?? 'summary';
/** Why there is no model (yet): the host's notice, shown under the object's name. */
let notice = initial.notice;
const ref: Ref | undefined = initial.ref ?? initial.model?.ref;

/**
 * What VS Code keeps for the panel's serializer across a window reload (saved.ts): the object and
 * the tab, never a Secret's value.
 */
function saveState(): void {
  if (ref) vscode.setState(saveDetails(ref, currentTab, logsInitialised ? containerSelect.value || undefined : initial.logContainer));
}
let showManaged = false;
const revealedValues = new Map<string, { value: string; encoding: 'text' | 'base64' }>();

// ---- tiny DOM helper ----------------------------------------------------------------------------
type Child = Node | string | undefined | null | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | boolean | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
function h(tag: string, attrs?: Record<string, string | boolean | undefined>, ...children: Child[]): HTMLElement;
function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) e.append(c);
  return e;
}
const icon = (name: string) => h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });

function age(iso: string | undefined): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (Number.isNaN(s)) return '';
  // kubectl's duration.HumanDuration, the common ranges.
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const hr = Math.floor(m / 60);
  if (hr < 8) return `${hr}h${m % 60 ? `${m % 60}m` : ''}`;
  if (hr < 48) return `${hr}h`;
  return `${Math.floor(hr / 24)}d`;
}

function linkEl(l: Link): HTMLElement {
  const a = h('a', { href: '#', class: l.missing ? 'link missing' : 'link', title: l.missing ? l10n.t('{0} (not found)', l.label) : l10n.t('Show details of {0}', l.label) }, l.label);
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    post({ type: 'open', ref: l.ref });
  });
  return h('span', { class: 'link-item' }, a, l.missing ? h('span', { class: 'note warn' }, ` ${l10n.t('not found')}`) : null, l.note ? h('span', { class: 'note' }, ` ${l.note}`) : null);
}

function table(headers: string[], rows: Child[][], label: string): HTMLElement {
  return h(
    'table',
    { class: 'grid', 'aria-label': label },
    h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

function section(title: string, ...content: Child[]): HTMLElement {
  return h('section', { 'aria-label': title }, h('h2', {}, title), ...content);
}

// ---- layout ------------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const header = h('header', { class: 'header' });
const tabs = h('vscode-tabs', { 'aria-label': l10n.t('Details') }) as HTMLElement & { selectedIndex: number };
const panels: Record<Tab, HTMLElement> = {
  summary: h('div', { class: 'tab-body' }),
  events: h('div', { class: 'tab-body' }),
  yaml: h('div', { class: 'tab-body' }),
  edit: h('div', { class: 'tab-body edit' }),
  logs: h('div', { class: 'tab-body logs' }),
  secret: h('div', { class: 'tab-body' }),
};
const TAB_TITLES: Record<Tab, string> = { summary: l10n.t('Summary'), events: l10n.t('Events'), yaml: 'YAML', edit: l10n.t('Edit'), logs: l10n.t('Logs'), secret: l10n.t('Data') };
let tabOrder: Tab[] = [];
app.append(header, tabs);

function tabsFor(m: DetailsModel | undefined): Tab[] {
  const t: Tab[] = ['summary', 'events', 'yaml', 'edit'];
  if (m?.logContainers) t.splice(1, 0, 'logs');
  if (m?.secret) t.splice(1, 0, 'secret');
  return t;
}

function buildTabs(): void {
  const order = tabsFor(model);
  if (order.join() === tabOrder.join()) return;
  tabOrder = order;
  tabs.replaceChildren();
  for (const t of order) {
    const hdr = h('vscode-tab-header', { slot: 'header', id: `tab-${t}` }, TAB_TITLES[t]);
    if (t === 'events') hdr.append(h('vscode-badge', { variant: 'counter', slot: 'content-after', id: 'events-count' }, String(model?.events.length ?? 0)));
    tabs.append(hdr, h('vscode-tab-panel', { 'aria-labelledby': `tab-${t}` }, panels[t]));
  }
  selectTab(order.includes(currentTab) ? currentTab : 'summary');
}

function selectTab(t: Tab): void {
  const i = tabOrder.indexOf(t);
  if (i < 0) return;
  if (tabs.selectedIndex !== i) tabs.selectedIndex = i;
  onTabShown(t);
}

tabs.addEventListener('vsc-tabs-select', (ev) => {
  const t = tabOrder[(ev as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
  if (t) onTabShown(t);
});

function onTabShown(t: Tab): void {
  const before = currentTab;
  currentTab = t;
  if (t !== before) post({ type: 'tab', tab: t });
  saveState();
  if (t === 'logs' && (before !== 'logs' || !logsStarted)) startLogs();
  if (t !== 'logs') logsStarted = false;
  if (t === 'edit') void startEdit();
}

// ---- header ------------------------------------------------------------------------------------
function renderHeader(m: DetailsModel): void {
  const title = h('h1', {}, h('span', { class: 'kind' }, m.ref.kind), ' ', m.ref.name);
  const meta = h('div', { class: 'meta' }, m.ref.namespace ? l10n.t('namespace {0}', m.ref.namespace) : l10n.t('cluster-scoped'), m.createdAt ? ` · ${l10n.t('created {0} ago', age(m.createdAt))}` : '');
  if (m.deleted) meta.append(' ', h('span', { class: 'deleted', role: 'status' }, icon('trash'), ` ${l10n.t('deleted')}`));
  if (m.offline) meta.append(' ', h('span', { class: 'deleted', role: 'status' }, icon('debug-disconnect'), ` ${m.offline}`));
  const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': l10n.t('Actions') });
  if (!m.deleted && !m.offline) {
    for (const a of m.actions) {
      const b = h('vscode-button', { secondary: true, title: a.title, 'aria-label': a.title }, icon(a.icon), ` ${a.title}`);
      b.addEventListener('click', () => (a.command === 'kubeEmulator.showLogs' ? selectTab('logs') : post({ type: 'action', command: a.command })));
      actions.append(b);
    }
  }
  header.replaceChildren(h('div', { class: 'title' }, title, meta), actions);
}

// ---- summary -----------------------------------------------------------------------------------
function containerRows(cs: ContainerInfo[]): Child[][] {
  return cs.map((c) => [
    h('span', {}, c.name, c.role !== 'container' ? h('span', { class: 'note' }, ` (${c.role === 'init' ? l10n.t('init container') : l10n.t('ephemeral container')})`) : null),
    c.image,
    // A workload's pod template: no state yet (the others are the API's words: Running, Waiting...).
    h('span', { class: `state state-${c.state.toLowerCase()}` }, c.state === 'Template' ? l10n.t('template') : c.state),
    c.detail + (c.lastState ? ` · ${l10n.t('last: {0}', c.lastState)}` : ''),
    c.ready === undefined ? '' : c.ready ? l10n.t('yes') : l10n.t('no'),
    String(c.restarts),
    c.ports.join(', '),
  ]);
}

function kv(record: Record<string, string>, label: string): HTMLElement {
  const keys = Object.keys(record).sort();
  if (!keys.length) return h('p', { class: 'empty' }, '<none>');
  return table([l10n.t('Key'), l10n.t('Value')], keys.map((k) => [h('code', {}, k), h('span', { class: 'wrap' }, record[k])]), label);
}

function renderSummary(m: DetailsModel): void {
  const facts = h('dl', { class: 'facts' });
  for (const f of m.facts) {
    facts.append(h('dt', {}, f.label), h('dd', {}, ...(f.links?.length ? f.links.map(linkEl) : [f.value])));
  }
  const parts: Child[] = [section(l10n.t('Overview'), facts)];
  if (m.conditions.length) {
    parts.push(
      section(
        l10n.t('Conditions'),
        table(
          [l10n.t('Type'), l10n.t('Status'), l10n.t('Reason'), l10n.t('Message'), l10n.t('Last transition')],
          m.conditions.map((c) => [c.type, h('span', { class: `cond cond-${c.status.toLowerCase()}` }, c.status), c.reason ?? '', h('span', { class: 'wrap' }, c.message ?? ''), c.lastTransitionTime ? l10n.t('{0} ago', age(c.lastTransitionTime)) : '']),
          l10n.t('Conditions'),
        ),
      ),
    );
  }
  if (m.containers.length) {
    const headers = [l10n.t('Name'), l10n.t('Image'), l10n.t('State'), l10n.t('Detail'), l10n.t('Ready'), l10n.t('Restarts'), l10n.t('Ports')];
    parts.push(section(l10n.t('Containers'), table(headers, containerRows(m.containers), l10n.t('Containers'))));
  }
  if (m.owners.length) parts.push(section(l10n.t('Owned by'), h('div', { class: 'links' }, ...m.owners.map(linkEl))));
  if (m.owned.length) parts.push(section(l10n.t('Owns'), h('div', { class: 'links' }, ...m.owned.map(linkEl))));
  for (const r of m.related) parts.push(section(r.title, h('div', { class: 'links' }, ...r.links.map(linkEl))));
  parts.push(section(l10n.t('Labels'), kv(m.labels, l10n.t('Labels'))));
  parts.push(section(l10n.t('Annotations'), kv(m.annotations, l10n.t('Annotations'))));
  panels.summary.replaceChildren(...(parts.filter(Boolean) as Node[]));
}

function renderEvents(m: DetailsModel): void {
  const badge = document.getElementById('events-count');
  if (badge) badge.textContent = String(m.events.length);
  if (!m.events.length) {
    panels.events.replaceChildren(h('p', { class: 'empty' }, l10n.t('No events.')));
    return;
  }
  panels.events.replaceChildren(
    table(
      [l10n.t('Type'), l10n.t('Reason'), l10n.t('Age'), l10n.t('From'), l10n.t('Message')],
      m.events.map((e) => [
        h('span', { class: e.type === 'Warning' ? 'warn' : '' }, e.type),
        e.reason,
        // kubectl describe: "3m (x5 over 10m)".
        e.count > 1 ? l10n.t('{0} (x{1} over {2})', age(e.lastSeen), e.count, age(e.firstSeen)) : age(e.lastSeen),
        e.source,
        h('span', { class: 'wrap' }, e.message),
      ]),
      l10n.t('Events, newest first'),
    ),
  );
}

const yamlPre = h('pre', { class: 'yaml', tabindex: '0', 'aria-label': l10n.t('YAML of the object') });
const managedBox = h('vscode-checkbox', { label: l10n.t('Show managed fields') }) as HTMLElement & { checked: boolean };
managedBox.addEventListener('change', () => {
  showManaged = managedBox.checked;
  if (model) renderYaml(model);
});
panels.yaml.append(h('div', { class: 'toolbar' }, managedBox), yamlPre);
function renderYaml(m: DetailsModel): void {
  yamlPre.textContent = showManaged ? m.yamlWithManagedFields : m.yaml;
}

function renderSecret(m: DetailsModel): void {
  if (!m.secret) return;
  const rows = m.secret.keys.map((k) => {
    const shown = k.value !== undefined ? { value: k.value, encoding: k.encoding ?? 'text' } : revealedValues.get(k.key);
    const value = shown
      ? h('span', { class: 'secret-value' }, h('code', { class: 'wrap' }, shown.value), shown.encoding === 'base64' ? h('span', { class: 'note' }, ` ${l10n.t('(binary, base64)')}`) : null)
      : h('span', { class: 'masked', 'aria-label': l10n.t('hidden value') }, '••••••');
    const button = h(
      'vscode-button',
      { secondary: true, 'aria-label': shown ? l10n.t('Hide {0}', k.key) : l10n.t('Reveal {0}', k.key) },
      icon(shown ? 'eye-closed' : 'eye'),
      ` ${shown ? l10n.t('Hide') : l10n.t('Reveal')}`,
    );
    button.addEventListener('click', () => {
      if (shown) {
        revealedValues.delete(k.key);
        post({ type: 'hide', key: k.key });
        if (model) renderSecret(model);
      } else post({ type: 'reveal', key: k.key });
    });
    return [h('code', {}, k.key), l10n.t('{0} bytes', k.bytes), value, button];
  });
  panels.secret.replaceChildren(
    h('p', { class: 'note' }, l10n.t('Type {0}. Values stay hidden, here and in the YAML tab, until you reveal a key.', m.secret.type)),
    rows.length ? table([l10n.t('Key'), l10n.t('Size'), l10n.t('Value'), ''], rows, l10n.t('Secret data')) : h('p', { class: 'empty' }, l10n.t('No data.')),
  );
}

function render(): void {
  if (!model) {
    if (ref) {
      const title = h('h1', {}, h('span', { class: 'kind' }, ref.kind), ' ', ref.name);
      const meta = h('div', { class: 'meta' }, ref.namespace ? l10n.t('namespace {0}', ref.namespace) : l10n.t('cluster-scoped'));
      meta.append(' ', h('span', { class: 'deleted', role: 'status' }, icon('debug-disconnect'), ` ${notice ?? l10n.t('Not found')}`));
      header.replaceChildren(h('div', { class: 'title' }, title, meta));
    } else header.replaceChildren(h('h1', {}, l10n.t('Not found')));
    return;
  }
  buildTabs();
  renderHeader(model);
  renderSummary(model);
  renderEvents(model);
  renderYaml(model);
  renderSecret(model);
  if (!logsInitialised && model.logContainers) initLogs(model);
}

// ---- logs --------------------------------------------------------------------------------------
let logsInitialised = false;
let logsStarted = false;
const logPre = h('pre', { class: 'log', tabindex: '0', 'aria-label': l10n.t('Log'), 'aria-live': 'off' });
const logStatus = h('span', { class: 'note', role: 'status' });
const containerSelect = h('vscode-single-select', { 'aria-label': l10n.t('Container') }) as HTMLElement & { value: string };
// kubectl logs -f, -p (--previous), --timestamps and --tail.
const followBox = h('vscode-checkbox', { label: l10n.t('Follow'), checked: true }) as HTMLElement & { checked: boolean };
const previousBox = h('vscode-checkbox', { label: l10n.t('Previous') }) as HTMLElement & { checked: boolean };
const timestampsBox = h('vscode-checkbox', { label: l10n.t('Timestamps') }) as HTMLElement & { checked: boolean };
const tailField = h('vscode-textfield', { type: 'number', placeholder: l10n.t('all'), 'aria-label': l10n.t('Tail lines'), value: '500', size: '6' }) as HTMLElement & { value: string };
const reloadButton = h('vscode-button', { secondary: true, 'aria-label': l10n.t('Reload log') }, icon('refresh'), ` ${l10n.t('Reload')}`);
const stopButton = h('vscode-button', { secondary: true, 'aria-label': l10n.t('Stop following') }, icon('debug-stop'), ` ${l10n.t('Stop')}`);

function initLogs(m: DetailsModel): void {
  logsInitialised = true;
  const names = m.logContainers ?? [];
  const first = initial.logContainer && names.includes(initial.logContainer) ? initial.logContainer : (m.containers.find((c) => c.role === 'container')?.name ?? names[0]);
  for (const n of names) containerSelect.append(h('vscode-option', { value: n, selected: n === first }, n));
  containerSelect.value = first ?? '';
  for (const el of [containerSelect, followBox, previousBox, timestampsBox]) el.addEventListener('change', () => startLogs());
  containerSelect.addEventListener('change', () => saveState());
  tailField.addEventListener('change', () => startLogs());
  reloadButton.addEventListener('click', () => startLogs());
  stopButton.addEventListener('click', () => post({ type: 'stopLogs' }));
  panels.logs.append(
    h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': l10n.t('Log options') },
      h('label', {}, `${l10n.t('Container')} `),
      containerSelect,
      followBox,
      previousBox,
      timestampsBox,
      h('label', {}, `${l10n.t('Tail')} `),
      tailField,
      reloadButton,
      stopButton,
      logStatus,
    ),
    logPre,
  );
}

function startLogs(): void {
  if (!model?.logContainers?.length || currentTab !== 'logs') return;
  logsStarted = true;
  const tail = Number.parseInt(tailField.value, 10);
  const options: LogOptions = {
    container: containerSelect.value || model.logContainers[0],
    follow: followBox.checked,
    previous: previousBox.checked,
    timestamps: timestampsBox.checked,
    tailLines: Number.isFinite(tail) && tail >= 0 ? tail : undefined,
  };
  post({ type: 'logs', options });
}

const LOG_LIMIT = 2_000_000;
function appendLog(text: string): void {
  const atBottom = logPre.scrollHeight - logPre.scrollTop - logPre.clientHeight < 40;
  logPre.append(text);
  if ((logPre.textContent?.length ?? 0) > LOG_LIMIT) logPre.textContent = (logPre.textContent ?? '').slice(-LOG_LIMIT / 2);
  if (atBottom) logPre.scrollTop = logPre.scrollHeight;
}

// ---- edit (Monaco) -----------------------------------------------------------------------------
type Monaco = typeof import('./monaco.ts');
let monacoMod: Monaco | undefined;
let editor: import('./monaco.ts').editor.IStandaloneCodeEditor | undefined;
let editRequested = false;
const editStatus = h('div', { class: 'apply-status', role: 'status', 'aria-live': 'polite' });
const editNote = h('p', { class: 'note' });
const editHost = h('div', { class: 'editor-host', 'aria-label': l10n.t('Editable YAML') });
const applyButton = h('vscode-button', { 'aria-label': l10n.t('Apply (server-side apply)') }, icon('check'), ` ${l10n.t('Apply')}`);
const discardButton = h('vscode-button', { secondary: true, 'aria-label': l10n.t('Reload from the cluster, discarding edits') }, icon('discard'), ` ${l10n.t('Reload')}`);
panels.edit.append(
  h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': l10n.t('Edit') },
    applyButton,
    discardButton,
    h('span', { class: 'note' }, l10n.t('Server-side apply with the extension\'s field manager (kube-emulator-vscode).')),
  ),
  editNote,
  editStatus,
  editHost,
);
applyButton.addEventListener('click', () => apply(false));
discardButton.addEventListener('click', () => {
  editStatus.replaceChildren();
  post({ type: 'editStart' });
});

function apply(force: boolean): void {
  if (!editor) return;
  editStatus.replaceChildren(h('span', { class: 'note' }, force ? l10n.t('Applying with force…') : l10n.t('Applying…')));
  post({ type: 'apply', text: editor.getValue(), force });
}

/** Worker sources come from the host: a webview URI is another origin, so `new Worker(uri)` is refused; a blob: URL is ours. */
const workerSources = new Map<string, (src: string) => void>();
function workerFromHost(label: string): Promise<Worker> {
  return new Promise<string>((resolve) => {
    workerSources.set(label, resolve);
    post({ type: 'workerSource', label });
  }).then((src) => new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { name: label }));
}

async function startEdit(): Promise<void> {
  if (editRequested) return;
  editRequested = true;
  (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
    getWorker: (_id: string, label: string) => workerFromHost(label === 'yaml' ? 'yaml' : 'editor'),
  };
  monacoMod = await import('./monaco.ts');
  post({ type: 'editStart' });
}

function themeName(): string {
  const c = document.body.classList;
  return c.contains('vscode-high-contrast') ? (c.contains('vscode-high-contrast-light') ? 'hc-light' : 'hc-black') : c.contains('vscode-light') ? 'vs' : 'vs-dark';
}

let yamlConfigured = false;
async function showEditText(text: string, schema: unknown, note?: string): Promise<void> {
  const monaco = monacoMod;
  if (!monaco || !model) return;
  editNote.textContent = note ?? '';
  if (!yamlConfigured && schema) {
    yamlConfigured = true;
    const { configureMonacoYaml } = await import('monaco-yaml');
    // monaco-yaml (through monaco-worker-manager) calls editor.createWebWorker the pre-0.50 way
    // ({moduleId, label, createData}); monaco 0.5x keeps that way as internal/common/workers.js.
    const { createWebWorker } = await import('monaco-editor/internal/common/workers.js');
    const compat = { ...monaco, editor: { ...monaco.editor, createWebWorker } };
    configureMonacoYaml(compat as never, {
      enableSchemaRequest: false,
      isKubernetes: true,
      schemas: [{ uri: `kube-emulator://schemas/${model.ref.apiVersion}/${model.ref.kind}.json`, fileMatch: ['**/edit.yaml'], schema: schema as never }],
    });
  }
  if (!editor) {
    const uri = monaco.Uri.parse(`kube-emulator://edit/${encodeURIComponent(model.title)}/edit.yaml`);
    const m = monaco.editor.createModel(text, 'yaml', uri);
    editor = monaco.editor.create(editHost, { model: m, automaticLayout: true, minimap: { enabled: false }, theme: themeName(), scrollBeyondLastLine: false, tabSize: 2, fontSize: 13 });
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => apply(false));
  } else {
    editor.setValue(text);
  }
}

function showApplyResult(ok: boolean, message: string, conflict?: boolean): void {
  const line = h('div', { class: ok ? 'ok' : 'error' }, icon(ok ? 'pass' : 'error'), ' ', h('span', { class: 'wrap' }, message));
  const items: Child[] = [line];
  if (conflict) {
    // kubectl apply --server-side's advice after a conflict, with its two ways out here.
    const force = h('vscode-button', { 'aria-label': l10n.t('Force apply, taking the fields') }, l10n.t('Force apply'));
    const reload = h('vscode-button', { secondary: true, 'aria-label': l10n.t('Reload the live object, discarding edits') }, l10n.t('Reload'));
    force.addEventListener('click', () => apply(true));
    reload.addEventListener('click', () => {
      editStatus.replaceChildren();
      post({ type: 'editStart' });
    });
    items.push(
      h(
        'p',
        { class: 'note' },
        l10n.t('Another manager owns these fields, or the object changed since editing began. Force apply takes the fields (kubectl apply --server-side --force-conflicts); Reload starts again from the live object.'),
      ),
      h('div', { class: 'toolbar' }, force, reload),
    );
  }
  editStatus.replaceChildren(...(items as Node[]));
}

// ---- messages ----------------------------------------------------------------------------------
window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'model':
      model = msg.model;
      for (const k of model.secret?.keys ?? []) if (k.value === undefined) revealedValues.delete(k.key);
      render();
      return;
    case 'notice':
      notice = msg.text;
      if (!model) render();
      return;
    case 'showTab':
      if (msg.container && model?.logContainers?.includes(msg.container)) containerSelect.value = msg.container;
      selectTab(msg.tab);
      if (msg.tab === 'logs') startLogs();
      return;
    case 'revealed':
      revealedValues.set(msg.key, { value: msg.value, encoding: msg.encoding });
      if (model) renderSecret(model);
      return;
    case 'logReset':
      logPre.textContent = '';
      logStatus.textContent = msg.options.follow ? l10n.t('following…') : '';
      return;
    case 'logData':
      appendLog(msg.text);
      return;
    case 'logEnd':
      logStatus.textContent = msg.error ? '' : l10n.t('end of log');
      if (msg.error) appendLog(`${msg.error}\n`);
      return;
    case 'editText':
      void showEditText(msg.text, msg.schema, msg.note);
      return;
    case 'applyResult':
      showApplyResult(msg.ok, msg.message, msg.conflict);
      return;
    case 'workerSource':
      workerSources.get(msg.label)?.(msg.source);
      workerSources.delete(msg.label);
      return;
  }
});

render();
saveState();
setInterval(() => model && renderEvents(model), 15_000);
post({ type: 'ready' });
