// Label and field selectors, parsed and matched exactly as Kubernetes does.
//
// Label selectors: k8s.io/apimachinery/pkg/labels/selector.go (lexer, parser, NewRequirement, Matches, String),
// key/value validation: k8s.io/apimachinery/pkg/util/validation/validation.go (IsQualifiedName,
// IsValidLabelValue) as of v1.32, error rendering: k8s.io/apimachinery/pkg/util/validation/field/errors.go
// and k8s.io/apimachinery/pkg/util/errors/errors.go (aggregate).
// metav1.LabelSelector: k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector,
// FormatLabelSelector).
// Field selectors: k8s.io/apimachinery/pkg/fields/selector.go (splitTerms, splitTerm, UnescapeValue).
//
// The apiserver answers a selector that does not parse with 400 BadRequest and the error text as the
// Status message (handlers/get.go: errors.NewBadRequest(err.Error())). kubectl itself wraps it as
// `Unable to find "<resource>" that match label selector ..., field selector ...: <message>` client-side
// (cli-runtime resource/selector.go), so the server must send only the bare message.

import { isQualifiedName, isValidLabelValue } from './validation.ts';

export type Operator =
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist'
  | 'Equals'
  | 'DoubleEquals'
  | 'NotEquals'
  | 'Gt'
  | 'Lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export class SelectorError extends Error {
  override name = 'SelectorError';
}

// ---------------------------------------------------------------------------------------------
// Go formatting helpers used to reproduce Kubernetes' error texts.

/** Go's strconv.Quote (as used by %q) for the strings that appear in selectors. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** %#v of a []string, as field.Invalid renders a bad value list. */
function goStringSlice(vals: string[] | null): string {
  if (vals === null) return '[]string(nil)';
  return '[]string{' + vals.map(goQuote).join(', ') + '}';
}

interface FieldErr {
  field: string;
  msg: string;
}

