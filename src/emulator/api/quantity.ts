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

const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([s, e]) => [e, s]));
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const abs = (n: bigint) => (n < 0n ? -n : n);

/**
 * The canonical form a quantity is stored and served in, as Quantity.String does after
 * ParseQuantity (k8s.io/apimachinery/pkg/api/resource/quantity.go, CanonicalizeBytes and
 * amount.go AsCanonicalBytes): "0.5" → "500m", "1.5" → "1500m", "2000" → "2k", "1024Mi" → "1Gi",
 * "0.5Gi" → "512Mi", "1e3" → "1e3"; values are rounded up to nano units. Exact: BigInt arithmetic.
 * Throws QuantityError for what is not a quantity.
 */
export function canonicalQuantity(q: string | number): string {
  const text = typeof q === 'number' ? String(q) : q.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const negative = m[1] === '-';
  const frac = m[3] ?? '';
  const suffix = m[4] ?? '';
  let format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
  // value = mantissa × 10^exp, exactly.
  let mantissa = BigInt((m[2] || '0') + frac);
  let exp = -frac.length;
  if (suffix in BINARY_POWERS) {
    format = 'BinarySI';
    mantissa *= 1024n ** BigInt(BINARY_POWERS[suffix]);
  } else if (suffix in DECIMAL_EXPONENTS) {
    format = 'DecimalSI';
    exp += DECIMAL_EXPONENTS[suffix];
  } else {
    format = 'DecimalExponent';
    exp += Number(suffix.slice(1));
  }
  if (mantissa === 0n) return '0';
  // Non-zero values are rounded up (away from zero) to nano units.
  if (exp < -9) {
    const d = 10n ** BigInt(-9 - exp);
    mantissa = mantissa / d + (mantissa % d === 0n ? 0n : 1n);
    exp = -9;
  }
  const sign = negative ? '-' : '';
  if (format === 'BinarySI') {
    // Values below 1024 and fractional values are shown as DecimalSI.
    const whole = exp >= 0 ? mantissa * 10n ** BigInt(exp) : mantissa % 10n ** BigInt(-exp) === 0n ? mantissa / 10n ** BigInt(-exp) : undefined;
    if (whole !== undefined && abs(whole) >= 1024n) {
      let amount = whole;
      let power = 0;
      while (amount % 1024n === 0n && power < BINARY_SUFFIXES.length - 1) {
        amount /= 1024n;
        power++;
      }
      return sign + amount.toString() + BINARY_SUFFIXES[power];
    }
    format = 'DecimalSI';
  }
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp++;
  }
  const r = ((exp % 3) + 3) % 3; // lower the exponent to a multiple of 3
  mantissa *= 10n ** BigInt(r);
  exp -= r;
  const si = format === 'DecimalSI' ? DECIMAL_SUFFIXES.get(exp) : undefined;
  return sign + mantissa.toString() + (si ?? (exp === 0 ? '' : `e${exp}`));
}
