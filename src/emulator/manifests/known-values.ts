// The values Kubernetes accepts for string fields whose OpenAPI schema carries no `enum` here.
// Kubernetes 1.32 marks these types `+enum` in k8s.io/api (a live cluster's /openapi/v3 then lists
// them, with "Possible enum values" in the description), but schemas/definitions.json comes from
// @kubernetes/client-node's models, which keep no enum metadata (scripts/gen-schemas.mjs). So the
// sets are written down here, from the constants in Kubernetes' sources:
//   core:       staging/src/k8s.io/api/core/v1/types.go
//   apps:       staging/src/k8s.io/api/apps/v1/types.go
//   batch:      staging/src/k8s.io/api/batch/v1/types.go
//   autoscaling staging/src/k8s.io/api/autoscaling/v2/types.go
//   networking: staging/src/k8s.io/api/networking/v1/types.go
//   policy:     staging/src/k8s.io/api/policy/v1/types.go
//   meta:       staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go (LabelSelectorOperator)
// Secret types are not `+enum` in Go but are the documented built-in types (SecretType constants).
// Each value's doc is the constant's comment as Kubernetes' OpenAPI renders it ("`"Always"` means...").

export interface KnownValue {
  value: string;
  doc?: string;
}

type Table = Record<string, Record<string, KnownValue[]>>;

const v = (...values: string[]): KnownValue[] => values.map((value) => ({ value }));

const CORE = 'io.k8s.api.core.v1.';
const PROTOCOL: KnownValue[] = [
  { value: 'SCTP', doc: 'is the SCTP protocol.' },
  { value: 'TCP', doc: 'is the TCP protocol.' },
  { value: 'UDP', doc: 'is the UDP protocol.' },
];
const PULL_POLICY: KnownValue[] = [
  { value: 'Always', doc: 'means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.' },
  { value: 'IfNotPresent', doc: "means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails." },
  { value: 'Never', doc: "means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present" },
];
const TAINT_EFFECT: KnownValue[] = [
  { value: 'NoExecute', doc: 'Evict any already-running pods that do not tolerate the taint. Currently enforced by NodeController.' },
  { value: 'NoSchedule', doc: 'Do not allow new pods to schedule onto the node unless they tolerate the taint, but allow all pods submitted to Kubelet without going through the scheduler to start, and allow all already-running pods to continue running. Enforced by the scheduler.' },
  { value: 'PreferNoSchedule', doc: 'Like TaintEffectNoSchedule, but the scheduler tries not to schedule new pods onto the node, rather than prohibiting new pods from scheduling onto the node entirely. Enforced by the scheduler.' },
];
const ACCESS_MODES = v('ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod');
const VOLUME_MODE: KnownValue[] = [
  { value: 'Block', doc: 'means the volume will not be formatted with a filesystem and will remain a raw block device.' },
  { value: 'Filesystem', doc: 'means the volume will be or is formatted with a filesystem.' },
];
const QUOTA_SCOPES = v('BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass');
const ROLLING_OR_ON_DELETE: KnownValue[] = [
  { value: 'OnDelete', doc: 'triggers the legacy behavior. Version tracking and ordered rolling restarts are disabled. Pods are recreated from the StatefulSetSpec when they are manually deleted. When a scale operation is performed with this strategy,specification version indicated by the StatefulSet\'s currentRevision.' },
  { value: 'RollingUpdate', doc: 'indicates that update will be applied to all Pods in the StatefulSet with respect to the StatefulSet ordering constraints. When a scale operation is performed with this strategy, new Pods will be created from the specification version indicated by the StatefulSet\'s updateRevision.' },
];
const DAEMON_SET_STRATEGY: KnownValue[] = [
  { value: 'OnDelete', doc: 'Replace the old daemons only when it\'s killed' },
  { value: 'RollingUpdate', doc: 'Replace the old daemons by new ones using rolling update i.e replace them on each node one after the other.' },
];
const SELECTOR_OPERATOR = v('DoesNotExist', 'Exists', 'In', 'NotIn');
const RETENTION: KnownValue[] = [
  { value: 'Delete', doc: 'specifies that PersistentVolumeClaims associated with StatefulSetVolumeClaimTemplates will be deleted in the scenario specified in StatefulSetPersistentVolumeClaimPolicy.' },
  { value: 'Retain', doc: 'is the default PersistentVolumeClaimRetentionPolicy and specifies that PersistentVolumeClaims associated with StatefulSet VolumeClaimTemplates will not be deleted.' },
];
const TRAFFIC_POLICY: KnownValue[] = [
  { value: 'Cluster', doc: 'routes traffic to all endpoints.' },
  { value: 'Local', doc: 'preserves the source IP of the traffic by routing only to endpoints on the same node as the traffic was received on (dropping the traffic if there are no local endpoints).' },
];
const SECCOMP = v('Localhost', 'RuntimeDefault', 'Unconfined');