function fieldErrorString(e: FieldErr): string {
  return `${e.field}: ${e.msg}`;
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated inside [..., ...]. */
function aggregate(errs: FieldErr[]): string {
  const seen: string[] = [];
  for (const e of errs) {
    const m = fieldErrorString(e);
    if (!seen.includes(m)) seen.push(m);
  }
  return seen.length === 1 ? seen[0]! : '[' + seen.join(', ') + ']';
}

// A field.Path rendered as a string; `null` is the nil *Path, which renders as "<nil>".
type PathStr = string | null;
const pathString = (p: PathStr): string => (p === null ? '<nil>' : p);
const childPath = (p: PathStr, name: string): string => (p === null || p === '' ? name : p + '.' + name);

function validateLabelKey(k: string, path: PathStr): FieldErr | null {
  const errs = isQualifiedName(k);
  if (errs.length === 0) return null;
  return { field: pathString(path), msg: `Invalid value: ${goQuote(k)}: ${errs.join('; ')}` };
}

function validateLabelValue(k: string, v: string, path: string): FieldErr | null {
  const errs = isValidLabelValue(v);
  if (errs.length === 0) return null;
  return { field: `${path}[${k}]`, msg: `Invalid value: ${goQuote(v)}: ${errs.join('; ')}` };
}

const INT64 = /^[+-]?[0-9]+$/;
function isInt64(s: string): boolean {
  if (!INT64.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const validOperators = [...binaryOperators, 'exists', '!'];

/**
 * labels.NewRequirement: validates and builds a requirement. `vals` of null stands for a nil Go slice
 * (only visible in error texts). Throws SelectorError with Kubernetes' aggregate message.
 */
function newRequirement(key: string, op: Operator | string, vals: string[] | null, path: PathStr): Requirement {
  const errs: FieldErr[] = [];
  const keyErr = validateLabelKey(key, path === null ? 'key' : childPath(path, 'key'));
  if (keyErr) errs.push(keyErr);
  const valuePath = path === null ? 'values' : childPath(path, 'values');
  const list = vals ?? [];
  switch (op) {
    case 'In':
    case 'NotIn':
      if (list.length === 0) {
        errs.push({
          field: valuePath,
          msg: `Invalid value: ${goStringSlice(vals)}: for 'in', 'notin' operators, values set can't be empty`,
        });
      }
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (list.length !== 1) {
        errs.push({
          field: valuePath,
          msg: `Invalid value: ${goStringSlice(vals)}: exact-match compatibility requires one single value`,
        });
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (list.length !== 0) {
        errs.push({
          field: valuePath,
          msg: `Invalid value: ${goStringSlice(vals)}: values set must be empty for exists and does not exist`,
        });
      }
      break;
    case 'Gt':
    case 'Lt':
      if (list.length !== 1) {
        errs.push({
          field: valuePath,
          msg: `Invalid value: ${goStringSlice(vals)}: for 'Gt', 'Lt' operators, exactly one value is required`,
        });
      }
      list.forEach((v, i) => {
        if (!isInt64(v)) {
          errs.push({
            field: `${valuePath}[${i}]`,
            msg: `Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          });
        }
      });
      break;
    default:
      errs.push({
        field: path === null ? 'operator' : childPath(path, 'operator'),
        msg: `Unsupported value: ${goQuote(String(op))}: supported values: ${validOperators.map((o) => goQuote(o)).join(', ')}`,
      });
  }
  list.forEach((v, i) => {
    const e = validateLabelValue(key, v, `${valuePath}[${i}]`);
    if (e) errs.push(e);
  });
  if (errs.length > 0) throw new SelectorError(aggregate(errs));
  return { key, operator: op as Operator, values: list };
}

// ---------------------------------------------------------------------------------------------
// Label selector lexer and parser (labels/selector.go).

const enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const string2token = new Map<string, Tok>([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean =>
  ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  // A NUL byte ends the input, as the Go lexer's read() returns 0 at the end.
  const read = (): string => {
    if (pos < s.length) return s[pos++]!;
    return '\0';
  };
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: Tok.EndOfString, lit: '' });
      return items;
    }
    if (isSpecialSymbol(ch)) {
      pos--;
      let buffer = '';
      let last: Item | null = null;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecialSymbol(c)) {
          buffer += c;
          const t = string2token.get(buffer);
          if (t !== undefined) last = { tok: t, lit: buffer };
          else if (last) {
            pos--;
            break;
          }
        } else {
          pos--;
          break;
        }
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` });
    } else {
      pos--;
      let buffer = '';
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          pos--;
          break;
        }
        buffer += c;
      }
      const t = string2token.get(buffer);
      items.push({ tok: t !== undefined ? t : Tok.Identifier, lit: buffer });
    }
  }
}

const enum Ctx {
  KeyAndOperator,
  Values,
}

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  lookahead(ctx: Ctx): Item {
    const it = this.items[this.position]!;
    if (ctx === Ctx.Values && (it.tok === Tok.In || it.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: it.lit };
    return it;
  }

  consume(ctx: Ctx): Item {
    const it = this.lookahead(ctx);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Ctx.Values);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          reqs.push(r);
          const t = this.consume(Ctx.Values);
          switch (t.tok) {
            case Tok.EndOfString:
              return reqs;
            case Tok.Comma: {
              const t2 = this.lookahead(Ctx.Values);
              if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) {
                throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
              }
              break;
            }
            default:
              throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
          }
          break;
        }
        case Tok.EndOfString:
          return reqs;
        default:
          throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'Exists' || operator === 'DoesNotExist') return newRequirement(key, operator, [], null);
    const op = this.parseOperator();
    let values: string[];
    if (op === 'In' || op === 'NotIn') values = this.parseValues();
    else values = this.parseExactValue();
    // sets.String.List(): deduplicated and sorted.
    return newRequirement(key, op, [...new Set(values)].sort(), null);
  }

  parseKeyAndInferOperator(): { key: string; operator: Operator | '' } {
    let operator: Operator | '' = '';
    let it = this.consume(Ctx.Values);
    if (it.tok === Tok.DoesNotExist) {
      operator = 'DoesNotExist';
      it = this.consume(Ctx.Values);
    }
    if (it.tok !== Tok.Identifier) throw new SelectorError(`found '${it.lit}', expected: identifier`);
    const keyErr = validateLabelKey(it.lit, null);
    if (keyErr) throw new SelectorError(fieldErrorString(keyErr));
    const t = this.lookahead(Ctx.Values).tok;
    if ((t === Tok.EndOfString || t === Tok.Comma) && operator !== 'DoesNotExist') operator = 'Exists';
    return { key: it.lit, operator };
  }

  parseOperator(): Operator {
    const { tok, lit } = this.consume(Ctx.KeyAndOperator);
    switch (tok) {
      case Tok.In:
        return 'In';
      case Tok.Equals:
        return 'Equals';
      case Tok.DoubleEquals:
        return 'DoubleEquals';
      case Tok.GreaterThan:
        return 'Gt';
      case Tok.LessThan:
        return 'Lt';
      case Tok.NotIn:
        return 'NotIn';
      case Tok.NotEquals:
        return 'NotEquals';
      default:
        throw new SelectorError(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    }
  }

  parseValues(): string[] {
    const open = this.consume(Ctx.Values);
    if (open.tok !== Tok.OpenPar) throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Ctx.Values);
    switch (tok) {
      case Tok.Identifier:
      case Tok.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume(Ctx.Values).tok !== Tok.ClosedPar) throw new SelectorError(`found '${lit}', expected: ')'`);
        return s;
      }
      case Tok.ClosedPar:
        this.consume(Ctx.Values);
        return [''];
      default:
        throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Ctx.Values);
      switch (tok) {
        case Tok.Identifier: {
          s.add(lit);
          const t2 = this.lookahead(Ctx.Values);
          if (t2.tok === Tok.Comma) continue;
          if (t2.tok === Tok.ClosedPar) return [...s];
          throw new SelectorError(`found '${t2.lit}', expected: ',' or ')'`);
        }
        case Tok.Comma: {
          if (s.size === 0) s.add('');
          const t2 = this.lookahead(Ctx.Values).tok;
          if (t2 === Tok.ClosedPar) {
            s.add('');
            return [...s];
          }
          if (t2 === Tok.Comma) s.add('');
          break;
        }
        default:
          throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  parseExactValue(): string[] {
    const t = this.lookahead(Ctx.Values).tok;
    if (t === Tok.EndOfString || t === Tok.Comma) return [''];
    const { tok, lit } = this.consume(Ctx.Values);
    if (tok === Tok.Identifier) return [lit];
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

const byKey = (a: Requirement, b: Requirement): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const parsedCache = new Map<string, Requirement[]>();

/**
 * labels.Parse: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated.
 * The empty string selects everything ([]). Requirements come back sorted by key, values sorted and
 * deduplicated, as Kubernetes keeps them. Throws SelectorError with Kubernetes' message.
 * The result is cached per text and frozen: do not mutate it.
 */
export function parseLabelSelector(text: string): Requirement[] {
  const cached = parsedCache.get(text);
  if (cached) return cached;
  const reqs = new Parser(lex(text)).parse().sort(byKey);
  // The result is shared between requests parsing the same text, so it is frozen.
  for (const r of reqs) {
    Object.freeze(r.values);
    Object.freeze(r);
  }
  Object.freeze(reqs);
  if (parsedCache.size > 1000) parsedCache.clear();
  parsedCache.set(text, reqs);
  return reqs;
}

// ---------------------------------------------------------------------------------------------
// metav1.LabelSelector

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

/**
 * metav1.LabelSelectorAsSelector: a null/undefined selector matches nothing (returns null); an empty one
 * matches everything ([]). Throws SelectorError on an invalid operator, key or value.
 */
export function labelSelectorFromObject(sel: LabelSelector | undefined | null): Requirement[] | null {
  if (sel === null || sel === undefined) return null;
  const labels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  const labelKeys = Object.keys(labels);
  if (labelKeys.length + exprs.length === 0) return [];
  const reqs: Requirement[] = [];
  for (const k of labelKeys.sort()) reqs.push(newRequirement(k, 'Equals', [labels[k]!], null));
  for (const expr of exprs) {
    let op: Operator;
    switch (expr.operator) {
      case 'In':
        op = 'In';
        break;
      case 'NotIn':
        op = 'NotIn';
        break;
      case 'Exists':
        op = 'Exists';
        break;
      case 'DoesNotExist':
        op = 'DoesNotExist';
        break;
      default:
        throw new SelectorError(`${goQuote(String(expr.operator))} is not a valid pod selector operator`);
    }
    const vals = expr.values && expr.values.length > 0 ? [...expr.values] : null;
    reqs.push(newRequirement(expr.key, op, vals, null));
  }
  return reqs.sort(byKey);
}

const EMPTY: Record<string, string> = {};

/** Requirement.Matches for every requirement (an AND). */
export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined | null): boolean {
  const ls = labels ?? EMPTY;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    const has = Object.prototype.hasOwnProperty.call(ls, r.key);
    switch (r.operator) {
      case 'In':
      case 'Equals':
      case 'DoubleEquals':
        if (!has || !r.values.includes(ls[r.key]!)) return false;
        break;
      case 'NotIn':
      case 'NotEquals':
        if (has && r.values.includes(ls[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      case 'Gt':
      case 'Lt': {
        if (!has || r.values.length !== 1) return false;
        const v = ls[r.key]!;
        if (!isInt64(v) || !isInt64(r.values[0]!)) return false;
        const a = BigInt(v);
        const b = BigInt(r.values[0]!);
        if (r.operator === 'Gt' ? !(a > b) : !(a < b)) return false;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

/** Requirement.String, with multi-value sets printed sorted. */
export function requirementString(r: Requirement): string {
  let s = r.operator === 'DoesNotExist' ? '!' + r.key : r.key;
  switch (r.operator) {
    case 'Exists':
    case 'DoesNotExist':
      return s;
    case 'In':
      s += ' in ';
      break;
    case 'NotIn':
      s += ' notin ';
      break;
    case 'Gt':
      s += '>';
      break;
    case 'Lt':
      s += '<';
      break;
    default:
      s += r.operator === 'DoubleEquals' ? '==' : r.operator === 'NotEquals' ? '!=' : '=';
  }
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'In' || r.operator === 'NotIn' ? `${s}(${vals})` : s + vals;
}

/** Selector.String(): requirements joined by ",". Empty for everything; used for Scale status.selector. */
export function selectorString(reqs: Requirement[] | null): string {
  if (!reqs) return '';
  return reqs.map(requirementString).join(',');
}

/**
 * metav1.FormatLabelSelector: `app=x,tier in (a,b)`; "<none>" for an empty (or nil) selector and "<error>"
 * for an invalid one. (Scale's status.selector uses selector.String() instead: see labelSelectorString.)
 */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  let reqs: Requirement[] | null;
  try {
    reqs = labelSelectorFromObject(sel);
  } catch {
    return '<error>';
  }
  const s = selectorString(reqs);
  return s.length === 0 ? '<none>' : s;
}

/**
 * LabelSelectorAsSelector(sel).String(), as the apps registry fills autoscaling/v1 Scale status.selector
 * (pkg/registry/apps/deployment/storage/storage.go scaleFromDeployment). "" for a nil or empty selector.
 */
export function labelSelectorString(sel: LabelSelector | undefined | null): string {
  return selectorString(labelSelectorFromObject(sel));
}


// ---------------------------------------------------------------------------------------------
// Field selectors (fields/selector.go).

function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | null {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return null;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are escapes; a bare `,` or `=` is an error. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // UnescapedRune prints the rune with %v, i.e. as its code point.
    else if (c === ',' || c === '=')
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

/**
 * fields.ParseSelector: `a=b`, `a==b`, `a!=b`, comma-separated, with backslash escapes in values. Terms come
 * back sorted as Kubernetes sorts them. `==` gives operator Equals, as fields.hasTerm does.
 */
export function parseFieldSelector(text: string): Requirement[] {
  const parts = splitTerms(text).sort();
  const reqs: Requirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    const value = unescapeFieldValue(t.rhs);
    reqs.push({ key: t.lhs, operator: t.op === '!=' ? 'NotEquals' : 'Equals', values: [value] });
  }
  return reqs;
}

/** Field matching: a field missing from `fields` is the empty string (fields.Set.Get). */
export function matchesFields(reqs: Requirement[], fields: Record<string, string>): boolean {
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    const v = fields[r.key] ?? '';
    if (r.operator === 'NotEquals') {
      if (v === r.values[0]) return false;
    } else if (v !== r.values[0]) return false;
  }
  return true;
}
