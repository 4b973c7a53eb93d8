// kube-emulator validate FILE|DIR...: FILE:LINE:COL: error|warning: MESSAGE (one-based), exit 1 on
// errors. The editor's engine (src/emulator/manifests/validate.ts), so CI and the editor agree.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HELP, parse } from './args.ts';
import { CliError, UsageError } from './errors.ts';
import { validateText } from '../emulator/manifests/validate.ts';

/** The manifests under `path`: the file itself, or a folder's .yaml, .yml and .json files, recursively and sorted. */
function collect(path: string, out: string[], explicit: boolean): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    if (explicit) throw new CliError(`${path} does not exist or cannot be read`);
    return; // A dangling link inside a folder: nothing to validate.
  }
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      throw new CliError(`${path} cannot be read`);
    }
    for (const name of names) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(path, name);
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
      if (isDir) collect(p, out, false);
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
  for (const p of positionals) collect(p, files, true);
  let errors = 0;
  const lines: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      throw new CliError(`${f} cannot be read`);
    }
    const v = validateText(text, f);
    if (v.skipped) process.stderr.write(`${f}: not validated: ${v.skipped.message}\n`);
    for (const p of v.problems) {
      if (p.severity === 'error') errors++;
      lines.push(`${f}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message}`);
    }
  }
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  return errors > 0 ? 1 : 0;
}
