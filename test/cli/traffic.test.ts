// kube-emulator traffic: flags checked before any cluster is asked (exit 2), and start, list and
// stop against a running `kube-emulator serve` through its control endpoint (unknown Services as
// kubectl says them, exit 1), with `clock advance` fast-forwarding the traffic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, run, kubectlPath, serve, tempDir } from '../e2e/helpers.ts';

test('traffic: bad flags and arguments exit 2 with a clear error, before any cluster is asked', async () => {
  const kc = ['--kubeconfig', join(tempDir('traffic'), 'none')];
  const cases: [string[], RegExp][] = [
    [['traffic'], /give the SERVICE to send traffic to, or "list" or "stop NAME"/],
    [['traffic', 'web'], /give --rps N \(requests per second\) or --schedule OFFSET=RPS,\.\.\./],
    [['traffic', 'web', '--rps', 'lots'], /invalid value for --rps "lots": must be a number of requests per second from 0 to 1000000/],
    [['traffic', 'web', '--rps=-5'], /invalid value for --rps "-5": must be a number/],
    [['traffic', 'web', '--rps', '10', '--for', 'soon'], /invalid duration "soon": use a number with a unit, such as 90s, 5m or 1h/],
    [['traffic', 'web', '--rps', '10', '--for', '0s'], /invalid value "0s" for --for: use a duration above 0/],
    [['traffic', 'web', '--schedule', '0=10,5m'], /invalid schedule step "5m": use OFFSET=RPS, such as 0=400,20m=7000,30m=400/],
    [['traffic', 'web', '--schedule', '10m=1,5m=2'], /schedule offsets must increase: 5m comes after 10m/],
    [['traffic', 'web', 'extra', '--rps', '1'], /unexpected argument "extra"/],
    [['traffic', 'web', '--rsp', '1'], /Unknown option '--rsp'/],
    [['traffic', 'stop'], /traffic stop needs the traffic's NAME/],
    [['traffic', 'list', '--rps', '5'], /--rps goes with starting traffic, not with "traffic list"/],
    [['traffic', 'list', 'x'], /unexpected argument "x"/],
  ];
  for (const [args, re] of cases) {
    const r = await cli([...args, ...kc]);
    assert.equal(r.code, 2, `${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.match(r.stderr, /Run "kube-emulator traffic --help" for usage\.\n$/);
  }
  const help = await cli(['traffic', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /kube-emulator traffic SERVICE --rps N \[--for DURATION\]/);
});

test('traffic start, list and stop on a running cluster; unknown Services are NotFound; clock advance fast-forwards it', async () => {
  const dir = tempDir('traffic');
  const kubeconfig = join(dir, 'kubeconfig');
  const s = await serve(['--nodes', '2', '--kubeconfig', kubeconfig]);
  const env = { KUBECONFIG: kubeconfig };
  const kubectl = (...args: string[]) => run(kubectlPath(), args, env);
  const kc = ['--kubeconfig', kubeconfig];
  try {
    let r = await cli(['traffic', 'nope', '--rps', '10', ...kc]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: services "nope" not found\n');

    r = await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80');
    assert.equal(r.code, 0, r.stderr);
    r = await kubectl('expose', 'deployment', 'web', '--port=80');
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['clock', 'advance', '30s', ...kc]);
    assert.equal(r.code, 0, r.stderr);

    r = await cli(['traffic', 'web', '--rps', '200', '--for', '10m', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'traffic/web started: 200 requests/s to http://web.default.svc.cluster.local:80 for 10m\n');
    r = await cli(['traffic', 'web', '--rps', '5', ...kc]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: traffic "web" already exists\n');
    r = await cli(['traffic', 'start', 'web', '-n', 'default', '--name', 'steps', '--schedule', '0=10,1m=20', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'traffic/steps started: schedule 0s=10,1m=20 to http://web.default.svc.cluster.local:80 until stopped\n');

    // Fast-forward: 10 minutes of 200/s, then the traffic is Completed.
    r = await cli(['clock', 'advance', '11m', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['traffic', 'list', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(lines[0], ['NAME', 'NAMESPACE', 'SERVICE', 'RPS', 'ENDPOINTS', 'SENT', 'FAILED', 'STATUS']);
    assert.deepEqual(lines[2], ['web', 'default', 'web', '0', '2', '120000', '0', 'Completed']);
    assert.deepEqual([lines[1][0], lines[1][3], lines[1][4], lines[1][6], lines[1][7]], ['steps', '20', '2', '0', 'Running']);
    // ~20/s for 10 min after the first minute at 10/s (real time adds a little).
    assert.ok(Number(lines[1][5]) >= 600 + 20 * 600, lines[1].join(' '));

    r = await cli(['traffic', 'stop', 'steps', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^traffic\/steps stopped: \d+ requests sent, 0 failed\n$/);
    r = await cli(['traffic', 'stop', 'steps', ...kc]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: traffic "steps" not found\n');
    r = await cli(['traffic', 'stop', 'web', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'traffic/web stopped: 120000 requests sent, 0 failed\n');
    r = await cli(['traffic', 'list', ...kc]);
    assert.equal(r.stdout, 'No emulated traffic.\n');
  } finally {
    await s.stop();
  }
});
