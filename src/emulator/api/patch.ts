// The four PATCH bodies the apiserver accepts besides server-side apply:
//
// - application/merge-patch+json: RFC 7386 as implemented by gopkg.in/evanphx/json-patch.v4 MergePatch
//   (which also drops null elements from arrays it copies in);
// - application/json-patch+json: RFC 6902 through fast-json-patch, with the apiserver's error mapping
//   (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, jsonPatcher.applyJSPatch);
// - application/strategic-merge-patch+json: a port of the server side of
//   k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (mergeMap and friends, with MergeParallelList and
//   IgnoreUnmatchedNulls as StrategicMergeMapPatch sets them) and the error mapping of
//   handlers/patch.go interpretStrategicMergePatchError.
//
// None of the functions mutates its inputs.

import jsonpatch, { JsonPatchError } from 'fast-json-patch';
import { fieldMeta, rootType, type FieldMeta } from './merge-keys.ts';

export type PatchErrorCode = 400 | 409 | 413 | 422 | 500;

/**
 * A failed patch. `code` and `reason` are the HTTP status and metav1.Status reason the apiserver answers
 * with; `message` is its Status message. Where Kubernetes hides the cause behind a generic message (422),
 * the cause is kept in `detail` for logs.
 */
export class PatchError extends Error {
  override name = 'PatchError';
  readonly reason: string;
  constructor(
    message: string,
    public code: PatchErrorCode = 400,
    public detail?: string,
  ) {
    super(message);
    this.reason = REASONS[code];
  }
}

const REASONS: Record<PatchErrorCode, string> = {
  400: 'BadRequest',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  422: 'Invalid',
  // A plain Go error reaching the handler becomes a 500 with reason "" (StatusReasonUnknown).
  500: '',
};

/** errors.NewGenericServerResponse(422, ...): Kubernetes drops the cause and says only this. */
export const INVALID_REQUEST_MESSAGE = 'the server rejected our request due to an error in our request';

type JMap = Record<string, unknown>;

const isMap = (v: unknown): v is JMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (m: JMap, k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);

/** Deep copy of JSON data. */
export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (isMap(v)) {
    const out: JMap = {};
    for (const k of Object.keys(v)) out[k] = deepClone(v[k]);
    return out as T;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch

function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(pruneNulls);
  if (isMap(v)) {
    const out: JMap = {};
    for (const k of Object.keys(v)) if (v[k] !== null) out[k] = pruneNulls(v[k]);
    return out;
  }
  return v;
}

function mergeDocs(doc: JMap, patch: JMap): void {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete doc[k];
    } else if (!has(doc, k) || doc[k] === null) {
      doc[k] = pruneNulls(v);
    } else {
      const cur = doc[k];
      const pv: unknown = v;
      if (!isMap(cur)) doc[k] = pruneNulls(pv);
      else if (!isMap(pv)) doc[k] = deepClone(pv);
      else mergeDocs(cur, pv);
    }
  }
}

/**
 * RFC 7386 JSON merge patch (`kubectl scale`, `label`, `annotate`, patches to custom resources).
 * A null or scalar patch is rejected with 400 "Invalid JSON Patch", as evanphx/json-patch does.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || (typeof patch !== 'object' && !Array.isArray(patch))) {
    throw new PatchError('Invalid JSON Patch', 400);
  }
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isMap(target)) return pruneNulls(patch);
  const doc = deepClone(target);
  mergeDocs(doc, patch as JMap);
  return doc;
}

// ---------------------------------------------------------------------------------------------
// JSON patch

/** handlers/patch.go maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const goTypeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'object'
        ? 'object'
        : typeof v === 'number'
          ? 'number'
          : typeof v === 'boolean'
            ? 'bool'
            : 'string';

/**
 * RFC 6902 JSON patch (`kubectl rollout undo`, the managedFields reset of `apply --server-side`).
 * A body that is not an array of objects is a 400 (json decoding fails in jsonpatch.DecodePatch); an
 * operation that does not apply is a 422 with Kubernetes' generic message and the reason in `detail`.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new PatchError(`json: cannot unmarshal ${goTypeOf(ops)} into Go value of type jsonpatch.Patch`, 400);
  }
  for (const op of ops) {
    if (!isMap(op)) {
      throw new PatchError(`json: cannot unmarshal ${goTypeOf(op)} into Go value of type jsonpatch.Operation`, 400);
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
      413,
    );
  }
  const doc = deepClone(target);
  try {
    const result = jsonpatch.applyPatch(doc, deepClone(ops) as jsonpatch.Operation[], true, true, true);
    return result.newDocument;
  } catch (e) {
    const detail = e instanceof JsonPatchError ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
    throw new PatchError(INVALID_REQUEST_MESSAGE, 422, detail);
  }
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

const directiveMarker = '$patch';
const deleteDirective = 'delete';
const replaceDirective = 'replace';
const mergeDirective = 'merge';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListDirectivePrefix = '$deleteFromPrimitiveList';
const setElementOrderDirectivePrefix = '$setElementOrder';

// k8s.io/apimachinery/pkg/util/mergepatch/errors.go
const ErrBadPatchFormatForPrimitiveList = 'invalid patch format of primitive list';
const ErrBadPatchFormatForRetainKeys = 'invalid patch format of retainKeys';
const ErrBadPatchFormatForSetElementOrderList = 'invalid patch format of setElementOrder list';
const ErrNoListOfLists = 'lists of lists are not supported';

/** Errors of the strategic merge, mapped as interpretStrategicMergePatchError does. */
class SmpError extends Error {}

