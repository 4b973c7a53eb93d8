// monaco-yaml's language worker (validation, completion, hover from the JSON schema) for the details
// panel's Edit tab; bundled by scripts/build.mjs to dist/webview/details-yaml.worker.js and started
// from a blob: URL (main.ts).
import 'monaco-yaml/yaml.worker.js';
