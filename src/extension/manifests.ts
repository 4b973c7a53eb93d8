// Splits a YAML file into Kubernetes manifests, with source ranges for CodeLens and diagnostics.
// No `vscode` import here: this is plain logic, unit-tested under Node.
//
// The parse is src/emulator/manifests/parse.ts's (kubectl's YAML 1.1 semantics; per-document and
// cached by the document's text), the same one the validation engine reads, so a file is parsed once.
import { isMap, isScalar, type Document, type YAMLError } from 'yaml';
import { parseChunks, positionIn } from '../emulator/manifests/parse.ts';

/** A zero-based position, as in VS Code and LSP. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export interface Problem {
  severity: 'error' | 'warning';
  /** The `yaml` package's error code, e.g. DUPLICATE_KEY. */
  code: string;
  message: string;
  range: Range;
}

export interface Manifest {
  /** Index of the document in the file, counting empty documents too. */
  index: number;
  /** Where the document's content starts and ends (the `---` marker and leading comments excluded). */
  range: Range;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** The document as plain JSON data, as kubectl would decode it. */
  object: unknown;
}

export interface ParsedFile {
  /** Documents that hold something (empty documents and comment-only documents are skipped, as kubectl does). */
  manifests: Manifest[];
  /** Syntax errors (including duplicate keys). Any error means nothing may be applied. */
  errors: Problem[];
  warnings: Problem[];
}

export function parseManifests(text: string): ParsedFile {
  const manifests: Manifest[] = [];
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  let index = 0;
  for (const placed of parseChunks(text)) {
    const chunkText = placed.chunk.text;
    const pos = (offset: number): Position => positionIn(placed, offset);
    const toProblem = (severity: Problem['severity']) => (e: YAMLError): Problem => {
      const start = e.pos[0];
      let end = e.pos[1];
      // Give zero-width errors one character, unless that would run onto the next line.
      if (end <= start && start < chunkText.length && chunkText[start] !== '\n' && chunkText[start] !== '\r') end = start + 1;
      return { severity, code: e.code, message: e.message, range: { start: pos(start), end: pos(Math.max(start, end)) } };
    };
    for (const doc of placed.chunk.docs) {
      const docIndex = index++;
      // A repeated key is not fatal: kubectl reads YAML through sigs.k8s.io/yaml's YAMLToJSON,
      // which keeps the last value, and applies the file (the engine warns about it).
      const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
      errors.push(...fatal.map(toProblem('error')));
      warnings.push(...doc.errors.filter((e) => e.code === 'DUPLICATE_KEY').map(toProblem('warning')), ...doc.warnings.map(toProblem('warning')));
      const contents = doc.contents;
      if (contents === null || contents === undefined) continue;
      if (isScalar(contents) && (contents.value === null || contents.value === undefined)) continue;
      const [start, , nodeEnd] = contents.range ?? doc.range;
      let end = nodeEnd;
      while (end > start && /\s/.test(chunkText[end - 1])) end--;
      const manifest: Manifest = {
        index: docIndex,
        range: { start: pos(start), end: pos(end) },
        object: undefined,
      };
      if (isMap(contents)) {
        manifest.apiVersion = stringAt(doc, ['apiVersion']);
        manifest.kind = stringAt(doc, ['kind']);
        manifest.name = stringAt(doc, ['metadata', 'name']);
        manifest.namespace = stringAt(doc, ['metadata', 'namespace']);
      }
      if (fatal.length === 0) {
        try {
          manifest.object = doc.toJS({ maxAliasCount: 1000 });
        } catch (e) {
          errors.push({
            severity: 'error',
            code: 'TO_JS',
            message: e instanceof Error ? e.message : String(e),
            range: { start: pos(start), end: pos(start) },
          });
        }
      }
      manifests.push(manifest);
    }
  }
  const byPosition = (a: Problem, b: Problem) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  errors.sort(byPosition);
  warnings.sort(byPosition);
  return { manifests, errors, warnings };
}

function stringAt(doc: Document.Parsed, path: string[]): string | undefined {
  const v = doc.getIn(path);
  return typeof v === 'string' ? v : undefined;
}

/** True when the document names a Kubernetes object (and so gets a CodeLens). */
export function isKubernetesManifest(m: Manifest): boolean {
  return !!m.apiVersion && !!m.kind;
}

/** `FILE:LINE:COL: MESSAGE`, one-based, as compilers and `kube-emulator validate` print it. */
export function formatProblem(file: string, p: Problem): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`;
}
