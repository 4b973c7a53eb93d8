// Extension tests that run inside a real VS Code extension host, with the real `vscode` API: no UI
// clicking. Bundled to CommonJS by bundleExtensionTests() (scripts/vscode-server.mjs) and loaded
// either by code-server with the smoke-test driver (test/e2e/vscode/exthost.test.ts) or by desktop
// VS Code through @vscode/test-electron (test/e2e/vscode/electron/run.mjs). `run()` resolves when
// every test passed and rejects otherwise, as @vscode/test-electron expects.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { E2EExpectations } from '../../../../scripts/vscode-server.mjs';

declare const __KUBE_EMULATOR_E2E__: E2EExpectations;
const expected = __KUBE_EMULATOR_E2E__;

const LENS_TITLE = 'Apply to emulated cluster';
const APPLY_TITLE = 'Apply to Emulated Cluster';

const MULTI_DOC = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
    - name: nginx
      image: nginx
---
# not a Kubernetes object: no lens here
just: data
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: test
`;

// Applied before the export: the cluster state file must hold these two objects. (The emulator
// serves namespaces, nodes, pods, events, leases and CRDs so far: no ConfigMaps.)
const STATE_NS = 'e2e-state';
const STATE_OBJECTS = `apiVersion: v1
kind: Namespace
metadata:
  name: ${STATE_NS}
  labels:
    stage: exported
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: ${STATE_NS}
spec:
  containers:
    - name: web
      image: nginx
`;

interface StateFile {
  apiVersion: string;
  kind: string;
  revision?: number;
  objects: { key: string; object: { kind: string; metadata: { name: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> } } }[];
}

/** What the extension's activate() returns (src/extension/main.ts KubeEmulatorApi). */
interface KubeEmulatorApi {
  ensureCluster(): Promise<{ server: string; kubeconfigPath: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects when `p` takes longer than `ms`: a command that hangs fails its test instead of the run. */
async function within<T>(ms: number, what: string, p: Thenable<T> | Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p),
      new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** GET a path of the extension's cluster with its kubeconfig's token: status and parsed body. */
async function apiGet(path: string): Promise<{ status: number; body: any }> {
  const ext = vscode.extensions.getExtension<KubeEmulatorApi>(expected.extensionId);
  assert.ok(ext?.exports?.ensureCluster, 'the extension exports no ensureCluster()');
  const { server, kubeconfigPath } = await ext.exports.ensureCluster();
  const token = /\btoken:\s*["']?([^\s"']+)/.exec(readFileSync(kubeconfigPath, 'utf8'))?.[1];
  assert.ok(token, `no token in ${kubeconfigPath}`);
  const url = new URL(path, server);
  return within(
    10_000,
    `GET ${url}`,
    new Promise((resolve, reject) => {
      // The kubeconfig says insecure-skip-tls-verify: the emulator's certificate is self-signed.
      const req = request(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, rejectUnauthorized: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          } catch (e) {
            reject(new Error(`GET ${url}: ${res.statusCode}, not JSON: ${text.slice(0, 200)} (${String(e)})`));
          }
        });
      });
      req.on('error', reject);
      req.end();
    }),
  );
}

const tests: [string, () => Promise<void>][] = [];
const it = (name: string, fn: () => Promise<void>) => tests.push([name, fn]);

it('the extension is installed and activates', async () => {
  const ext = vscode.extensions.getExtension(expected.extensionId);
  assert.ok(ext, `extension ${expected.extensionId} is not loaded`);
  const t0 = Date.now();
  await ext.activate();
  assert.equal(ext.isActive, true);
  console.log(`activate() took ${Date.now() - t0} ms`);
});

it('every contributed command is registered, among them Apply to Emulated Cluster', async () => {
  const apply = expected.commands.find((c) => c.title === APPLY_TITLE);
  assert.ok(apply, `package.json contributes no command titled "${APPLY_TITLE}"`);
  const all = new Set(await vscode.commands.getCommands(true));
  const missing = expected.commands.filter((c) => !all.has(c.command)).map((c) => c.command);
  assert.deepEqual(missing, [], `contributed commands not registered after activation: ${missing.join(', ')}`);
});

it('a CodeLens "Apply to emulated cluster" sits above each document with apiVersion and kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-'));
  const file = join(dir, 'multi.yaml');
  writeFileSync(file, MULTI_DOC);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, 'yaml');
  const separators = doc
    .getText()
    .split('\n')
    .flatMap((l, i) => (l.startsWith('---') ? [i] : []));
  let titled: vscode.CodeLens[] = [];
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
    titled = lenses.filter((l) => l.command?.title === LENS_TITLE).sort((a, b) => a.range.start.line - b.range.start.line);
    if (titled.length >= 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const lines = titled.map((l) => l.range.start.line);
  assert.equal(titled.length, 2, `expected 2 lenses (Pod, ConfigMap), got lines ${JSON.stringify(lines)}`);
  assert.ok(lines[0] < separators[0], `the Pod's lens is on line ${lines[0]}`);
  assert.ok(lines[1] >= separators[1], `the ConfigMap's lens is on line ${lines[1]}, before its document`);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