/** Known values by definition name, then property name (for a list of strings, its items' values). */
export const KNOWN_VALUES: Table = {
  [`${CORE}Container`]: {
    imagePullPolicy: PULL_POLICY,
    terminationMessagePolicy: [
      { value: 'FallbackToLogsOnError', doc: 'will read the most recent contents of the container logs for the container status message when the container exits with an error and the terminationMessagePath has no contents.' },
      { value: 'File', doc: "is the default behavior and will set the container status message to the contents of the container's terminationMessagePath when the container exits." },
    ],
    // A sidecar (restartable init container): "Always" is the only value (ContainerRestartPolicy).
    restartPolicy: v('Always'),
  },
  [`${CORE}EphemeralContainer`]: { imagePullPolicy: PULL_POLICY },
  [`${CORE}PodSpec`]: {
    restartPolicy: v('Always', 'Never', 'OnFailure'),
    dnsPolicy: [
      { value: 'ClusterFirst', doc: 'indicates that the pod should use cluster DNS first unless hostNetwork is true, if it is available, then fall back on the default (as determined by kubelet) DNS settings.' },
      { value: 'ClusterFirstWithHostNet', doc: 'indicates that the pod should use cluster DNS first, if it is available, then fall back on the default (as determined by kubelet) DNS settings.' },
      { value: 'Default', doc: 'indicates that the pod should use the default (as determined by kubelet) DNS settings.' },
      { value: 'None', doc: 'indicates that the pod should use empty DNS settings. DNS parameters such as nameservers and search paths should be defined via DNSConfig.' },
    ],
    preemptionPolicy: [
      { value: 'Never', doc: 'means that pod never preempts other pods with lower priority.' },
      { value: 'PreemptLowerPriority', doc: 'means that pod can preempt other pods with lower priority.' },
    ],
  },
  [`${CORE}ServiceSpec`]: {
    type: [
      { value: 'ClusterIP', doc: 'means a service will only be accessible inside the cluster, via the cluster IP.' },
      { value: 'ExternalName', doc: 'means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.' },
      { value: 'LoadBalancer', doc: 'means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to \'NodePort\' type.' },
      { value: 'NodePort', doc: 'means a service will be exposed on one port of every node, in addition to \'ClusterIP\' type.' },
    ],
    sessionAffinity: [
      { value: 'ClientIP', doc: 'is the Client IP based.' },
      { value: 'None', doc: '- no session affinity.' },
    ],
    externalTrafficPolicy: TRAFFIC_POLICY,
    internalTrafficPolicy: TRAFFIC_POLICY,
    ipFamilyPolicy: v('PreferDualStack', 'RequireDualStack', 'SingleStack'),
    ipFamilies: v('IPv4', 'IPv6'),
  },
  [`${CORE}ServicePort`]: { protocol: PROTOCOL },
  [`${CORE}ContainerPort`]: { protocol: PROTOCOL },
  [`${CORE}EndpointPort`]: { protocol: PROTOCOL },
  [`${CORE}Toleration`]: {
    operator: v('Equal', 'Exists'),
    effect: TAINT_EFFECT,
  },
  [`${CORE}Taint`]: { effect: TAINT_EFFECT },
  [`${CORE}NodeSelectorRequirement`]: { operator: v('DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn') },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': { operator: SELECTOR_OPERATOR },
  [`${CORE}PersistentVolumeClaimSpec`]: { accessModes: ACCESS_MODES, volumeMode: VOLUME_MODE },
  [`${CORE}PersistentVolumeSpec`]: {
    accessModes: ACCESS_MODES,
    volumeMode: VOLUME_MODE,
    persistentVolumeReclaimPolicy: [
      { value: 'Delete', doc: 'means the volume will be deleted from Kubernetes on release from its claim. The volume plugin must support Deletion.' },
      { value: 'Recycle', doc: 'means the volume will be recycled back into the pool of unbound persistent volumes on release from its claim. The volume plugin must support Recycling.' },
      { value: 'Retain', doc: 'means the volume will be left in its current phase (Released) for manual reclamation by the administrator. The default policy is Retain.' },
    ],
  },
  [`${CORE}Secret`]: {
    type: v(
      'Opaque',
      'bootstrap.kubernetes.io/token',
      'kubernetes.io/basic-auth',
      'kubernetes.io/dockercfg',
      'kubernetes.io/dockerconfigjson',
      'kubernetes.io/service-account-token',
      'kubernetes.io/ssh-auth',
      'kubernetes.io/tls',
    ),
  },
  [`${CORE}LimitRangeItem`]: { type: v('Container', 'PersistentVolumeClaim', 'Pod') },
  [`${CORE}ResourceQuotaSpec`]: { scopes: QUOTA_SCOPES },
  [`${CORE}ScopedResourceSelectorRequirement`]: { scopeName: QUOTA_SCOPES, operator: SELECTOR_OPERATOR },
  [`${CORE}HostPathVolumeSource`]: {
    type: v('', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'),
  },
  [`${CORE}HTTPGetAction`]: {
    scheme: [
      { value: 'HTTP', doc: 'means that the scheme used will be http://' },
      { value: 'HTTPS', doc: 'means that the scheme used will be https://' },
    ],
  },
  [`${CORE}TopologySpreadConstraint`]: {
    whenUnsatisfiable: [
      { value: 'DoNotSchedule', doc: 'instructs the scheduler not to schedule the pod when constraints are not satisfied.' },
      { value: 'ScheduleAnyway', doc: 'instructs the scheduler to schedule the pod even if constraints are not satisfied.' },
    ],
    nodeAffinityPolicy: v('Honor', 'Ignore'),
    nodeTaintsPolicy: v('Honor', 'Ignore'),
  },
  [`${CORE}PodOS`]: { name: v('linux', 'windows') },
  [`${CORE}VolumeMount`]: {
    mountPropagation: v('Bidirectional', 'HostToContainer', 'None'),
    recursiveReadOnly: v('Disabled', 'Enabled', 'IfPossible'),
  },
  [`${CORE}SeccompProfile`]: { type: SECCOMP },
  [`${CORE}AppArmorProfile`]: { type: SECCOMP },
  [`${CORE}SecurityContext`]: { procMount: v('Default', 'Unmasked') },
  [`${CORE}PodSecurityContext`]: { fsGroupChangePolicy: v('Always', 'OnRootMismatch') },
  [`${CORE}ContainerResizePolicy`]: { resourceName: v('cpu', 'memory'), restartPolicy: v('NotRequired', 'RestartContainer') },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: [
      { value: 'Recreate', doc: 'Kill all existing pods before creating new ones.' },
      { value: 'RollingUpdate', doc: 'Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.' },
    ],
  },
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy': { type: ROLLING_OR_ON_DELETE },
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': { type: DAEMON_SET_STRATEGY },
  'io.k8s.api.apps.v1.StatefulSetSpec': {
    podManagementPolicy: v('OrderedReady', 'Parallel'),
  },
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy': { whenDeleted: RETENTION, whenScaled: RETENTION },
  'io.k8s.api.batch.v1.CronJobSpec': {
    concurrencyPolicy: [
      { value: 'Allow', doc: 'allows CronJobs to run concurrently.' },
      { value: 'Forbid', doc: "forbids concurrent runs, skipping next run if previous hasn't finished yet." },
      { value: 'Replace', doc: 'cancels currently running job and replaces it with a new one.' },
    ],
  },
  'io.k8s.api.batch.v1.JobSpec': {
    completionMode: [
      { value: 'Indexed', doc: 'is a Job completion mode. In this mode, the Pods of a Job get an associated completion index from 0 to (.spec.completions - 1). The Job is considered complete when a Pod completes for each completion index.' },
      { value: 'NonIndexed', doc: 'is a Job completion mode. In this mode, the Job is considered complete when there have been .spec.completions successfully completed Pods. Pod completions are homologous to each other.' },
    ],
    podReplacementPolicy: v('Failed', 'TerminatingOrFailed'),
  },
  'io.k8s.api.batch.v1.PodFailurePolicyRule': { action: v('Count', 'FailIndex', 'FailJob', 'Ignore') },
  'io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement': { operator: v('In', 'NotIn') },
  'io.k8s.api.autoscaling.v2.MetricSpec': { type: v('ContainerResource', 'External', 'Object', 'Pods', 'Resource') },
  'io.k8s.api.autoscaling.v2.MetricTarget': { type: v('AverageValue', 'Utilization', 'Value') },
  'io.k8s.api.autoscaling.v2.HPAScalingRules': { selectPolicy: v('Disabled', 'Max', 'Min') },
  'io.k8s.api.autoscaling.v2.HPAScalingPolicy': { type: v('Percent', 'Pods') },
  'io.k8s.api.networking.v1.HTTPIngressPath': {
    pathType: v('Exact', 'ImplementationSpecific', 'Prefix'),
  },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { policyTypes: v('Egress', 'Ingress') },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: PROTOCOL },
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': {
    unhealthyPodEvictionPolicy: v('AlwaysAllow', 'IfHealthyBudget'),
  },
};

