/**
 * The Kubernetes objects of deploy/k8s/base/generated/, built from the code so they cannot drift
 * from it: a KafkaTopic per topic of libs/events/src/topics.ts and its `.dlq` twin, and per
 * service its Deployment, Service, PodDisruptionBudget, KEDA ScaledObject, migration Job and
 * CloudNativePG cluster. `npm run k8s:generate` writes them; the render spec fails when the
 * committed files differ from what this module makes.
 */
import { ALL_TOPICS_WITH_DLQ } from '@duemap/events';

import { TOPIC_CONFIG } from '../local/topics';

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Metadata };
interface Metadata {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The Strimzi cluster (base/kafka.yaml) and how clients reach it. */
export const KAFKA_CLUSTER = 'duemap';
export const KAFKA_BOOTSTRAP = `${KAFKA_CLUSTER}-kafka-bootstrap:9092`;
/**
 * Partitions per topic in the base (production). A consumer group shares a topic's partitions
 * among its members, so more consumer replicas than this would sit idle: every consumer's
 * ScaledObject has maxReplicaCount = this (the dev overlay patches both to 2).
 */
export const TOPIC_PARTITIONS = 12;
export const TOPIC_REPLICAS = 3;

export interface ServiceSpec {
  name: string;
  /** Reads Kafka as consumer group `<name>`: scaled on that group's lag. */
  consumer: boolean;
  /** Also scaled on CPU (HTTP-heavy). */
  cpuScaled: boolean;
  minReplicas: number;
  /** Secret keys (of the `duemap-secrets` Secret) the service needs, by variable name. */
  secrets: readonly string[];
  cpu: string;
  memory: string;
}

/** The services of services/*, with what a deployment needs to know about each. */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'customers',
    consumer: true,
    cpuScaled: false,
    minReplicas: 2,
    secrets: ['CUSTOMERS_PII_KEY'],
    cpu: '500m',
    memory: '512Mi',
  },
  {
    name: 'geocoding',
    consumer: true,
    cpuScaled: false,
    minReplicas: 2,
    secrets: [],
    cpu: '500m',
    memory: '1Gi',
  },
  {
    name: 'invoicing',
    consumer: true,
    cpuScaled: false,
    minReplicas: 2,
    secrets: [],
    cpu: '500m',
    memory: '512Mi',
  },
  {
    name: 'payments',
    consumer: true,
    cpuScaled: true,
    minReplicas: 2,
    secrets: [],
    cpu: '500m',
    memory: '512Mi',
  },
  {
    name: 'notifications',
    consumer: true,
    cpuScaled: false,
    minReplicas: 2,
    secrets: [],
    cpu: '250m',
    memory: '512Mi',
  },
  {
    name: 'gateway',
    consumer: false,
    cpuScaled: true,
    minReplicas: 2,
    secrets: [],
    cpu: '500m',
    memory: '512Mi',
  },
];

export const IMAGE_PREFIX = 'duemap/';
export const HTTP_PORT = 8080;
/** The Secret every service reads its secrets from; created by the operator (overlays/dev has one). */
export const SECRETS_NAME = 'duemap-secrets';
export const CONFIG_NAME = 'duemap-config';

/** Kubernetes names are DNS labels: `payments.payment-received.v1.dlq` -> `payments-payment-received-v1-dlq`. */
export function topicResourceName(topic: string): string {
  return topic.replace(/[._]/g, '-').toLowerCase();
}

export function kafkaTopics(): Manifest[] {
  return ALL_TOPICS_WITH_DLQ.map((topic) => ({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: { name: topicResourceName(topic), labels: { 'strimzi.io/cluster': KAFKA_CLUSTER } },
    spec: {
      topicName: topic,
      partitions: TOPIC_PARTITIONS,
      replicas: TOPIC_REPLICAS,
      config: { ...TOPIC_CONFIG, 'min.insync.replicas': '2' },
    },
  }));
}

function labels(service: string, component = 'service'): Record<string, string> {
  return {
    'app.kubernetes.io/name': service,
    'app.kubernetes.io/part-of': 'duemap',
    'app.kubernetes.io/component': component,
  };
}

/** The serving pods of a service (not its migration Job's). */
const selector = (service: string): Record<string, string> => ({
  'app.kubernetes.io/name': service,
  'app.kubernetes.io/component': 'service',
});

export function databaseCluster(service: string): string {
  return `${service}-db`;
}

