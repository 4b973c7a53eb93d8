import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandVars, serviceEnv } from '../../../src/emulator/kubelet/env.ts';
import { createPod, cstatus, eventLines, getPod, podSpec, testCluster } from './helpers.ts';

test('$(VAR) expansion: known variables, $$ escapes, unknown and unclosed references left as written', () => {
  const env: Record<string, string> = { A: 'one', B: 'two' };
  const look = (n: string) => env[n];
  assert.equal(expandVars('$(A)-$(B)', look), 'one-two');
  assert.equal(expandVars('$$(A)', look), '$(A)');
  assert.equal(expandVars('$(MISSING)', look), '$(MISSING)');
  assert.equal(expandVars('$(A', look), '$(A');
  assert.equal(expandVars('cost $5 $$ $', look), 'cost $5 $ $');
  assert.equal(expandVars('$()', look), '$()');
});

test('Service environment variables in the docker-links form', () => {
  const env = serviceEnv([
    { metadata: { name: 'web-front', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] } },
    { metadata: { name: 'headless', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
  ]);
  assert.deepEqual(Object.fromEntries(env), {
    WEB_FRONT_SERVICE_HOST: '10.96.0.20',
    WEB_FRONT_SERVICE_PORT: '80',
    WEB_FRONT_SERVICE_PORT_HTTP: '80',
    WEB_FRONT_PORT: 'tcp://10.96.0.20:80',
    WEB_FRONT_PORT_80_TCP: 'tcp://10.96.0.20:80',
    WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
    WEB_FRONT_PORT_80_TCP_PORT: '80',
    WEB_FRONT_PORT_80_TCP_ADDR: '10.96.0.20',
    WEB_FRONT_PORT_443_TCP: 'tcp://10.96.0.20:443',
    WEB_FRONT_PORT_443_TCP_PROTO: 'tcp',
    WEB_FRONT_PORT_443_TCP_PORT: '443',
    WEB_FRONT_PORT_443_TCP_ADDR: '10.96.0.20',
  });
});

test('a container sees value, valueFrom (ConfigMap, Secret, fieldRef, resourceFieldRef), envFrom with prefix, Service and KUBERNETES_ variables; $(VAR) in args', async () => {
  const { c } = await testCluster();
  try {
    await c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'cfg' }, data: { MODE: 'fast', LEVEL: '3' } });
    await c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'raw' }, data: { '1st': 'x', '2nd': 'y', ok: 'z' } });
    await c.api.create(c.api.resource('secrets'), 'default', { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    await c.api.create(c.api.resource('services'), 'default', { metadata: { name: 'web' }, spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } } });
    const svc = await c.api.get(c.api.resource('services'), 'default', 'web');
    await createPod(
      c,
      podSpec(
        'envy',
        {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'app',
              image: 'busybox',
              command: ['env'],
              resources: { limits: { memory: '64Mi', cpu: '250m' }, requests: { memory: '32Mi', cpu: '250m' } },
              envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { configMapRef: { name: 'raw' } }],
              env: [
                { name: 'GREETING', value: 'hello' },
                { name: 'MESSAGE', value: '$(GREETING) from $(POD_NAME) $$(GREETING) $(NOPE)' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
                { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
                { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
                { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
                { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
                { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
                { name: 'MAYBE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
                { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              ],
            },
          ],
        },
        { labels: { team: 'blue' } },
      ),
    );
    await c.advanceClock(5_000);
    const p = await getPod(c, 'envy');
    assert.equal(p.status.phase, 'Succeeded', JSON.stringify(p.status.containerStatuses));
    const k = c.kubelets.get(p.spec.nodeName)!;
    const env = Object.fromEntries(k.readLog('default', 'envy', 'app')!.map((l) => l.text.split(/=(.*)/s).slice(0, 2)));
    assert.equal(env.GREETING, 'hello');
    // POD_NAME is defined after MESSAGE: not yet known when MESSAGE is expanded.
    assert.equal(env.MESSAGE, 'hello from $(POD_NAME) $(GREETING) $(NOPE)');
    assert.equal(env.POD_NAME, 'envy');
    assert.equal(env.POD_NS, 'default');
    assert.equal(env.POD_IP, p.status.podIP);
    assert.equal(env.NODE, p.spec.nodeName);
    assert.equal(env.TEAM, 'blue');
    assert.equal(env.SA, 'default');
    assert.equal(env.MEM_MI, '64');
    assert.equal(env.CPU, '1');
    assert.equal(env.CPU_M, '250');
    assert.equal(env.MODE, 'fast');
    assert.equal(env.MAYBE, undefined);
    assert.equal(env.PASSWORD, 's3cret');
    assert.equal(env.CFG_MODE, 'fast');
    assert.equal(env.CFG_LEVEL, '3');
    assert.equal(env.ok, 'z');
    assert.equal(env['1st'], undefined);
    assert.equal(env.WEB_SERVICE_HOST, svc.spec.clusterIP);
    assert.equal(env.WEB_SERVICE_PORT, '80');
    assert.equal(env.WEB_PORT_80_TCP, `tcp://${svc.spec.clusterIP}:80`);
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
    assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
    assert.equal(env.HOSTNAME, 'envy');
    const ev = await eventLines(c, 'envy');
    assert.ok(
      ev.includes('Warning InvalidEnvironmentVariableNames: Keys [1st, 2nd] from the EnvFrom configMap default/raw were skipped since they are considered invalid environment variable names.'),
      ev.join('\n'),
    );
  } finally {
    await c.stop();
  }
});

test('enableServiceLinks false leaves out the namespace Services but keeps KUBERNETES_*; command args expand $(VAR)', async () => {
  const { c } = await testCluster();
  try {
    await c.api.create(c.api.resource('services'), 'default', { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    await createPod(
      c,
      podSpec('quiet', {
        restartPolicy: 'Never',
        enableServiceLinks: false,
        containers: [{ name: 'app', image: 'busybox', command: ['echo'], args: ['$(WHO)', 'says', '$$(WHO)', '$(WEB_SERVICE_HOST)'], env: [{ name: 'WHO', value: 'pod' }] }],
      }),
    );
    await createPod(c, podSpec('listing', { restartPolicy: 'Never', enableServiceLinks: false, containers: [{ name: 'app', image: 'busybox', command: ['env'] }] }));
    await c.advanceClock(5_000);
    const k = [...c.kubelets.values()][0];
    assert.deepEqual(k.readLog('default', 'quiet', 'app')!.map((l) => l.text), ['pod says $(WHO) $(WEB_SERVICE_HOST)']);
    const names = k.readLog('default', 'listing', 'app')!.map((l) => l.text.split('=')[0]);
    assert.ok(names.includes('KUBERNETES_SERVICE_HOST'));
    assert.ok(!names.some((n) => n.startsWith('WEB_')), names.join(' '));
  } finally {
    await c.stop();
  }
});

test('CreateContainerConfigError for a missing ConfigMap, Secret or key; the container starts once it exists', async () => {
  const { c } = await testCluster();
  try {
    const ref = (name: string, key: string, kind = 'configMapKeyRef') => ({ name: 'X', valueFrom: { [kind]: { name, key } } });
    await createPod(c, podSpec('nocm', { containers: [{ name: 'app', image: 'busybox', env: [ref('settings', 'mode')] }] }));
    await createPod(c, podSpec('nosecret', { containers: [{ name: 'app', image: 'busybox', env: [ref('creds', 'password', 'secretKeyRef')] }] }));
    await createPod(c, podSpec('fromcm', { containers: [{ name: 'app', image: 'busybox', envFrom: [{ configMapRef: { name: 'gone' } }] }] }));
    await c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'other' }, data: { a: '1' } });
    await createPod(c, podSpec('nokey', { containers: [{ name: 'app', image: 'busybox', env: [ref('other', 'mode')] }] }));
    await c.advanceClock(3_000);
    const waiting = async (n: string) => cstatus(await getPod(c, n), 'app').state.waiting;
    assert.deepEqual(await waiting('nocm'), { reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' });
    assert.deepEqual(await waiting('nosecret'), { reason: 'CreateContainerConfigError', message: 'secret "creds" not found' });
    assert.deepEqual(await waiting('fromcm'), { reason: 'CreateContainerConfigError', message: 'configmap "gone" not found' });
    assert.deepEqual(await waiting('nokey'), { reason: 'CreateContainerConfigError', message: "couldn't find key mode in ConfigMap default/other" });
    assert.ok((await eventLines(c, 'nocm')).includes('Warning Failed: Error: configmap "settings" not found'));
    assert.equal((await getPod(c, 'nocm')).status.phase, 'Pending');
    await c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'settings' }, data: { mode: 'on' } });
    await c.advanceClock(11_000);
    const p = await getPod(c, 'nocm');
    assert.equal(p.status.phase, 'Running');
    assert.ok(cstatus(p, 'app').state.running);
  } finally {
    await c.stop();
  }
});
