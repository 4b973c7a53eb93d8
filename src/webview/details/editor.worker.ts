// Monaco's editor worker (diffing, word ranges) for the details panel's Edit tab; bundled by
// scripts/build.mjs to dist/webview/details-editor.worker.js and started from a blob: URL (main.ts).
import 'monaco-editor/editor/editor.worker.js';
