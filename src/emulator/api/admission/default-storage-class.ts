// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault/admission.go): a
// PersistentVolumeClaim created without spec.storageClassName (and without the beta
// volume.beta.kubernetes.io/storage-class annotation) gets the default StorageClass, the one
// annotated storageclass.kubernetes.io/is-default-class: "true" (the newest when several are).
// A claim that sets storageClassName, even to "", keeps it.

import type { Obj } from '../objects.ts';
import { isCore, type Plugin } from './attributes.ts';

const DEFAULT_ANN = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_ANN = 'storageclass.beta.kubernetes.io/is-default-class';
const BETA_CLASS_ANN = 'volume.beta.kubernetes.io/storage-class';

export const defaultStorageClass: Plugin = {
  name: 'DefaultStorageClass',
  async admit(a) {
    if (!isCore(a, 'persistentvolumeclaims') || a.operation !== 'CREATE') return;
    const pvc = a.object;
    if (!pvc || typeof pvc !== 'object' || !pvc.spec || typeof pvc.spec !== 'object') return;
    if (pvc.spec.storageClassName !== undefined && pvc.spec.storageClassName !== null) return;
    if (pvc.metadata?.annotations?.[BETA_CLASS_ANN] !== undefined) return;
    const { items } = await a.api.list(a.api.resource('storageclasses.storage.k8s.io'), undefined);
    const defaults = items.filter((sc: Obj) => sc.metadata?.annotations?.[DEFAULT_ANN] === 'true' || sc.metadata?.annotations?.[BETA_DEFAULT_ANN] === 'true');
    if (defaults.length === 0) return;
    // util.GetDefaultClass: the most recently created, then by name.
    defaults.sort((x: Obj, y: Obj) => (Date.parse(y.metadata.creationTimestamp) || 0) - (Date.parse(x.metadata.creationTimestamp) || 0) || String(x.metadata.name).localeCompare(String(y.metadata.name)));
    pvc.spec.storageClassName = defaults[0].metadata.name;
  },
};
