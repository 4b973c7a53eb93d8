// $(( ... )) as busybox ash evaluates it (shell/math.c): integers (64-bit, here JavaScript's exact
// range), variables by name (unset or empty is 0), C operators with C precedence, assignments and
// ++/--. Errors carry ash's wording ("arithmetic syntax error", "divide by zero").

export class ArithError extends Error {}

interface Vars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Tok = { t: 'num'; v: bigint } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = ['<<=', '>>=', '**', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '|', '^', '?', ':', '(', ')', ','];

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(s.slice(i));
    if (num) {
      let text = num[1];
      let v: bigint;
      if (/^0[xX]/.test(text)) v = BigInt(text);
      else if (text.length > 1 && text.startsWith('0')) {
        if (!/^[0-7]+$/.test(text)) throw new ArithError('arithmetic syntax error');
        v = BigInt('0o' + text.slice(1));
      } else v = BigInt(text);
      i += text.length;
      if (/[A-Za-z_]/.test(s[i] ?? '')) throw new ArithError('arithmetic syntax error');
      out.push({ t: 'num', v });
      text = '';
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new ArithError('arithmetic syntax error');
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '**': 11,
};

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

export function evalArith(expr: string, vars: Vars): bigint {
  const toks = tokenize(expr);
  let i = 0;
  const peek = () => toks[i];
  const isOp = (v: string) => toks[i]?.t === 'op' && toks[i].v === v;

  const valueOf = (name: string): bigint => {
    const raw = (vars.get(name) ?? '').trim();
    if (raw === '') return 0n;
    if (/^-?[0-9]+$/.test(raw)) return BigInt(raw);
    // A variable holding an expression is evaluated (ash does the same, one level deep here).
    return evalArith(raw, vars);
  };

  // Lazy evaluation for && || ?: : `skip` evaluates nothing with side effects.
  const assignment = (skip: boolean): bigint => {
    const t = peek();
    const n = toks[i + 1];
    if (t?.t === 'name' && n?.t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^='].includes(n.v)) {
      i += 2;
      const rhs = assignment(skip);
      if (skip) return 0n;
      let v = rhs;
      if (n.v !== '=') v = apply(n.v.slice(0, -1), valueOf(t.v), rhs);
      vars.set(t.v, String(v));
      return v;
    }
    return ternary(skip);
  };

  const ternary = (skip: boolean): bigint => {
    const c = binary(1, skip);
    if (!isOp('?')) return c;
    i++;
    const a = assignment(skip || c === 0n);
    if (!isOp(':')) throw new ArithError('arithmetic syntax error');
    i++;
    const b = assignment(skip || c !== 0n);
    return c !== 0n ? a : b;
  };

  const binary = (minPrec: number, skip: boolean): bigint => {
    let left = unary(skip);
    for (;;) {
      const t = peek();
      if (t?.t !== 'op') break;
      const prec = BINARY[t.v];
      if (prec === undefined || prec < minPrec) break;
      i++;
      if (t.v === '&&') {
        const r = binary(prec + 1, skip || left === 0n);
        left = left !== 0n && r !== 0n ? 1n : 0n;
      } else if (t.v === '||') {
        const r = binary(prec + 1, skip || left !== 0n);
        left = left !== 0n || r !== 0n ? 1n : 0n;
      } else {
        // ** is right-associative.
        const r = binary(t.v === '**' ? prec : prec + 1, skip);
        left = skip ? 0n : apply(t.v, left, r);
      }
    }
    return left;
  };

  const unary = (skip: boolean): bigint => {
    const t = peek();
    if (!t) throw new ArithError('arithmetic syntax error');
    if (t.t === 'op') {
      if (t.v === '++' || t.v === '--') {
        i++;
        const n = peek();
        if (n?.t !== 'name') throw new ArithError('arithmetic syntax error');
        i++;
        const v = wrap(valueOf(n.v) + (t.v === '++' ? 1n : -1n));
        if (!skip) vars.set(n.v, String(v));
        return v;
      }
      if (t.v === '+' || t.v === '-' || t.v === '!' || t.v === '~') {
        i++;
        const v = unary(skip);
        return t.v === '-' ? wrap(-v) : t.v === '!' ? (v === 0n ? 1n : 0n) : t.v === '~' ? ~v : v;
      }
      if (t.v === '(') {
        i++;
        const v = comma(skip);
        if (!isOp(')')) throw new ArithError('arithmetic syntax error');
        i++;
        return v;
      }
      throw new ArithError('arithmetic syntax error');
    }
    i++;
    if (t.t === 'num') return t.v;
    // name, with postfix ++/--
    if (isOp('++') || isOp('--')) {
      const op = toks[i].v;
      i++;
      const old = valueOf(t.v);
      if (!skip) vars.set(t.v, String(wrap(old + (op === '++' ? 1n : -1n))));
      return old;
    }
    return valueOf(t.v);
  };

  const comma = (skip: boolean): bigint => {
    let v = assignment(skip);
    while (isOp(',')) {
      i++;
      v = assignment(skip);
    }
    return v;
  };

  if (toks.length === 0) return 0n;
  const v = comma(false);
  if (i < toks.length) throw new ArithError('arithmetic syntax error');
  return v;
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+':
      return wrap(a + b);
    case '-':
      return wrap(a - b);
    case '*':
      return wrap(a * b);
    case '/':
    case '%':
      if (b === 0n) throw new ArithError('divide by zero');
      return wrap(op === '/' ? a / b : a % b);
    case '**':
      if (b < 0n) throw new ArithError('exponent less than 0');
      return wrap(a ** b);
    case '<<':
      return wrap(a << (b & 63n));
    case '>>':
      return a >> (b & 63n);
    case '<':
      return a < b ? 1n : 0n;
    case '>':
      return a > b ? 1n : 0n;
    case '<=':
      return a <= b ? 1n : 0n;
    case '>=':
      return a >= b ? 1n : 0n;
    case '==':
      return a === b ? 1n : 0n;
    case '!=':
      return a !== b ? 1n : 0n;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
  }
  throw new ArithError('arithmetic syntax error');
}
