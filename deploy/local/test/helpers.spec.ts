import { parseCliArgs } from '../args';
import { renderServerProperties } from '../kafka';
import { databaseUrl, redactUrl, serviceDatabaseName } from '../postgres';
import { assignPorts, serviceEnv } from '../services';
import { AUDIT_STEP, auditOutcome, defaultSteps, renderSummary } from '../test-runner';
import { topicPartitions } from '../topics';
import { formatDuration } from '../ui';

function parseProperties(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );
}

describe('renderServerProperties', () => {
  const properties = parseProperties(
    renderServerProperties({ port: 19092, controllerPort: 19093, logDir: '/tmp/k/logs' }),
  );

  it('describes a single KRaft node that is broker and controller on the given ports', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('node.id')).toBe('1');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('controller.listener.names')).toBe('CONTROLLER');
    expect(properties.get('log.dirs')).toBe('/tmp/k/logs');
  });

  it('never creates topics on the fly and needs no replicas', () => {
    expect(properties.get('auto.create.topics.enable')).toBe('false');
    expect(properties.get('num.partitions')).toBe('2');
    expect(properties.get('offsets.topic.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.min.isr')).toBe('1');
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('has one line per key', () => {
    const text = renderServerProperties({ port: 9092, controllerPort: 9093, logDir: '/d' });
    const keys = text
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('renderServerProperties with SCRAM and TLS', () => {
  const properties = parseProperties(
    renderServerProperties({
      port: 19092,
      controllerPort: 19093,
      logDir: '/d',
      security: {
        scram: { username: 'duemap', password: 'pw' },
        tls: { port: 19094, keyStoreFile: '/d/broker.p12', keyStorePassword: 'ks' },
      },
    }),
  );

  it('takes clients only on SASL listeners, SCRAM-SHA-256, the broker itself included', () => {
    expect(properties.get('listeners')).toBe(
      'SASL_PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094,CONTROLLER://127.0.0.1:19093',
    );
    expect(properties.get('advertised.listeners')).toBe(
      'SASL_PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094',
    );
    expect(properties.get('inter.broker.listener.name')).toBe('SASL_PLAINTEXT');
    expect(properties.get('sasl.enabled.mechanisms')).toBe('SCRAM-SHA-256');
    expect(properties.get('sasl.mechanism.inter.broker.protocol')).toBe('SCRAM-SHA-256');
    expect(properties.get('listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="duemap" password="pw";',
    );
    expect(properties.get('ssl.keystore.location')).toBe('/d/broker.p12');
  });
});

describe('parseCliArgs', () => {
  it('reads a command and passes test arguments through to Jest', () => {
    expect(parseCliArgs(['up'])).toEqual({ command: 'up', args: [] });
    expect(parseCliArgs(['test'])).toEqual({ command: 'test', args: [] });
    expect(parseCliArgs(['test', 'libs/money', '--watch'])).toEqual({
      command: 'test',
      args: ['libs/money', '--watch'],
    });
    expect(parseCliArgs(['test', '--', 'libs/money'])).toEqual({ command: 'test', args: ['libs/money'] });
    expect(parseCliArgs(['test-faults', '--', '-t', 'pause'])).toEqual({
      command: 'test-faults',
      args: ['-t', 'pause'],
    });
    expect(parseCliArgs(['bench', 'outbox', '--seconds', '5'])).toEqual({
      command: 'bench',
      args: ['outbox', '--seconds', '5'],
    });
  });

  it('refuses what it does not understand', () => {
    expect(parseCliArgs([])).toEqual({ error: 'No command given.' });
    expect(parseCliArgs(['start'])).toEqual({ error: 'Unknown command "start".' });
    expect(parseCliArgs(['bench'])).toHaveProperty('error');
    expect(parseCliArgs(['up', 'now'])).toEqual({ error: 'up takes no arguments (got: now).' });
  });
});

describe('defaultSteps', () => {
  it('runs the fault-injection suite last, after the end-to-end specs, in band', () => {
    const names = defaultSteps().map((step) => step.name);
    expect(names.slice(-2)).toEqual([
      'jest --ci --runInBand --passWithNoTests --selectProjects e2e',
      'jest --ci --runInBand --selectProjects faults',
    ]);
  });
});

describe('the dependency audit step', () => {
  const refused =
    'npm said: 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk\nnot checked: registry refused the advisory request (405)\n';

  it('runs with the static checks, before the Jest steps', () => {
    const names = defaultSteps().map((step) => step.name);
    expect(names.indexOf(AUDIT_STEP)).toBeGreaterThan(names.indexOf('buf breaking'));
    expect(names.indexOf(AUDIT_STEP)).toBeLessThan(names.findIndex((n) => n.startsWith('jest')));
  });

  it('passes on 0 and fails on 1', () => {
    expect(auditOutcome(0, 'passed: …', false)).toEqual({ ok: true });
    expect(auditOutcome(1, 'FAILED: 1 high/critical advisories not allowed', true)).toEqual({ ok: false });
    expect(auditOutcome(null, '', false)).toEqual({ ok: false });
  });

  it('makes an unreachable advisory service a "not checked" row, or a failure under CI_REQUIRE_AUDIT=1', () => {
    expect(auditOutcome(2, refused, false)).toEqual({
      ok: true,
      notChecked: true,
      note: 'not checked: registry refused the advisory request (405)',
    });
    expect(auditOutcome(2, refused, true)).toEqual({
      ok: false,
      note: 'registry refused the advisory request (405); CI_REQUIRE_AUDIT=1',
    });
  });

  it('shows "not checked" in the summary, never "pass", and counts it apart', () => {
    const summary = renderSummary([
      { name: 'tsc', ok: true, ms: 1_000 },
      { name: AUDIT_STEP, ms: 2_000, ...auditOutcome(2, refused, false) },
    ]);
    expect(summary).toMatch(
      /npm run audit:deps\s+not checked: registry refused the advisory request \(405\)\s/,
    );
    expect(summary).not.toMatch(/npm run audit:deps\s+pass/);
    expect(summary.trimEnd().split('\n').at(-2)).toBe('steps: 1 of 2 passed (1 not checked)');
  });
});

describe('renderSummary', () => {
  it('lists every step with its result and time, counts the steps, and ends with the tests', () => {
    const summary = renderSummary([
      { name: 'eslint . --max-warnings 0', ok: true, ms: 12_300 },
      { name: 'buf breaking', ok: true, ms: 40, note: 'no baseline on main yet' },
      {
        name: 'jest --ci --selectProjects unit',
        ok: false,
        ms: 65_000,
        tests: { passed: 40, failed: 2, skipped: 0 },
      },
      {
        name: 'jest --ci --selectProjects integration',
        ok: true,
        ms: 1_000,
        tests: { passed: 9, failed: 0, skipped: 1 },
      },
    ]);
    expect(summary).toMatch(/eslint \. --max-warnings 0\s+pass/);
    expect(summary).toContain('pass (no baseline on main yet)');
    expect(summary).toMatch(/jest --ci --selectProjects unit\s+FAIL\s+40\/42\s+1 min 5 s/);
    const lines = summary.trimEnd().split('\n');
    expect(lines.at(-2)).toBe('steps: 3 of 4 passed (1 failed)');
    expect(lines.at(-1)).toBe('tests: 49 passed, 2 failed, 1 skipped');
  });
});

describe('service ports and environment', () => {
  it('gives known services their fixed port and others the next free one from 3010', () => {
    expect(assignPorts(['customers', 'gateway', 'reports', 'exports'])).toEqual({
      customers: 3001,
      gateway: 8080,
      reports: 3010,
      exports: 3011,
    });
  });

  it('tells a service its port, its own database and where the others are', () => {
    const env = serviceEnv({
      service: 'payments',
      ports: { payments: 3004, gateway: 8080 },
      kafkaBrokers: '127.0.0.1:9092',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/duemap_payments',
      redisUrl: 'redis://127.0.0.1:6379',
    });
    expect(env).toMatchObject({
      SERVICE_NAME: 'payments',
      HTTP_PORT: '3004',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/duemap_payments',
      KAFKA_BROKERS: '127.0.0.1:9092',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PAYMENTS_URL: 'http://127.0.0.1:3004',
      GATEWAY_URL: 'http://127.0.0.1:8080',
    });
  });

  it("passes the stack's identity secret to every service when given, and leaves libs/config's default otherwise", () => {
    const input = {
      service: 'payments',
      ports: { payments: 3004 },
      kafkaBrokers: '127.0.0.1:9092',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/duemap_payments',
      redisUrl: 'redis://127.0.0.1:6379',
    };
    expect(serviceEnv({ ...input, identitySecret: 's3cret' }).IDENTITY_SECRET).toBe('s3cret');
    expect(serviceEnv(input).IDENTITY_SECRET).toBeUndefined();
  });
});

describe('database URLs', () => {
  it('names one database per service and points the server URL at it', () => {
    expect(serviceDatabaseName('customers')).toBe('duemap_customers');
    expect(serviceDatabaseName('bank-feeds')).toBe('duemap_bank_feeds');
    expect(databaseUrl('postgres://postgres@127.0.0.1:5432/postgres', 'duemap_customers')).toBe(
      'postgres://postgres@127.0.0.1:5432/duemap_customers',
    );
    expect(databaseUrl('postgres://u:p@db:5432?sslmode=require', 'x')).toBe(
      'postgres://u:p@db:5432/x?sslmode=require',
    );
  });

  it('hides passwords before printing', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/app')).toBe('postgres://app:***@db:5432/app');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('topicPartitions', () => {
  it('defaults to 2 and accepts KAFKA_PARTITIONS', () => {
    expect(topicPartitions({})).toBe(2);
    expect(topicPartitions({ KAFKA_PARTITIONS: '12' })).toBe(12);
    expect(() => topicPartitions({ KAFKA_PARTITIONS: 'many' })).toThrow('KAFKA_PARTITIONS');
    expect(() => topicPartitions({ KAFKA_PARTITIONS: '0' })).toThrow('KAFKA_PARTITIONS');
  });
});

describe('formatDuration', () => {
  it('reads naturally from milliseconds to minutes', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(4_120)).toBe('4.1 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
