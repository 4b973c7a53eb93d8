// networking.k8s.io/v1 Ingress and NetworkPolicy.
// Defaulting: pkg/apis/networking/v1/defaults.go (policyTypes, port protocol).
// Validation: pkg/apis/networking/validation/validation.go. Strategies:
// pkg/registry/networking/{ingress,networkpolicy}/strategy.go (generation, status reset).

import { FieldError } from '../errors.ts';
import { isDNS1123Subdomain, validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { GoFieldError, GoValue, validateSelector } from './common.ts';
import { isValidPortName } from './service.ts';

// ---- Ingress ----

function validateBackend(b: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!b || typeof b !== 'object') return [new FieldError('Required', path, undefined)];
  if (b.service && b.resource) return [new FieldError('Invalid', path, '', 'cannot set both service and resource backends')];
  if (b.service) {
    if (!b.service.name) errs.push(new FieldError('Required', `${path}.service.name`, undefined));
    const port = b.service.port ?? {};
    const hasName = !!port.name;
    const hasNum = port.number !== undefined && port.number !== 0;
    if (hasName && hasNum) errs.push(new FieldError('Invalid', `${path}.service.port`, '', 'cannot set both port name & port number'));
    else if (hasName) for (const m of isValidPortName(String(port.name))) errs.push(new FieldError('Invalid', `${path}.service.port.name`, port.name, m));
    else if (hasNum) {
      if (!Number.isInteger(port.number) || port.number < 1 || port.number > 65535) {
        errs.push(new FieldError('Invalid', `${path}.service.port.number`, port.number, 'must be between 1 and 65535, inclusive'));
      }
    } else errs.push(new FieldError('Invalid', `${path}.service.port`, '', 'port name or number is required'));
  } else if (b.resource) {
    if (!b.resource.kind) errs.push(new FieldError('Required', `${path}.resource.kind`, undefined));
    if (!b.resource.name) errs.push(new FieldError('Required', `${path}.resource.name`, undefined));
  } else errs.push(new FieldError('Invalid', path, '', 'resource or service backend is required'));
  return errs;
}

function validateIngress(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const spec = obj.spec ?? {};
  const rules: Obj[] = Array.isArray(spec.rules) ? spec.rules : [];
  if (!spec.defaultBackend && rules.length === 0) {
    errs.push(new GoFieldError('Invalid', 'spec', new GoValue('networking.IngressSpec{...}'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const p = `spec.rules[${i}]`;
    if (r?.host) {
      const host = String(r.host);
      const plain = host.startsWith('*.') ? host.slice(2) : host;
      for (const m of isDNS1123Subdomain(plain)) errs.push(new FieldError('Invalid', `${p}.host`, host, m));
    }
    const paths: Obj[] = r?.http?.paths ?? [];
    if (r?.http && paths.length === 0) errs.push(new FieldError('Required', `${p}.http.paths`, undefined));
    paths.forEach((hp, j) => {
      const pp = `${p}.http.paths[${j}]`;
      if (!hp?.pathType) errs.push(new FieldError('Required', `${pp}.pathType`, undefined, 'pathType must be specified'));
      else if (!['Exact', 'ImplementationSpecific', 'Prefix'].includes(hp.pathType)) {
        errs.push(new FieldError('NotSupported', `${pp}.pathType`, hp.pathType, 'supported values: "Exact", "ImplementationSpecific", "Prefix"'));
      }
      if (hp?.pathType !== 'ImplementationSpecific' && hp?.path !== undefined && !String(hp.path).startsWith('/')) {
        errs.push(new FieldError('Invalid', `${pp}.path`, hp.path, 'must be an absolute path'));
      }
      errs.push(...validateBackend(hp?.backend, `${pp}.backend`));
    });
  });
  return errs;
}

export const ingress = {
  prepareForCreate(obj: Obj): void {
    obj.spec ??= {};
    obj.status = { loadBalancer: {} };
  },
  validate: validateIngress,
};

// ---- NetworkPolicy ----

function defaultPorts(rules: Obj[] | undefined): void {
  for (const r of rules ?? []) for (const p of r?.ports ?? []) if (p) p.protocol ??= 'TCP';
}

export function defaultNetworkPolicy(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.podSelector ??= {};
  defaultPorts(spec.ingress);
  defaultPorts(spec.egress);
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length) spec.policyTypes.push('Egress');
  }
}

export const networkPolicy = {
  prepareForCreate: defaultNetworkPolicy,
  prepareForUpdate: defaultNetworkPolicy,
  validate(obj: Obj): FieldError[] {
    const errs = [...validateObjectMeta(obj.metadata, true), ...validateSelector(obj.spec?.podSelector, 'spec.podSelector')];
    (obj.spec?.policyTypes ?? []).forEach((t: string, i: number) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(new FieldError('NotSupported', `spec.policyTypes[${i}]`, t, 'supported values: "Egress", "Ingress"'));
    });
    for (const dir of ['ingress', 'egress'] as const) {
      (obj.spec?.[dir] ?? []).forEach((r: Obj, i: number) => {
        (r?.ports ?? []).forEach((p: Obj, j: number) => {
          if (p?.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) {
            errs.push(new FieldError('NotSupported', `spec.${dir}[${i}].ports[${j}].protocol`, p.protocol, 'supported values: "SCTP", "TCP", "UDP"'));
          }
        });
      });
    }
    return errs;
  },
};
