// Kubernetes protobuf request bodies → the JSON object the apiserver would have decoded.
//
// The body is the 4-byte magic `k8s\0` followed by a runtime.Unknown {1 typeMeta {1 apiVersion,
// 2 kind}, 2 raw (the object's own protobuf), 3 contentEncoding, 4 contentType}
// (k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go). The object is walked with the
// field tables of fields.ts. Go's generated marshallers write every non-pointer field, zero or not,
// so zeros of non-pointer scalars are dropped as `omitempty` would drop them in JSON, while zeros of
// pointer fields (an explicit `replicas: 0`) and of fields without omitempty are kept. A field
// number the table does not know is reported, never dropped silently.

import protobuf from 'protobufjs/minimal.js';
import { KINDS, MESSAGES, qualifiedName, type Field } from './fields.ts';

type Reader = protobuf.Reader;
type Obj = Record<string, unknown>;

/** protobuf.go: the prefix of every Kubernetes protobuf envelope. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A field (or wire type) this emulator's tables do not cover: answered 415. */
export class UnsupportedFieldError extends Error {}
/** A body that is not well-formed protobuf: answered 400. */
export class MalformedError extends Error {}

export interface Decoded {
  apiVersion: string;
  kind: string;
  object: Obj;
}

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Whether a kind (group/version/Kind, "" group for core) has a field table. */
export function supportsKind(group: string, version: string, kind: string): boolean {
  return KINDS[`${group}/${version}/${kind}`] !== undefined;
}

/** Decodes the envelope and the object inside it. Throws MalformedError or UnsupportedFieldError. */
export function decodeEnvelope(body: Uint8Array): Decoded {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw new MalformedError(`provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]`);
  }
  const unknown = guard(() => readMessage(buf.subarray(4), 'runtime.Unknown', true));
  const tm = (unknown.typeMeta ?? {}) as Obj;
  const apiVersion = String(tm.apiVersion ?? '');
  const kind = String(tm.kind ?? '');
  if (unknown.contentEncoding) throw new UnsupportedFieldError(`content encoding "${String(unknown.contentEncoding)}" is not supported`);
  const gv = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  // DeleteOptions is registered in every group version (metav1.AddToGroupVersion): a typed client
  // sends it with its own group version.
  const message = KINDS[`${gv[0]}/${gv[1]}/${kind}`] ?? (kind === 'DeleteOptions' ? 'meta.v1.DeleteOptions' : undefined);
  if (!message) {
    throw new UnsupportedFieldError(`protobuf bodies of ${kind || '(no kind)'} in version "${apiVersion}" are not understood by this emulator; send JSON (kubectl apply -f) instead`);
  }
  const raw = unknown.raw === undefined ? new Uint8Array() : Buffer.from(String(unknown.raw), 'base64');
  const object = guard(() => readMessage(raw, message, false));
  return { apiVersion, kind, object: { apiVersion, kind, ...object } };
}

/** Decodes one message of the table (exported for the tests). */
export function decodeMessage(bytes: Uint8Array, message: string): Obj {
  return guard(() => readMessage(bytes, message, false));
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnsupportedFieldError || e instanceof MalformedError) throw e;
    // protobufjs signals truncation with RangeError("index out of range: ...").
    throw new MalformedError(`the protobuf body is truncated or malformed (${e instanceof Error ? e.message : String(e)})`);
  }
}

function readMessage(bytes: Uint8Array, message: string, envelope: boolean): Obj {
  const table = MESSAGES[message];
  if (!table) throw new UnsupportedFieldError(`protobuf message ${qualifiedName(message)} is not understood by this emulator; send JSON (kubectl apply -f) instead`);
  const r = protobuf.Reader.create(bytes);
  const out: Obj = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    const num = tag >>> 3;
    const wire = tag & 7;
    if (num === 0) throw new MalformedError(`protobuf field number 0 in ${qualifiedName(message)}`);
    const field = table[num];
    if (!field) {
      if (wire > WIRE_I32 || wire === 3 || wire === 4) throw new MalformedError(`invalid protobuf wire type ${wire} in ${qualifiedName(message)}`);
      throw new UnsupportedFieldError(`protobuf field ${num} of ${qualifiedName(message)} is not understood by this emulator; send JSON (kubectl apply -f) instead`);
    }
    readField(r, wire, field, out, message, envelope);
  }
  return out;
}

function expectWire(got: number, want: number, field: Field, message: string): void {
  if (got !== want) throw new MalformedError(`protobuf field ${field[0]} of ${qualifiedName(message)} has wire type ${got}, expected ${want}`);
}

