// kube-emulator validate FILE|DIR...: FILE:LINE:COL: error|warning: MESSAGE, exit 1 on errors.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HELP, parse } from './args.ts';
import { CliError, UsageError } from './errors.ts';
import { validateText } from '../emulator/manifests/validate.ts';

function collect(path: string, out: string[]): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`${path} does not exist or cannot be read`);
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(path, name);
      if (statSync(p).isDirectory()) collect(p, out);
      else if (/\.(ya?ml|json)$/i.test(name)) out.push(p);
    }
  } else out.push(path);
}

export async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('validate', args, {});
  if (values.help) {
    console.log(HELP.validate);
    return 0;
  }
  if (!positionals.length) throw new UsageError('give at least one FILE or DIR to validate', 'validate');
  const files: string[] = [];
  for (const p of positionals) collect(p, files);
  let errors = 0;
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      throw new CliError(`${f} cannot be read`);
    }
    for (const p of validateText(text, f)) {
      if (p.severity === 'error') errors++;
      console.log(`${f}:${p.line}:${p.col}: ${p.severity}: ${p.message}`);
    }
  }
  return errors > 0 ? 1 : 0;
}
