{{/* Chart name, overridable. */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix: <release>-sluice, or the release name when it already contains the chart name. */}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the operator's Deployment, Service, Roles and bindings. */}}
{{- define "sluice.operatorName" -}}
{{- printf "%s-operator" (include "sluice.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The leader-election Lease: one per release, so two releases never share it. */}}
{{- define "sluice.leaseName" -}}
{{- printf "%s-leader" (include "sluice.operatorName" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Selector labels of the operator pods. The operator also receives them as
SLUICE_OPERATOR_POD_LABELS: each KafkaConnect's NetworkPolicy admits these pods
(in the release namespace) to the workers' REST port.
*/}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: sluice-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.labels" -}}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "sluice.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "sluice.runtimeImage" -}}
{{- printf "%s:%s" .Values.runtimeImage.repository (default .Chart.AppVersion .Values.runtimeImage.tag) }}
{{- end }}

{{/* "true" when leader election is on: asked for, or needed because more than one replica runs. */}}
{{- define "sluice.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{/*
What the operator does in the namespaces it watches, and nothing else
(operator/src: operator.ts, reconcile/, kube/). It never reads Secrets (they
are only mounted into worker pods) and never reads Pods (it observes the
workloads' status). API discovery (/api, /apis) is granted to every
authenticated user by the system:discovery ClusterRole.
*/}}
{{- define "sluice.rules" -}}
# KafkaConnect: the primary resource, read through a list+watch cache.
- apiGroups: [sluice.dev]
  resources: [kafkaconnects]
  verbs: [list, watch]
# Status of both kinds, written as a merge patch on /status.
- apiGroups: [sluice.dev]
  resources: [kafkaconnects/status, connectors/status]
  verbs: [patch]
# Children carry a controller owner reference with blockOwnerDeletion: true;
# where the OwnerReferencesPermissionEnforcement admission plugin runs
# (e.g. OpenShift) that needs update on the owner's finalizers.
- apiGroups: [sluice.dev]
  resources: [kafkaconnects/finalizers]
  verbs: [update]
# Connector: list+watch cache; get reads the auto-restart counters fresh;
# patch adds/removes the sluice.dev/connector-cleanup finalizer and clears
# handled sluice.dev/restart* and sluice.dev/offsets annotations.
- apiGroups: [sluice.dev]
  resources: [connectors]
  verbs: [get, list, watch, patch]
# Workloads: Deployment (standalone) and StatefulSet (distributed), watched
# (label app.kubernetes.io/managed-by=sluice-operator), server-side applied
# (create + patch) and deleted when a KafkaConnect switches mode; get: an
# object of a child's name is read before it is applied or deleted, so that
# one the operator did not create is never taken over (ResourceConflict).
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get, list, watch, create, patch, delete]
# ConfigMaps: <name>-connect-config (worker.properties; watched by label and
# applied) and <connector>-offsets (applied on `sluice.dev/offsets: list`,
# read on `alter`).
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create, patch]
# Services: the REST API Service (both modes) and the headless Service
# (distributed; deleted when switching to standalone).
- apiGroups: [""]
  resources: [services]
  verbs: [get, create, patch, delete]
# The workers' ServiceAccount (no token, no role) and the standalone data PVC:
# applied only (the garbage collector deletes owned ones).
- apiGroups: [""]
  resources: [serviceaccounts, persistentvolumeclaims]
  verbs: [get, create, patch]
# The distributed workers' PodDisruptionBudget (deleted when switching to standalone).
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, create, patch, delete]
# The REST API certificates of each KafkaConnect: Secrets <n>-connect-rest-{ca,server,operator,client},
# read back (get) after an operator restart, applied (create + patch) when made or renewed.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, create, patch]
# The NetworkPolicy that lets only the workers and the operator reach port 8083.
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, create, patch]
# Events about KafkaConnects and Connectors (core/v1); a repeat bumps the
# count of the existing Event with a patch.
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end }}

{{/*
With watchNamespaces: what releasing a Connector's finalizer needs once its
namespace is being deleted and the Role there is gone. The operator's caches
keep listing and watching both kinds, and the patch takes the finalizer off.
Only Sluice's own kinds; no status, no Secrets, no children.
*/}}
{{- define "sluice.cleanupRules" -}}
- apiGroups: [sluice.dev]
  resources: [kafkaconnects]
  verbs: [list, watch]
- apiGroups: [sluice.dev]
  resources: [connectors]
  verbs: [list, watch, patch]
{{- end }}

{{/* The selector labels as k=v,k=v (SLUICE_OPERATOR_POD_LABELS). */}}
{{- define "sluice.selectorLabelsList" -}}
{{- $pairs := list }}
{{- range $k, $v := include "sluice.selectorLabels" . | fromYaml }}
{{- $pairs = append $pairs (printf "%s=%s" $k $v) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}