it('a dangling configMapRef is a warning in kubelet words; go to definition and the "create ConfigMap" quick fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-refs-'));
  const file = join(dir, 'web.yaml');
  writeFileSync(
    file,
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: app-config
`,
  );
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  const ours = () => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source?.startsWith('kube-emulator'));
  const waitFor = async (what: string, ok: (ds: vscode.Diagnostic[]) => boolean) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) if (ok(ours())) return ours();
    assert.fail(`${what}; diagnostics: ${JSON.stringify(ours().map((d) => [d.message, d.range.start.line]))}`);
  };
  const ds = await waitFor('no "configmap not found" diagnostic', (x) => x.some((d) => d.message === 'configmap "app-config" not found'));
  const d = ds.find((x) => x.message === 'configmap "app-config" not found')!;
  assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
  assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [18, 18, 18, 28]);

  const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range)) ?? [];
  const create = actions.find((a) => a.title === 'Create ConfigMap "app-config" at the end of this file');
  assert.ok(create?.edit, `no quick fix to create the ConfigMap: ${actions.map((a) => a.title).join(' | ')}`);
  assert.ok(await vscode.workspace.applyEdit(create.edit));
  assert.ok(doc.getText().endsWith('---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata: {}\n'), doc.getText());
  await waitFor('the warning stayed after the ConfigMap was added', (x) => !x.some((y) => y.message.includes('app-config')));

  const defs = (await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(18, 20))) ?? [];
  const targets = defs.map((l) => ('targetUri' in l ? [l.targetUri.fsPath, l.targetRange.start.line] : [l.uri.fsPath, l.range.start.line]));
  assert.deepEqual(targets, [[file, 23]]);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  rmSync(dir, { recursive: true, force: true });
});

it('Export Cluster State writes the applied objects; Import Cluster State makes the cluster the file\'s', async () => {
  const commands = new Set(await vscode.commands.getCommands(true));
  for (const c of ['kubeEmulator.exportState', 'kubeEmulator.importState']) assert.ok(commands.has(c), `${c} is not registered`);
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-state-'));
  try {
    await exportAndImport(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function exportAndImport(dir: string): Promise<void> {
  const manifestFile = join(dir, 'state-objects.yaml');
  writeFileSync(manifestFile, STATE_OBJECTS);

  // Apply both objects (the whole file: no document index), as the Apply command does.
  const applied = await within(
    60_000,
    'kubeEmulator.applyDocument',
    vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applyDocument', vscode.Uri.file(manifestFile)),
  );
  assert.deepEqual(applied?.lines, [`namespace/${STATE_NS} created`, 'pod/web created']);
  // Let the pod settle (scheduled, Running) so the export is not taken in the middle of its start.
  let phase = '';
  for (const deadline = Date.now() + 30_000; Date.now() < deadline && phase !== 'Running'; await sleep(250)) {
    phase = (await apiGet(`/api/v1/namespaces/${STATE_NS}/pods/web`)).body?.status?.phase ?? '';
  }
  assert.equal(phase, 'Running', 'pod web did not reach Running within 30 s');

  // Export to a file in a temp folder, given as the command's argument (no save dialog).
  const target = vscode.Uri.file(join(dir, 'exported.json'));
  const returned = await within(30_000, 'kubeEmulator.exportState', vscode.commands.executeCommand<vscode.Uri>('kubeEmulator.exportState', target));
  assert.equal(returned?.fsPath, target.fsPath, 'exportState did not return the target it wrote');
  const exported = JSON.parse(readFileSync(target.fsPath, 'utf8')) as StateFile;
  assert.equal(exported.apiVersion, 'kube-emulator.io/v1');
  assert.equal(exported.kind, 'ClusterState');
  assert.ok(Array.isArray(exported.objects) && exported.objects.length > 3, `objects: ${JSON.stringify(exported.objects)?.slice(0, 300)}`);
  const keys = exported.objects.map((o) => o.key);
  assert.deepEqual(keys, [...keys].sort(), 'the objects are not sorted by key');
  const byKey = new Map(exported.objects.map((o) => [o.key, o.object]));
  const nsKey = `/registry/namespaces/${STATE_NS}`;
  const podKey = `/registry/pods/${STATE_NS}/web`;
  const addedKey = '/registry/namespaces/e2e-added';
  for (const k of [nsKey, podKey]) assert.ok(byKey.has(k), `the export lacks ${k}; it has ${keys.join(', ')}`);
  assert.equal(byKey.get(nsKey)?.metadata.labels?.stage, 'exported');
  assert.ok(
    exported.objects.every((o) => o.object.metadata.resourceVersion === undefined),
    'an exported object carries metadata.resourceVersion',
  );
  // The file is the cluster's: the same objects (uids) as the API serves.
  const liveNs = await apiGet(`/api/v1/namespaces/${STATE_NS}`);
  assert.equal(liveNs.status, 200);
  assert.equal(byKey.get(nsKey)?.metadata.uid, liveNs.body.metadata.uid, 'the exported Namespace is not the live one');
  const livePod = await apiGet(`/api/v1/namespaces/${STATE_NS}/pods/web`);
  assert.equal(byKey.get(podKey)?.metadata.uid, livePod.body.metadata.uid, 'the exported Pod is not the live one');

  // The file, changed: the Namespace's label, the Pod gone, a new Namespace.
  const changed: StateFile = structuredClone(exported);
  changed.objects = changed.objects.filter((o) => o.key !== podKey);
  changed.objects.find((o) => o.key === nsKey)!.object.metadata.labels = { stage: 'imported' };
  changed.objects.push({
    key: addedKey,
    object: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'e2e-added', labels: { from: 'file' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    } as StateFile['objects'][number]['object'],
  });
  changed.objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const source = vscode.Uri.file(join(dir, 'changed.json'));
  writeFileSync(source.fsPath, JSON.stringify(changed, null, 2));

  // confirmed = true: no modal question.
  const r = await within(
    60_000,
    'kubeEmulator.importState',
    vscode.commands.executeCommand<{ created: number; updated: number; deleted: number; unchanged: number }>('kubeEmulator.importState', source, true),
  );
  assert.ok(r, 'importState returned nothing (it failed: see the Kubernetes Emulator output)');
  console.log(`import: ${JSON.stringify(r)} for ${changed.objects.length} objects in the file`);
  assert.equal(r.created, 1, `created: only ${addedKey} is new (${JSON.stringify(r)})`);
  assert.equal(r.deleted, 1, `deleted: only ${podKey} is not in the file (${JSON.stringify(r)})`);
  assert.ok(r.updated >= 1, `updated: ${nsKey} changed (${JSON.stringify(r)})`);
  assert.ok(r.unchanged >= 1, `unchanged: the default namespace at least (${JSON.stringify(r)})`);
  assert.equal(r.created + r.updated + r.unchanged, changed.objects.length, `every object of the file is created, updated or unchanged (${JSON.stringify(r)})`);

  // Through the API: the cluster is the file's.
  const ns = await apiGet(`/api/v1/namespaces/${STATE_NS}`);
  assert.equal(ns.status, 200);
  assert.deepEqual(ns.body.metadata.labels, { stage: 'imported' });
  assert.equal(ns.body.metadata.uid, liveNs.body.metadata.uid, 'the updated Namespace lost its uid');
  const added = await apiGet('/api/v1/namespaces/e2e-added');
  assert.equal(added.status, 200, `Namespace e2e-added: ${JSON.stringify(added.body)}`);
  assert.deepEqual(added.body.metadata.labels, { from: 'file' });
  assert.ok(added.body.metadata.resourceVersion, 'the created Namespace has no resourceVersion');
  const pod = await apiGet(`/api/v1/namespaces/${STATE_NS}/pods/web`);
  assert.equal(pod.status, 404, `pod web is still served after the import: ${JSON.stringify(pod.body?.status ?? pod.body)}`);

  // And a second export is the imported file's content.
  const again = vscode.Uri.file(join(dir, 'again.json'));
  await within(30_000, 'kubeEmulator.exportState', vscode.commands.executeCommand('kubeEmulator.exportState', again));
  const reexported = JSON.parse(readFileSync(again.fsPath, 'utf8')) as StateFile;
  const reKeys = new Set(reexported.objects.map((o) => o.key));
  assert.ok(reKeys.has(addedKey) && !reKeys.has(podKey), `the second export: ${[...reKeys].join(', ')}`);
}

it('the lens row: Apply shows "created" in the lens, Delete appears, Dry run, Diff (read-only, no managedFields), Delete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-lens-'));
  try {
    const file = join(dir, 'lens.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lens-cm\ndata:\n  mode: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lens-cm2\n');
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const titlesAt = async (line: number) =>
      ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 20)) ?? [])
        .filter((l) => l.range.start.line === line)
        .map((l) => l.command?.title ?? '');
    const waitFor = async (line: number, want: string[]) => {
      let got: string[] = [];
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
        got = await titlesAt(line);
        if (want.every((w) => got.includes(w))) return got;
      }
      assert.fail(`line ${line}: lenses ${JSON.stringify(got)}, wanted ${JSON.stringify(want)}`);
    };
    await waitFor(0, ['Apply all to emulated cluster', LENS_TITLE, 'Dry run', 'Diff']);
    const applied = await within(60_000, 'applyDocument', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applyDocument', uri, 0));
    assert.deepEqual(applied?.lines, ['configmap/lens-cm created']);
    assert.equal((await apiGet('/api/v1/namespaces/default/configmaps/lens-cm')).body?.metadata?.managedFields?.[0]?.manager, 'kube-emulator-vscode');
    assert.deepEqual(await waitFor(0, ['configmap/lens-cm created', 'Delete']), ['Apply all to emulated cluster', LENS_TITLE, 'Dry run', 'Diff', 'Delete', 'configmap/lens-cm created']);
    const secondLine = doc.getText().split('\n').indexOf('---') + 1;
    assert.ok(!(await titlesAt(secondLine)).includes('Delete'), 'lens-cm2 does not exist: no Delete lens');

    const dry = await within(30_000, 'dryRunDocument', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.dryRunDocument', uri, 0));
    assert.deepEqual(dry?.lines, ['configmap/lens-cm unchanged (server dry run)']);
    await waitFor(0, ['configmap/lens-cm unchanged (server dry run)']);

    const diff = await within(30_000, 'diffDocument', vscode.commands.executeCommand<{ left: vscode.Uri; right: vscode.Uri }>('kubeEmulator.diffDocument', uri, 0));
    assert.ok(diff?.left && diff.right, 'diffDocument returned no documents');
    const left = (await vscode.workspace.openTextDocument(diff.left)).getText();
    assert.match(left, /^ {2}name: lens-cm$/m);
    assert.doesNotMatch(left, /managedFields/);
    assert.ok(vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff, 'the diff editor is not the active tab');
    const fresh = await within(30_000, 'diffDocument', vscode.commands.executeCommand<{ left: vscode.Uri }>('kubeEmulator.diffDocument', uri, 1));
    assert.equal((await vscode.workspace.openTextDocument(fresh!.left)).getText(), '', 'a new object diffs against an empty document');

    const deleted = await within(30_000, 'deleteDocument', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.deleteDocument', uri, 0, true));
    assert.deepEqual(deleted?.lines, ['configmap "lens-cm" deleted']);
    assert.equal((await apiGet('/api/v1/namespaces/default/configmaps/lens-cm')).status, 404);
    const after = await waitFor(0, ['configmap "lens-cm" deleted']);
    assert.ok(!after.includes('Delete'), `a Delete lens after the delete: ${JSON.stringify(after)}`);
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  }
});

it('server-side dry run: a LimitRange bound shows on the document in the apiserver words', async () => {
  const api = (await vscode.extensions.getExtension(expected.extensionId)!.activate()) as KubeEmulatorApi;
  await within(60_000, 'ensureCluster', api.ensureCluster());
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-dryrun-'));
  try {
    const setup = join(dir, 'limits.yaml');
    writeFileSync(
      setup,
      `apiVersion: v1
kind: Namespace
metadata:
  name: e2e-limits
---
apiVersion: v1
kind: LimitRange
metadata:
  name: bounds
  namespace: e2e-limits
spec:
  limits:
  - type: Container
    max:
      cpu: "1"
`,
    );
    const applied = await within(60_000, 'applyDocument', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applyDocument', vscode.Uri.file(setup)));
    assert.deepEqual(applied?.lines, ['namespace/e2e-limits created', 'limitrange/bounds created']);
    const file = join(dir, 'big.yaml');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Pod
metadata:
  name: big
  namespace: e2e-limits
spec:
  containers:
  - name: c
    image: nginx:1.27
    resources:
      limits:
        cpu: "4"
`,
    );
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    const message = 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 4';
    let found: vscode.Diagnostic | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !found; await sleep(250)) {
      found = vscode.languages.getDiagnostics(doc.uri).find((d) => d.message === message);
    }
    assert.ok(found, `no dry-run diagnostic; diagnostics: ${JSON.stringify(vscode.languages.getDiagnostics(doc.uri).map((d) => d.message))}`);
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([found.range.start.line, found.range.end.line], [0, 11]);
    assert.equal((await apiGet('/api/v1/namespaces/e2e-limits/pods/big')).status, 404, 'the dry run stored the pod');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('Apply Folder goes in kubectl apply -R -f order; Apply Selection applies the documents it touches, or a complete document selected in Markdown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-folder-'));
  try {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    mkdirSync(join(dir, 'a', 'y'), { recursive: true });
    mkdirSync(join(dir, 'a-b'));
    writeFileSync(join(dir, 'b.yaml'), cm('folder-b'));
    writeFileSync(join(dir, 'a-b', 'x.yaml'), cm('folder-a-b-x'));
    writeFileSync(join(dir, 'a', 'z.yml'), cm('folder-a-z') + '---\n' + cm('folder-a-z2'));
    writeFileSync(join(dir, 'a', 'y', '1.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'folder-a-y-1' } }));
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    const folder = await within(60_000, 'applyFolder', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applyFolder', vscode.Uri.file(dir)));
    // The order kubectl apply -R -f DIR prints for the same tree (checked with kubectl 1.32).
    assert.deepEqual(folder?.lines, [
      'configmap/folder-a-y-1 created',
      'configmap/folder-a-z created',
      'configmap/folder-a-z2 created',
      'configmap/folder-a-b-x created',
      'configmap/folder-b created',
    ]);

    const yamlFile = join(dir, 'three.yaml');
    writeFileSync(yamlFile, cm('sel-1') + '---\n' + cm('sel-2') + '---\n' + cm('sel-3'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(yamlFile)));
    // From the name of sel-1 to the kind of sel-2: both documents, not sel-3.
    editor.selection = new vscode.Selection(3, 2, 6, 4);
    const sel = await within(30_000, 'applySelection', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applySelection'));
    assert.deepEqual(sel?.lines, ['configmap/sel-1 created', 'configmap/sel-2 created']);
    assert.equal((await apiGet('/api/v1/namespaces/default/configmaps/sel-3')).status, 404);

    const md = join(dir, 'README.md');
    writeFileSync(md, '# Example\n\n```yaml\n' + cm('from-markdown') + '```\n');
    const mdEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(md)));
    mdEditor.selection = new vscode.Selection(3, 0, 7, 0);
    const fromMd = await within(30_000, 'applySelection', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applySelection'));
    assert.deepEqual(fromMd?.lines, ['configmap/from-markdown created']);
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  }
});

it('node commands: add a worker, cordon, drain, stop it (fast-forward: Unknown), start it, delete it', async () => {
  const name = await within(30_000, 'kubeEmulator.addNode', vscode.commands.executeCommand<string>('kubeEmulator.addNode', { cpu: '1', memory: '2Gi' }));
  assert.ok(name, 'addNode returned no node name');
  const node = async () => (await apiGet(`/api/v1/nodes/${name}`)).body;
  const poll = async (what: string, check: (n: any) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const n = await node();
      if (check(n)) return n;
      await sleep(100);
    }
    assert.fail(`node ${name} never ${what}: ${JSON.stringify((await node())?.status?.conditions)}`);
  };
  const ready = (n: any) => n?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;
  let n = await poll('became Ready', (x) => ready(x) === 'True');
  assert.equal(n.status.capacity.cpu, '1');
  await within(10_000, 'cordonNode', vscode.commands.executeCommand('kubeEmulator.cordonNode', name));
  assert.equal((await node()).spec.unschedulable, true);
  await within(10_000, 'uncordonNode', vscode.commands.executeCommand('kubeEmulator.uncordonNode', name));
  assert.equal((await node()).spec.unschedulable, undefined);
  const drained = await within(30_000, 'drainNode', vscode.commands.executeCommand<{ evicted: string[]; blocked: unknown[] }>('kubeEmulator.drainNode', name, 5));
  assert.deepEqual(drained?.blocked, []);
  assert.equal((await node()).spec.unschedulable, true);
  // A stopped node stops heartbeating; past the 50 s grace period its Ready condition is Unknown.
  await within(10_000, 'stopNode', vscode.commands.executeCommand('kubeEmulator.stopNode', name));
  await within(30_000, 'advanceClock', vscode.commands.executeCommand('kubeEmulator.advanceClock', '2m'));
  // The controller writes the condition, then the taint (two writes, as Kubernetes does).
  const unknownAndTainted = (x: any) => ready(x) === 'Unknown' && x.spec.taints?.some((t: any) => t.key === 'node.kubernetes.io/unreachable');
  n = await poll('went Unknown with the unreachable taint', unknownAndTainted);
  assert.ok(n.spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'), JSON.stringify(n.spec.taints));
  await within(10_000, 'startNode', vscode.commands.executeCommand('kubeEmulator.startNode', name));
  await poll('came back Ready', (x) => ready(x) === 'True');
  await within(10_000, 'deleteNode', vscode.commands.executeCommand('kubeEmulator.deleteNode', name, true));
  assert.equal((await apiGet(`/api/v1/nodes/${name}`)).status, 404);
});

it('actions on a tree ref: scale a Deployment, pause and resume it, delete it; a kubectl terminal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-actions-'));
  try {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: e2e-actions\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: e2e-actions}\n' +
        '  template:\n    metadata:\n      labels: {app: e2e-actions}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n',
    );
    const applied = await within(60_000, 'applyDocument', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applyDocument', vscode.Uri.file(file)));
    assert.deepEqual(applied?.lines, ['deployment.apps/e2e-actions created']);
    // What a tree element passes: an object with a `ref`.
    const item = { ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'e2e-actions' } };
    const path = '/apis/apps/v1/namespaces/default/deployments/e2e-actions';
    assert.equal(await within(20_000, 'scale', vscode.commands.executeCommand('kubeEmulator.scale', item, 3)), 'deployment.apps/e2e-actions scaled');
    assert.equal((await apiGet(path)).body.spec.replicas, 3);
    assert.equal(await within(20_000, 'pauseRollout', vscode.commands.executeCommand('kubeEmulator.pauseRollout', item)), 'deployment.apps/e2e-actions paused');
    assert.equal((await apiGet(path)).body.spec.paused, true);
    assert.equal(await within(20_000, 'resumeRollout', vscode.commands.executeCommand('kubeEmulator.resumeRollout', item)), 'deployment.apps/e2e-actions resumed');
    assert.equal((await apiGet(path)).body.spec.paused, undefined);
    assert.equal(await within(20_000, 'deleteResource', vscode.commands.executeCommand('kubeEmulator.deleteResource', item, 'background')), 'deployment.apps "e2e-actions" deleted');
    assert.equal((await apiGet(path)).status, 404);
    const terminal = await within(20_000, 'openTerminal', vscode.commands.executeCommand<vscode.Terminal>('kubeEmulator.openTerminal'));
    assert.equal(terminal?.name, 'kubectl (emulated)');
    const env = (terminal?.creationOptions as vscode.TerminalOptions | undefined)?.env;
    const ext = vscode.extensions.getExtension<KubeEmulatorApi>(expected.extensionId);
    assert.equal(env?.KUBECONFIG, (await ext!.exports.ensureCluster()).kubeconfigPath);
    terminal?.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the explorer trees show an applied Deployment, its pods under nodes, Services and events; the namespace filter', async () => {
  interface Row {
    label: string;
    description?: string;
    contextValue?: string;
    children?: Row[];
  }
  const rowsOf = (view: string) => vscode.commands.executeCommand<Row[]>('kubeEmulator.viewRows', view);
  const find = (rows: Row[] | undefined, ...labels: string[]) => {
    let r: Row | undefined;
    for (const l of labels) {
      r = rows?.find((x) => x.label === l);
      rows = r?.children;
    }
    return r;
  };
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-trees-'));
  try {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: e2e-trees\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: e2e-trees}\n' +
        '  template:\n    metadata:\n      labels: {app: e2e-trees}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n',
    );
    const applied = await within(60_000, 'applyDocument', vscode.commands.executeCommand<{ lines: string[] }>('kubeEmulator.applyDocument', vscode.Uri.file(file)));
    assert.deepEqual(applied?.lines, ['deployment.apps/e2e-trees created']);
    let deploy: Row | undefined;
    for (const end = Date.now() + 60_000; Date.now() < end; await sleep(250)) {
      deploy = find(await rowsOf('kubeEmulator.workloads'), 'default', 'Deployments', 'e2e-trees');
      if (deploy?.description === '2/2 ready') break;
    }
    assert.equal(deploy?.description, '2/2 ready', JSON.stringify(deploy));
    assert.equal(deploy?.contextValue, 'k8s.Deployment');
    const pods = deploy!.children![0].children!.map((p) => p.label);
    assert.equal(pods.length, 2);
    // The Cluster view has the same pods under their nodes.
    const cluster = await rowsOf('kubeEmulator.nodes');
    const underNodes = cluster.filter((n) => n.contextValue?.startsWith('k8s.Node')).flatMap((n) => (n.children ?? []).map((p) => p.label));
    for (const p of pods) assert.ok(underNodes.includes(p), `${p} under a node: ${underNodes.join(', ')}`);
    assert.match(cluster[0].description!, /pods \d+\/110/);
    assert.ok(find(await rowsOf('kubeEmulator.network'), 'default', 'kubernetes'), 'the kubernetes Service');
    const events = await rowsOf('kubeEmulator.events');
    assert.ok(events.some((e) => e.label.startsWith('ScalingReplicaSet: Scaled up replica set e2e-trees-')), events.slice(0, 5).map((e) => e.label).join('\n'));
    // The namespace filter: the kinds at the root; back to all namespaces.
    assert.equal(await vscode.commands.executeCommand('kubeEmulator.filterNamespace', 'default'), 'default');
    assert.equal(find(await rowsOf('kubeEmulator.workloads'), 'Deployments', 'e2e-trees')?.description, '2/2 ready');
    assert.equal(await vscode.commands.executeCommand('kubeEmulator.filterNamespace', null), undefined);
    assert.ok(find(await rowsOf('kubeEmulator.workloads'), 'default'));
    await within(20_000, 'deleteResource', vscode.commands.executeCommand('kubeEmulator.deleteResource', { ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'e2e-trees' } }, 'background'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('completion in a container offers imagePullPolicy and its values; hover on replicas explains it', async () => {
  const doc = await vscode.workspace.openTextDocument({
    language: 'yaml',
    content: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        \n',
  });
  await vscode.window.showTextDocument(doc);
  const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
  // spec.template.spec.containers[0]. (the blank line at the container's keys)
  const keys = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(11, 8));
  const pull = keys.items.find((i) => labelOf(i) === 'imagePullPolicy');
  assert.ok(pull, `no imagePullPolicy among ${keys.items.map(labelOf).join(', ')}`);
  assert.equal(pull.insertText, 'imagePullPolicy: ');
  assert.ok(!keys.items.some((i) => labelOf(i) === 'image' && i.kind === vscode.CompletionItemKind.Property), 'image is already there');
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(11, 8), 'imagePullPolicy: ');
  assert.ok(await vscode.workspace.applyEdit(edit));
  const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(11, 25));
  assert.deepEqual(values.items.filter((i) => i.kind === vscode.CompletionItemKind.EnumMember).map(labelOf), ['Always', 'IfNotPresent', 'Never']);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(5, 4));
  const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(text, /FIELD: replicas <integer>/);
  assert.match(text, /Number of desired pods\. This is a pointer to distinguish between explicit zero and not specified\. Defaults to 1\./);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