function smpError(message: string): SmpError {
  return new SmpError(message);
}

/** fmt's %v for JSON data, as mergepatch error messages print maps and lists. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[' + v.map(goFormat).join(' ') + ']';
  if (isMap(v)) {
    return (
      'map[' +
      Object.keys(v)
        .sort()
        .map((k) => `${k}:${goFormat(v[k])}`)
        .join(' ') +
      ']'
    );
  }
  return String(v);
}

function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

const errBadArgType = (expected: string, actual: unknown): SmpError =>
  smpError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errNoMergeKey = (m: unknown, k: string): SmpError =>
  smpError(`map: ${goFormat(m)} does not contain declared merge key: ${k}`);
const errBadPatchType = (t: unknown, m: unknown): SmpError =>
  smpError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

type Kind = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'nil';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** extractRetainKeysPatchStrategy: the strategy that matters when merging ("retainKeys" alone is ""). */
function patchStrategyOf(meta: FieldMeta | undefined): string {
  const s = meta?.strategy;
  if (s === undefined || s === 'retainKeys') return '';
  return s === 'merge,retainKeys' ? mergeDirective : s;
}

/** sliceElementType: all elements of all slices must have one kind, and not be lists. */
function sliceElementKind(...slices: unknown[][]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const k = kindOf(v);
      if (prev === undefined) {
        prev = k;
        if (k === 'slice') throw smpError(ErrNoListOfLists);
      } else if (prev !== k) {
        throw smpError(`list element types are not identical: ${goFormat(slices)}`);
      }
    }
  }
  if (prev === undefined) throw smpError('no elements in any of the given slices');
  return prev;
}

/** Go's == on two interface values holding JSON data (maps and slices never compare equal here). */
const goEq = (a: unknown, b: unknown): boolean => a === b && (typeof a !== 'object' || a === null);

/** index(): position of `val` in `l`, by merge key for maps and by value for scalars; -1 if absent. */
function indexOf(l: unknown[], val: unknown, mergeKey: string, kind: Kind): number {
  if (kind === 'map') {
    const want = isMap(val) ? val[mergeKey] : undefined;
    for (let i = 0; i < l.length; i++) {
      const item = l[i];
      const got = isMap(item) ? item[mergeKey] : undefined;
      if (goEq(want, got) || (want === undefined && got === undefined)) return i;
    }
    return -1;
  }
  for (let i = 0; i < l.length; i++) if (goEq(val, l[i])) return i;
  return -1;
}

// Go's sort.SliceStable (insertion sort on blocks of 20, then SymMerge), reproduced because the less
// function strategicpatch passes it is not a strict order when an item is missing from the order list.
function goSliceStable(data: unknown[], less: (i: number, j: number) => boolean): void {
  const swap = (i: number, j: number): void => {
    const t = data[i];
    data[i] = data[j];
    data[j] = t;
  };
  const insertionSort = (a: number, b: number): void => {
    for (let i = a + 1; i < b; i++) for (let j = i; j > a && less(j, j - 1); j--) swap(j, j - 1);
  };
  const swapRange = (a: number, b: number, n: number): void => {
    for (let i = 0; i < n; i++) swap(a + i, b + i);
  };
  const rotate = (a: number, m: number, b: number): void => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (less(h, a)) i = h + 1;
        else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!less(m, h)) i = h + 1;
        else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start: number;
    let r: number;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!less(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = n - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };
  const n = data.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw errBadArgType('map[string]interface {}', item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(l: unknown[]): [unknown[], unknown[]] {
  const nonDelete: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of l) {
    if (!isMap(v)) throw errBadArgType('map[string]interface {}', v);
    if (has(v, directiveMarker) && v[directiveMarker] === deleteDirective) toDelete.push(v);
    else nonDelete.push(v);
  }
  return [nonDelete, toDelete];
}

