// Help texts and flag parsing shared by the CLI's commands.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

export const HELP: Record<string, string> = {
  main: `kube-emulator: a complete emulated Kubernetes cluster, served to kubectl on 127.0.0.1.

Usage:
  kube-emulator <command> [flags]

Commands:
  serve       Start an emulated cluster and serve the Kubernetes API until stopped (Ctrl-C)
  node        Stop, start, add or delete an emulated node of a running cluster
  clock       Show the emulated clock, or fast-forward it
  state       Export a cluster's state to a file, or import one
  traffic     Send emulated requests/s to a Service (its pods' cpu rises; HPAs answer)
  validate    Check Kubernetes manifests as the cluster would, without a cluster

Flags:
  -h, --help      Show help for a command
  -v, --version   Show the version

Run "kube-emulator <command> --help" for a command's flags.`,
  serve: `Start an emulated cluster and serve the Kubernetes API on 127.0.0.1 until SIGINT or SIGTERM.

Usage:
  kube-emulator serve [flags]

Flags:
  --nodes N             Number of nodes: one control plane plus N-1 workers (default 3)
  --port P              Port on 127.0.0.1 (default 0: a free port)
  --kubeconfig FILE     Where to write the kubeconfig (default: kube-emulator/kubeconfig in the
                        user's cache folder)
  --merge-kubeconfig    Also add the kube-emulator context to ~/.kube/config (or the first file in
                        $KUBECONFIG) and make it current; nothing else there is changed
  --state DIR           Keep the cluster in this folder across restarts: every write is in its
                        checksummed log (fsync) before it is acknowledged; snapshots keep it short
  --store etcd://H:P    Keep the cluster in a real etcd v3 instead (not with --state)
  --time-scale X        Emulated seconds per real second (default 1)
  -h, --help            Show this help`,
  node: `Stop, start, add or delete an emulated node of a running cluster.

Usage:
  kube-emulator node stop NAME     The node becomes a dead machine: no heartbeats, its kubelet frozen;
                                   after 50 s the node controller marks it NotReady (Unknown) and taints
                                   it unreachable; 300 s later (the pods' unreachable toleration) its
                                   pods are evicted (Terminating there) and their controllers replace
                                   them on the other nodes
  kube-emulator node start NAME    Bring a stopped node back; its kubelet reconciles
  kube-emulator node add [NAME]    Join a new worker (default name: the next minikube-style name)
  kube-emulator node delete NAME   Remove a node

Flags:
  --kubeconfig FILE   The kubeconfig that "kube-emulator serve" wrote (default: the one in the cache folder)
  --cpu N             (add) CPU capacity, e.g. 2 or 1500m (default 2)
  --memory Q          (add) Memory capacity, e.g. 4Gi (default 4005124Ki)
  --labels K=V,...    (add) Extra node labels
  --taints K=V:EFFECT,...  (add) Node taints, e.g. dedicated=gpu:NoSchedule
  -h, --help          Show this help`,
  clock: `Show the emulated clock, or fast-forward it.

Usage:
  kube-emulator clock show                 Print emulated time, mode, time scale and how far it was advanced
  kube-emulator clock advance DURATION     Fast-forward by DURATION (90s, 5m, 1h, 1h30m): every timer
                                           due on the way (heartbeats, grace periods, backoffs) fires in order

Flags:
  --kubeconfig FILE   The kubeconfig that "kube-emulator serve" wrote (default: the one in the cache folder)
  -h, --help          Show this help`,
  state: `Export a cluster's state to a portable file, or replace a cluster's state with one.

Usage:
  kube-emulator state export FILE   Write every object (not Events, not node heartbeats) to FILE
  kube-emulator state import FILE   Replace the cluster's objects with FILE's; prints what changed

Where the state is:
  (default)           The running cluster of --kubeconfig (default: the one "kube-emulator serve" wrote).
                      An import pauses its control plane and kubelets while it replaces the objects.
  --state DIR         A state folder (see "serve --state"). Export reads it even while a server runs
                      on it; import needs it unused (stop that server first).
  --store etcd://H:P  A real etcd.

Flags:
  --kubeconfig FILE   The kubeconfig of the running cluster
  -h, --help          Show this help`,
  traffic: `Send emulated load to a Service of a running cluster: N requests per second, spread over
its ready endpoints as kube-proxy spreads them, counted in the pods' cpu (kubectl top, HPAs).
Traffic runs on the emulated clock: "clock advance" fast-forwards it too.

Usage:
  kube-emulator traffic SERVICE --rps N [--for DURATION]   Start sending (until stopped, or for DURATION)
  kube-emulator traffic SERVICE --schedule OFFSET=RPS,...   A rate that changes over time, e.g.
                                                           0=400,5m=8000,15m=400 (a peak from 5m to 15m)
  kube-emulator traffic list                               Running and finished traffic, with requests
                                                           sent and failed (no ready endpoint: refused)
  kube-emulator traffic stop NAME                          Stop and forget a traffic

Flags:
  -n, --namespace NS  The Service's namespace (default "default")
  --rps N             Requests per second (with --schedule: before its first step)
  --schedule STEPS    OFFSET=RPS steps from the start, offsets increasing
  --for DURATION      Stop after DURATION of emulated time (90s, 10m, 1h)
  --name NAME         The traffic's name (default: the Service's)
  --port PORT         The Service port, by name or number (default: its first TCP port)
  --kubeconfig FILE   The kubeconfig that "kube-emulator serve" wrote (default: the one in the cache folder)
  -h, --help          Show this help`,
  validate: `Check Kubernetes manifests as the cluster would, without a cluster.

Usage:
  kube-emulator validate FILE|DIR...

Prints one line per problem, FILE:LINE:COL: error|warning: MESSAGE, and exits 1 when there is an
error. Folders are searched for .yaml, .yml and .json files. The editor's checks, in Kubernetes'
words: YAML syntax and duplicate keys, apiVersion and kind, kinds the cluster serves (kubectl's "no
matches for kind" otherwise, with the deprecation text of removed versions), unknown fields (strict
field validation), wrong types and required fields (the kind's schema), the apiserver's own
validation, and warnings for what would misbehave (the apiserver's pod warnings, untagged or :latest
images pulled on every start). Helm templates and kustomization files are skipped (said on stderr).

Flags:
  -h, --help   Show this help`,
};

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(command: string, args: string[], options: Options): { values: Record<string, any>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return r as { values: Record<string, any>; positionals: string[] };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`, command);
  }
}

