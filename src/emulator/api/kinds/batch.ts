// batch/v1 Job and CronJob.
// Defaulting: pkg/apis/batch/v1/defaults.go. Validation: pkg/apis/batch/validation/validation.go.
// Strategies (generated selector and labels, status reset, field selectors):
// pkg/registry/batch/job/strategy.go, pkg/registry/batch/cronjob/strategy.go.
// Stored, defaulted and validated only: the Job and CronJob controllers live elsewhere.

import { FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { cronError } from './cron.ts';
import { defaultTemplate, goLabelSelector, GoFieldError, GoValue, immutable, invalidGo, nonNegative, templateMatches, validateSelector, validateTemplate } from './common.ts';

// ---- Job ----

export function defaultJobSpec(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const c of rule?.onPodConditions ?? []) if (c) c.status ??= 'True';
  defaultTemplate(spec.template);
}

export function defaultJob(obj: Obj): void {
  const spec = (obj.spec ??= {});
  defaultJobSpec(spec);
  spec.manualSelector ??= false;
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels };
}

/** generateSelector: job-name and controller-uid labels on the template, the uid in the selector. */
function generateSelector(obj: Obj): void {
  const spec = obj.spec;
  if (spec.manualSelector === true || !spec.template || typeof spec.template !== 'object') return;
  const meta = (spec.template.metadata ??= {});
  const labels = (meta.labels ??= {});
  for (const k of ['batch.kubernetes.io/controller-uid', 'controller-uid']) labels[k] ??= obj.metadata.uid;
  for (const k of ['batch.kubernetes.io/job-name', 'job-name']) labels[k] ??= obj.metadata.name;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels['batch.kubernetes.io/controller-uid'] ??= obj.metadata.uid;
}

