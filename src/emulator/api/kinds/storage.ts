// core/v1 PersistentVolume and PersistentVolumeClaim, storage.k8s.io/v1 StorageClass.
// Defaulting: pkg/apis/core/v1/defaults.go (SetDefaults_PersistentVolume, _PersistentVolumeClaimSpec),
// pkg/apis/storage/v1/defaults.go. Validation: pkg/apis/core/validation/validation.go
// (ValidatePersistentVolume*, ValidatePersistentVolumeClaim*), pkg/apis/storage/validation/validation.go.
// Strategies: pkg/registry/core/persistentvolume{,claim}/strategy.go, pkg/registry/storage/storageclass/strategy.go.

import { FieldError } from '../errors.ts';
import { parseQuantity } from '../quantity.ts';
import { isQualifiedName, validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { equal, validateResourceList } from './common.ts';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const ACCESS_MODES_MSG = 'supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"';
const VOLUME_MODES_MSG = 'supported values: "Block", "Filesystem"';

function validateAccessModes(modes: unknown, path: string, detail: string): FieldError[] {
  if (!Array.isArray(modes) || modes.length === 0) return [new FieldError('Required', path, undefined, detail)];
  return modes.filter((m) => !ACCESS_MODES.includes(m)).map((m) => new FieldError('NotSupported', path, m, ACCESS_MODES_MSG));
}

function validateVolumeMode(mode: unknown, path: string): FieldError[] {
  return mode === undefined || mode === 'Filesystem' || mode === 'Block' ? [] : [new FieldError('NotSupported', path, mode, VOLUME_MODES_MSG)];
}

// ---- PersistentVolumeClaim ----

export function defaultPVC(obj: Obj): void {
  const spec = (obj.spec ??= {});
  if (typeof spec === 'object') spec.volumeMode ??= 'Filesystem';
}

export function validatePVCSpec(spec: Obj | undefined, path = 'spec'): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', path, undefined)];
  const errs = validateAccessModes(spec.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  const requests = spec.resources?.requests;
  errs.push(...validateResourceList(requests, `${path}.resources.requests`));
  const storage = requests?.storage;
  if (storage === undefined || storage === null) errs.push(new FieldError('Required', `${path}.resources[storage]`, undefined));
  else {
    try {
      if (parseQuantity(storage) <= 0) errs.push(new FieldError('Invalid', `${path}.resources[storage]`, String(storage), 'must be greater than zero'));
    } catch {
      // reported by validateResourceList
    }
  }
  errs.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  return errs;
}

const PVC_SPEC_IMMUTABLE = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

export const persistentVolumeClaim = {
  prepareForCreate(obj: Obj): void {
    defaultPVC(obj);
    obj.status = { phase: 'Pending' };
  },
  prepareForUpdate(obj: Obj): void {
    defaultPVC(obj);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validatePVCSpec(obj.spec)];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = [...validateObjectMeta(obj.metadata, true), ...validatePVCSpec(obj.spec)];
    const strip = (s: Obj, volumeName: boolean) => {
      const { resources, volumeAttributesClassName: _v, ...rest } = s ?? {};
      const { requests: _r, ...res } = resources ?? {};
      if (volumeName) delete rest.volumeName;
      return { ...rest, resources: res };
    };
    // The binder may set volumeName once.
    const binding = !old.spec?.volumeName;
    if (!equal(strip(obj.spec, binding), strip(old.spec, binding))) errs.push(new FieldError('Forbidden', 'spec', undefined, PVC_SPEC_IMMUTABLE));
    return errs;
  },
};

// ---- PersistentVolume ----

const VOLUME_SOURCES = [
  'hostPath', 'nfs', 'csi', 'local', 'iscsi', 'fc', 'gcePersistentDisk', 'awsElasticBlockStore', 'azureDisk', 'azureFile',
  'cephfs', 'rbd', 'cinder', 'flexVolume', 'flocker', 'glusterfs', 'portworxVolume', 'quobyte', 'scaleIO', 'storageos',
  'vsphereVolume', 'photonPersistentDisk',
];

export function defaultPV(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  if (spec.hostPath && typeof spec.hostPath === 'object') spec.hostPath.type ??= '';
}

function validatePVSpec(spec: Obj | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', 'spec', undefined)];
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const cap = spec.capacity;
  if (!cap || typeof cap !== 'object' || Object.keys(cap).length === 0) errs.push(new FieldError('Required', 'spec.capacity', undefined));
  else {
    if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(new FieldError('NotSupported', 'spec.capacity', cap, 'supported values: "storage"'));
    errs.push(...validateResourceList(cap, 'spec.capacity'));
  }
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp !== undefined && !['Delete', 'Recycle', 'Retain'].includes(rp)) {
    errs.push(new FieldError('NotSupported', 'spec.persistentVolumeReclaimPolicy', rp, 'supported values: "Delete", "Recycle", "Retain"'));
  }
  const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(new FieldError('Required', 'spec', undefined, 'must specify a volume type'));
  else if (sources.length > 1) errs.push(new FieldError('Forbidden', `spec.${sources[1]}`, undefined, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) errs.push(new FieldError('Required', 'spec.hostPath.path', undefined));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

export const persistentVolume = {
  prepareForCreate(obj: Obj): void {
    defaultPV(obj);
    obj.status = { phase: 'Pending' };
  },
  prepareForUpdate(obj: Obj): void {
    defaultPV(obj);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, false), ...validatePVSpec(obj.spec)];
  },
};

// ---- StorageClass ----

export const storageClass = {
  prepareForCreate(obj: Obj): void {
    obj.reclaimPolicy ??= 'Delete';
    obj.volumeBindingMode ??= 'Immediate';
  },
  prepareForUpdate(obj: Obj): void {
    obj.reclaimPolicy ??= 'Delete';
    obj.volumeBindingMode ??= 'Immediate';
  },
  validate(obj: Obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, false);
    if (!obj.provisioner) errs.push(new FieldError('Required', 'provisioner', undefined));
    else for (const m of isQualifiedName(String(obj.provisioner).toLowerCase())) errs.push(new FieldError('Invalid', 'provisioner', obj.provisioner, m));
    if (!['Delete', 'Retain'].includes(obj.reclaimPolicy)) errs.push(new FieldError('NotSupported', 'reclaimPolicy', obj.reclaimPolicy, 'supported values: "Delete", "Retain"'));
    if (!['Immediate', 'WaitForFirstConsumer'].includes(obj.volumeBindingMode)) {
      errs.push(new FieldError('NotSupported', 'volumeBindingMode', obj.volumeBindingMode, 'supported values: "Immediate", "WaitForFirstConsumer"'));
    }
    return errs;
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = storageClass.validate(obj);
    if (!equal(obj.parameters, old.parameters)) errs.push(new FieldError('Forbidden', 'parameters', undefined, 'updates to parameters are forbidden.'));
    if (obj.provisioner !== old.provisioner) errs.push(new FieldError('Forbidden', 'provisioner', undefined, 'updates to provisioner are forbidden.'));
    if (obj.reclaimPolicy !== old.reclaimPolicy) errs.push(new FieldError('Forbidden', 'reclaimPolicy', undefined, 'updates to reclaimPolicy are forbidden.'));
    if (obj.volumeBindingMode !== old.volumeBindingMode) errs.push(new FieldError('Invalid', 'volumeBindingMode', obj.volumeBindingMode, 'field is immutable'));
    return errs;
  },
};
