// The emulated image catalogue's programs: what a container of each image runs. An image is its
// ENTRYPOINT and CMD, the shell it ships (busybox ash, Debian's dash, bash, or none) with its
// commands, and its own binaries (nginx, redis-server, /http-echo ...). `command` and `args` of a
// container replace ENTRYPOINT and CMD as Kubernetes does (pkg/kubelet/kuberuntime/
// kuberuntime_container.go, and the "Define a Command and Arguments" rules):
//   no command, no args  → ENTRYPOINT + CMD
//   no command, args     → ENTRYPOINT + args
//   command, no args     → command (the image's CMD is dropped)
//   command and args     → command + args
//
// Which references exist (imageExists, for ErrImagePull): see checkImage below.

import type { Program, ProcessContext } from '../contracts.ts';
import { parseImage } from '../../kubelet/images.ts';
import { busyboxApplets, coreutils, createShell, curl, wget, type Applet, type Flavour } from '../shell/index.ts';
import { echoserver, httpd, httpEcho, idleServer, kicbaseEcho, mysqld, nginx, noHandlerTerm, postgres, pythonHttpServer, redisServer } from './servers.ts';

/** Builds a program for argv inside the image (argv[0] is the binary). */
type Binary = (argv: string[], image: string) => Program;

interface ImageSpec {
  entrypoint: string[];
  cmd: string[];
  /** The image's /bin/sh: its flavour and commands; absent for distroless and scratch images. */
  shell?: { flavour: Flavour; applets: () => Record<string, Applet> };
  /** Programs the image adds, by basename. */
  binaries?: Record<string, Binary>;
}

const withArgv = (p: Program): Binary => (argv) => (ctx) => p({ ...ctx, argv });

const busyboxShell = (nslookupOld = false) => ({ flavour: 'ash' as const, applets: () => busyboxApplets({ nslookupOld }) });
const debianShell = (extra: Record<string, Applet> = {}) => ({ flavour: 'dash' as const, applets: () => ({ ...coreutils(), ...extra }) });
const bashShell = (extra: Record<string, Applet> = {}) => ({ flavour: 'bash' as const, applets: () => ({ ...coreutils(), ...extra }) });

/** An entrypoint script that execs its arguments (docker-entrypoint.sh and friends). */
const passThrough: Binary = (argv, image) => (ctx) => exec(image, argv.slice(1), ctx);

const nginxEntrypoint: Binary = (argv, image) => (ctx) => {
  const name = argv[1]?.slice(argv[1].lastIndexOf('/') + 1);
  if (name === 'nginx' || name === 'nginx-debug') return nginx(image, true)({ ...ctx, argv: argv.slice(1) });
  return exec(image, argv.slice(1), ctx);
};

