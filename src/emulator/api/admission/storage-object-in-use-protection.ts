// StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go):
// a PersistentVolumeClaim is created with the kubernetes.io/pvc-protection finalizer and a
// PersistentVolume with kubernetes.io/pv-protection, so that deleting one still in use leaves it
// Terminating until the pvc-protection / pv-protection controllers (controllers/pvc-protection.ts)
// see it unused and remove the finalizer.

import type { Obj } from '../objects.ts';
import { isCore, type Plugin } from './attributes.ts';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

function addFinalizer(o: Obj | undefined, f: string): void {
  if (!o || typeof o !== 'object' || !o.metadata || typeof o.metadata !== 'object') return;
  const list = Array.isArray(o.metadata.finalizers) ? o.metadata.finalizers : [];
  if (list.includes(f)) return;
  o.metadata.finalizers = [...list, f];
}

export const storageObjectInUseProtection: Plugin = {
  name: 'StorageObjectInUseProtection',
  admit(a) {
    if (a.operation !== 'CREATE') return;
    if (isCore(a, 'persistentvolumeclaims')) addFinalizer(a.object, PVC_PROTECTION_FINALIZER);
    else if (isCore(a, 'persistentvolumes')) addFinalizer(a.object, PV_PROTECTION_FINALIZER);
  },
};
