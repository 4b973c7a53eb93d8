// The real kubectl with CustomResourceDefinitions against `kube-emulator serve`: the CronTab CRD of
// the Kubernetes docs (tasks/extend-kubernetes/custom-resources/custom-resource-definitions), wait
// for Established, custom resources applied right after (kubectl re-discovers), printer columns and
// the short name, -o yaml, explain from /openapi/v3, the schema's 422, strict field validation,
// api-resources, and delete crd removing its custom resources.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { kubectlServer, type Kubectl } from './helpers.ts';

let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl-crd', 1, (s) => ({ dir, kubectl } = s));

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              description: The desired schedule of the cron job.
              properties:
                cronSpec:
                  type: string
                  pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
                image:
                  type: string
                replicas:
                  type: integer
                  minimum: 1
                  maximum: 10
      additionalPrinterColumns:
      - name: Spec
        type: string
        description: The cron spec defining the interval a CronJob is run
        jsonPath: .spec.cronSpec
      - name: Replicas
        type: integer
        description: The number of jobs launched by the CronJob
        jsonPath: .spec.replicas
      - name: Age
        type: date
        jsonPath: .metadata.creationTimestamp
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames:
    - ct
`;

const CR = `apiVersion: "stable.example.com/v1"
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
  replicas: 3
`;

test('kubectl apply of a CRD, wait for Established, then a custom resource right away', async () => {
  writeFileSync(join(dir, 'crd.yaml'), CRD);
  writeFileSync(join(dir, 'cr.yaml'), CR);
  // Discovery cached before the CRD exists: kubectl must re-discover on the miss.
  assert.equal((await kubectl('get', 'pods')).code, 0);
  const crd = await kubectl('apply', '-f', join(dir, 'crd.yaml'));
  assert.equal(crd.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created', crd.stderr);
  const wait = await kubectl('wait', '--for', 'condition=established', '--timeout=20s', 'crd/crontabs.stable.example.com');
  assert.equal(wait.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met', wait.stderr);
  const cr = await kubectl('apply', '-f', join(dir, 'cr.yaml'));
  assert.equal(cr.stdout.trim(), 'crontab.stable.example.com/my-new-cron-object created', cr.stderr);
  const again = await kubectl('apply', '-f', join(dir, 'cr.yaml'));
  assert.equal(again.stdout.trim(), 'crontab.stable.example.com/my-new-cron-object unchanged', again.stderr);
});

test('kubectl get crontabs and the short name print the printer columns', async () => {
  const r = await kubectl('get', 'crontabs');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
  assert.match(lines[1], /^my-new-cron-object\s+\* \* \* \* \*\/5\s+3\s+\d+s$/);
  const ct = await kubectl('get', 'ct');
  assert.equal(ct.stdout.split('\n')[0], lines[0]);
  const y = await kubectl('get', 'ct', 'my-new-cron-object', '-o', 'yaml');
  const obj = parseYaml(y.stdout);
  assert.equal(obj.apiVersion, 'stable.example.com/v1');
  assert.equal(obj.kind, 'CronTab');
  assert.deepEqual(obj.spec, { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 3 });
  assert.equal(obj.metadata.generation, 1);
});

test('kubectl explain crontab.spec reads the CRD schema from /openapi/v3', async () => {
  const r = await kubectl('explain', 'crontab.spec');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /GROUP:\s+stable\.example\.com/);
  assert.match(r.stdout, /KIND:\s+CronTab/);
  assert.match(r.stdout, /The desired schedule of the cron job\./);
  assert.match(r.stdout, /cronSpec\s+<string>/);
  assert.match(r.stdout, /replicas\s+<integer>/);
});

test('an invalid CronTab is rejected with the schema message; unknown fields fail under strict validation', async () => {
  writeFileSync(join(dir, 'bad.yaml'), CR.replace('my-new-cron-object', 'bad-cron').replace('"* * * * */5"', '"* * * *"').replace('replicas: 3', 'replicas: 15'));
  const bad = await kubectl('apply', '-f', join(dir, 'bad.yaml'));
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr.trim(),
    `The CronTab "bad-cron" is invalid: \n* spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'\n* spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10`,
  );
  writeFileSync(join(dir, 'unknown.yaml'), CR.replace('my-new-cron-object', 'strict-cron').replace('replicas: 3', 'replicas: 3\n  foo: bar'));
  const strict = await kubectl('apply', '-f', join(dir, 'unknown.yaml'));
  assert.equal(strict.code, 1);
  assert.equal(strict.stderr.trim(), `Error from server (BadRequest): error when creating "${join(dir, 'unknown.yaml')}": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.foo"`);
  const smp = await kubectl('patch', 'ct', 'my-new-cron-object', '-p', '{"spec":{"replicas":4}}');
  assert.equal(smp.code, 1);
  // kubectl wraps the server's 415 for a strategic merge patch (kubectl/pkg/cmd/patch/patch.go).
  assert.equal(
    smp.stderr.trim(),
    'error: application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );
  const merge = await kubectl('patch', 'ct', 'my-new-cron-object', '--type=merge', '-p', '{"spec":{"replicas":4}}');
  assert.equal(merge.stdout.trim(), 'crontab.stable.example.com/my-new-cron-object patched', merge.stderr);
});

test('kubectl api-resources lists the custom resource', async () => {
  const r = await kubectl('api-resources', '--api-group=stable.example.com');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[1], /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/);
});

test('kubectl delete crd removes its custom resources and the kind', async () => {
  const r = await kubectl('delete', 'crd', 'crontabs.stable.example.com');
  assert.equal(r.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted', r.stderr);
  const crds = await kubectl('get', 'crd');
  assert.equal(crds.stderr.trim(), 'No resources found');
  // kubectl still has crontabs in its discovery cache: the list itself answers 404.
  const gone = await kubectl('get', 'crontabs');
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr.trim(), 'Error from server (NotFound): Unable to list "stable.example.com/v1, Resource=crontabs": the server could not find the requested resource');
  const resources = await kubectl('api-resources', '--api-group=stable.example.com');
  assert.equal(resources.stdout.trim().split('\n').length, 1, resources.stdout);
});