const nginxBinary: Binary = (argv, image) => async (ctx) => {
  if (argv.includes('-v') || argv.includes('-V')) {
    ctx.stderr(`nginx version: nginx/${/^\d+\.\d+\.\d+/.exec(parseImage(image).tag)?.[0] ?? '1.27.3'}\n`);
    return 0;
  }
  if (argv.includes('-t')) {
    ctx.stderr('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
    return 0;
  }
  return nginx(image, false)({ ...ctx, argv });
};

/** An interpreter's REPL: with no terminal and no input it reads end-of-file and exits 0. */
const repl =
  (banner: string): Binary =>
  (argv) =>
  async (ctx) => {
    if (argv.length > 1) {
      const a = argv[1];
      if (a === '--version' || a === '-V' || a === '-v') {
        ctx.stdout(banner.split('\n')[0] + '\n');
        return 0;
      }
      if (a === '-c' || a === '-e' || a === '--eval') return 0;
      if (argv[1] === '-m' && argv[2] === 'http.server') return pythonHttpServer(Number(argv[3]) || 8000)(ctx);
      if (!a.startsWith('-')) {
        const path = a.startsWith('/') ? a : `/${a}`;
        if (!ctx.fs.stat(path)) {
          ctx.stderr(banner.startsWith('Python') ? `python3: can't open file '${path}': [Errno 2] No such file or directory\n` : `node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '${path}'\n`);
          return banner.startsWith('Python') ? 2 : 1;
        }
        // A script we cannot interpret: it runs (quietly) until stopped.
        const sig = await ctx.signal;
        return sig === 'SIGKILL' ? 137 : noHandlerTerm(ctx);
      }
    }
    if (!ctx.stdin && !ctx.tty) return 0;
    if (ctx.tty) ctx.stdout(banner + '\n>>> ');
    for await (const chunk of ctx.stdin ?? []) {
      if (chunk.includes(4)) break;
    }
    return 0;
  };

const pause: Binary = () => async (ctx) => {
  const sig = await ctx.signal;
  return sig === 'SIGKILL' ? 137 : 0;
};

const curlMain: Binary = (argv, image) => (ctx) => shellFor(image)({ ...ctx, argv });

/** Long-running images with a plausible start-up line and their ports. */
function idle(line: (ctx: ProcessContext) => string, ports: number[] = []): Binary {
  return () => idleServer((ctx) => [line(ctx)], ports);
}

const iso = (ctx: ProcessContext) => new Date(ctx.clock.now()).toISOString();

const CATALOGUE: Record<string, ImageSpec> = {
  'docker.io/library/busybox': { entrypoint: [], cmd: ['sh'], shell: busyboxShell() },
  'docker.io/library/alpine': { entrypoint: [], cmd: ['/bin/sh'], shell: busyboxShell() },
  'docker.io/library/ubuntu': { entrypoint: [], cmd: ['/bin/bash'], shell: bashShell() },
  'docker.io/library/debian': { entrypoint: [], cmd: ['bash'], shell: bashShell() },
  'docker.io/library/centos': { entrypoint: [], cmd: ['/bin/bash'], shell: bashShell() },
  'docker.io/library/fedora': { entrypoint: [], cmd: ['/bin/bash'], shell: bashShell() },
  'docker.io/library/nginx': {
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    shell: debianShell({ curl }),
    binaries: { 'docker-entrypoint.sh': nginxEntrypoint, nginx: nginxBinary, 'nginx-debug': nginxBinary },
  },
  'docker.io/library/httpd': { entrypoint: [], cmd: ['httpd-foreground'], shell: debianShell(), binaries: { 'httpd-foreground': withArgv(httpd()), httpd: withArgv(httpd()) } },
  'docker.io/library/redis': {
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['redis-server'],
    shell: debianShell(),
    binaries: {
      'docker-entrypoint.sh': (argv, image) => (ctx) => exec(image, argv[1]?.startsWith('-') ? ['redis-server', ...argv.slice(1)] : argv.slice(1), ctx),
      'redis-server': () => redisServer(),
      'redis-cli': () => async (ctx) => {
        const cmd = ctx.argv.slice(1).filter((a, i, all) => !a.startsWith('-') && !(all[i - 1] ?? '').match(/^-[hpa]$/));
        ctx.stdout(cmd[0]?.toLowerCase() === 'ping' || !cmd.length ? 'PONG\n' : 'OK\n');
        return 0;
      },
    },
  },
  'docker.io/library/mysql': {
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['mysqld'],
    shell: bashShell(),
    binaries: {
      'docker-entrypoint.sh': passThrough,
      mysqld: () => mysqld(),
      mysqladmin: () => async (ctx) => {
        ctx.stdout('mysqld is alive\n');
        return 0;
      },
    },
  },
  'docker.io/library/mariadb': { entrypoint: ['docker-entrypoint.sh'], cmd: ['mariadbd'], shell: bashShell(), binaries: { 'docker-entrypoint.sh': passThrough, mariadbd: () => mysqld() } },
  'docker.io/library/postgres': {
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['postgres'],
    shell: debianShell(),
    binaries: {
      'docker-entrypoint.sh': passThrough,
      postgres: () => postgres(),
      pg_isready: () => async (ctx) => {
        ctx.stdout('/var/run/postgresql:5432 - accepting connections\n');
        return 0;
      },
    },
  },
  'docker.io/library/mongo': {
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['mongod'],
    shell: debianShell(),
    binaries: {
      'docker-entrypoint.sh': passThrough,
      mongod: idle((ctx) => `{"t":{"$date":"${iso(ctx)}"},"s":"I",  "c":"NETWORK",  "id":23016,   "ctx":"listener","msg":"Waiting for connections","attr":{"port":27017,"ssl":"off"}}`, [27017]),
    },
  },
  'docker.io/library/memcached': { entrypoint: ['docker-entrypoint.sh'], cmd: ['memcached'], shell: debianShell(), binaries: { 'docker-entrypoint.sh': passThrough, memcached: idle(() => '', [11211]) } },
  'docker.io/library/rabbitmq': {
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['rabbitmq-server'],
    shell: debianShell(),
    binaries: { 'docker-entrypoint.sh': passThrough, 'rabbitmq-server': idle((ctx) => `${iso(ctx)} [info] <0.9.0> Server startup complete; 4 plugins started.`, [5672]) },
  },
  'docker.io/library/traefik': { entrypoint: ['/entrypoint.sh'], cmd: ['traefik'], shell: busyboxShell(), binaries: { 'entrypoint.sh': passThrough, traefik: idle((ctx) => `${iso(ctx)} INF Traefik version 3.2.1 built on 2024-11-20T13:30:15Z version=3.2.1`, [80, 8080]) } },
  'docker.io/library/python': { entrypoint: [], cmd: ['python3'], shell: debianShell({ curl, wget }), binaries: { python: repl('Python 3.13.1 (main, Dec  4 2024, 18:05:56) [GCC 12.2.0] on linux\nType "help", "copyright", "credits" or "license" for more information.'), python3: repl('Python 3.13.1 (main, Dec  4 2024, 18:05:56) [GCC 12.2.0] on linux\nType "help", "copyright", "credits" or "license" for more information.') } },
  'docker.io/library/node': { entrypoint: ['docker-entrypoint.sh'], cmd: ['node'], shell: debianShell({ curl, wget }), binaries: { 'docker-entrypoint.sh': passThrough, node: repl('Welcome to Node.js v22.12.0.\nType ".help" for more information.') } },
  'docker.io/library/golang': { entrypoint: [], cmd: ['bash'], shell: bashShell({ curl, wget }) },
  'docker.io/library/openjdk': { entrypoint: [], cmd: ['jshell'], shell: bashShell({ curl }) },
  'docker.io/library/hello-world': {
    entrypoint: [],
    cmd: ['/hello'],
    binaries: {
      hello: () => async (ctx) => {
        ctx.stdout('\nHello from Docker!\nThis message shows that your installation appears to be working correctly.\n\nTo generate this message, Docker took the following steps:\n 1. The Docker client contacted the Docker daemon.\n 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.\n    (amd64)\n 3. The Docker daemon created a new container from that image which runs the\n    executable that produces the output you are currently reading.\n 4. The Docker daemon streamed that output to the Docker client, which sent it\n    to your terminal.\n\nTo try something more ambitious, you can run an Ubuntu container with:\n $ docker run -it ubuntu bash\n\nShare images, automate workflows, and more with a free Docker ID:\n https://hub.docker.com/\n\nFor more examples and ideas, visit:\n https://docs.docker.com/get-started/\n\n');
        return 0;
      },
    },
  },
  'docker.io/curlimages/curl': { entrypoint: ['/entrypoint.sh'], cmd: ['curl'], shell: { flavour: 'ash', applets: () => ({ ...busyboxApplets(), curl }) }, binaries: { 'entrypoint.sh': passThrough, curl: curlMain } },
  'docker.io/hashicorp/http-echo': { entrypoint: ['/http-echo'], cmd: [], binaries: { 'http-echo': withArgv(httpEcho()) } },
  'docker.io/kicbase/echo-server': { entrypoint: ['echo-server'], cmd: [], binaries: { 'echo-server': () => kicbaseEcho() } },
  'docker.io/jmalloc/echo-server': { entrypoint: ['/bin/echo-server'], cmd: [], binaries: { 'echo-server': () => kicbaseEcho() } },
  'registry.k8s.io/echoserver': { entrypoint: [], cmd: ['nginx', '-g', 'daemon off;'], shell: debianShell(), binaries: { nginx: () => echoserver() } },
  'registry.k8s.io/pause': { entrypoint: ['/pause'], cmd: [], binaries: { pause } },
  'registry.k8s.io/busybox': { entrypoint: [], cmd: ['sh'], shell: busyboxShell(true) },
  'docker.io/nicolaka/netshoot': { entrypoint: [], cmd: ['zsh'], shell: { flavour: 'bash', applets: () => ({ ...busyboxApplets(), curl }) } },
};

// Old names of the same images.
const ALIASES: Record<string, string> = {
  'k8s.gcr.io/echoserver': 'registry.k8s.io/echoserver',
  'gcr.io/google_containers/echoserver': 'registry.k8s.io/echoserver',
  'k8s.gcr.io/pause': 'registry.k8s.io/pause',
  'gcr.io/google_containers/pause': 'registry.k8s.io/pause',
  'k8s.gcr.io/busybox': 'registry.k8s.io/busybox',
  'gcr.io/google-containers/busybox': 'registry.k8s.io/busybox',
  'docker.io/library/amazonlinux': 'docker.io/library/centos',
  'docker.io/library/rockylinux': 'docker.io/library/centos',
  'quay.io/curl/curl': 'docker.io/curlimages/curl',
};

/** Official images with no catalogue entry of their own: a shell and an idle main process. */
const OTHER_OFFICIAL = new Set([
  'wordpress', 'php', 'ruby', 'perl', 'rust', 'eclipse-temurin', 'amazoncorretto', 'tomcat', 'jenkins', 'elasticsearch', 'kibana',
  'logstash', 'haproxy', 'caddy', 'consul', 'vault', 'registry', 'ghost', 'drupal', 'joomla', 'nextcloud', 'owncloud', 'influxdb',
  'telegraf', 'cassandra', 'couchdb', 'neo4j', 'zookeeper', 'solr', 'sonarqube', 'adminer', 'phpmyadmin', 'gradle', 'maven',
  'dotnet', 'mcr.microsoft.com', 'archlinux', 'oraclelinux', 'photon', 'clearlinux', 'swift', 'erlang', 'elixir', 'haskell',
  'julia', 'r-base', 'groovy', 'bash', 'docker', 'nats', 'eclipse-mosquitto', 'varnish', 'kong', 'percona', 'redmine', 'odoo',
  'matomo', 'mediawiki', 'rocket.chat', 'postfixadmin', 'yourls', 'flink', 'spark', 'storm', 'api-firewall', 'unit', 'httpd',
  // More of docker-library/official-images' library/ (fluentd: the DaemonSet examples' log agent).
  'fluentd', 'gcc', 'jetty', 'tomee', 'open-liberty', 'mongo-express', 'composer', 'pypy', 'clojure', 'couchbase', 'aerospike',
  'emqx', 'buildpack-deps', 'almalinux', 'alt',
]);

function specFor(image: string): { repository: string; tag: string; spec: ImageSpec } {
  const { repository, tag } = parseImage(image);
  const repo = ALIASES[repository] ?? repository;
  let spec = CATALOGUE[repo];
  if (spec && repo === 'docker.io/library/nginx' && /alpine/.test(tag)) spec = { ...spec, shell: { flavour: 'ash', applets: () => ({ ...busyboxApplets(), curl }) } };
  if (spec && repo === 'docker.io/library/busybox' && /^1\.(2[0-8]|1\d)(\.|$)/.test(tag)) spec = { ...spec, shell: busyboxShell(true) };
  if (spec && (repo === 'docker.io/library/python' || repo === 'docker.io/library/node') && /alpine/.test(tag)) spec = { ...spec, shell: busyboxShell() };
  // Anything else runs idle with a shell (most images have one) until stopped.
  return { repository: repo, tag, spec: spec ?? { entrypoint: [], cmd: ['__idle__'], shell: busyboxShell() } };
}

/** The image's shell run on argv (`sh -c ...`, or a single command such as `cat /x`). */
function shellFor(image: string, pid1 = false): Program {
  const { spec } = specFor(image);
  const shell = spec.shell ?? busyboxShell();
  return createShell({ flavour: shell.flavour, applets: shell.applets(), pid1 });
}

/**
 * An error starting the container (its binary is not in the image), as containerd reports it:
 * the container's state is terminated with reason StartError and exit code 128.
 */
export class ContainerStartError extends Error {
  readonly exitCode = 128;
  readonly reason = 'StartError';
}

/** Runs argv in the image: its own binaries, else its shell's commands (PID-1 semantics). */
function exec(image: string, argv: string[], ctx: ProcessContext, pid1 = true): Promise<number> {
  const { spec } = specFor(image);
  if (argv.length === 0) {
    return Promise.reject(new ContainerStartError('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: no command specified: unknown'));
  }
  const name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  if (argv[0] === '__idle__') return idleForever(ctx);
  const bin = spec.binaries?.[name];
  if (bin) return bin(argv, image)({ ...ctx, argv });
  const applets = spec.shell?.applets();
  const isShell = ['sh', 'ash', 'bash', 'dash', 'zsh'].includes(name);
  if (spec.shell && (isShell || applets?.[name] || argv[0].includes('/'))) {
    const runArgv = name === 'zsh' ? ['sh', ...argv.slice(1)] : argv;
    if (!isShell && argv[0].includes('/') && !applets?.[name] && !ctx.fs.stat(argv[0])) return Promise.reject(notFound(argv[0]));
    return createShell({ flavour: spec.shell.flavour, applets: applets!, pid1 })({ ...ctx, argv: runArgv });
  }
  return Promise.reject(notFound(argv[0]));
}

function notFound(bin: string): ContainerStartError {
  const what = bin.includes('/') ? `stat ${bin}: no such file or directory` : `exec: "${bin}": executable file not found in $PATH`;
  return new ContainerStartError(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${what}: unknown`);
}

async function idleForever(ctx: ProcessContext): Promise<number> {
  const sig = await ctx.signal;
  return sig === 'SIGKILL' ? 137 : 0;
}

/** The argv a container runs, from the image's ENTRYPOINT/CMD and the container's command/args. */
export function containerArgv(image: string, command?: string[], args?: string[]): string[] {
  const { spec } = specFor(image);
  if (command && command.length) return [...command, ...(args ?? [])];
  return [...spec.entrypoint, ...(args && args.length ? args : spec.cmd)];
}

/**
 * The container's main program. It rejects with ContainerStartError when the binary is not in
 * the image (`command: ["foo"]`): the kubelet reports StartError, exit code 128.
 */
export function programFor(image: string, command?: string[], args?: string[]): Program {
  const argv = containerArgv(image, command, args);
  checkStart(image, argv);
  return (ctx) => exec(image, argv, { ...ctx, argv }, true);
}

/** What `kubectl exec POD -- argv...` runs in a container of this image (not PID 1). */
export function execProgramFor(image: string, argv: string[]): Program {
  checkStart(image, argv);
  return (ctx) => exec(image, argv, { ...ctx, argv }, false);
}

/**
 * Throws ContainerStartError at once when argv cannot start in the image, as far as that is
 * known without the container's files (a path to a script is checked when it runs).
 */
function checkStart(image: string, argv: string[]): void {
  const { spec } = specFor(image);
  if (argv.length === 0) {
    throw new ContainerStartError('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: no command specified: unknown');
  }
  if (argv[0] === '__idle__' || argv[0].includes('/')) {
    if (argv[0].includes('/') && !spec.shell && !spec.binaries?.[argv[0].slice(argv[0].lastIndexOf('/') + 1)]) throw notFound(argv[0]);
    return;
  }
  const name = argv[0];
  if (spec.binaries?.[name]) return;
  if (spec.shell && (['sh', 'ash', 'bash', 'dash', 'zsh'].includes(name) || spec.shell.applets()[name])) return;
  throw notFound(name);
}

// ---- which references exist ----

// github.com/distribution/reference: domain, path components, tag and digest.
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/** Tags that name no image, by this emulator's convention, for ErrImagePull demos. */
export const MISSING_TAGS = new Set(['404', 'nonexistent', 'doesnotexist', 'does-not-exist', 'notfound', 'not-found', 'missing', 'invalid']);

/**
 * Whether an image reference can be pulled, and why not:
 * - `invalid`: not a well-formed reference (upper case, spaces, an empty tag ...): the kubelet's
 *   InvalidImageName;
 * - `notfound`: well-formed but no registry has it: an official Docker Hub name (`nginxx`,
 *   `library/whatever`) that is not a known official image, or a tag of the MISSING_TAGS
 *   convention (`nginx:404`, `busybox:nonexistent`) on any repository;
 * - `ok`: every other reference. Known repositories accept any tag, and images of users and other
 *   registries (`myuser/app:v1`, `ghcr.io/org/app`) are assumed to exist.
 */
export function checkImage(ref: string): 'ok' | 'invalid' | 'notfound' {
  const r = ref.trim();
  if (r !== ref || r === '') return 'invalid';
  let name = r;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST.test(digest)) return 'invalid';
  }
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return 'invalid';
  }
  const parts = name.split('/');
  const hasDomain = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
  if (hasDomain && !DOMAIN.test(parts[0])) return 'invalid';
  const path = hasDomain ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((c) => COMPONENT.test(c))) return 'invalid';
  if (name.length > 255) return 'invalid';
  if (tag !== undefined && MISSING_TAGS.has(tag.toLowerCase())) return 'notfound';
  const { repository } = parseImage(r);
  const repo = ALIASES[repository] ?? repository;
  if (repo.startsWith('docker.io/library/')) {
    const short = repo.slice('docker.io/library/'.length);
    if (!CATALOGUE[repo] && !OTHER_OFFICIAL.has(short)) return 'notfound';
  }
  return 'ok';
}

/** False for a reference no registry has, or a malformed one (the kubelet's ErrImagePull). */
export function imageExists(ref: string): boolean {
  return checkImage(ref) === 'ok';
}

/**
 * Why the kubelet cannot even parse a reference (parsers.ParseImageName over distribution/reference
 * ParseNormalizedNamed): `repository name (library/NGINX) must be lowercase` for upper case in the
 * repository's path, `invalid reference format` otherwise; undefined when it parses. The kubelet
 * then reports InvalidImageName without pulling (images/image_manager.go applyDefaultImageTag).
 */
export function referenceError(ref: string): string | undefined {
  if (checkImage(ref) !== 'invalid') return undefined;
  // splitDockerDomain: a first component that is not a domain (no '.', ':', not localhost, lower
  // case) is Docker Hub's path, and a single name is an official image's (library/NAME).
  let rest = ref;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (slash < 0) rest = `library/${rest}`;
  else if (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first) rest = ref;
  else rest = ref.slice(slash + 1);
  const colon = rest.indexOf(':');
  const remote = colon < 0 ? rest : rest.slice(0, colon);
  if (remote.toLowerCase() !== remote) return `couldn't parse image name ${JSON.stringify(ref)}: invalid reference format: repository name (${remote}) must be lowercase`;
  return `couldn't parse image name ${JSON.stringify(ref)}: invalid reference format`;
}

/**
 * The CRI's error for a failed pull, as the kubelet prints it (`rpc error: code = ... desc = ...`):
 * containerd maps a reference with no manifest to NotFound (errdefs.ToGRPC) and the registry's
 * refusal of a repository it does not have to Unknown; undefined when the image can be pulled.
 */
export function criPullError(ref: string): string | undefined {
  const reason = pullError(ref);
  if (reason === undefined) return undefined;
  return `rpc error: code = ${/: not found$/.test(reason) ? 'NotFound' : 'Unknown'} desc = ${reason}`;
}

/**
 * containerd's reason, for the kubelet's `Failed to pull image "x": <reason>` event and the
 * ErrImagePull message; undefined when the image exists.
 */
export function pullError(ref: string): string | undefined {
  const c = checkImage(ref);
  if (c === 'ok') return undefined;
  if (c === 'invalid') return `couldn't parse image name "${ref}": invalid reference format`;
  const { repository, tag } = parseImage(ref);
  const full = ref.includes('@') ? `${repository}@${tag}` : `${repository}:${tag}`;
  const tagMissing = MISSING_TAGS.has(tag.toLowerCase());
  if (tagMissing) return `failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`;
  return `failed to pull and unpack image "${full}": failed to resolve reference "${full}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
}
