// An emulated cluster with a LiveCluster on it, for the explorer's view-model tests.
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { ClusterClient } from '../../../src/extension/client.ts';
import { LiveCluster } from '../../../src/extension/live.ts';
import type { ViewOptions } from '../../../src/extension/views/format.ts';
import type { Row } from '../../../src/extension/views/rows.ts';
export { until } from '../helpers.ts';

export interface Fixture {
  cluster: Cluster;
  client: ClusterClient;
  live: LiveCluster;
  opts(namespace?: string): ViewOptions;
  apply(obj: Record<string, any>): Promise<any>;
  stop(): Promise<void>;
}

const PLURALS: Record<string, string> = {
  Deployment: 'apps/v1/deployments',
  DaemonSet: 'apps/v1/daemonsets',
  StatefulSet: 'apps/v1/statefulsets',
  ReplicaSet: 'apps/v1/replicasets',
  Job: 'batch/v1/jobs',
  CronJob: 'batch/v1/cronjobs',
  Pod: 'v1/pods',
  Service: 'v1/services',
  ConfigMap: 'v1/configmaps',
  Secret: 'v1/secrets',
  PersistentVolumeClaim: 'v1/persistentvolumeclaims',
  ResourceQuota: 'v1/resourcequotas',
  LimitRange: 'v1/limitranges',
  Namespace: 'v1/namespaces',
  ReplicationController: 'v1/replicationcontrollers',
};

export async function startFixture(nodes = 2): Promise<Fixture> {
  const cluster = await createCluster({ nodes, port: 0, timeScale: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  const client = ClusterClient.fromKubeConfig(kc);
  const live = new LiveCluster(kc, client);
  await live.start();
  return {
    cluster,
    client,
    live,
    opts: (namespace) => ({ namespace, now: cluster.clock.now(), stoppedNodes: new Set([...cluster.kubelets.values()].filter((k) => k.stopped).map((k) => k.name)) }),
    async apply(obj) {
      const path = PLURALS[obj.kind];
      const [prefix, plural] = [path.slice(0, path.lastIndexOf('/')), path.slice(path.lastIndexOf('/') + 1)];
      const base = prefix.includes('/') ? `/apis/${prefix}` : `/api/${prefix}`;
      const ns = obj.kind === 'Namespace' ? '' : `/namespaces/${obj.metadata.namespace ?? 'default'}`;
      return client.send('POST', `${base}${ns}/${plural}`, { body: obj });
    },
    async stop() {
      await live.dispose();
      await cluster.stop();
    },
  };
}


/** A row by the path of its labels from the roots. */
export function find(rows: Row[] | undefined, ...labels: string[]): Row | undefined {
  let r: Row | undefined;
  let level = rows;
  for (const l of labels) {
    r = level?.find((x) => x.label === l);
    if (!r) return undefined;
    level = r.children;
  }
  return r;
}

/** Every row's text (label, description, tooltip), for "never shows X" checks. */
export function allText(rows: Row[] | undefined): string {
  return (rows ?? []).map((r) => `${r.label}\n${r.description ?? ''}\n${r.tooltip ?? ''}\n${allText(r.children)}`).join('\n');
}

export const deployment = (name: string, replicas: number, cpu = '100m', namespace = 'default') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu, memory: '64Mi' } } }] } },
  },
});
