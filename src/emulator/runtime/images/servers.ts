// The long-running programs of the image catalogue: web servers that serve their real default
// page and log each request in their real format, databases that print their start-up lines (or
// refuse to start without a password, as their entrypoints do), echo servers, and idle processes.

import type { HttpRequest, HttpResponse, Program, ProcessContext } from '../contracts.ts';
import { FsError } from '../contracts.ts';
import { imageFor } from '../../kubelet/images.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** `26/Nov/2026:17:00:00 +0000`, nginx's and Apache's $time_local. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** `2026/11/26 17:00:00`, nginx's error log and Go's log package. */
export function slashTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19).replace(/-/g, '/');
}

/** `Thu, 26 Nov 2026 17:00:00 GMT`, the HTTP Date header. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function header(req: HttpRequest, name: string): string | undefined {
  const k = Object.keys(req.headers).find((h) => h.toLowerCase() === name);
  return k === undefined ? undefined : req.headers[k];
}

/** Listens on the pod IP until SIGTERM (or SIGKILL); returns which one. */
async function serveUntilSignal(ctx: ProcessContext, ports: number[], handler: (req: HttpRequest, port: number) => Promise<HttpResponse>): Promise<'SIGTERM' | 'SIGKILL'> {
  const stops = ports.map((port) => ctx.net.listen(ctx.pod.ip, port, (req) => handler(req, port)));
  try {
    return await ctx.signal;
  } finally {
    for (const s of stops) s();
  }
}

// ---- nginx ----

export const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

export const NGINX_50X = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
`;

function nginxError(status: number, text: string, version: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`;
}

/** The stock page names the pod that served it, so requests through a Service show the spread. */
export function podComment(ctx: ProcessContext): string {
  return `<!-- served by pod ${ctx.pod.name} (${ctx.pod.ip}) -->\n`;
}

function nginxVersion(image: string): string {
  const tag = imageFor(image).tag;
  const m = /^(\d+\.\d+\.\d+)/.exec(tag);
  return m ? m[1] : '1.27.3';
}

/** The image's /etc/nginx/conf.d/default.conf (nginx 1.27, comments left out). */
export const NGINX_DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

// What a default.conf's text says, once per text: every nginx pod reads the image's own.
const parsedConfs = new Map<string, { ports: number[]; root: string }>();

/** Reads `listen` and `root` from /etc/nginx/conf.d/default.conf (the image's, or one mounted over it). */
function nginxConfig(ctx: ProcessContext): { ports: number[]; root: string } {
  let conf: string;
  try {
    if (ctx.fs.stat('/etc/nginx/conf.d/default.conf')?.kind !== 'file') return { ports: [80], root: '/usr/share/nginx/html' };
    conf = ctx.fs.read('/etc/nginx/conf.d/default.conf').toString();
  } catch {
    return { ports: [80], root: '/usr/share/nginx/html' };
  }
  let parsed = parsedConfs.get(conf);
  if (!parsed) {
    let ports = [80];
    let root = '/usr/share/nginx/html';
    const listens = [...conf.matchAll(/^\s*listen\s+(?:[\d.]+:)?(\d+)/gm)].map((m) => Number(m[1]));
    if (listens.length) ports = [...new Set(listens)];
    const r = /^\s*root\s+([^;\s]+)\s*;/m.exec(conf);
    if (r) root = r[1];
    parsed = { ports, root };
    if (parsedConfs.size > 100) parsedConfs.clear();
    parsedConfs.set(conf, parsed);
  }
  return { ports: [...parsed.ports], root: parsed.root };
}

/** The image's files, unless a volume is mounted over them. */
function seedNginxFiles(ctx: ProcessContext): void {
  try {
    if (ctx.fs.stat('/usr/share/nginx/html')) return;
    ctx.fs.mkdir('/usr/share/nginx/html', { recursive: true });
    ctx.fs.write('/usr/share/nginx/html/index.html', NGINX_INDEX);
    ctx.fs.write('/usr/share/nginx/html/50x.html', NGINX_50X);
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
  }
}

/**
 * nginx in the foreground (`nginx -g 'daemon off;'`): static files from its root, the default
 * page, the combined access log on stdout and errors on stderr; SIGTERM (the kubelet sends the
 * image's STOPSIGNAL, SIGQUIT, through containerd) shuts it down gracefully with exit 0.
 */