function toNumber(v: number | { toNumber(): number } | { low: number; high: number }): number {
  if (typeof v === 'number') return v;
  if ('toNumber' in v) return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

function readScalar(r: Reader, wire: number, type: string, field: Field, message: string): unknown {
  switch (type) {
    case 's':
      expectWire(wire, WIRE_LEN, field, message);
      return r.string();
    case 'b':
      expectWire(wire, WIRE_VARINT, field, message);
      return r.bool();
    case 'i32':
      expectWire(wire, WIRE_VARINT, field, message);
      return r.int32();
    case 'i64':
      expectWire(wire, WIRE_VARINT, field, message);
      return toNumber(r.int64() as unknown as number);
    case 'bytes':
      expectWire(wire, WIRE_LEN, field, message);
      return Buffer.from(r.bytes()).toString('base64');
    default:
      throw new UnsupportedFieldError(`protobuf type ${type} of ${qualifiedName(message)} is not understood by this emulator`);
  }
}

const SCALARS = new Set(['s', 'b', 'i32', 'i64', 'bytes']);

/** metav1.Time {1 seconds, 2 nanos} → RFC 3339 (Time marshals to seconds; MicroTime would keep micros). */
function readTime(bytes: Uint8Array): string | undefined {
  const r = protobuf.Reader.create(bytes);
  let seconds = 0;
  let nanos = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === (1 << 3)) seconds = toNumber(r.int64() as unknown as number);
    else if (tag === ((2 << 3) | WIRE_VARINT)) nanos = r.int32();
    else throw new UnsupportedFieldError(`protobuf field ${tag >>> 3} of io.k8s.apimachinery.pkg.apis.meta.v1.Time is not understood by this emulator; send JSON (kubectl apply -f) instead`);
  }
  if (seconds === 0 && nanos === 0) return undefined;
  // metav1.Time's JSON is RFC 3339 at second precision, in UTC.
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** resource.Quantity {1 string}. */
function readQuantity(bytes: Uint8Array): string {
  const r = protobuf.Reader.create(bytes);
  let s = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) s = r.string();
    else throw new UnsupportedFieldError(`protobuf field ${tag >>> 3} of io.k8s.apimachinery.pkg.api.resource.Quantity is not understood by this emulator; send JSON (kubectl apply -f) instead`);
  }
  return s === '' ? '0' : s;
}

/** intstr.IntOrString {1 type (0 int, 1 string), 2 intVal, 3 strVal}. */
function readIntOrString(bytes: Uint8Array): number | string {
  const r = protobuf.Reader.create(bytes);
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === (1 << 3)) type = toNumber(r.int64() as unknown as number);
    else if (tag === (2 << 3)) intVal = r.int32();
    else if (tag === ((3 << 3) | WIRE_LEN)) strVal = r.string();
    else throw new UnsupportedFieldError(`protobuf field ${tag >>> 3} of io.k8s.apimachinery.pkg.util.intstr.IntOrString is not understood by this emulator; send JSON (kubectl apply -f) instead`);
  }
  return type === 1 ? strVal : intVal;
}

/** metav1.FieldsV1 {1 Raw}: the JSON of a field set. */
function readFieldsV1(bytes: Uint8Array): unknown {
  const r = protobuf.Reader.create(bytes);
  let raw: Uint8Array = new Uint8Array();
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) raw = r.bytes();
    else throw new UnsupportedFieldError(`protobuf field ${tag >>> 3} of io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1 is not understood by this emulator; send JSON (kubectl apply -f) instead`);
  }
  const text = Buffer.from(raw).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedError('metadata.managedFields: fieldsV1 is not JSON');
  }
}

function readValue(r: Reader, wire: number, type: string, field: Field, message: string): unknown {
  if (SCALARS.has(type)) return readScalar(r, wire, type, field, message);
  expectWire(wire, WIRE_LEN, field, message);
  const bytes = r.bytes();
  switch (type) {
    case 'time':
      return readTime(bytes);
    case 'qty':
      return readQuantity(bytes);
    case 'ios':
      return readIntOrString(bytes);
    case 'fieldsV1':
      return readFieldsV1(bytes);
    default:
      return readMessage(bytes, type, false);
  }
}

function isZero(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === false;
}

function readField(r: Reader, wire: number, field: Field, out: Obj, message: string, envelope: boolean): void {
  const [json, type, flags = ''] = field;
  const repeated = flags.includes('r');
  const keepZero = flags.includes('p') || flags.includes('k') || envelope;

  if (type.startsWith('{')) {
    // map<string, V>: a repeated entry message {1 key, 2 value}.
    expectWire(wire, WIRE_LEN, field, message);
    const valueType = type.slice(1, -1);
    const er = protobuf.Reader.create(r.bytes());
    let key = '';
    let value: unknown;
    while (er.pos < er.len) {
      const tag = er.uint32();
      const n = tag >>> 3;
      if (n === 1) key = readScalar(er, tag & 7, 's', field, message) as string;
      else if (n === 2) value = readValue(er, tag & 7, valueType, field, message);
      else throw new MalformedError(`protobuf map entry field ${n} in ${json} of ${qualifiedName(message)}`);
    }
    if (value === undefined) value = valueType === 's' || valueType === 'bytes' ? '' : valueType === 'qty' ? '0' : {};
    const map = (out[json] ??= {}) as Obj;
    map[key] = value;
    return;
  }

  if (repeated && wire === WIRE_LEN && (type === 'i32' || type === 'i64' || type === 'b')) {
    // A packed repeated scalar.
    const pr = protobuf.Reader.create(r.bytes());
    const list = (out[json] ??= []) as unknown[];
    while (pr.pos < pr.len) list.push(readScalar(pr, WIRE_VARINT, type, field, message));
    return;
  }

  const value = readValue(r, wire, type, field, message);

  if (flags.includes('i')) {
    // An embedded Go struct: its fields belong to this object.
    Object.assign(out, value as Obj);
    return;
  }
  if (repeated) {
    ((out[json] ??= []) as unknown[]).push(value);
    return;
  }
  if (value === undefined) return; // a zero metav1.Time is JSON null: left out
  if (type === 'ios' && value === 0 && !flags.includes('p') && !flags.includes('k')) return;
  if (SCALARS.has(type) && isZero(value) && !keepZero) return;
  out[json] = value;
}