it('diagnostics follow the target: a namespace the emulated cluster lacks is an error there, unknown on a context nobody can ask', async () => {
  const ext = vscode.extensions.getExtension<KubeEmulatorApi>(expected.extensionId);
  await within(60_000, 'ensureCluster', ext!.exports.ensureCluster());
  const doc = await vscode.workspace.openTextDocument({
    language: 'yaml',
    content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: e2e-target-missing\n',
  });
  await vscode.window.showTextDocument(doc);
  const missing = 'namespaces "e2e-target-missing" not found';
  const flagged = () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.source?.startsWith('kube-emulator') && d.message === missing);
  const waitFor = async (what: string, want: boolean) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) if (flagged() === want) return;
    assert.fail(`${what}; diagnostics: ${JSON.stringify(vscode.languages.getDiagnostics(doc.uri).map((d) => [d.message, d.range.start.line]))}`);
  };
  try {
    await waitFor(`no "${missing}" on the emulated target`, true);
    // A kubeconfig context this window cannot ask (not in its kubeconfig): re-checked at once, nothing flagged.
    await vscode.commands.executeCommand('kubeEmulator.selectTarget', { kind: 'context', context: 'e2e-nowhere', cluster: 'nowhere' });
    await waitFor('the error stayed after switching to a context nobody can ask', false);
    await vscode.commands.executeCommand('kubeEmulator.selectTarget', { kind: 'emulated' });
    await waitFor('the error did not come back on the emulated target', true);
  } finally {
    await vscode.commands.executeCommand('kubeEmulator.selectTarget', { kind: 'emulated' });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
});