export function nginx(image: string, withEntrypoint: boolean): Program {
  return async (ctx) => {
    const version = nginxVersion(image);
    const lines = imageFor(image)
      .startupLogs({ podIP: ctx.pod.ip, podName: ctx.pod.name, now: ctx.clock.now() })
      .map((l) => l.replace(/nginx\/\d+\.\d+\.\d+/, `nginx/${version}`));
    for (const l of lines) {
      const entry = l.startsWith('/docker-entrypoint.sh') || l.startsWith('10-listen');
      if (entry && !withEntrypoint) continue;
      (entry ? ctx.stdout : ctx.stderr)(l + '\n');
    }
    const t0 = slashTime(ctx.clock.now());
    ctx.stderr(`${t0} [notice] 1#1: start worker process 29\n${t0} [notice] 1#1: start worker process 30\n`);
    seedNginxFiles(ctx);
    const { ports, root } = nginxConfig(ctx);
    let worker = 0;
    const sig = await serveUntilSignal(ctx, ports, async (req) => {
      worker++;
      const now = ctx.clock.now();
      const path = decodeURIComponent(req.path.split('?')[0] || '/');
      const headers: Record<string, string> = { Server: `nginx/${version}`, Date: httpDate(now), 'Content-Type': 'text/html' };
      let status = 200;
      let body: Buffer;
      const file = root + (path.endsWith('/') ? path + 'index.html' : path);
      const st = ctx.fs.stat(file);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        status = 405;
        body = Buffer.from(nginxError(405, 'Not Allowed', version));
      } else if (st?.kind === 'dir') {
        status = 301;
        headers.Location = `http://${header(req, 'host') ?? ctx.pod.ip}${path}/`;
        body = Buffer.from(nginxError(301, 'Moved Permanently', version));
      } else if (st?.kind === 'file') {
        let data = ctx.fs.read(file);
        if (data.toString() === NGINX_INDEX) data = Buffer.concat([data, Buffer.from(podComment(ctx))]);
        body = data;
        if (!file.endsWith('.html')) headers['Content-Type'] = contentType(file);
        headers['Last-Modified'] = httpDate(st.mtime || now);
        headers.ETag = `"${Math.floor((st.mtime || now) / 1000).toString(16)}-${data.length.toString(16)}"`;
        headers['Accept-Ranges'] = 'bytes';
      } else {
        const dirIndex = path.endsWith('/') && ctx.fs.stat(root + path)?.kind === 'dir';
        status = dirIndex ? 403 : 404;
        body = Buffer.from(nginxError(status, dirIndex ? 'Forbidden' : 'Not Found', version));
        const what = dirIndex ? `directory index of "${root}${path}" is forbidden` : `open() "${file}" failed (2: No such file or directory)`;
        ctx.stderr(`${slashTime(now)} [error] 29#29: *${worker} ${what}, client: ${req.remoteIP}, server: localhost, request: "${req.method} ${req.path} HTTP/1.1", host: "${header(req, 'host') ?? ctx.pod.ip}"\n`);
      }
      headers['Content-Length'] = String(body.length);
      headers.Connection = 'keep-alive';
      const sent = req.method === 'HEAD' ? 0 : body.length;
      ctx.stdout(`${req.remoteIP} - - [${clfTime(now)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${sent} "${header(req, 'referer') ?? '-'}" "${header(req, 'user-agent') ?? '-'}" "${header(req, 'x-forwarded-for') ?? '-'}"\n`);
      return { status, headers, body: req.method === 'HEAD' ? Buffer.alloc(0) : body };
    });
    if (sig === 'SIGKILL') return 137;
    const t = slashTime(ctx.clock.now());
    ctx.stderr(
      [
        `${t} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down`,
        `${t} [notice] 29#29: gracefully shutting down`,
        `${t} [notice] 29#29: exiting`,
        `${t} [notice] 29#29: exit`,
        `${t} [notice] 1#1: signal 17 (SIGCHLD) received from 29`,
        `${t} [notice] 1#1: worker process 29 exited with code 0`,
        `${t} [notice] 1#1: exit`,
      ].join('\n') + '\n',
    );
    return 0;
  };
}

function contentType(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return (
    { css: 'text/css', js: 'application/javascript', json: 'application/json', txt: 'text/plain', png: 'image/png', jpg: 'image/jpeg', svg: 'image/svg+xml', ico: 'image/x-icon' } as Record<string, string>
  )[ext] ?? 'application/octet-stream';
}

// ---- Apache httpd ----

export const HTTPD_INDEX = '<html><body><h1>It works!</h1></body></html>\n';

function apacheTime(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')} ${d.getUTCFullYear()}`;
}

