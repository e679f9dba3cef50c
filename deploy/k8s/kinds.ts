/**
 * The kinds deploy/k8s may contain, by `apiVersion/kind`, with the type their objects must match
 * field for field (validate.ts walks every rendered object along these types: an unknown field, a
 * missing required one or a wrong type fails). Kubernetes' own kinds and KEDA's come from the
 * `kubernetes-models` and `@kubernetes-models/keda` packages (generated from the Kubernetes
 * OpenAPI and KEDA's CRDs). Strimzi and CloudNativePG ship no such package: their types below are
 * the fields deploy/k8s uses, copied from the operators' CRDs (Strimzi 0.45 `kafka.strimzi.io/v1beta2`,
 * CloudNativePG 1.25 `postgresql.cnpg.io/v1`); a field not listed here fails until it is added.
 */
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';

type Quantity = string;
interface SecretKeySelector {
  name: string;
  key: string;
}

/** Strimzi: KafkaNodePool (KRaft, node pools). */
export interface KafkaNodePool {
  apiVersion: 'kafka.strimzi.io/v1beta2';
  kind: 'KafkaNodePool';
  metadata: IObjectMeta;
  spec: {
    replicas: number;
    roles: ('controller' | 'broker')[];
    storage: {
      type: 'jbod';
      volumes: {
        id: number;
        type: 'ephemeral' | 'persistent-claim';
        size?: Quantity;
        class?: string;
        deleteClaim?: boolean;
        kraftMetadata?: 'shared';
      }[];
    };
    resources?: IResourceRequirements;
  };
}

/** Strimzi: Kafka (the cluster; brokers come from node pools). */
export interface Kafka {
  apiVersion: 'kafka.strimzi.io/v1beta2';
  kind: 'Kafka';
  metadata: IObjectMeta;
  spec: {
    kafka: {
      version?: string;
      metadataVersion?: string;
      listeners: {
        name: string;
        port: number;
        type: 'internal' | 'route' | 'loadbalancer' | 'nodeport' | 'ingress' | 'cluster-ip';
        tls: boolean;
      }[];
      config?: Record<string, string | number | boolean>;
    };
    entityOperator?: {
      topicOperator?: {
        watchedNamespace?: string;
        reconciliationIntervalMs?: number;
        resources?: IResourceRequirements;
      };
      userOperator?: { watchedNamespace?: string; resources?: IResourceRequirements };
    };
  };
}

/** Strimzi: KafkaTopic, reconciled by the entity operator's topic operator. */
export interface KafkaTopic {
  apiVersion: 'kafka.strimzi.io/v1beta2';
  kind: 'KafkaTopic';
  metadata: IObjectMeta;
  spec: {
    topicName?: string;
    partitions?: number;
    replicas?: number;
    config?: Record<string, string | number | boolean>;
  };
}

/** CloudNativePG: a PostgreSQL cluster (primary + streaming replicas) per service. */
export interface PostgresCluster {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  metadata: IObjectMeta;
  spec: {
    instances: number;
    imageName?: string;
    primaryUpdateStrategy?: 'unsupervised' | 'supervised';
    storage: { size: Quantity; storageClass?: string };
    bootstrap?: { initdb?: { database: string; owner: string; secret?: { name: string } } };
    postgresql?: { parameters?: Record<string, string> };
    resources?: IResourceRequirements;
    backup?: {
      retentionPolicy?: string;
      barmanObjectStore?: {
        destinationPath: string;
        endpointURL?: string;
        s3Credentials?: { accessKeyId: SecretKeySelector; secretAccessKey: SecretKeySelector };
        wal?: { compression?: 'gzip' | 'bzip2' | 'snappy'; maxParallel?: number };
        data?: { compression?: 'gzip' | 'bzip2' | 'snappy'; jobs?: number };
      };
    };
  };
}

/** CloudNativePG: a base backup on a schedule (six fields, seconds first). */
export interface ScheduledBackup {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'ScheduledBackup';
  metadata: IObjectMeta;
  spec: {
    schedule: string;
    cluster: { name: string };
    backupOwnerReference?: 'none' | 'self' | 'cluster';
    immediate?: boolean;
    method?: 'barmanObjectStore' | 'volumeSnapshot';
  };
}

/** `apiVersion/kind` -> type. validate.ts refuses any object whose kind is not listed. */
export interface Kinds {
  'v1/ConfigMap': IConfigMap;
  'v1/Namespace': INamespace;
  'v1/Secret': ISecret;
  'v1/Service': IService;
  'apps/v1/Deployment': IDeployment;
  'apps/v1/StatefulSet': IStatefulSet;
  'batch/v1/Job': IJob;
  'networking.k8s.io/v1/Ingress': IIngress;
  'policy/v1/PodDisruptionBudget': IPodDisruptionBudget;
  'keda.sh/v1alpha1/ScaledObject': IScaledObject;
  'kafka.strimzi.io/v1beta2/Kafka': Kafka;
  'kafka.strimzi.io/v1beta2/KafkaNodePool': KafkaNodePool;
  'kafka.strimzi.io/v1beta2/KafkaTopic': KafkaTopic;
  'postgresql.cnpg.io/v1/Cluster': PostgresCluster;
  'postgresql.cnpg.io/v1/ScheduledBackup': ScheduledBackup;
}
