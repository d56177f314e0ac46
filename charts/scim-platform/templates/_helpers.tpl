{{/*
Helpers shared by the templates. Per-service helpers take a dict: (dict "root" $ "svc" $svc), where $svc is one
entry of .Values.services.
*/}}

{{/* Chart name, cut to a DNS label. */}}
{{- define "scim-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart>, or the release name alone when it already contains the chart name. */}}
{{- define "scim-platform.fullname" -}}
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

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "scim-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "scim-platform.labels" -}}
helm.sh/chart: {{ include "scim-platform.chart" . }}
{{ include "scim-platform.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: assure-scim
sheassure.net/stack: {{ .Values.global.stack | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of the release. */}}
{{- define "scim-platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scim-platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Name of one service's objects: <fullname>-<appId>. */}}
{{- define "scim-platform.componentName" -}}
{{- $svc := .svc }}
{{- printf "%s-%s" (include "scim-platform.fullname" .root) $svc.appId | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of one service's objects. */}}
{{- define "scim-platform.componentLabels" -}}
{{- $svc := .svc -}}
{{ include "scim-platform.labels" .root }}
app.kubernetes.io/component: {{ $svc.appId }}
{{- end }}

{{/* Selector labels of one service's pods. */}}
{{- define "scim-platform.componentSelectorLabels" -}}
{{- $svc := .svc -}}
{{ include "scim-platform.selectorLabels" .root }}
app.kubernetes.io/component: {{ $svc.appId }}
{{- end }}

{{/* ServiceAccount of one service. */}}
{{- define "scim-platform.serviceAccountName" -}}
{{- $svc := .svc }}
{{- if $svc.serviceAccount.create }}
{{- default (include "scim-platform.componentName" .) $svc.serviceAccount.name }}
{{- else }}
{{- default "default" $svc.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image of one service: [registry/]repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "scim-platform.image" -}}
{{- $root := .root }}
{{- $svc := .svc }}
{{- $tag := $svc.image.tag | default $root.Values.global.image.tag | default $root.Chart.AppVersion }}
{{- if $root.Values.global.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" $root.Values.global.image.registry) $svc.image.repository $tag }}
{{- else }}
{{- printf "%s:%s" $svc.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Public host of the SCIM API: scim.<stack>.<domain> unless scim.host overrides it. */}}
{{- define "scim-platform.host" -}}
{{- if .Values.scim.host }}
{{- .Values.scim.host }}
{{- else }}
{{- printf "scim.%s.%s" .Values.global.stack .Values.global.domain }}
{{- end }}
{{- end }}

{{/* Base URL SCIM meta.location is built from; the edge never derives it from the Host header. */}}
{{- define "scim-platform.publicBaseUrl" -}}
{{- if .Values.scim.publicBaseUrl }}
{{- .Values.scim.publicBaseUrl }}
{{- else }}
{{- printf "https://%s%s" (include "scim-platform.host" .) .Values.scim.basePath }}
{{- end }}
{{- end }}

{{/* Secret of the ingress certificate. */}}
{{- define "scim-platform.tlsSecretName" -}}
{{- default (printf "scim-%s-tls" .Values.global.stack) .Values.ingress.tls.secretName }}
{{- end }}

{{/* Name of a Dapr Configuration: (dict "root" $ "config" "edge"|"internal"). */}}
{{- define "scim-platform.daprConfigName" -}}
{{- printf "%s-%s" (include "scim-platform.fullname" .root) .config | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Dapr component type of the chosen broker. */}}
{{- define "scim-platform.pubsubType" -}}
{{- $type := .Values.dapr.pubsub.type }}
{{- if eq $type "redis" }}pubsub.redis
{{- else if eq $type "kafka" }}pubsub.kafka
{{- else if eq $type "azure-servicebus" }}pubsub.azure.servicebus.topics
{{- else }}{{ fail (printf "dapr.pubsub.type %q is not redis, kafka or azure-servicebus" $type) }}
{{- end }}
{{- end }}

{{/* OTLP endpoint as host:port, the form Dapr's tracing exporter takes. */}}
{{- define "scim-platform.otlpAddress" -}}
{{- .Values.telemetry.otlp.endpoint | trimPrefix "https://" | trimPrefix "http://" }}
{{- end }}

{{/* Tracing and metrics of every Dapr Configuration. */}}
{{- define "scim-platform.daprObservability" -}}
tracing:
  {{- if .Values.telemetry.otlp.endpoint }}
  samplingRate: {{ .Values.telemetry.samplingRatio | quote }}
  otel:
    endpointAddress: {{ include "scim-platform.otlpAddress" . | quote }}
    isSecure: {{ hasPrefix "https://" .Values.telemetry.otlp.endpoint }}
    protocol: {{ eq .Values.telemetry.otlp.protocol "grpc" | ternary "grpc" "http" }}
  {{- else }}
  samplingRate: "0"
  {{- end }}
metric:
  enabled: true
{{- end }}

{{/* OTEL_RESOURCE_ATTRIBUTES of one service: stack, namespace and version, then telemetry.resourceAttributes. */}}
{{- define "scim-platform.otelResourceAttributes" -}}
{{- $root := .root }}
{{- $svc := .svc }}
{{- $attrs := list "service.namespace=assure-scim" }}
{{- $attrs = append $attrs (printf "service.version=%s" ($svc.image.tag | default $root.Values.global.image.tag | default $root.Chart.AppVersion)) }}
{{- $attrs = append $attrs (printf "deployment.environment.name=%s" $root.Values.global.stack) }}
{{- $attrs = append $attrs (printf "k8s.namespace.name=%s" $root.Release.Namespace) }}
{{- range $key, $value := $root.Values.telemetry.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%v" $key $value) }}
{{- end }}
{{- join "," $attrs }}
{{- end }}
