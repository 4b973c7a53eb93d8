// The admission chain of kube-apiserver (k8s.io/apiserver/pkg/admission/chain.go): every write runs
// the mutating plug-ins (Admit) in order, then, after the strategy's validation, the validating
// plug-ins (Validate) in the same order. The order is kube-apiserver's
// (pkg/kubeapiserver/options/plugins.go AllOrderedPlugins), cut to the plug-ins that are on by
// default and that the emulator implements.
//
// Where a write reaches the chain (apiserver.ts):
//   create:  defaulting -> admit(CREATE) -> prepareForCreate -> validate -> validate(CREATE) -> store
//   update, patch, apply (and status writes):
//            patch applied -> admit(UPDATE) -> prepareForUpdate -> validate -> validate(UPDATE) -> store
//   delete:  admit(DELETE) -> validate(DELETE) -> delete
// pods/eviction is served by eviction.ts, which deletes through the same delete path.

import type { Attributes, Plugin } from './attributes.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { limitRanger } from './limit-ranger.ts';
import { serviceAccount } from './service-account.ts';
import { priority } from './priority.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';
import { resourceQuota } from './resource-quota.ts';
import { defaultStorageClass } from './default-storage-class.ts';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.ts';

export { forbidden, forbiddenNamed, isCore, type Attributes, type Operation, type Plugin } from './attributes.ts';

/** The plug-ins in kube-apiserver's order (AllOrderedPlugins), those on by default that the emulator has. */
export const ORDERED_PLUGINS: Plugin[] = [
  namespaceLifecycle, // NamespaceLifecycle
  limitRanger, // LimitRanger
  serviceAccount, // ServiceAccount
  priority, // Priority
  defaultTolerationSeconds, // DefaultTolerationSeconds
  defaultStorageClass, // DefaultStorageClass
  storageObjectInUseProtection, // StorageObjectInUseProtection
  resourceQuota, // ResourceQuota (webhooks, resourcequota and deny go last)
];

export interface AdmissionOptions {
  /** Plug-ins turned off (--disable-admission-plugins), by name. */
  disabled?: string[];
}

export class AdmissionChain {
  readonly plugins: Plugin[];

  constructor(opts: AdmissionOptions = {}) {
    const off = new Set(opts.disabled ?? []);
    this.plugins = ORDERED_PLUGINS.filter((p) => !off.has(p.name));
  }

  /** The mutating phase: each plug-in may change a.object. */
  async admit(a: Attributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  /** The validating phase: after the strategy's validation, no changes. */
  async validate(a: Attributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }
}