/** normalizeSliceOrder: sort `toSort` by the order of `order`; $patch:delete items go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let sorted = [...toSort];
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, sorted, order);
    [sorted, toDelete] = extractToDeleteItems(sorted);
  }
  goSliceStable(sorted, (i, j) => {
    const ii = indexOf(order, sorted[i], mergeKey, kind);
    if (ii >= 0) {
      const ij = indexOf(order, sorted[j], mergeKey, kind);
      if (ij >= 0) return ii < ij;
    }
    return true;
  });
  return [...sorted, ...toDelete];
}

/** mergeSortedSlice: interleave server-only items (left) with patch items (right), by serverOrder. */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: Kind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = indexOf(serverOrder, left[i], mergeKey, kind);
    const ri = indexOf(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  while (i < left.length) out.push(left[i++]);
  while (j < right.length) out.push(right[j++]);
  return out;
}

function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function findMapInSlice(m: unknown[], key: string, value: unknown): number {
  for (let k = 0; k < m.length; k++) {
    const v = m[k];
    if (!isMap(v)) throw smpError(`value for key ${k} is not a map.`);
    if (has(v, key) && goEq(v[key], value)) return k;
  }
  return -1;
}

function partitionPrimitives(original: unknown[], partitionBy: unknown[]): [unknown[], unknown[]] {
  const inPatch = new Set(partitionBy);
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) (inPatch.has(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMaps(original: unknown[], partitionBy: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isMap(v)) throw errBadArgType('map[string]interface {}', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findMapInSlice(partitionBy, mergeKey, v[mergeKey]) >= 0 ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

/** deduplicateScalars, including the way it reorders (the last element fills a duplicate's place). */
function deduplicateScalars(input: unknown[]): unknown[] {
  const s = [...input];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEq(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const del = new Set(toDelete);
  return current.filter((v) => !del.has(v));
}

class StrategicMerger {
  mergeMap(original: JMap | null, patch: JMap, type: string | undefined): JMap {
    if (has(patch, directiveMarker)) return this.handleDirectiveInMergeMap(patch[directiveMarker], patch, type);
    const orig: JMap = original ?? {};
    // The patch is a private copy: directives are deleted from it as they are processed.
    this.applyRetainKeysDirective(orig, patch);
    this.mergePatchIntoOriginal(orig, patch, type);

    for (const key of Object.keys(patch)) {
      let k = key;
      let patchV = patch[key];
      let isDeleteList = false;
      if (k.startsWith(deleteFromPrimitiveListDirectivePrefix)) {
        k = extractKey(k, deleteFromPrimitiveListDirectivePrefix);
        isDeleteList = true;
        // Deviation: Kubernetes would store the deletion list as the list when the field is absent.
        if (!has(orig, k)) continue;
      }
      if (patchV === null) {
        delete orig[k];
        continue;
      }
      const meta = fieldMeta(type, k);
      if (!has(orig, k) || kindOf(orig[k]) !== kindOf(patchV)) {
        orig[k] = this.fresh(patchV, meta);
        continue;
      }
      const strategy = patchStrategyOf(meta);
      const cur = orig[k];
      if (isMap(cur) && isMap(patchV)) {
        orig[k] = strategy !== replaceDirective ? this.mergeMap(cur, patchV, meta?.type) : this.fresh(patchV, meta);
      } else if (Array.isArray(cur) && Array.isArray(patchV)) {
        orig[k] = this.mergeSliceHandler(cur, patchV, meta, isDeleteList);
      } else {
        patchV = deepClone(patchV);
        orig[k] = patchV;
      }
    }
    return orig;
  }

  /**
   * A patch value with nothing to merge into. Kubernetes copies it as is, directives included, and relies
   * on decoding into the Go type to drop them; as objects here are stored untyped, it is merged into an
   * empty value instead so that `$patch`, `$setElementOrder` etc. do not end up in the object.
   */
  private fresh(v: unknown, meta: FieldMeta | undefined): unknown {
    if (isMap(v)) return this.mergeMap({}, deepClone(v), meta?.type);
    if (Array.isArray(v) && v.some(isMap)) {
      if (patchStrategyOf(meta) === mergeDirective && v.some((x) => isMap(x) && has(x, directiveMarker))) {
        return this.mergeSliceHandler([], v, meta, false);
      }
      return v.map((x) => (isMap(x) ? this.mergeMap({}, deepClone(x), meta?.type) : deepClone(x)));
    }
    return deepClone(v);
  }

  private handleDirectiveInMergeMap(directive: unknown, patch: JMap, type: string | undefined): JMap {
    if (directive === replaceDirective) {
      const rest = { ...patch };
      delete rest[directiveMarker];
      return this.mergeMap({}, rest, type);
    }
    if (directive === deleteDirective) return {};
    throw errBadPatchType(directive, patch);
  }

  private applyRetainKeysDirective(original: JMap, patch: JMap): void {
    if (!has(patch, retainKeysDirective)) return;
    const list = patch[retainKeysDirective];
    delete patch[retainKeysDirective];
    if (!Array.isArray(list)) throw smpError(ErrBadPatchFormatForRetainKeys);
    const keep = new Set(list);
    for (const k of Object.keys(patch)) {
      const v = patch[k];
      if (v === null || k.startsWith(deleteFromPrimitiveListDirectivePrefix) || k.startsWith(setElementOrderDirectivePrefix)) {
        continue;
      }
      if (!keep.has(k)) throw smpError(ErrBadPatchFormatForRetainKeys);
    }
    for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  }

  /** Processes each $setElementOrder/<field> together with <field> from the patch. */
  private mergePatchIntoOriginal(original: JMap, patch: JMap, type: string | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(setElementOrderDirectivePrefix)) continue;
      const setOrder = patch[key];
      delete patch[key];
      if (!Array.isArray(setOrder)) throw errBadArgType('[]interface {}', setOrder);
      const originalKey = extractKey(key, setElementOrderDirectivePrefix);
      const foundOriginal = has(original, originalKey);
      const foundPatch = has(patch, originalKey);
      let originalList: unknown[] = [];
      let patchList: unknown[] = [];
      if (foundOriginal) {
        const v = original[originalKey];
        if (!Array.isArray(v)) throw errBadArgType('[]interface {}', v);
        originalList = v;
      }
      if (foundPatch) {
        const v = patch[originalKey];
        if (!Array.isArray(v)) throw errBadArgType('[]interface {}', v);
        patchList = v;
      }
      const meta = fieldMeta(type, originalKey);
      const mergeKey = meta?.key ?? '';
      validatePatchWithSetOrderList(patchList, setOrder, mergeKey);

      let merged: unknown[];
      if (foundOriginal && !foundPatch) merged = originalList;
      else if (!foundOriginal && foundPatch) merged = this.fresh(patchList, meta) as unknown[];
      else if (foundOriginal && foundPatch) merged = this.mergeSliceHandler(originalList, patchList, meta, false);
      else continue;

      const [patchItems, serverOnly] =
        mergeKey.length === 0 ? partitionPrimitives(merged, setOrder) : partitionMaps(merged, setOrder, mergeKey);
      const kind = sliceElementKind(originalList, patchList);
      original[originalKey] = normalizeElementOrder(patchItems, serverOnly, setOrder, originalList, mergeKey, kind);
      delete patch[originalKey];
    }
  }

  private mergeSliceHandler(original: unknown[], patch: unknown[], meta: FieldMeta | undefined, isDeleteList: boolean): unknown[] {
    if (patchStrategyOf(meta) === mergeDirective) return this.mergeSlice(original, patch, meta, isDeleteList);
    return deepClone(patch);
  }

  private mergeSlice(original: unknown[], patchIn: unknown[], meta: FieldMeta | undefined, isDeleteList: boolean): unknown[] {
    if (original.length === 0 && patchIn.length === 0) return original;
    const kind = sliceElementKind(original, patchIn);
    const mergeKey = meta?.key ?? '';
    let orig = original;
    let patch = patchIn;
    let merged: unknown[];
    if (kind !== 'map') {
      if (isDeleteList) return deleteFromSlice(original, patch);
      merged = deduplicateScalars([...original, ...patch]);
    } else {
      if (mergeKey === '') throw smpError('cannot merge lists without merge key for type struct');
      [orig, patch] = this.mergeSliceWithSpecialElements(original, patch, mergeKey);
      merged = this.mergeSliceWithoutSpecialElements(orig, patch, mergeKey, meta?.type);
    }
    const [patchItems, serverOnly] =
      mergeKey.length === 0 ? partitionPrimitives(merged, patch) : partitionMaps(merged, patch, mergeKey);
    return normalizeElementOrder(patchItems, serverOnly, patch, orig, mergeKey, kind);
  }

  private mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
    const plain: unknown[] = [];
    let orig = original;
    let replace = false;
    for (const v of patch) {
      const m = v as JMap;
      if (!has(m, directiveMarker)) {
        plain.push(v);
        continue;
      }
      const directive = m[directiveMarker];
      if (directive === deleteDirective) {
        if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
        const value = m[mergeKey];
        const kept: unknown[] = [];
        for (let k = 0; k < orig.length; k++) {
          const item = orig[k];
          if (!isMap(item)) throw smpError(`value for key ${k} is not a map.`);
          if (!(has(item, mergeKey) && goEq(item[mergeKey], value))) kept.push(item);
        }
        orig = kept;
      } else if (directive === replaceDirective) {
        replace = true;
      } else if (directive === mergeDirective) {
        throw smpError('merging lists cannot yet be specified in the patch');
      } else {
        throw errBadPatchType(directive, m);
      }
    }
    if (replace) return [plain.map((v) => this.fresh(v, undefined)), []];
    return [orig, plain];
  }

  private mergeSliceWithoutSpecialElements(
    original: unknown[],
    patch: unknown[],
    mergeKey: string,
    elemType: string | undefined,
  ): unknown[] {
    const out = [...original];
    for (const v of patch) {
      const m = v as JMap;
      if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const i = findMapInSlice(out, mergeKey, m[mergeKey]);
      if (i >= 0) out[i] = this.mergeMap(out[i] as JMap, deepClone(m), elemType);
      else out.push(this.mergeMap({}, deepClone(m), elemType));
    }
    return out;
  }
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListDirectivePrefix) throw smpError(ErrBadPatchFormatForPrimitiveList);
    throw smpError(ErrBadPatchFormatForSetElementOrderList);
  }
  return s.slice(slash + 1);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey.length === 0) return goEq(left, right);
  if (!isMap(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isMap(right)) throw errBadArgType('map[string]interface {}', right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return goEq(left[mergeKey], right[mergeKey]);
}

/** validatePatchWithSetOrderList: the patch list must follow the $setElementOrder list's order. */
function validatePatchWithSetOrderList(patchList: unknown[], setOrderList: unknown[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey.length > 0 ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrderList.length) {
    const item = nonDelete[p];
    if (isMap(item) && has(item, directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrderList[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrderList.length) {
    throw smpError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderDirectivePrefix} list:\n${goFormat(setOrderList)}\n`,
    );
  }
}

/**
 * Kubernetes strategic merge patch, for an object of `kind` (which decides the merge keys, see
 * merge-keys.ts). The patch must be a JSON object. Errors map as the apiserver maps them: malformed
 * directives are 400, lists of lists 422, anything else a 500 with the strategicpatch message.
 *
 * Lists merged by key put patch items that are new to the list before the server's items (mergeSortedSlice),
 * unless `$setElementOrder/<field>` says otherwise; this is what the apiserver does.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  if (!isMap(patch)) {
    throw new PatchError(`json: cannot unmarshal ${goTypeOf(patch)} into Go value of type map[string]interface {}`, 400);
  }
  const original = isMap(target) ? deepClone(target) : {};
  try {
    return new StrategicMerger().mergeMap(original, deepClone(patch), rootType(kind));
  } catch (e) {
    if (!(e instanceof SmpError)) throw e;
    switch (e.message) {
      case ErrBadPatchFormatForPrimitiveList:
      case ErrBadPatchFormatForRetainKeys:
      case ErrBadPatchFormatForSetElementOrderList:
        throw new PatchError(e.message, 400);
      case ErrNoListOfLists:
        throw new PatchError(INVALID_REQUEST_MESSAGE, 422, e.message);
      default:
        throw new PatchError(e.message, 500);
    }
  }
}