/** httpd-foreground: "It works!", the common log format, AH00558 at start, AH00491 on SIGTERM. */
export function httpd(): Program {
  return async (ctx) => {
    const root = '/usr/local/apache2/htdocs';
    try {
      if (!ctx.fs.stat(root)) {
        ctx.fs.mkdir(root, { recursive: true });
        ctx.fs.write(`${root}/index.html`, HTTPD_INDEX);
      }
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
    }
    const ah = `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${ctx.pod.ip}. Set the 'ServerName' directive globally to suppress this message\n`;
    const t = apacheTime(ctx.clock.now());
    ctx.stderr(ah + ah);
    ctx.stderr(`[${t}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations\n`);
    ctx.stderr(`[${t}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'\n`);
    const sig = await serveUntilSignal(ctx, [80], async (req) => {
      const now = ctx.clock.now();
      const path = decodeURIComponent(req.path.split('?')[0] || '/');
      const file = root + (path.endsWith('/') ? path + 'index.html' : path);
      let status = 200;
      let body: Buffer;
      if (ctx.fs.stat(file)?.kind === 'file') {
        body = ctx.fs.read(file);
        if (body.toString() === HTTPD_INDEX) body = Buffer.concat([body, Buffer.from(podComment(ctx))]);
      } else {
        status = 404;
        body = Buffer.from(`<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`);
      }
      const sent = req.method === 'HEAD' ? 0 : body.length;
      ctx.stdout(`${req.remoteIP} - - [${clfTime(now)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${sent || '-'}\n`);
      return {
        status,
        headers: { Date: httpDate(now), Server: 'Apache/2.4.62 (Unix)', 'Content-Length': String(body.length), 'Content-Type': status === 200 ? 'text/html' : 'text/html; charset=iso-8859-1' },
        body: req.method === 'HEAD' ? Buffer.alloc(0) : body,
      };
    });
    if (sig === 'SIGKILL') return 137;
    ctx.stderr(`[${apacheTime(ctx.clock.now())}] [mpm_event:notice] [pid 1:tid 1] AH00491: caught SIGTERM, shutting down\n`);
    return 0;
  };
}

// ---- echo servers ----

/** hashicorp/http-echo: `-text=hello` (or `-text hello`), `-listen=:5678`, `-status-code=200`. */
export function httpEcho(): Program {
  return async (ctx) => {
    const args = ctx.argv.slice(1);
    const opts: Record<string, string> = {};
    for (let i = 0; i < args.length; i++) {
      const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(args[i]);
      if (!m) continue;
      opts[m[1]] = m[2] ?? args[++i] ?? '';
    }
    if (opts.version !== undefined) {
      ctx.stdout('http-echo v1.0.0\n');
      return 0;
    }
    const text = opts.text ?? ctx.env.ECHO_TEXT;
    if (!text) {
      ctx.stderr('Missing -text option!\n');
      return 127;
    }
    const listen = opts.listen ?? ':5678';
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1)) || 5678;
    const status = Number(opts['status-code'] ?? 200) || 200;
    ctx.stderr(`${slashTime(ctx.clock.now())} [INFO] server is listening on ${listen}\n`);
    const sig = await serveUntilSignal(ctx, [port], async (req): Promise<HttpResponse> => {
      const body = Buffer.from(text + '\n');
      const now = ctx.clock.now();
      if (req.path === '/health') return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('{"status":"ok"}\n') };
      ctx.stderr(`${slashTime(now)} ${header(req, 'host') ?? `${ctx.pod.ip}:${port}`} ${req.remoteIP}:41234 "${req.method} ${req.path} HTTP/1.1" ${status} ${body.length} "${header(req, 'user-agent') ?? ''}" 12.5µs\n`);
      return { status, headers: { 'X-App-Name': 'http-echo', 'X-App-Version': '1.0.0', Date: httpDate(now), 'Content-Length': String(body.length), 'Content-Type': 'text/plain; charset=utf-8' }, body };
    });
    if (sig === 'SIGKILL') return 137;
    ctx.stderr(`${slashTime(ctx.clock.now())} [INFO] server is shutting down\n`);
    return 0;
  };
}

