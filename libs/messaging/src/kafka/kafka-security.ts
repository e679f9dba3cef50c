import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/**
 * How a service's Kafka clients authenticate and encrypt (docs/security.md, "Kafka: SASL/SCRAM and
 * TLS"). Absent parts mean the local broker's plain connection.
 */
export interface KafkaSecurity {
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  tls?: {
    /** PEM file of the CA(s) that signed the brokers' certificates; Node's roots otherwise. */
    caFile?: string;
    /** PEM client certificate and key, for brokers that require mutual TLS. */
    certFile?: string;
    keyFile?: string;
    /** Default true; false accepts any certificate (development only). */
    rejectUnauthorized?: boolean;
  };
}

/** The KAFKA_SASL_* and KAFKA_TLS* fields of the platform config (libs/config platformShape). */
export interface KafkaSecurityValues {
  KAFKA_SASL_MECHANISM: 'none' | KafkaSaslMechanism;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_TLS: boolean;
  KAFKA_TLS_CA_FILE?: string | undefined;
  KAFKA_TLS_CERT_FILE?: string | undefined;
  KAFKA_TLS_KEY_FILE?: string | undefined;
  KAFKA_TLS_REJECT_UNAUTHORIZED: boolean;
}

/**
 * The security the config asks for, or an error naming every variable that contradicts another: a
 * half-configured client would otherwise fail later at its first connection, with a broker's
 * terse answer instead of the variable to fix (or, with TLS files but no KAFKA_TLS, connect in
 * the clear while the operator believes otherwise).
 */
export function kafkaSecurityFromConfig(values: KafkaSecurityValues): KafkaSecurity {
  const problems: string[] = [];
  const security: KafkaSecurity = {};
  const mechanism = values.KAFKA_SASL_MECHANISM;
  if (mechanism === 'none') {
    for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (values[key] !== undefined) problems.push(`${key} is set but KAFKA_SASL_MECHANISM is none`);
    }
  } else {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = values;
    if (username === undefined)
      problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (password === undefined)
      problems.push(`KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (username !== undefined && password !== undefined) security.sasl = { mechanism, username, password };
  }
  const files = ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE'] as const;
  if (values.KAFKA_TLS) {
    if ((values.KAFKA_TLS_CERT_FILE === undefined) !== (values.KAFKA_TLS_KEY_FILE === undefined)) {
      problems.push(
        'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (a client certificate and its key)',
      );
    }
    security.tls = {
      ...(values.KAFKA_TLS_CA_FILE !== undefined && { caFile: values.KAFKA_TLS_CA_FILE }),
      ...(values.KAFKA_TLS_CERT_FILE !== undefined && { certFile: values.KAFKA_TLS_CERT_FILE }),
      ...(values.KAFKA_TLS_KEY_FILE !== undefined && { keyFile: values.KAFKA_TLS_KEY_FILE }),
      rejectUnauthorized: values.KAFKA_TLS_REJECT_UNAUTHORIZED,
    };
  } else {
    for (const key of files) {
      if (values[key] !== undefined) problems.push(`${key} is set but KAFKA_TLS is false`);
    }
    if (!values.KAFKA_TLS_REJECT_UNAUTHORIZED) {
      problems.push('KAFKA_TLS_REJECT_UNAUTHORIZED is false but KAFKA_TLS is false');
    }
  }
  if (problems.length > 0) throw new Error(`Invalid Kafka security configuration:\n${problems.join('\n')}`);
  return security;
}

export type KafkaConnectionConfig = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * The `ssl` and `sasl` parts of a kafkajs client config. Every client a service makes (producers,
 * consumers, admin) comes from one Kafka instance built with this (createKafka), so none connects
 * differently. Files are read now, so a missing one fails at boot, not at the first reconnect.
 */
export function kafkaConnectionConfig(
  security: KafkaSecurity | undefined,
  readFile: (file: string) => Buffer = (file) => fs.readFileSync(file),
): KafkaConnectionConfig {
  const config: KafkaConnectionConfig = {};
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    const sasl: SASLOptions = { mechanism, username, password };
    config.sasl = sasl;
  }
  if (security?.tls) {
    const { caFile, certFile, keyFile, rejectUnauthorized = true } = security.tls;
    const read = (what: string, file: string): Buffer => {
      try {
        return readFile(file);
      } catch (error) {
        throw new Error(`Cannot read the Kafka TLS ${what} file ${file}: ${(error as Error).message}`);
      }
    };
    const tls: ConnectionOptions = {
      rejectUnauthorized,
      ...(caFile !== undefined && { ca: [read('CA', caFile)] }),
      ...(certFile !== undefined && { cert: read('certificate', certFile) }),
      ...(keyFile !== undefined && { key: read('key', keyFile) }),
    };
    config.ssl = tls;
  }
  return config;
}
