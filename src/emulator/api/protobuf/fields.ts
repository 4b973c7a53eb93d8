// The protobuf field tables of the Kubernetes kinds whose protobuf request bodies the emulator
// decodes (kubectl's typed creates and `kubectl auth`), written by hand from the go-to-protobuf
// output of Kubernetes:
//   k8s.io/api core/v1, apps/v1, batch/v1, authorization/v1, authentication/v1, scheduling/v1, rbac/v1
//     generated.proto (staging/src/k8s.io/api/*/v1/generated.proto)
//   k8s.io/apimachinery pkg/apis/meta/v1, pkg/api/resource, pkg/util/intstr, pkg/runtime
//     generated.proto
// and, for which fields are Go pointers (explicit zeros kept) or lack `omitempty` (zeros kept as
// JSON would write them), the Go types of k8s.io/api (types.go).
//
// A field is [jsonName, type, flags]. Types: s string, b bool, i32/i64 integers, bytes (base64 in
// JSON), time (metav1.Time: {1 seconds, 2 nanos} → RFC 3339), qty (resource.Quantity {1 string}),
// ios (intstr.IntOrString {1 type, 2 intVal, 3 strVal}), fieldsV1 ({1 Raw} JSON), {X} a
// map<string, X> (entries {1 key, 2 value}), or a message name of this table. Flags: r repeated,
// p Go pointer (an explicit zero is kept), k no omitempty (a zero is kept), i inlined (Go embeds
// the struct: its fields land in the parent's JSON object).

export type Scalar = 's' | 'b' | 'i32' | 'i64' | 'bytes' | 'time' | 'qty' | 'ios' | 'fieldsV1';
export type Field = readonly [json: string, type: string, flags?: string];
export type Message = Readonly<Record<number, Field>>;

const S = 's';
const B = 'b';
const I32 = 'i32';
const I64 = 'i64';