// Last: it replaces the cluster the other tests use.
it('Reset Cluster: the objects are gone and the configured nodes are back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-reset-'));
  try {
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e-before-reset\n');
    await within(60_000, 'applyDocument', vscode.commands.executeCommand('kubeEmulator.applyDocument', vscode.Uri.file(file)));
    assert.equal((await apiGet('/api/v1/namespaces/default/configmaps/e2e-before-reset')).status, 200);
    const line = await within(120_000, 'resetCluster', vscode.commands.executeCommand<string>('kubeEmulator.resetCluster', true));
    const nodes = vscode.workspace.getConfiguration('kubeEmulator').get<number>('nodes', 3);
    assert.equal(line, `Reset the emulated cluster (${nodes} ${nodes === 1 ? 'node' : 'nodes'})`);
    assert.equal((await apiGet('/api/v1/namespaces/default/configmaps/e2e-before-reset')).status, 404);
    assert.equal((await apiGet('/api/v1/nodes')).body.items.length, nodes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, fn] of tests) {
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      console.log(`not ok - ${name}\n${msg}`);
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  console.log(`${tests.length - failures.length}/${tests.length} extension-host tests passed`);
  if (failures.length) throw new Error(`${failures.length} extension-host test(s) failed:\n${failures.join('\n')}`);
}
