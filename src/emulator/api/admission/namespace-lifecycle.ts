// NamespaceLifecycle (k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go):
// nothing is created in a namespace that does not exist (404) or is being terminated (403 with a
// NamespaceTerminating cause), and the immortal namespaces default, kube-system and kube-public
// cannot be deleted.

import { notFound } from '../errors.ts';
import { forbidden, forbiddenNamed, type Attributes, type Plugin } from './attributes.ts';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

async function admit(a: Attributes): Promise<void> {
  const isNamespace = a.def.group === '' && a.def.resource === 'namespaces';
  if (a.operation === 'DELETE' && isNamespace && IMMORTAL.has(a.name)) {
    throw forbiddenNamed('', 'namespaces', a.name, 'this namespace may not be deleted');
  }
  // Cluster-scoped resources, and every operation on namespaces themselves, pass.
  if (!a.def.namespaced || isNamespace) return;
  // Deleting other resources is always allowed.
  if (a.operation === 'DELETE') return;
  const ns = await a.api.tryGet(a.api.resource('namespaces'), undefined, a.namespace);
  if (!ns) throw notFound('', 'namespaces', a.namespace);
  if (a.operation === 'CREATE' && ns.status?.phase === 'Terminating') {
    throw forbidden(a, `unable to create new content in namespace ${a.namespace} because it is being terminated`, [
      { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
    ]);
  }
}

export const namespaceLifecycle: Plugin = { name: 'NamespaceLifecycle', admit };