/** The values Kubernetes accepts for a property of a definition (or for the items of a list property). */
export function knownValues(definition: string | undefined, property: string): KnownValue[] | undefined {
  if (!definition) return undefined;
  return KNOWN_VALUES[definition]?.[property];
}

// Keys of maps whose keys Kubernetes names (ResourceName constants of core/v1 types.go, and the
// quota resource names of pkg/apis/core/helper's standardQuotaResources): completion offers them.
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const QUOTA = [
  'pods', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'requests.storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'cpu', 'memory', 'ephemeral-storage', 'services', 'services.nodeports', 'services.loadbalancers',
  'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas',
];
const LIMIT_RANGE = ['cpu', 'memory', 'storage', 'ephemeral-storage'];

/** Known keys by definition name, then property name (a map's). */
export const KNOWN_KEYS: Record<string, Record<string, string[]>> = {
  [`${CORE}ResourceRequirements`]: { limits: COMPUTE, requests: COMPUTE },
  [`${CORE}VolumeResourceRequirements`]: { limits: ['storage'], requests: ['storage'] },
  [`${CORE}ResourceQuotaSpec`]: { hard: QUOTA },
  [`${CORE}LimitRangeItem`]: { max: LIMIT_RANGE, min: LIMIT_RANGE, default: LIMIT_RANGE, defaultRequest: LIMIT_RANGE, maxLimitRequestRatio: LIMIT_RANGE },
};

/** The keys Kubernetes names for a map property of a definition. */
export function knownKeys(definition: string | undefined, property: string): string[] | undefined {
  if (!definition) return undefined;
  return KNOWN_KEYS[definition]?.[property];
}
