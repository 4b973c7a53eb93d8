// Types for scripts/vscode-server.mjs, so the TypeScript e2e tests can import it.
export declare const VERSIONS: Readonly<{ node: string; codeServer: string }>;
export declare const PROJECT_ROOT: string;
export declare const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;

export interface CodeServerInstall {
  dir: string;
  node: string;
  entry: string;
  installed: boolean;
  seconds: number;
}
export interface CodeServerHome {
  root: string;
  config: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  xdg: string;
}
export interface RunningCodeServer {
  url: string;
  port: number;
  pid: number;
  home: CodeServerHome;
  logs(): string;
  stop(): Promise<void>;
}

export declare function installDir(): string;
export declare function ensureCodeServer(opts?: { timeoutMs?: number }): Promise<CodeServerInstall>;
export declare function freePort(): Promise<number>;
export declare function prepareHome(root: string, opts?: { settings?: Record<string, unknown> }): CodeServerHome;
export declare function installExtension(cs: CodeServerInstall, home: CodeServerHome, vsix: string): string;
export declare function startCodeServer(
  cs: CodeServerInstall,
  home: CodeServerHome,
  opts?: {
    workspace?: string;
    port?: number;
    extraArgs?: string[];
    env?: Record<string, string>;
    readyTimeoutMs?: number;
  },
): Promise<RunningCodeServer>;
export declare function chromiumPath(): string;
export declare function chromiumLaunchOptions(): {
  executablePath: string;
  headless: boolean;
  viewport: { width: number; height: number };
  args: string[];
};
export declare function withTimeout<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T>;
export interface E2EExpectations {
  extensionId: string;
  commands: { command: string; title: string }[];
  views: { id: string; name: string }[];
  [key: string]: unknown;
}
export declare function bundleExtensionTests(
  entry: string,
  outfile: string,
  opts?: { extensionDir?: string; extra?: Record<string, unknown> },
): Promise<{ outfile: string; expected: E2EExpectations }>;