/** Message names are the proto package suffix and type, e.g. core.v1.PodSpec. */
export const MESSAGES: Record<string, Message> = {
  // ---- runtime (k8s.io/apimachinery/pkg/runtime/generated.proto) ----
  'runtime.Unknown': { 1: ['typeMeta', 'runtime.TypeMeta'], 2: ['raw', 'bytes'], 3: ['contentEncoding', S], 4: ['contentType', S] },
  'runtime.TypeMeta': { 1: ['apiVersion', S], 2: ['kind', S] },

  // ---- meta/v1 (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto) ----
  'meta.v1.ObjectMeta': {
    1: ['name', S], 2: ['generateName', S], 3: ['namespace', S], 4: ['selfLink', S], 5: ['uid', S],
    6: ['resourceVersion', S], 7: ['generation', I64], 8: ['creationTimestamp', 'time'],
    9: ['deletionTimestamp', 'time', 'p'], 10: ['deletionGracePeriodSeconds', I64, 'p'],
    11: ['labels', '{s}'], 12: ['annotations', '{s}'], 13: ['ownerReferences', 'meta.v1.OwnerReference', 'r'],
    14: ['finalizers', S, 'r'], 17: ['managedFields', 'meta.v1.ManagedFieldsEntry', 'r'],
  },
  'meta.v1.OwnerReference': {
    5: ['apiVersion', S, 'k'], 1: ['kind', S, 'k'], 3: ['name', S, 'k'], 4: ['uid', S, 'k'],
    6: ['controller', B, 'p'], 7: ['blockOwnerDeletion', B, 'p'],
  },
  'meta.v1.ManagedFieldsEntry': {
    1: ['manager', S], 2: ['operation', S], 3: ['apiVersion', S], 4: ['time', 'time', 'p'],
    6: ['fieldsType', S], 7: ['fieldsV1', 'fieldsV1', 'p'], 8: ['subresource', S],
  },
  'meta.v1.LabelSelector': { 1: ['matchLabels', '{s}'], 2: ['matchExpressions', 'meta.v1.LabelSelectorRequirement', 'r'] },
  'meta.v1.LabelSelectorRequirement': { 1: ['key', S], 2: ['operator', S], 3: ['values', S, 'r'] },
  'meta.v1.Condition': {
    1: ['type', S, 'k'], 2: ['status', S, 'k'], 3: ['observedGeneration', I64], 4: ['lastTransitionTime', 'time'],
    5: ['reason', S, 'k'], 6: ['message', S, 'k'],
  },

  // ---- core/v1: the kinds (k8s.io/api/core/v1/generated.proto) ----
  'core.v1.Namespace': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'core.v1.NamespaceSpec'], 3: ['status', 'core.v1.NamespaceStatus'] },
  'core.v1.NamespaceSpec': { 1: ['finalizers', S, 'r'] },
  'core.v1.NamespaceStatus': { 1: ['phase', S], 2: ['conditions', 'core.v1.NamespaceCondition', 'r'] },
  'core.v1.NamespaceCondition': { 1: ['type', S], 2: ['status', S], 4: ['lastTransitionTime', 'time'], 5: ['reason', S], 6: ['message', S] },
  'core.v1.ConfigMap': { 1: ['metadata', 'meta.v1.ObjectMeta'], 4: ['immutable', B, 'p'], 2: ['data', '{s}'], 3: ['binaryData', '{bytes}'] },
  'core.v1.Secret': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 5: ['immutable', B, 'p'], 2: ['data', '{bytes}'], 4: ['stringData', '{s}'], 3: ['type', S],
  },
  'core.v1.Service': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'core.v1.ServiceSpec'], 3: ['status', 'core.v1.ServiceStatus'] },
  'core.v1.ServiceSpec': {
    1: ['ports', 'core.v1.ServicePort', 'r'], 2: ['selector', '{s}'], 3: ['clusterIP', S], 18: ['clusterIPs', S, 'r'], 4: ['type', S],
    5: ['externalIPs', S, 'r'], 7: ['sessionAffinity', S], 8: ['loadBalancerIP', S], 9: ['loadBalancerSourceRanges', S, 'r'],
    10: ['externalName', S], 11: ['externalTrafficPolicy', S], 12: ['healthCheckNodePort', I32], 13: ['publishNotReadyAddresses', B],
    14: ['sessionAffinityConfig', 'core.v1.SessionAffinityConfig', 'p'], 19: ['ipFamilies', S, 'r'], 17: ['ipFamilyPolicy', S, 'p'],
    20: ['allocateLoadBalancerNodePorts', B, 'p'], 21: ['loadBalancerClass', S, 'p'], 22: ['internalTrafficPolicy', S, 'p'],
    23: ['trafficDistribution', S, 'p'],
  },
  'core.v1.ServicePort': {
    1: ['name', S], 2: ['protocol', S], 6: ['appProtocol', S, 'p'], 3: ['port', I32, 'k'], 4: ['targetPort', 'ios'], 5: ['nodePort', I32],
  },
  'core.v1.SessionAffinityConfig': { 1: ['clientIP', 'core.v1.ClientIPConfig', 'p'] },
  'core.v1.ClientIPConfig': { 1: ['timeoutSeconds', I32, 'p'] },
  'core.v1.ServiceStatus': { 1: ['loadBalancer', 'core.v1.LoadBalancerStatus'], 2: ['conditions', 'meta.v1.Condition', 'r'] },
  'core.v1.LoadBalancerStatus': { 1: ['ingress', 'core.v1.LoadBalancerIngress', 'r'] },
  'core.v1.LoadBalancerIngress': { 1: ['ip', S], 2: ['hostname', S], 3: ['ipMode', S, 'p'], 4: ['ports', 'core.v1.PortStatus', 'r'] },
  'core.v1.PortStatus': { 1: ['port', I32, 'k'], 2: ['protocol', S, 'k'], 3: ['error', S, 'p'] },
  'core.v1.ResourceQuota': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'core.v1.ResourceQuotaSpec'], 3: ['status', 'core.v1.ResourceQuotaStatus'] },
  'core.v1.ResourceQuotaSpec': { 1: ['hard', '{qty}'], 2: ['scopes', S, 'r'], 3: ['scopeSelector', 'core.v1.ScopeSelector', 'p'] },
  'core.v1.ScopeSelector': { 1: ['matchExpressions', 'core.v1.ScopedResourceSelectorRequirement', 'r'] },
  'core.v1.ScopedResourceSelectorRequirement': { 1: ['scopeName', S], 2: ['operator', S], 3: ['values', S, 'r'] },
  'core.v1.ResourceQuotaStatus': { 1: ['hard', '{qty}'], 2: ['used', '{qty}'] },
  'core.v1.ObjectReference': {
    1: ['kind', S], 2: ['namespace', S], 3: ['name', S], 4: ['uid', S], 5: ['apiVersion', S], 6: ['resourceVersion', S], 7: ['fieldPath', S],
  },

  // ---- core/v1: the pod template ----
  'core.v1.PodTemplateSpec': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'core.v1.PodSpec'] },
  'core.v1.PodSpec': {
    1: ['volumes', 'core.v1.Volume', 'r'], 20: ['initContainers', 'core.v1.Container', 'r'], 2: ['containers', 'core.v1.Container', 'r'],
    3: ['restartPolicy', S], 4: ['terminationGracePeriodSeconds', I64, 'p'], 5: ['activeDeadlineSeconds', I64, 'p'],
    6: ['dnsPolicy', S], 7: ['nodeSelector', '{s}'], 8: ['serviceAccountName', S], 9: ['serviceAccount', S],
    21: ['automountServiceAccountToken', B, 'p'], 10: ['nodeName', S], 11: ['hostNetwork', B], 12: ['hostPID', B], 13: ['hostIPC', B],
    27: ['shareProcessNamespace', B, 'p'], 14: ['securityContext', 'core.v1.PodSecurityContext', 'p'],
    15: ['imagePullSecrets', 'core.v1.LocalObjectReference', 'r'], 16: ['hostname', S], 17: ['subdomain', S],
    18: ['affinity', 'core.v1.Affinity', 'p'], 19: ['schedulerName', S], 22: ['tolerations', 'core.v1.Toleration', 'r'],
    23: ['hostAliases', 'core.v1.HostAlias', 'r'], 24: ['priorityClassName', S], 25: ['priority', I32, 'p'],
    26: ['dnsConfig', 'core.v1.PodDNSConfig', 'p'], 28: ['readinessGates', 'core.v1.PodReadinessGate', 'r'],
    29: ['runtimeClassName', S, 'p'], 30: ['enableServiceLinks', B, 'p'], 31: ['preemptionPolicy', S, 'p'], 32: ['overhead', '{qty}'],
    33: ['topologySpreadConstraints', 'core.v1.TopologySpreadConstraint', 'r'], 35: ['setHostnameAsFQDN', B, 'p'],
    36: ['os', 'core.v1.PodOS', 'p'], 37: ['hostUsers', B, 'p'], 38: ['schedulingGates', 'core.v1.PodSchedulingGate', 'r'],
    39: ['resourceClaims', 'core.v1.PodResourceClaim', 'r'], 40: ['resources', 'core.v1.ResourceRequirements', 'p'],
  },
  'core.v1.Container': {
    1: ['name', S, 'k'], 2: ['image', S], 3: ['command', S, 'r'], 4: ['args', S, 'r'], 5: ['workingDir', S],
    6: ['ports', 'core.v1.ContainerPort', 'r'], 19: ['envFrom', 'core.v1.EnvFromSource', 'r'], 7: ['env', 'core.v1.EnvVar', 'r'],
    8: ['resources', 'core.v1.ResourceRequirements'], 23: ['resizePolicy', 'core.v1.ContainerResizePolicy', 'r'],
    24: ['restartPolicy', S, 'p'], 9: ['volumeMounts', 'core.v1.VolumeMount', 'r'], 21: ['volumeDevices', 'core.v1.VolumeDevice', 'r'],
    10: ['livenessProbe', 'core.v1.Probe', 'p'], 11: ['readinessProbe', 'core.v1.Probe', 'p'], 22: ['startupProbe', 'core.v1.Probe', 'p'],
    12: ['lifecycle', 'core.v1.Lifecycle', 'p'], 13: ['terminationMessagePath', S], 20: ['terminationMessagePolicy', S],
    14: ['imagePullPolicy', S], 15: ['securityContext', 'core.v1.SecurityContext', 'p'], 16: ['stdin', B], 17: ['stdinOnce', B], 18: ['tty', B],
  },
  'core.v1.ContainerPort': { 1: ['name', S], 2: ['hostPort', I32], 3: ['containerPort', I32, 'k'], 4: ['protocol', S], 5: ['hostIP', S] },
  'core.v1.ContainerResizePolicy': { 1: ['resourceName', S, 'k'], 2: ['restartPolicy', S, 'k'] },
  'core.v1.EnvVar': { 1: ['name', S, 'k'], 2: ['value', S], 3: ['valueFrom', 'core.v1.EnvVarSource', 'p'] },
  'core.v1.EnvVarSource': {
    1: ['fieldRef', 'core.v1.ObjectFieldSelector', 'p'], 2: ['resourceFieldRef', 'core.v1.ResourceFieldSelector', 'p'],
    3: ['configMapKeyRef', 'core.v1.ConfigMapKeySelector', 'p'], 4: ['secretKeyRef', 'core.v1.SecretKeySelector', 'p'],
  },
  'core.v1.EnvFromSource': { 1: ['prefix', S], 2: ['configMapRef', 'core.v1.ConfigMapEnvSource', 'p'], 3: ['secretRef', 'core.v1.SecretEnvSource', 'p'] },
  'core.v1.ObjectFieldSelector': { 1: ['apiVersion', S], 2: ['fieldPath', S, 'k'] },
  'core.v1.ResourceFieldSelector': { 1: ['containerName', S], 2: ['resource', S, 'k'], 3: ['divisor', 'qty'] },
  'core.v1.LocalObjectReference': { 1: ['name', S] },
  'core.v1.ConfigMapKeySelector': { 1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['key', S, 'k'], 3: ['optional', B, 'p'] },
  'core.v1.SecretKeySelector': { 1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['key', S, 'k'], 3: ['optional', B, 'p'] },
  'core.v1.ConfigMapEnvSource': { 1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['optional', B, 'p'] },
  'core.v1.SecretEnvSource': { 1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['optional', B, 'p'] },
  'core.v1.ResourceRequirements': { 1: ['limits', '{qty}'], 2: ['requests', '{qty}'], 3: ['claims', 'core.v1.ResourceClaim', 'r'] },
  'core.v1.ResourceClaim': { 1: ['name', S, 'k'], 2: ['request', S] },
  'core.v1.VolumeMount': {
    1: ['name', S, 'k'], 2: ['readOnly', B], 7: ['recursiveReadOnly', S, 'p'], 3: ['mountPath', S, 'k'], 4: ['subPath', S],
    5: ['mountPropagation', S, 'p'], 6: ['subPathExpr', S],
  },
  'core.v1.VolumeDevice': { 1: ['name', S, 'k'], 2: ['devicePath', S, 'k'] },
  'core.v1.Probe': {
    1: ['handler', 'core.v1.ProbeHandler', 'i'], 2: ['initialDelaySeconds', I32], 3: ['timeoutSeconds', I32], 4: ['periodSeconds', I32],
    5: ['successThreshold', I32], 6: ['failureThreshold', I32], 7: ['terminationGracePeriodSeconds', I64, 'p'],
  },
  'core.v1.ProbeHandler': {
    1: ['exec', 'core.v1.ExecAction', 'p'], 2: ['httpGet', 'core.v1.HTTPGetAction', 'p'], 3: ['tcpSocket', 'core.v1.TCPSocketAction', 'p'],
    4: ['grpc', 'core.v1.GRPCAction', 'p'],
  },
  'core.v1.ExecAction': { 1: ['command', S, 'r'] },
  'core.v1.HTTPGetAction': { 1: ['path', S], 2: ['port', 'ios', 'k'], 3: ['host', S], 4: ['scheme', S], 5: ['httpHeaders', 'core.v1.HTTPHeader', 'r'] },
  'core.v1.HTTPHeader': { 1: ['name', S, 'k'], 2: ['value', S, 'k'] },
  'core.v1.TCPSocketAction': { 1: ['port', 'ios', 'k'], 2: ['host', S] },
  'core.v1.GRPCAction': { 1: ['port', I32, 'k'], 2: ['service', S, 'p'] },
  'core.v1.Lifecycle': { 1: ['postStart', 'core.v1.LifecycleHandler', 'p'], 2: ['preStop', 'core.v1.LifecycleHandler', 'p'], 3: ['stopSignal', S, 'p'] },
  'core.v1.LifecycleHandler': {
    1: ['exec', 'core.v1.ExecAction', 'p'], 2: ['httpGet', 'core.v1.HTTPGetAction', 'p'], 3: ['tcpSocket', 'core.v1.TCPSocketAction', 'p'],
    4: ['sleep', 'core.v1.SleepAction', 'p'],
  },
  'core.v1.SleepAction': { 1: ['seconds', I64, 'k'] },
  'core.v1.SecurityContext': {
    1: ['capabilities', 'core.v1.Capabilities', 'p'], 2: ['privileged', B, 'p'], 3: ['seLinuxOptions', 'core.v1.SELinuxOptions', 'p'],
    10: ['windowsOptions', 'core.v1.WindowsSecurityContextOptions', 'p'], 4: ['runAsUser', I64, 'p'], 8: ['runAsGroup', I64, 'p'],
    5: ['runAsNonRoot', B, 'p'], 6: ['readOnlyRootFilesystem', B, 'p'], 7: ['allowPrivilegeEscalation', B, 'p'], 9: ['procMount', S, 'p'],
    11: ['seccompProfile', 'core.v1.SeccompProfile', 'p'], 12: ['appArmorProfile', 'core.v1.AppArmorProfile', 'p'],
  },
  'core.v1.Capabilities': { 1: ['add', S, 'r'], 2: ['drop', S, 'r'] },
  'core.v1.SELinuxOptions': { 1: ['user', S], 2: ['role', S], 3: ['type', S], 4: ['level', S] },
  'core.v1.WindowsSecurityContextOptions': {
    1: ['gmsaCredentialSpecName', S, 'p'], 2: ['gmsaCredentialSpec', S, 'p'], 3: ['runAsUserName', S, 'p'], 4: ['hostProcess', B, 'p'],
  },
  'core.v1.SeccompProfile': { 1: ['type', S, 'k'], 2: ['localhostProfile', S, 'p'] },
  'core.v1.AppArmorProfile': { 1: ['type', S, 'k'], 2: ['localhostProfile', S, 'p'] },
  'core.v1.PodSecurityContext': {
    1: ['seLinuxOptions', 'core.v1.SELinuxOptions', 'p'], 8: ['windowsOptions', 'core.v1.WindowsSecurityContextOptions', 'p'],
    2: ['runAsUser', I64, 'p'], 6: ['runAsGroup', I64, 'p'], 3: ['runAsNonRoot', B, 'p'], 4: ['supplementalGroups', I64, 'r'],
    12: ['supplementalGroupsPolicy', S, 'p'], 5: ['fsGroup', I64, 'p'], 7: ['sysctls', 'core.v1.Sysctl', 'r'],
    9: ['fsGroupChangePolicy', S, 'p'], 10: ['seccompProfile', 'core.v1.SeccompProfile', 'p'], 11: ['appArmorProfile', 'core.v1.AppArmorProfile', 'p'],
    13: ['seLinuxChangePolicy', S, 'p'],
  },
  'core.v1.Sysctl': { 1: ['name', S, 'k'], 2: ['value', S, 'k'] },
  'core.v1.Affinity': {
    1: ['nodeAffinity', 'core.v1.NodeAffinity', 'p'], 2: ['podAffinity', 'core.v1.PodAffinity', 'p'], 3: ['podAntiAffinity', 'core.v1.PodAntiAffinity', 'p'],
  },
  'core.v1.NodeAffinity': {
    1: ['requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.NodeSelector', 'p'],
    2: ['preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.PreferredSchedulingTerm', 'r'],
  },
  'core.v1.NodeSelector': { 1: ['nodeSelectorTerms', 'core.v1.NodeSelectorTerm', 'r'] },
  'core.v1.NodeSelectorTerm': { 1: ['matchExpressions', 'core.v1.NodeSelectorRequirement', 'r'], 2: ['matchFields', 'core.v1.NodeSelectorRequirement', 'r'] },
  'core.v1.NodeSelectorRequirement': { 1: ['key', S, 'k'], 2: ['operator', S, 'k'], 3: ['values', S, 'r'] },
  'core.v1.PreferredSchedulingTerm': { 1: ['weight', I32, 'k'], 2: ['preference', 'core.v1.NodeSelectorTerm'] },
  'core.v1.PodAffinity': {
    1: ['requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.PodAffinityTerm', 'r'],
    2: ['preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.WeightedPodAffinityTerm', 'r'],
  },
  'core.v1.PodAntiAffinity': {
    1: ['requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.PodAffinityTerm', 'r'],
    2: ['preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.WeightedPodAffinityTerm', 'r'],
  },
  'core.v1.PodAffinityTerm': {
    1: ['labelSelector', 'meta.v1.LabelSelector', 'p'], 2: ['namespaces', S, 'r'], 3: ['topologyKey', S, 'k'],
    4: ['namespaceSelector', 'meta.v1.LabelSelector', 'p'], 5: ['matchLabelKeys', S, 'r'], 6: ['mismatchLabelKeys', S, 'r'],
  },
  'core.v1.WeightedPodAffinityTerm': { 1: ['weight', I32, 'k'], 2: ['podAffinityTerm', 'core.v1.PodAffinityTerm'] },
  'core.v1.Toleration': { 1: ['key', S], 2: ['operator', S], 3: ['value', S], 4: ['effect', S], 5: ['tolerationSeconds', I64, 'p'] },
  'core.v1.HostAlias': { 1: ['ip', S, 'k'], 2: ['hostnames', S, 'r'] },
  'core.v1.PodDNSConfig': { 1: ['nameservers', S, 'r'], 2: ['searches', S, 'r'], 3: ['options', 'core.v1.PodDNSConfigOption', 'r'] },
  'core.v1.PodDNSConfigOption': { 1: ['name', S], 2: ['value', S, 'p'] },
  'core.v1.PodReadinessGate': { 1: ['conditionType', S, 'k'] },
  'core.v1.TopologySpreadConstraint': {
    1: ['maxSkew', I32, 'k'], 2: ['topologyKey', S, 'k'], 3: ['whenUnsatisfiable', S, 'k'], 4: ['labelSelector', 'meta.v1.LabelSelector', 'p'],
    5: ['minDomains', I32, 'p'], 6: ['nodeAffinityPolicy', S, 'p'], 7: ['nodeTaintsPolicy', S, 'p'], 8: ['matchLabelKeys', S, 'r'],
  },
  'core.v1.PodOS': { 1: ['name', S, 'k'] },
  'core.v1.PodSchedulingGate': { 1: ['name', S, 'k'] },
  'core.v1.PodResourceClaim': { 1: ['name', S, 'k'], 3: ['resourceClaimName', S, 'p'], 4: ['resourceClaimTemplateName', S, 'p'] },

  // ---- core/v1: volumes of the common kinds (VolumeSource is inlined into Volume) ----
  'core.v1.Volume': { 1: ['name', S, 'k'], 2: ['volumeSource', 'core.v1.VolumeSource', 'i'] },
  'core.v1.VolumeSource': {
    1: ['hostPath', 'core.v1.HostPathVolumeSource', 'p'], 2: ['emptyDir', 'core.v1.EmptyDirVolumeSource', 'p'],
    6: ['secret', 'core.v1.SecretVolumeSource', 'p'], 7: ['nfs', 'core.v1.NFSVolumeSource', 'p'],
    10: ['persistentVolumeClaim', 'core.v1.PersistentVolumeClaimVolumeSource', 'p'], 16: ['downwardAPI', 'core.v1.DownwardAPIVolumeSource', 'p'],
    19: ['configMap', 'core.v1.ConfigMapVolumeSource', 'p'], 26: ['projected', 'core.v1.ProjectedVolumeSource', 'p'],
    28: ['csi', 'core.v1.CSIVolumeSource', 'p'], 29: ['ephemeral', 'core.v1.EphemeralVolumeSource', 'p'], 30: ['image', 'core.v1.ImageVolumeSource', 'p'],
  },
  'core.v1.HostPathVolumeSource': { 1: ['path', S, 'k'], 2: ['type', S, 'p'] },
  'core.v1.EmptyDirVolumeSource': { 1: ['medium', S], 2: ['sizeLimit', 'qty', 'p'] },
  'core.v1.SecretVolumeSource': { 1: ['secretName', S], 2: ['items', 'core.v1.KeyToPath', 'r'], 3: ['defaultMode', I32, 'p'], 4: ['optional', B, 'p'] },
  'core.v1.NFSVolumeSource': { 1: ['server', S, 'k'], 2: ['path', S, 'k'], 3: ['readOnly', B] },
  'core.v1.PersistentVolumeClaimVolumeSource': { 1: ['claimName', S, 'k'], 2: ['readOnly', B] },
  'core.v1.DownwardAPIVolumeSource': { 1: ['items', 'core.v1.DownwardAPIVolumeFile', 'r'], 2: ['defaultMode', I32, 'p'] },
  'core.v1.DownwardAPIVolumeFile': {
    1: ['path', S, 'k'], 2: ['fieldRef', 'core.v1.ObjectFieldSelector', 'p'], 3: ['resourceFieldRef', 'core.v1.ResourceFieldSelector', 'p'],
    4: ['mode', I32, 'p'],
  },
  'core.v1.ConfigMapVolumeSource': {
    1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['items', 'core.v1.KeyToPath', 'r'], 3: ['defaultMode', I32, 'p'],
    4: ['optional', B, 'p'],
  },
  'core.v1.KeyToPath': { 1: ['key', S, 'k'], 2: ['path', S, 'k'], 3: ['mode', I32, 'p'] },
  'core.v1.ProjectedVolumeSource': { 1: ['sources', 'core.v1.VolumeProjection', 'r'], 2: ['defaultMode', I32, 'p'] },
  'core.v1.VolumeProjection': {
    1: ['secret', 'core.v1.SecretProjection', 'p'], 2: ['downwardAPI', 'core.v1.DownwardAPIProjection', 'p'],
    3: ['configMap', 'core.v1.ConfigMapProjection', 'p'], 4: ['serviceAccountToken', 'core.v1.ServiceAccountTokenProjection', 'p'],
    5: ['clusterTrustBundle', 'core.v1.ClusterTrustBundleProjection', 'p'],
  },
  'core.v1.SecretProjection': { 1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['items', 'core.v1.KeyToPath', 'r'], 4: ['optional', B, 'p'] },
  'core.v1.ConfigMapProjection': { 1: ['localObjectReference', 'core.v1.LocalObjectReference', 'i'], 2: ['items', 'core.v1.KeyToPath', 'r'], 4: ['optional', B, 'p'] },
  'core.v1.DownwardAPIProjection': { 1: ['items', 'core.v1.DownwardAPIVolumeFile', 'r'] },
  'core.v1.ServiceAccountTokenProjection': { 1: ['audience', S], 2: ['expirationSeconds', I64, 'p'], 3: ['path', S, 'k'] },
  'core.v1.ClusterTrustBundleProjection': {
    1: ['name', S, 'p'], 2: ['signerName', S, 'p'], 3: ['labelSelector', 'meta.v1.LabelSelector', 'p'], 5: ['optional', B, 'p'], 4: ['path', S, 'k'],
  },
  'core.v1.CSIVolumeSource': {
    1: ['driver', S, 'k'], 2: ['readOnly', B, 'p'], 3: ['fsType', S, 'p'], 4: ['volumeAttributes', '{s}'],
    5: ['nodePublishSecretRef', 'core.v1.LocalObjectReference', 'p'],
  },
  'core.v1.EphemeralVolumeSource': { 1: ['volumeClaimTemplate', 'core.v1.PersistentVolumeClaimTemplate', 'p'] },
  'core.v1.PersistentVolumeClaimTemplate': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'core.v1.PersistentVolumeClaimSpec'] },
  'core.v1.PersistentVolumeClaimSpec': {
    1: ['accessModes', S, 'r'], 4: ['selector', 'meta.v1.LabelSelector', 'p'], 2: ['resources', 'core.v1.VolumeResourceRequirements'],
    3: ['volumeName', S], 5: ['storageClassName', S, 'p'], 6: ['volumeMode', S, 'p'], 7: ['dataSource', 'core.v1.TypedLocalObjectReference', 'p'],
    8: ['dataSourceRef', 'core.v1.TypedObjectReference', 'p'], 9: ['volumeAttributesClassName', S, 'p'],
  },
  'core.v1.VolumeResourceRequirements': { 1: ['limits', '{qty}'], 2: ['requests', '{qty}'] },
  'core.v1.TypedLocalObjectReference': { 1: ['apiGroup', S, 'p'], 2: ['kind', S, 'k'], 3: ['name', S, 'k'] },
  'core.v1.TypedObjectReference': { 1: ['apiGroup', S, 'p'], 2: ['kind', S, 'k'], 3: ['name', S, 'k'], 4: ['namespace', S, 'p'] },
  'core.v1.ImageVolumeSource': { 1: ['reference', S], 2: ['pullPolicy', S] },

  // ---- apps/v1 (k8s.io/api/apps/v1/generated.proto) ----
  'apps.v1.Deployment': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'apps.v1.DeploymentSpec'], 3: ['status', 'apps.v1.DeploymentStatus'] },
  'apps.v1.DeploymentSpec': {
    1: ['replicas', I32, 'p'], 2: ['selector', 'meta.v1.LabelSelector', 'p'], 3: ['template', 'core.v1.PodTemplateSpec'],
    4: ['strategy', 'apps.v1.DeploymentStrategy'], 5: ['minReadySeconds', I32], 6: ['revisionHistoryLimit', I32, 'p'], 7: ['paused', B],
    9: ['progressDeadlineSeconds', I32, 'p'],
  },
  'apps.v1.DeploymentStrategy': { 1: ['type', S], 2: ['rollingUpdate', 'apps.v1.RollingUpdateDeployment', 'p'] },
  'apps.v1.RollingUpdateDeployment': { 1: ['maxUnavailable', 'ios', 'p'], 2: ['maxSurge', 'ios', 'p'] },
  'apps.v1.DeploymentStatus': {
    1: ['observedGeneration', I64], 2: ['replicas', I32], 3: ['updatedReplicas', I32], 7: ['readyReplicas', I32], 4: ['availableReplicas', I32],
    5: ['unavailableReplicas', I32], 6: ['conditions', 'apps.v1.DeploymentCondition', 'r'], 8: ['collisionCount', I32, 'p'],
  },
  'apps.v1.DeploymentCondition': {
    1: ['type', S, 'k'], 2: ['status', S, 'k'], 6: ['lastUpdateTime', 'time'], 7: ['lastTransitionTime', 'time'], 4: ['reason', S], 5: ['message', S],
  },

  // ---- batch/v1 (k8s.io/api/batch/v1/generated.proto) ----
  'batch.v1.Job': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'batch.v1.JobSpec'], 3: ['status', 'batch.v1.JobStatus'] },
  'batch.v1.JobSpec': {
    1: ['parallelism', I32, 'p'], 2: ['completions', I32, 'p'], 3: ['activeDeadlineSeconds', I64, 'p'],
    11: ['podFailurePolicy', 'batch.v1.PodFailurePolicy', 'p'], 16: ['successPolicy', 'batch.v1.SuccessPolicy', 'p'], 7: ['backoffLimit', I32, 'p'],
    12: ['backoffLimitPerIndex', I32, 'p'], 13: ['maxFailedIndexes', I32, 'p'], 4: ['selector', 'meta.v1.LabelSelector', 'p'],
    5: ['manualSelector', B, 'p'], 6: ['template', 'core.v1.PodTemplateSpec'], 8: ['ttlSecondsAfterFinished', I32, 'p'],
    9: ['completionMode', S, 'p'], 10: ['suspend', B, 'p'], 14: ['podReplacementPolicy', S, 'p'], 15: ['managedBy', S, 'p'],
  },
  'batch.v1.PodFailurePolicy': { 1: ['rules', 'batch.v1.PodFailurePolicyRule', 'r'] },
  'batch.v1.PodFailurePolicyRule': {
    1: ['action', S, 'k'], 2: ['onExitCodes', 'batch.v1.PodFailurePolicyOnExitCodesRequirement', 'p'],
    3: ['onPodConditions', 'batch.v1.PodFailurePolicyOnPodConditionsPattern', 'r'],
  },
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': { 1: ['containerName', S, 'p'], 2: ['operator', S, 'k'], 3: ['values', I32, 'r'] },
  'batch.v1.PodFailurePolicyOnPodConditionsPattern': { 1: ['type', S, 'k'], 2: ['status', S, 'k'] },
  'batch.v1.SuccessPolicy': { 1: ['rules', 'batch.v1.SuccessPolicyRule', 'r'] },
  'batch.v1.SuccessPolicyRule': { 1: ['succeededIndexes', S, 'p'], 2: ['succeededCount', I32, 'p'] },
  'batch.v1.JobStatus': {
    1: ['conditions', 'batch.v1.JobCondition', 'r'], 2: ['startTime', 'time', 'p'], 3: ['completionTime', 'time', 'p'], 4: ['active', I32],
    5: ['succeeded', I32], 6: ['failed', I32], 11: ['terminating', I32, 'p'], 7: ['completedIndexes', S], 10: ['failedIndexes', S, 'p'],
    8: ['uncountedTerminatedPods', 'batch.v1.UncountedTerminatedPods', 'p'], 9: ['ready', I32, 'p'],
  },
  'batch.v1.JobCondition': {
    1: ['type', S, 'k'], 2: ['status', S, 'k'], 3: ['lastProbeTime', 'time'], 4: ['lastTransitionTime', 'time'], 5: ['reason', S], 6: ['message', S],
  },
  'batch.v1.UncountedTerminatedPods': { 1: ['succeeded', S, 'r'], 2: ['failed', S, 'r'] },
  'batch.v1.CronJob': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'batch.v1.CronJobSpec'], 3: ['status', 'batch.v1.CronJobStatus'] },
  'batch.v1.CronJobSpec': {
    1: ['schedule', S, 'k'], 8: ['timeZone', S, 'p'], 2: ['startingDeadlineSeconds', I64, 'p'], 3: ['concurrencyPolicy', S], 4: ['suspend', B, 'p'],
    5: ['jobTemplate', 'batch.v1.JobTemplateSpec'], 6: ['successfulJobsHistoryLimit', I32, 'p'], 7: ['failedJobsHistoryLimit', I32, 'p'],
  },
  'batch.v1.JobTemplateSpec': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'batch.v1.JobSpec'] },
  'batch.v1.CronJobStatus': { 1: ['active', 'core.v1.ObjectReference', 'r'], 4: ['lastScheduleTime', 'time', 'p'], 5: ['lastSuccessfulTime', 'time', 'p'] },

  // ---- scheduling/v1 (k8s.io/api/scheduling/v1/generated.proto) ----
  'scheduling.v1.PriorityClass': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['value', I32, 'k'], 3: ['globalDefault', B], 4: ['description', S], 5: ['preemptionPolicy', S, 'p'],
  },

  // ---- authorization/v1 (k8s.io/api/authorization/v1/generated.proto) ----
  'authorization.v1.SelfSubjectAccessReview': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'authorization.v1.SelfSubjectAccessReviewSpec'], 3: ['status', 'authorization.v1.SubjectAccessReviewStatus'],
  },
  'authorization.v1.SelfSubjectAccessReviewSpec': {
    1: ['resourceAttributes', 'authorization.v1.ResourceAttributes', 'p'], 2: ['nonResourceAttributes', 'authorization.v1.NonResourceAttributes', 'p'],
  },
  'authorization.v1.SubjectAccessReview': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'authorization.v1.SubjectAccessReviewSpec'], 3: ['status', 'authorization.v1.SubjectAccessReviewStatus'],
  },
  'authorization.v1.LocalSubjectAccessReview': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'authorization.v1.SubjectAccessReviewSpec'], 3: ['status', 'authorization.v1.SubjectAccessReviewStatus'],
  },
  'authorization.v1.SubjectAccessReviewSpec': {
    1: ['resourceAttributes', 'authorization.v1.ResourceAttributes', 'p'], 2: ['nonResourceAttributes', 'authorization.v1.NonResourceAttributes', 'p'],
    3: ['user', S], 4: ['groups', S, 'r'], 5: ['extra', '{authorization.v1.ExtraValue}'], 6: ['uid', S],
  },
  'authorization.v1.ExtraValue': { 1: ['items', S, 'r'] },
  'authorization.v1.ResourceAttributes': {
    1: ['namespace', S], 2: ['verb', S], 3: ['group', S], 4: ['version', S], 5: ['resource', S], 6: ['subresource', S], 7: ['name', S],
    8: ['fieldSelector', 'authorization.v1.FieldSelectorAttributes', 'p'], 9: ['labelSelector', 'authorization.v1.LabelSelectorAttributes', 'p'],
  },
  'authorization.v1.FieldSelectorAttributes': { 1: ['rawSelector', S], 2: ['requirements', 'meta.v1.FieldSelectorRequirement', 'r'] },
  'authorization.v1.LabelSelectorAttributes': { 1: ['rawSelector', S], 2: ['requirements', 'meta.v1.LabelSelectorRequirement', 'r'] },
  'meta.v1.FieldSelectorRequirement': { 1: ['key', S, 'k'], 2: ['operator', S, 'k'], 3: ['values', S, 'r'] },
  'authorization.v1.NonResourceAttributes': { 1: ['path', S], 2: ['verb', S] },
  'authorization.v1.SubjectAccessReviewStatus': { 1: ['allowed', B, 'k'], 4: ['denied', B], 2: ['reason', S], 3: ['evaluationError', S] },
  'authorization.v1.SelfSubjectRulesReview': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'authorization.v1.SelfSubjectRulesReviewSpec'], 3: ['status', 'authorization.v1.SubjectRulesReviewStatus'],
  },
  'authorization.v1.SelfSubjectRulesReviewSpec': { 1: ['namespace', S] },
  'authorization.v1.SubjectRulesReviewStatus': {
    1: ['resourceRules', 'authorization.v1.ResourceRule', 'r'], 2: ['nonResourceRules', 'authorization.v1.NonResourceRule', 'r'],
    3: ['incomplete', B, 'k'], 4: ['evaluationError', S],
  },
  'authorization.v1.ResourceRule': { 1: ['verbs', S, 'r'], 2: ['apiGroups', S, 'r'], 3: ['resources', S, 'r'], 4: ['resourceNames', S, 'r'] },
  'authorization.v1.NonResourceRule': { 1: ['verbs', S, 'r'], 2: ['nonResourceURLs', S, 'r'] },

  // ---- core/v1 ServiceAccount (kubectl create serviceaccount) ----
  'core.v1.ServiceAccount': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['secrets', 'core.v1.ObjectReference', 'r'],
    3: ['imagePullSecrets', 'core.v1.LocalObjectReference', 'r'], 4: ['automountServiceAccountToken', B, 'p'],
  },

  // ---- policy/v1 (k8s.io/api/policy/v1/generated.proto): kubectl create pdb, drain's evictions ----
  'policy.v1.PodDisruptionBudget': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'policy.v1.PodDisruptionBudgetSpec'], 3: ['status', 'policy.v1.PodDisruptionBudgetStatus'],
  },
  'policy.v1.PodDisruptionBudgetSpec': {
    1: ['minAvailable', 'ios', 'p'], 2: ['selector', 'meta.v1.LabelSelector', 'p'], 3: ['maxUnavailable', 'ios', 'p'],
    4: ['unhealthyPodEvictionPolicy', S, 'p'],
  },
  'policy.v1.PodDisruptionBudgetStatus': {
    1: ['observedGeneration', I64], 2: ['disruptedPods', '{time}'], 3: ['disruptionsAllowed', I32, 'k'], 4: ['currentHealthy', I32, 'k'],
    5: ['desiredHealthy', I32, 'k'], 6: ['expectedPods', I32, 'k'], 7: ['conditions', 'meta.v1.Condition', 'r'],
  },
  'policy.v1.Eviction': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['deleteOptions', 'meta.v1.DeleteOptions', 'p'] },
  'meta.v1.DeleteOptions': {
    1: ['gracePeriodSeconds', I64, 'p'], 2: ['preconditions', 'meta.v1.Preconditions', 'p'], 3: ['orphanDependents', B, 'p'],
    4: ['propagationPolicy', S, 'p'], 5: ['dryRun', S, 'r'], 6: ['ignoreStoreReadErrorWithClusterBreakingPotential', B, 'p'],
  },
  'meta.v1.Preconditions': { 1: ['uid', S, 'p'], 2: ['resourceVersion', S, 'p'] },

  // ---- autoscaling/v1 (k8s.io/api/autoscaling/v1/generated.proto): kubectl autoscale ----
  'autoscaling.v1.HorizontalPodAutoscaler': {
    1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['spec', 'autoscaling.v1.HorizontalPodAutoscalerSpec'], 3: ['status', 'autoscaling.v1.HorizontalPodAutoscalerStatus'],
  },
  'autoscaling.v1.HorizontalPodAutoscalerSpec': {
    1: ['scaleTargetRef', 'autoscaling.v1.CrossVersionObjectReference'], 2: ['minReplicas', I32, 'p'], 3: ['maxReplicas', I32, 'k'],
    4: ['targetCPUUtilizationPercentage', I32, 'p'],
  },
  'autoscaling.v1.CrossVersionObjectReference': { 1: ['kind', S, 'k'], 2: ['name', S, 'k'], 3: ['apiVersion', S] },
  'autoscaling.v1.HorizontalPodAutoscalerStatus': {
    1: ['observedGeneration', I64, 'p'], 2: ['lastScaleTime', 'time', 'p'], 3: ['currentReplicas', I32, 'k'], 4: ['desiredReplicas', I32, 'k'],
    5: ['currentCPUUtilizationPercentage', I32, 'p'],
  },
  // ---- rbac/v1 (k8s.io/api/rbac/v1/generated.proto) ----
  'rbac.v1.Role': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['rules', 'rbac.v1.PolicyRule', 'r'] },
  'rbac.v1.ClusterRole': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['rules', 'rbac.v1.PolicyRule', 'r'], 3: ['aggregationRule', 'rbac.v1.AggregationRule', 'p'] },
  'rbac.v1.AggregationRule': { 1: ['clusterRoleSelectors', 'meta.v1.LabelSelector', 'r'] },
  'rbac.v1.PolicyRule': { 1: ['verbs', S, 'r'], 2: ['apiGroups', S, 'r'], 3: ['resources', S, 'r'], 4: ['resourceNames', S, 'r'], 5: ['nonResourceURLs', S, 'r'] },
  'rbac.v1.RoleBinding': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['subjects', 'rbac.v1.Subject', 'r'], 3: ['roleRef', 'rbac.v1.RoleRef'] },
  'rbac.v1.ClusterRoleBinding': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['subjects', 'rbac.v1.Subject', 'r'], 3: ['roleRef', 'rbac.v1.RoleRef'] },
  'rbac.v1.RoleRef': { 1: ['apiGroup', S, 'k'], 2: ['kind', S, 'k'], 3: ['name', S, 'k'] },
  'rbac.v1.Subject': { 1: ['kind', S, 'k'], 2: ['apiGroup', S], 3: ['name', S, 'k'], 4: ['namespace', S] },
  // ---- authentication/v1 (k8s.io/api/authentication/v1/generated.proto) ----
  'authentication.v1.SelfSubjectReview': { 1: ['metadata', 'meta.v1.ObjectMeta'], 2: ['status', 'authentication.v1.SelfSubjectReviewStatus'] },
  'authentication.v1.SelfSubjectReviewStatus': { 1: ['userInfo', 'authentication.v1.UserInfo'] },
  'authentication.v1.UserInfo': { 1: ['username', S], 2: ['uid', S], 3: ['groups', S, 'r'], 4: ['extra', '{authentication.v1.ExtraValue}'] },
  'authentication.v1.ExtraValue': { 1: ['items', S, 'r'] },
};

