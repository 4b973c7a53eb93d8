// One parse of a manifest file, shared by the editor (CodeLens, apply, diagnostics) and
// `kube-emulator validate`: the `yaml` package's AST with source offsets and a LineCounter, per
// document, cached by the document's text so that an edit re-parses only the document it touched.
//
// Parsing follows kubectl, which reads YAML through sigs.k8s.io/yaml (go-yaml v2, YAML 1.1): `0644`
// is octal (420), `yes`/`on` are booleans, and timestamps stay strings (go-yaml v2 keeps
// timestamp-looking scalars as strings when decoding into interface{}). JSON manifests parse the same
// way (JSON is YAML's flow style), so they get positions too.
//
// Documents are split at `---` lines before parsing: in YAML a `---` at the start of a line followed
// by a space or the line's end always starts a document (YAML 1.2 §9.1.4, c-forbidden: not even a
// block or quoted scalar may hold one), so each chunk parses on its own exactly as in the whole stream.
// Positions are zero-based lines and characters (VS Code's and LSP's).

import { LineCounter, parseAllDocuments, type Document } from 'yaml';

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

const parseOptions = {
  prettyErrors: false,
  version: '1.1' as const,
  uniqueKeys: true,
  // go-yaml v2 keeps timestamps as strings; the `yaml` package's 1.1 schema would make Dates.
  customTags: (tags: unknown[]) =>
    tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp') as never,
};

/** The parse of one chunk of text (one `---`-delimited part of a file), independent of where it sits. */
export interface Chunk {
  readonly text: string;
  readonly lineCounter: LineCounter;
  /** Usually one document; none for a chunk of comments, more after a `...` end marker. */
  readonly docs: Document.Parsed[];
}

/** A chunk placed in a file: its first line and offset there. */
export interface PlacedChunk {
  chunk: Chunk;
  /** Zero-based line of the chunk's first character in the file. */
  line: number;
  /** Offset of the chunk's first character in the file. */
  offset: number;
}

// Bounded by entries and by text: a parsed chunk holds about 32 bytes of AST per character, so
// 1,000,000 characters (about 16 files of 2,000 lines) keep the cache near 32 MB.
const CACHE_LIMIT = 4000;
const CACHE_CHARS = 1_000_000;
const cache = new Map<string, Chunk>();
let cachedChars = 0;

function parseChunk(text: string): Chunk {
  const hit = cache.get(text);
  if (hit) {
    // Most recently used last: the oldest entries are dropped first.
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...parseOptions, lineCounter });
  const chunk: Chunk = { text, lineCounter, docs: Array.isArray(docs) ? docs : [] };
  cache.set(text, chunk);
  cachedChars += text.length;
  while (cache.size > 1 && (cache.size > CACHE_LIMIT || cachedChars > CACHE_CHARS)) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    cachedChars -= oldest.length;
  }
  return chunk;
}

const MARKER = /^---(?=[ \t\r\n]|$)/gm;

/** The file's chunks, each parsed once (and again only when its text changes). */
export function parseChunks(text: string): PlacedChunk[] {
  const starts = [0];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) if (m.index > 0) starts.push(m.index);
  const out: PlacedChunk[] = [];
  let line = 0;
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i];
    const to = i + 1 < starts.length ? starts[i + 1] : text.length;
    const piece = text.slice(from, to);
    out.push({ chunk: parseChunk(piece), line, offset: from });
    for (let j = piece.indexOf('\n'); j >= 0; j = piece.indexOf('\n', j + 1)) line++;
  }
  return out;
}

/** A file position of an offset in a placed chunk (clamped to the chunk). */
export function positionIn(p: PlacedChunk, offset: number): Position {
  const lp = p.chunk.lineCounter.linePos(Math.max(0, Math.min(offset, p.chunk.text.length)));
  return { line: p.line + lp.line - 1, character: lp.col - 1 };
}

/** Empties the parse cache (tests and benchmarks measuring a cold run). */
export function clearParseCache(): void {
  cache.clear();
  cachedChars = 0;
}
