// kube-emulator: the command-line face of the emulator, for terminals and CI.
//
//   kube-emulator serve [--nodes N] [--port P] [--kubeconfig FILE] [--state DIR] [--time-scale X] [--merge-kubeconfig]
//   kube-emulator node stop|start|add|delete NAME [--kubeconfig FILE]
//   kube-emulator clock advance DURATION | clock show [--kubeconfig FILE]
//   kube-emulator traffic SERVICE --rps N [--for DURATION] | traffic list | traffic stop NAME
//   kube-emulator validate FILE|DIR...
//
// Exit codes: 0 success, 1 failure (with one clear sentence), 2 usage errors.

import { HELP } from './args.ts';
import { serve } from './serve.ts';
import { clockCommand, nodeCommand } from './control.ts';
import { validateCommand } from './validate.ts';
import { stateCommand } from './state.ts';
import { trafficCommand } from './traffic.ts';
import { CliError, UsageError } from './errors.ts';

const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(HELP.main);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
      case 'version':
        console.log(`kube-emulator ${VERSION} (Kubernetes v1.32.0 API)`);
        return 0;
      case 'serve':
        return await serve(rest);
      case 'node':
        return await nodeCommand(rest);
      case 'clock':
        return await clockCommand(rest);
      case 'validate':
        return await validateCommand(rest);
      case 'state':
        return await stateCommand(rest);
      case 'traffic':
        return await trafficCommand(rest);
      default:
        throw new UsageError(`unknown command "${command}"`, 'main');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`Error: ${e.message}\nRun "kube-emulator ${e.command === 'main' ? '' : e.command + ' '}--help" for usage.`);
      return 2;
    }
    if (e instanceof CliError) {
      console.error(`Error: ${e.message}`);
      return 1;
    }
    console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(^|[\\/])(cli\.js|main\.ts|kube-emulator)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (e) => {
      console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
