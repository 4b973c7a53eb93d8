// The emulated image catalogue: what a container "is" when no real container runs. Known images
// get their real size and the log lines they print at startup; any other well-formed reference
// behaves as a generic long-running server. (The full catalogue and shell come with the kubelet issue.)

import { createHash } from 'node:crypto';

export interface EmulatedImage {
  repository: string;
  tag: string;
  sizeBytes: number;
  digest: string;
  /** Emulated time a cold pull takes. */
  pullMs: number;
  startupLogs(ctx: { podIP: string; podName: string; now: number }): string[];
}

/** Splits an image reference into the repository docker.io would resolve and its tag. */
export function parseImage(ref: string): { repository: string; tag: string } {
  let name = ref;
  let tag = 'latest';
  const at = name.indexOf('@');
  if (at >= 0) {
    tag = name.slice(at + 1);
    name = name.slice(0, at);
  } else {
    const slash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    if (colon > slash) {
      tag = name.slice(colon + 1);
      name = name.slice(0, colon);
    }
  }
  const first = name.split('/')[0];
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return { repository: name, tag };
}

function nginxLogs(ctx: { now: number }): string[] {
  const t = new Date(ctx.now).toISOString().replace('T', ' ').slice(0, 19).replace(/-/g, '/');
  return [
    '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
    '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
    '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
    '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
    '/docker-entrypoint.sh: Configuration complete; ready for start up',
    `${t} [notice] 1#1: using the "epoll" event method`,
    `${t} [notice] 1#1: nginx/1.27.3`,
    `${t} [notice] 1#1: start worker processes`,
  ];
}

const KNOWN: Record<string, { sizeBytes: number; pullMs: number; logs?: (ctx: { podIP: string; podName: string; now: number }) => string[] }> = {
  'docker.io/library/nginx': { sizeBytes: 72_188_133, pullMs: 2_100, logs: nginxLogs },
  'docker.io/library/busybox': { sizeBytes: 4_269_694, pullMs: 900 },
  'docker.io/library/redis': { sizeBytes: 117_376_946, pullMs: 3_200 },
  'docker.io/library/httpd': { sizeBytes: 148_107_745, pullMs: 3_400 },
  'docker.io/library/alpine': { sizeBytes: 7_834_590, pullMs: 800 },
};

export function imageFor(ref: string): EmulatedImage {
  const { repository, tag } = parseImage(ref);
  const known = KNOWN[repository];
  const digest = createHash('sha256').update(`${repository}:${tag}`).digest('hex');
  return {
    repository,
    tag,
    sizeBytes: known?.sizeBytes ?? 50_000_000,
    digest,
    pullMs: known?.pullMs ?? 1_500,
    startupLogs: (ctx) => known?.logs?.(ctx) ?? [],
  };
}