/** registry.k8s.io/echoserver (1.10): the request echoed back as text, on port 8080. */
export function echoserver(): Program {
  return async (ctx) => {
    ctx.stdout('Generating self-signed cert\nGenerating a 2048 bit RSA private key\n..+++\nwriting new private key to \'/certs/privateKey.key\'\n-----\nStarting nginx\n');
    const sig = await serveUntilSignal(ctx, [8080, 8443], async (req, port) => {
      const now = ctx.clock.now();
      const host = header(req, 'host') ?? `${ctx.pod.ip}:${port}`;
      const q = req.path.includes('?') ? req.path.slice(req.path.indexOf('?') + 1) : '';
      const hdrs = Object.entries(req.headers)
        .map(([k, v]) => [k.toLowerCase(), v])
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `\t${k}=${v}\n`)
        .join('');
      const text = `\n\nHostname: ${ctx.pod.name}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n\tclient_address=${req.remoteIP}\n\tmethod=${req.method}\n\treal path=${req.path.split('?')[0]}\n\tquery=${q}\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://${host}${req.path}\n\nRequest Headers:\n${hdrs}\nRequest Body:\n${req.body.length ? req.body.toString() : '\t-no body in request-'}\n\n`;
      const body = Buffer.from(text);
      ctx.stdout(`${req.remoteIP} - - [${clfTime(now)}] "${req.method} ${req.path} HTTP/1.1" 200 ${body.length} "-" "${header(req, 'user-agent') ?? '-'}"\n`);
      return { status: 200, headers: { Server: 'echoserver', Date: httpDate(now), 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', Connection: 'keep-alive' }, body };
    });
    return sig === 'SIGKILL' ? 137 : 0;
  };
}

/** kicbase/echo-server (minikube's hello-minikube, a copy of jmalloc/echo-server), port 8080 or $PORT. */
export function kicbaseEcho(): Program {
  return async (ctx) => {
    const port = Number(ctx.env.PORT) || 8080;
    ctx.stdout(`Echo server listening on port ${port}.\n`);
    const sig = await serveUntilSignal(ctx, [port], async (req) => {
      const hdrs = Object.entries(req.headers)
        .map(([k, v]) => `${k.replace(/(^|-)([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase())}: ${v}\n`)
        .join('');
      const body = Buffer.from(`Request served by ${ctx.pod.name}\n\nHTTP/1.1 ${req.method} ${req.path}\n\n${hdrs}${req.body.length ? '\n' + req.body.toString() : ''}`);
      return { status: 200, headers: { 'Content-Type': 'text/plain', Date: httpDate(ctx.clock.now()), 'Content-Length': String(body.length) }, body };
    });
    return sig === 'SIGKILL' ? 137 : 0;
  };
}

// ---- databases and caches ----

function redisTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

/** A TCP server that is not HTTP: anything speaking HTTP to it has the connection reset. */
function tcpOnly(): Promise<HttpResponse> {
  return Promise.reject(new Error('Connection reset by peer'));
}

export function redisServer(): Program {
  return async (ctx) => {
    const t = () => redisTime(ctx.clock.now());
    ctx.stdout(
      [
        `1:C ${t()} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
        `1:C ${t()} * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started`,
        `1:C ${t()} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
        `1:M ${t()} * monotonic clock: POSIX clock_gettime`,
        `1:M ${t()} * Running mode=standalone, port=6379.`,
        `1:M ${t()} * Server initialized`,
        `1:M ${t()} * Ready to accept connections tcp`,
      ].join('\n') + '\n',
    );
    const sig = await serveUntilSignal(ctx, [6379], tcpOnly);
    if (sig === 'SIGKILL') return 137;
    ctx.stdout(
      [
        `1:signal-handler (${Math.floor(ctx.clock.now() / 1000)}) Received SIGTERM scheduling shutdown...`,
        `1:M ${t()} * User requested shutdown...`,
        `1:M ${t()} * Saving the final RDB snapshot before exiting.`,
        `1:M ${t()} * DB saved on disk`,
        `1:M ${t()} # Redis is now ready to exit, bye bye...`,
      ].join('\n') + '\n',
    );
    return 0;
  };
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, '+00:00').replace('T', ' ');
}

/** mysql's entrypoint: refuses an uninitialized database without a password option (exit 1). */
export function mysqld(): Program {
  return async (ctx) => {
    const t = () => isoSeconds(ctx.clock.now());
    ctx.stdout(`${t()} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.1.0-1.el9 started.\n`);
    const e = ctx.env;
    if (!e.MYSQL_ROOT_PASSWORD && !e.MYSQL_ALLOW_EMPTY_PASSWORD && !e.MYSQL_RANDOM_ROOT_PASSWORD) {
      ctx.stderr(
        `${t()} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n    You need to specify one of the following as an environment variable:\n    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n    - MYSQL_RANDOM_ROOT_PASSWORD\n`,
      );
      return 1;
    }
    const iso = () => new Date(ctx.clock.now()).toISOString().replace('Z', '000Z');
    ctx.stdout(`${t()} [Note] [Entrypoint]: Switching to dedicated user 'mysql'\n${t()} [Note] [Entrypoint]: Initializing database files\n${t()} [Note] [Entrypoint]: MySQL init process done. Ready for start up.\n`);
    ctx.stderr(`${iso()} 0 [System] [MY-015015] [Server] MySQL Server - start.\n${iso()} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.1.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.\n`);
    const sig = await serveUntilSignal(ctx, [3306, 33060], tcpOnly);
    if (sig === 'SIGKILL') return 137;
    ctx.stderr(`${iso()} 0 [System] [MY-013172] [Server] Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 9.1.0).\n${iso()} 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 9.1.0)  MySQL Community Server - GPL.\n`);
    return 0;
  };
}

