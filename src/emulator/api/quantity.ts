// resource.Quantity parsing (k8s.io/apimachinery/pkg/api/resource/quantity.go): "100m", "0.5",
// "128Mi", "1G", "1e3". Values are returned as numbers in base units; cpu is usually read in
// milli-units with toMilli().

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export class QuantityError extends Error {}

/** Parses a quantity to its value in base units; throws QuantityError with Kubernetes' message. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = RE.exec(String(q).trim());
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  const suffix = m[2] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]);
}

export function isQuantity(q: unknown): boolean {
  if (typeof q === 'number') return Number.isFinite(q);
  return typeof q === 'string' && RE.test(q.trim());
}

/** Milli-units, rounded up as Quantity.MilliValue does. */
export function toMilli(q: string | number): number {
  return Math.ceil(Math.round(parseQuantity(q) * 1e9) / 1e6);
}

/**
 * The canonical form a quantity is stored and served in, as Quantity.String does after
 * ParseQuantity: "0.5" → "500m", "2000" → "2k", "1024Mi" → "1Gi", "0.5Gi" → "512Mi". Throws
 * QuantityError for what is not a quantity.
 */
export function canonicalQuantity(q: string | number): string {
  return Quantity.parse(q).toString();
}

// ---- Exact quantities (resource.Quantity arithmetic and String()) ----
// Admission (LimitRanger, ResourceQuota) prints quantities in Kubernetes' canonical form and sums
// them exactly: values are held as BigInt nano-units with the format of the parsed suffix
// (BinarySI for Ki..Ei, DecimalExponent for e/E, DecimalSI otherwise).

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const NANO = 1_000_000_000n;
const DEC_SUFFIX: [number, string][] = [
  [18, 'E'],
  [15, 'P'],
  [12, 'T'],
  [9, 'G'],
  [6, 'M'],
  [3, 'k'],
  [0, ''],
  [-3, 'm'],
  [-6, 'u'],
  [-9, 'n'],
];
const BIN_SUFFIX: [number, string][] = [
  [60, 'Ei'],
  [50, 'Pi'],
  [40, 'Ti'],
  [30, 'Gi'],
  [20, 'Mi'],
  [10, 'Ki'],
];
const RE_EXACT = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export class Quantity {
  /** The value in nano-units (10^-9), rounded up as Quantity rounds to its smallest scale. */
  constructor(
    readonly nano: bigint,
    readonly format: QuantityFormat = 'DecimalSI',
  ) {}

  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, format);
  }

  static parse(q: string | number): Quantity {
    if (typeof q === 'number') q = String(q);
    const m = RE_EXACT.exec(String(q).trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    const digits = (m[2] || '0') + (m[3] ?? '');
    let exp10 = -(m[3]?.length ?? 0);
    let mult = 1n;
    let format: QuantityFormat = 'DecimalSI';
    if (m[5] !== undefined) {
      exp10 += Number(m[5]);
      format = 'DecimalExponent';
    } else if (m[4]) {
      const bin = BIN_SUFFIX.find(([, s]) => s === m[4]);
      if (bin) {
        mult = 1n << BigInt(bin[0]);
        format = 'BinarySI';
      } else exp10 += DEC_SUFFIX.find(([, s]) => s === m[4])![0];
    }
    // value = digits * mult * 10^exp10; in nano-units: * 10^9.
    let n = BigInt(digits) * mult;
    const e = exp10 + 9;
    if (e >= 0) n *= 10n ** BigInt(e);
    else {
      const d = 10n ** BigInt(-e);
      n = n / d + (n % d === 0n ? 0n : 1n); // rounds up
    }
    return new Quantity(m[1] === '-' ? -n : n, format);
  }

  add(o: Quantity): Quantity {
    // Quantity.Add: a zero value takes the other's format.
    return new Quantity(this.nano + o.nano, this.nano === 0n ? o.format : this.format);
  }

  sub(o: Quantity): Quantity {
    return new Quantity(this.nano - o.nano, this.nano === 0n ? o.format : this.format);
  }

  cmp(o: Quantity): number {
    return this.nano < o.nano ? -1 : this.nano > o.nano ? 1 : 0;
  }

  isZero(): boolean {
    return this.nano === 0n;
  }

  sign(): number {
    return this.nano < 0n ? -1 : this.nano > 0n ? 1 : 0;
  }

  /** MilliValue(), rounded up. */
  milli(): bigint {
    const d = 1_000_000n;
    return this.nano >= 0n ? (this.nano + d - 1n) / d : this.nano / d;
  }

  /** Value(), rounded up. */
  value(): bigint {
    return this.nano >= 0n ? (this.nano + NANO - 1n) / NANO : this.nano / NANO;
  }

  /** The canonical form (Quantity.String / CanonicalizeBytes). */
  toString(): string {
    if (this.nano === 0n) return '0';
    const neg = this.nano < 0n;
    const abs = neg ? -this.nano : this.nano;
    const sign = neg ? '-' : '';
    let format = this.format;
    if (format === 'BinarySI' && abs < 1024n * NANO) format = 'DecimalSI';
    // A fractional BinarySI value would lose precision: it is shown as DecimalSI (CanonicalizeBytes).
    if (format === 'BinarySI' && abs % NANO !== 0n) format = 'DecimalSI';
    if (format === 'BinarySI') {
      // The largest power of 1024 that divides the whole number of bytes.
      const bytes = abs / NANO;
      for (const [shift, suffix] of BIN_SUFFIX) {
        const unit = 1n << BigInt(shift);
        if (bytes % unit === 0n) return `${sign}${bytes / unit}${suffix}`;
      }
      return `${sign}${bytes}`;
    }
    // Decimal: the largest exponent (multiple of 3) that keeps the mantissa whole.
    for (const [exp, suffix] of DEC_SUFFIX) {
      const unit = 10n ** BigInt(exp + 9);
      if (abs % unit === 0n) {
        const mant = abs / unit;
        if (format === 'DecimalExponent') return `${sign}${mant}${exp === 0 ? '' : `e${exp}`}`;
        return `${sign}${mant}${suffix}`;
      }
    }
    return `${sign}${abs}n`;
  }
}

/** A ResourceList (core/v1): resource names to quantities. */
export type ResourceList = Record<string, Quantity>;

/** A ResourceList of parsed quantities; unparsable entries are skipped (validation reports them). */
export function parseResourceList(m: unknown): ResourceList {
  const out: ResourceList = {};
  if (!m || typeof m !== 'object') return out;
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    try {
      out[k] = Quantity.parse(v as string);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
    }
  }
  return out;
}