function validateJobSpecFields(spec: Obj, path: string): FieldError[] {
  const errs = [
    ...nonNegative(spec.parallelism, `${path}.parallelism`),
    ...nonNegative(spec.completions, `${path}.completions`),
    ...nonNegative(spec.backoffLimit, `${path}.backoffLimit`),
  ];
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && !(spec.activeDeadlineSeconds > 0)) {
    errs.push(new FieldError('Invalid', `${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  if (spec.ttlSecondsAfterFinished !== undefined) errs.push(...nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  if (spec.completionMode !== undefined && spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
    errs.push(new FieldError('NotSupported', `${path}.completionMode`, spec.completionMode ?? '', 'supported values: "NonIndexed", "Indexed"'));
  } else if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(new FieldError('Required', `${path}.completions`, undefined, 'when completion mode is Indexed'));
  }
  errs.push(...validateTemplate(spec.template, `${path}.template`));
  const rp = spec.template?.spec?.restartPolicy;
  if (spec.template?.spec && rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(new FieldError('NotSupported', `${path}.template.spec.restartPolicy`, rp ?? '', 'supported values: "OnFailure", "Never"'));
  }
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined && spec.template?.spec?.activeDeadlineSeconds !== null) {
    errs.push(new FieldError('Invalid', `${path}.template.spec.activeDeadlineSeconds`, spec.template.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

function validateJob(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [...errs, new FieldError('Required', 'spec', undefined)];
  if (!spec.selector) errs.push(new FieldError('Required', 'spec.selector', undefined));
  else {
    errs.push(...validateSelector(spec.selector, 'spec.selector'));
    errs.push(...templateMatches(spec.selector, spec.template, 'spec.template'));
  }
  errs.push(...validateJobSpecFields(spec, 'spec'));
  return errs;
}

export const job = {
  prepareForCreate(obj: Obj): void {
    defaultJob(obj);
    generateSelector(obj);
    // Defaulting runs again when the object is read back: the Job takes the generated template labels.
    if (Object.keys(obj.metadata.labels ?? {}).length === 0 && obj.spec.template?.metadata?.labels) {
      obj.metadata.labels = { ...obj.spec.template.metadata.labels };
    }
    obj.status = {};
  },
  prepareForUpdate(obj: Obj): void {
    defaultJob(obj);
  },
  validate: validateJob,
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = validateJob(obj);
    errs.push(...immutable(obj.spec?.selector, old.spec?.selector, 'spec.selector', (s) => goLabelSelector(s)));
    errs.push(...immutable(obj.spec?.completionMode, old.spec?.completionMode, 'spec.completionMode'));
    if (obj.spec?.completionMode !== 'Indexed') errs.push(...immutable(obj.spec?.completions, old.spec?.completions, 'spec.completions'));
    // The template may change only while the Job is suspended (and has not started).
    if (!old.spec?.suspend) errs.push(...immutable(obj.spec?.template, old.spec?.template, 'spec.template', () => 'core.PodTemplateSpec{...}'));
    return errs;
  },
  fields(obj: Obj): Record<string, string> {
    return { 'status.successful': String(obj.status?.succeeded ?? 0) };
  },
};

// ---- CronJob ----

export function defaultCronJob(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jt = spec.jobTemplate;
  if (jt && typeof jt === 'object') {
    jt.metadata ??= {};
    if (jt.metadata.creationTimestamp === undefined) jt.metadata.creationTimestamp = null;
    if (jt.spec && typeof jt.spec === 'object') defaultTemplate(jt.spec.template);
  }
}

function validateCronJob(obj: Obj, old?: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const name = obj.metadata?.name;
  // The Job's name adds 11 characters (-<unix minutes>) and must stay a label value.
  if (typeof name === 'string' && name.length > 52) errs.push(new FieldError('Invalid', 'metadata.name', name, 'must be no more than 52 characters'));
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [...errs, new FieldError('Required', 'spec', undefined)];
  if (!spec.schedule) errs.push(new FieldError('Required', 'spec.schedule', undefined));
  else {
    const s = String(spec.schedule);
    const err = cronError(s);
    if (err) errs.push(new FieldError('Invalid', 'spec.schedule', s, err));
    const allowTZ = !!old && String(old.spec?.schedule ?? '').includes('TZ');
    if (allowTZ && s.includes('TZ') && spec.timeZone) errs.push(new FieldError('Invalid', 'spec.schedule', s, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && s.includes('TZ')) errs.push(new FieldError('Invalid', 'spec.schedule', s, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    const tz = String(spec.timeZone);
    let ok = tz.length > 0 && !tz.includes(' ');
    if (ok) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
      } catch {
        ok = false;
      }
    }
    if (!ok) errs.push(new FieldError('Invalid', 'spec.timeZone', tz, 'unknown time zone ' + tz));
  }
  if (!spec.concurrencyPolicy) errs.push(new FieldError('Required', 'spec.concurrencyPolicy', undefined));
  else if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
    errs.push(new FieldError('NotSupported', 'spec.concurrencyPolicy', spec.concurrencyPolicy, 'supported values: "Allow", "Forbid", "Replace"'));
  }
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'), ...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jt = spec.jobTemplate;
  if (!jt?.spec || typeof jt.spec !== 'object') errs.push(new FieldError('Required', 'spec.jobTemplate.spec', undefined));
  else {
    errs.push(...validateJobSpecFields(jt.spec, 'spec.jobTemplate.spec'));
    if (jt.spec.selector) errs.push(invalidGo('spec.jobTemplate.spec.selector', goLabelSelector(jt.spec.selector), '`selector` will be auto-generated'));
    if (jt.spec.manualSelector === true) errs.push(new GoFieldError('NotSupported', 'spec.jobTemplate.spec.manualSelector', new GoValue('true'), 'supported values: "nil", "false"'));
  }
  return errs;
}

export const cronJob = {
  prepareForCreate(obj: Obj): void {
    defaultCronJob(obj);
    obj.status = {};
  },
  prepareForUpdate(obj: Obj): void {
    defaultCronJob(obj);
  },
  validate: (obj: Obj) => validateCronJob(obj),
  validateUpdate: (obj: Obj, old: Obj) => validateCronJob(obj, old),
};