/** postgres's entrypoint: POSTGRES_PASSWORD (or trust) is required, else exit 1. */
export function postgres(): Program {
  return async (ctx) => {
    const e = ctx.env;
    if (!e.POSTGRES_PASSWORD && e.POSTGRES_HOST_AUTH_METHOD !== 'trust') {
      ctx.stderr(
        'Error: Database is uninitialized and superuser password is not specified.\n       You must specify POSTGRES_PASSWORD to a non-empty value for the\n       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".\n\n       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all\n       connections without a password. This is *not* recommended.\n\n       See PostgreSQL documentation about "trust":\n       https://www.postgresql.org/docs/current/auth-trust.html\n',
      );
      return 1;
    }
    const t = () => new Date(ctx.clock.now()).toISOString().replace('T', ' ').replace('Z', ' UTC');
    ctx.stdout(
      `\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n${t()} [1] LOG:  starting PostgreSQL 17.2 (Debian 17.2-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n${t()} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432\n${t()} [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"\n${t()} [1] LOG:  database system is ready to accept connections\n`,
    );
    const sig = await serveUntilSignal(ctx, [5432], tcpOnly);
    if (sig === 'SIGKILL') return 137;
    ctx.stdout(`${t()} [1] LOG:  received smart shutdown request\n${t()} [1] LOG:  database system is shut down\n`);
    return 0;
  };
}

/** A server with nothing to say over HTTP: its start-up line, its ports held until a signal. */
export function idleServer(lines: (ctx: ProcessContext) => string[], ports: number[] = []): Program {
  return async (ctx) => {
    for (const l of lines(ctx)) ctx.stdout(l + '\n');
    const sig = await serveUntilSignal(ctx, ports, tcpOnly);
    return sig === 'SIGKILL' ? 137 : 0;
  };
}

/** `python -m http.server [port]`: a directory listing of the working directory. */
export function pythonHttpServer(port: number): Program {
  return async (ctx) => {
    ctx.stdout(`Serving HTTP on 0.0.0.0 port ${port} (http://0.0.0.0:${port}/) ...\n`);
    const sig = await serveUntilSignal(ctx, [port], async (req) => {
      const now = ctx.clock.now();
      const path = decodeURIComponent(req.path.split('?')[0]);
      const st = ctx.fs.stat(path);
      let status = 200;
      let body: Buffer;
      if (st?.kind === 'dir') {
        const items = ctx.fs
          .list(path)
          .map((n) => `<li><a href="${n}">${n}</a></li>`)
          .join('\n');
        body = Buffer.from(`<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Directory listing for ${path}</title>\n</head>\n<body>\n<h1>Directory listing for ${path}</h1>\n<hr>\n<ul>\n${items}\n</ul>\n<hr>\n</body>\n</html>\n`);
      } else if (st?.kind === 'file') body = ctx.fs.read(path);
      else {
        status = 404;
        body = Buffer.from('<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: 404</p>\n        <p>Message: File not found.</p>\n    </body>\n</html>\n');
      }
      ctx.stderr(`${req.remoteIP} - - [${clfTime(now).replace(' +0000', '')}] "${req.method} ${req.path} HTTP/1.1" ${status} -\n`);
      return { status, headers: { Server: 'SimpleHTTP/0.6 Python/3.13.1', Date: httpDate(now), 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length) }, body };
    });
    return sig === 'SIGKILL' ? 137 : noHandlerTerm(ctx);
  };
}

/**
 * SIGTERM to a process with no handler for it: as the container's PID 1 it is ignored (the
 * kernel's rule), so the process runs until the SIGKILL at the end of the grace period (137);
 * when the kubelet cannot tell us of that SIGKILL, it ends at once as if killed by SIGTERM (143).
 */
export async function noHandlerTerm(ctx: ProcessContext): Promise<number> {
  if (!ctx.killed) return 143;
  await ctx.killed;
  return 137;
}