/** What every container of a service gets: the shared ConfigMap, its database, its secrets. */
function environment(spec: ServiceSpec): Record<string, unknown>[] {
  return [
    { name: 'SERVICE_NAME', value: spec.name },
    // CloudNativePG writes `<cluster>-app` with the application user's connection URI.
    {
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: `${databaseCluster(spec.name)}-app`, key: 'uri' } },
    },
    { name: 'IDENTITY_SECRET', valueFrom: { secretKeyRef: { name: SECRETS_NAME, key: 'IDENTITY_SECRET' } } },
    ...spec.secrets.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: SECRETS_NAME, key } } })),
  ];
}

const securityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
const podSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

function container(spec: ServiceSpec, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    name: spec.name,
    image: `${IMAGE_PREFIX}${spec.name}:latest`,
    envFrom: [{ configMapRef: { name: CONFIG_NAME } }],
    env: environment(spec),
    securityContext,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    ...extra,
  };
}

export function serviceManifests(spec: ServiceSpec): Manifest[] {
  const name = spec.name;
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name) },
    spec: {
      replicas: spec.minReplicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(name) },
        spec: {
          securityContext: podSecurityContext,
          // A consumer leaves its group and the relay finishes its claim on SIGTERM.
          terminationGracePeriodSeconds: 40,
          containers: [
            container(spec, {
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              resources: {
                requests: { cpu: spec.cpu, memory: spec.memory },
                limits: { memory: spec.memory },
              },
              // /health is readiness (database, outbox age, consumer lag, new dead letters);
              // liveness looks only at the process, so a stuck pipe never restarts pods in a loop.
              startupProbe: probe('/health/live', 2, 60),
              readinessProbe: probe('/health', 5, 3),
              livenessProbe: probe('/health/live', 10, 6),
            }),
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
  const service: Manifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name) },
    spec: { selector: selector(name), ports: [{ name: 'http', port: HTTP_PORT, targetPort: 'http' }] },
  };
  const pdb: Manifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, labels: labels(name) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(name) } },
  };
  const triggers: Record<string, unknown>[] = [];
  if (spec.consumer) {
    triggers.push({
      type: 'kafka',
      name: 'consumer-lag',
      metadata: {
        bootstrapServers: KAFKA_BOOTSTRAP,
        consumerGroup: name,
        // Total lag over the topics the group has offsets on, per replica.
        lagThreshold: '1000',
        activationLagThreshold: '0',
        offsetResetPolicy: 'earliest',
        allowIdleConsumers: 'false',
      },
    });
  }
  if (spec.cpuScaled) {
    triggers.push({ type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '70' } });
  }
  const scaledObject: Manifest = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, labels: labels(name) },
    spec: {
      scaleTargetRef: { name },
      minReplicaCount: spec.minReplicas,
      // A group's consumers beyond the partitions of its topics would sit idle.
      maxReplicaCount: spec.consumer ? TOPIC_PARTITIONS : 10,
      pollingInterval: 15,
      cooldownPeriod: 300,
      triggers,
    },
  };
  const migration: Manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${name}-migrate`,
      labels: labels(name, 'migration'),
      // Argo CD runs it before syncing the Deployments; with kubectl see the README.
      annotations: {
        'argocd.argoproj.io/hook': 'PreSync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      },
    },
    spec: {
      backoffLimit: 3,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: labels(name, 'migration') },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurityContext,
          containers: [
            container(spec, {
              name: 'migrate',
              command: [
                'node',
                '-r',
                '@swc-node/register',
                'deploy/local/migrate-service.ts',
                `/app/services/${name}/src/database/data-source.ts`,
              ],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
            }),
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
  const database: Manifest = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: databaseCluster(name), labels: labels(name, 'database') },
    spec: {
      instances: 2,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:16.6',
      primaryUpdateStrategy: 'unsupervised',
      storage: { size: '20Gi' },
      bootstrap: { initdb: { database: `duemap_${name}`, owner: `duemap_${name}` } },
      postgresql: { parameters: { max_connections: '200', shared_buffers: '256MB' } },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    },
  };
  return [deployment, service, pdb, scaledObject, migration, database];
}

/** File name (under base/generated/) -> its objects. */
export function generatedFiles(): Map<string, Manifest[]> {
  const files = new Map<string, Manifest[]>();
  files.set('topics.yaml', kafkaTopics());
  for (const spec of SERVICES) files.set(`${spec.name}.yaml`, serviceManifests(spec));
  return files;
}