/** The top-level message of each kind the decoder accepts, by "group/version/Kind" ("" group for core). */
export const KINDS: Record<string, string> = {
  '/v1/Namespace': 'core.v1.Namespace',
  '/v1/ConfigMap': 'core.v1.ConfigMap',
  '/v1/Secret': 'core.v1.Secret',
  '/v1/Service': 'core.v1.Service',
  '/v1/ResourceQuota': 'core.v1.ResourceQuota',
  'apps/v1/Deployment': 'apps.v1.Deployment',
  'batch/v1/Job': 'batch.v1.Job',
  'batch/v1/CronJob': 'batch.v1.CronJob',
  'scheduling.k8s.io/v1/PriorityClass': 'scheduling.v1.PriorityClass',
  '/v1/ServiceAccount': 'core.v1.ServiceAccount',
  'policy/v1/PodDisruptionBudget': 'policy.v1.PodDisruptionBudget',
  'policy/v1/Eviction': 'policy.v1.Eviction',
  'autoscaling/v1/HorizontalPodAutoscaler': 'autoscaling.v1.HorizontalPodAutoscaler',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'authorization.v1.SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'authorization.v1.SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'authorization.v1.LocalSubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'authentication.v1.SelfSubjectReview',
  'rbac.authorization.k8s.io/v1/Role': 'rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac.v1.ClusterRoleBinding',
};

/** The Go/OpenAPI name of a message, as Kubernetes' errors print it: io.k8s.api.core.v1.PodSpec. */
export function qualifiedName(message: string): string {
  if (message.startsWith('meta.')) return `io.k8s.apimachinery.pkg.apis.${message}`;
  if (message.startsWith('runtime.')) return `io.k8s.apimachinery.pkg.${message}`;
  return `io.k8s.api.${message}`;
}
