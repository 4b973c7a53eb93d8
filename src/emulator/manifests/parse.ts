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
//
// Each chunk is first read by light-yaml.ts (the subset manifests use: a plain tree with the same
// offsets and the JavaScript value, about ten times cheaper); the `yaml` package's Documents are made
// only when asked for (`docs`: the editor's CodeLens and reference checks) or when the light reader
// gives up (anything outside its subset, every error and warning), so a validation parses once.

import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { readLight, type LightDoc } from './light-yaml.ts';

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
  /** The `yaml` package's parse (made on first use). Usually one document; none for a chunk of comments, more after a `...` end marker. */
  readonly docs: Document.Parsed[];
  /** light-yaml.ts's documents, or undefined when the chunk is outside its subset (then read `docs`). */
  readonly light: LightDoc[] | undefined;
  /** Lets the light tree go once its reader (the validation, which caches its result per chunk) is done. */
  dropLight(): void;
}

class ParsedChunk implements Chunk {
  readonly text: string;
  light: LightDoc[] | undefined;
  private parsed: { lineCounter: LineCounter; docs: Document.Parsed[] } | undefined;
  private lines: LineCounter | undefined;

  constructor(text: string) {
    this.text = text;
    this.light = readLight(text, parseOptions.customTags as never);
  }

  dropLight(): void {
    this.light = undefined;
  }

  get docs(): Document.Parsed[] {
    return this.yaml().docs;
  }

  get lineCounter(): LineCounter {
    if (this.parsed) return this.parsed.lineCounter;
    if (!this.lines) {
      // The same line starts the `yaml` package's lexer records.
      const lc = new LineCounter();
      lc.addNewLine(0);
      const t = this.text;
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
      this.lines = lc;
    }
    return this.lines;
  }

  private yaml(): { lineCounter: LineCounter; docs: Document.Parsed[] } {
    if (!this.parsed) {
      const lineCounter = new LineCounter();
      const docs = parseAllDocuments(this.text, { ...parseOptions, lineCounter });
      this.parsed = { lineCounter, docs: Array.isArray(docs) ? docs : [] };
    }
    return this.parsed;
  }
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
  const chunk = new ParsedChunk(text);
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
