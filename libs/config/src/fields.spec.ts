import { z } from 'zod';

import { type EnvSource, defineConfig, loadConfig, redactConfig } from './config';
import { ConfigError } from './config.error';
import {
  type EnvField,
  bool,
  brokers,
  duration,
  enumOf,
  fieldMetaOf,
  host,
  int,
  port,
  secret,
  str,
  url,
} from './fields';

/** Loads a one-field schema reading X, the way a service would. */
function read<T>(field: EnvField<T>, value: string | undefined, env: EnvSource = {}): T {
  return loadConfig(defineConfig({ X: field }), { ...env, X: value }, { service: 'test' }).X as T;
}

/** The single problem reported for X, without the "Invalid configuration" header. */
function problem(field: EnvField<unknown>, value: string | undefined, env: EnvSource = {}): string {
  try {
    read(field, value, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.message.split('\n')[0]).toBe('Invalid configuration for service "test":');
    expect(error.issues).toHaveLength(1);
    return error.message.split('\n').slice(1).join('\n');
  }
  throw new Error(`expected X=${JSON.stringify(value)} to be rejected`);
}

describe('port', () => {
  it('uses the default when unset, empty or blank', () => {
    expect(read(port(3000), undefined)).toBe(3000);
    expect(read(port(3000), '')).toBe(3000);
    expect(read(port(3000), '  ')).toBe(3000);
  });

  it.each([
    ['1', 1],
    ['8080', 8080],
    ['65535', 65535],
  ])('accepts %j', (value, expected) => {
    expect(read(port(3000), value)).toBe(expected);
  });

  it.each(['0', '65536', '-1', '80a', '08080', ' 80', '80 ', '1e3', '0x50', '80.0', 'http'])(
    'rejects %j',
    (value) => {
      expect(problem(port(3000), value)).toBe(
        `X: must be a port number between 1 and 65535 (got ${JSON.stringify(value)})`,
      );
    },
  );

  it('is required without a default', () => {
    expect(problem(port(), undefined)).toBe('X: is required but not set');
  });

  it('refuses an invalid default when the schema is defined', () => {
    expect(() => port(70_000)).toThrow(
      'Invalid config default "70000": must be a port number between 1 and 65535',
    );
  });
});

describe('int', () => {
  it('parses base-10 integers within bounds', () => {
    expect(read(int({ min: -10, max: 10, default: 0 }), '-7')).toBe(-7);
    expect(read(int({ min: -10, max: 10, default: 0 }), undefined)).toBe(0);
    expect(read(int(), '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    [{ min: 1, max: 100 }, '0', 'must be an integer between 1 and 100'],
    [{ min: 1, max: 100 }, '101', 'must be an integer between 1 and 100'],
    [{ min: 1 }, '0', 'must be an integer >= 1'],
    [{ max: 5 }, '6', 'must be an integer <= 5'],
    [{}, '1.5', 'must be an integer'],
    [{}, '1e3', 'must be an integer'],
    [{}, '0x10', 'must be an integer'],
    [{}, '+1', 'must be an integer'],
    [{}, '007', 'must be an integer'],
    [{}, '9007199254740993', 'must be an integer'],
  ])('%p rejects %j', (options, value, message) => {
    expect(problem(int(options), value)).toBe(`X: ${message} (got ${JSON.stringify(value)})`);
  });
});

describe('bool', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('reads %j as %p', (value, expected) => {
    expect(read(bool(), value)).toBe(expected);
  });

  it('uses the default', () => {
    expect(read(bool(true), undefined)).toBe(true);
    expect(read(bool(false), '')).toBe(false);
  });

  it.each(['TRUE', 'True', 'yes', 'no', 'on', 'off', 'flase', '2', 'y'])('rejects %j', (value) => {
    expect(problem(bool(false), value)).toBe(
      `X: must be one of true, false, 1, 0 (got ${JSON.stringify(value)})`,
    );
  });
});

describe('enumOf', () => {
  const level = enumOf(['debug', 'info', 'warn'], 'info');

  it('accepts listed values and defaults', () => {
    expect(read(level, 'debug')).toBe('debug');
    expect(read(level, undefined)).toBe('info');
  });

  it.each(['verbose', 'INFO', 'info '])('rejects %j and lists the choices', (value) => {
    expect(problem(level, value)).toBe(`X: must be one of debug, info, warn (got ${JSON.stringify(value)})`);
  });

  it('has the literal union as its type', () => {
    const config = loadConfig(defineConfig({ LEVEL: level }), {});
    const typed: 'debug' | 'info' | 'warn' = config.LEVEL;
    expect(typed).toBe('info');
  });
});

describe('url', () => {
  const database = url({
    protocols: ['postgres:', 'postgresql'],
    default: 'postgres://postgres@127.0.0.1:5432',
  });

  it.each([
    'postgres://postgres@127.0.0.1:5432',
    'postgresql://app:pw@db.internal:5432/payments?sslmode=require',
    'postgres:///payments?host=/var/run/postgresql',
  ])('accepts %j unchanged', (value) => {
    expect(read(database, value)).toBe(value);
  });

  it('defaults', () => {
    expect(read(database, undefined)).toBe('postgres://postgres@127.0.0.1:5432');
  });

  it('rejects another scheme and names the accepted ones', () => {
    expect(problem(database, 'mysql://localhost/payments')).toBe(
      'X: must be a postgres:// or postgresql:// URL (got "mysql://localhost/payments")',
    );
  });

  it.each(['not a url', '127.0.0.1:5432', '//host/db'])('rejects %j', (value) => {
    expect(problem(database, value)).toMatch(/^X: must be a postgres:\/\/ or postgresql:\/\/ URL \(got /);
  });

  it('never echoes a password from the rejected URL', () => {
    const message = problem(database, 'mysql://app:hunter2@db/payments');
    expect(message).toBe('X: must be a postgres:// or postgresql:// URL (got "mysql://app:***@db/payments")');
    expect(message).not.toContain('hunter2');
  });

  it('accepts any URL without a protocol list', () => {
    expect(read(url(), 'ftp://example.com')).toBe('ftp://example.com');
    expect(problem(url(), 'nope')).toBe('X: must be a URL (got "nope")');
  });

  it('is undefined when optional and unset, and still validated when set', () => {
    const endpoint = url({ protocols: ['http:', 'https:'], optional: true });
    expect(read(endpoint, undefined)).toBeUndefined();
    expect(read(endpoint, 'http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318');
    expect(problem(endpoint, 'grpc://collector:4317')).toBe(
      'X: must be a http:// or https:// URL (got "grpc://collector:4317")',
    );
  });

  it('refuses a default of the wrong scheme', () => {
    expect(() => url({ protocols: ['redis:'], default: 'http://x' })).toThrow('must be a redis:// URL');
  });
});

describe('host', () => {
  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'db.internal', 'kafka-0.kafka.svc'])(
    'accepts %j',
    (value) => {
      expect(read(host('127.0.0.1'), value)).toBe(value);
    },
  );

  it.each(['300.1.1.1', '1.2.3', 'exa mple', '-bad', 'bad-', 'http://x', 'a..b', '[::1]'])(
    'rejects %j',
    (value) => {
      expect(problem(host('127.0.0.1'), value)).toBe(
        `X: must be a host name or IP address (got ${JSON.stringify(value)})`,
      );
    },
  );
});

describe('brokers', () => {
  it('defaults to the local broker', () => {
    expect(read(brokers(), undefined)).toEqual(['127.0.0.1:9092']);
  });

  it.each([
    ['kafka:9092', ['kafka:9092']],
    ['a:1,b:2', ['a:1', 'b:2']],
    [' a:1 , b:2 ', ['a:1', 'b:2']],
    ['[::1]:9092,10.0.0.1:9093', ['[::1]:9092', '10.0.0.1:9093']],
  ])('reads %j', (value, expected) => {
    expect(read(brokers(), value)).toEqual(expected);
  });

  it.each([
    ['kafka', 'entry 1 "kafka" is not host:port'],
    ['a:1,,b:2', 'entry 2 is empty'],
    ['a:1,', 'entry 2 is empty'],
    ['a:99999', 'entry 1 "a:99999" has an invalid port'],
    ['a:1,b:x', 'entry 2 "b:x" has an invalid port'],
    ['a:1,bad host:1', 'entry 2 "bad host:1" has an invalid host'],
    ['::1:9092', 'entry 1 "::1:9092" is not host:port'],
    ['[db]:9092', 'entry 1 "[db]:9092" has an invalid host'],
    ['a:1;b:2', 'entry 1 "a:1;b:2" is not host:port'],
  ])('rejects %j: %s', (value, detail) => {
    expect(problem(brokers(), value)).toBe(
      `X: must be a comma-separated list of host:port; ${detail} (got ${JSON.stringify(value)})`,
    );
  });

  it('returns a frozen list', () => {
    const list = read(brokers(), 'a:1,b:2');
    expect(Object.isFrozen(list)).toBe(true);
  });
});

describe('duration', () => {
  it.each([
    ['0ms', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
  ])('reads %j as %i ms', (value, ms) => {
    expect(read(duration('1s'), value)).toBe(ms);
  });

  it('takes a string default or a number of milliseconds', () => {
    expect(read(duration('30s'), undefined)).toBe(30_000);
    expect(read(duration(250), undefined)).toBe(250);
  });

  it.each(['30', '1.5s', '30 s', '-1s', '1w', 'abc', '30S'])(
    'rejects %j, which has no clear unit',
    (value) => {
      expect(problem(duration('1s'), value)).toBe(
        `X: must be a duration such as 500ms, 30s, 5m, 1h or 1d (got ${JSON.stringify(value)})`,
      );
    },
  );

  it('enforces bounds', () => {
    expect(problem(duration('1s', { min: 100, max: 60_000 }), '2m')).toBe(
      'X: must be a duration between 100ms and 60000ms (got "2m")',
    );
  });
});

describe('str', () => {
  it('checks the pattern and reports the hint', () => {
    const name = str({ pattern: /^[a-z]+$/, hint: 'must be lowercase letters', default: 'abc' });
    expect(read(name, 'xyz')).toBe('xyz');
    expect(read(name, undefined)).toBe('abc');
    expect(problem(name, 'Xyz')).toBe('X: must be lowercase letters (got "Xyz")');
  });

  it('describes the pattern without a hint', () => {
    expect(problem(str({ pattern: /^a/ }), 'b')).toBe('X: must match /^a/ (got "b")');
  });

  it('can be optional', () => {
    expect(read(str({ optional: true }), undefined)).toBeUndefined();
    expect(problem(str(), undefined)).toBe('X: is required but not set');
  });
});

describe('secret', () => {
  it('reads the value and falls back to the development default', () => {
    expect(read(secret('dev-secret'), 's3cr3t')).toBe('s3cr3t');
    expect(read(secret('dev-secret'), undefined)).toBe('dev-secret');
    expect(read(secret('dev-secret'), undefined, { NODE_ENV: 'test' })).toBe('dev-secret');
  });

  it('is required without a default', () => {
    expect(problem(secret(), undefined)).toBe('X: is required but not set');
  });

  it('may be optional: unset is undefined, also in production', () => {
    expect(read(secret({ optional: true }), undefined, { NODE_ENV: 'production' })).toBeUndefined();
    expect(read(secret({ optional: true }), 'p4ss')).toBe('p4ss');
    expect(fieldMetaOf(secret({ optional: true }))).toEqual({ secret: true, hasDefault: false });
  });

  it('refuses its development default in production', () => {
    expect(problem(secret('dev-secret'), undefined, { NODE_ENV: 'production' })).toBe(
      'X: must be set in production (its default is for development only)',
    );
    expect(read(secret('dev-secret'), 'real', { NODE_ENV: 'production' })).toBe('real');
  });

  it('is marked as a secret even when wrapped', () => {
    expect(fieldMetaOf(secret('x'))).toEqual({ secret: true, hasDefault: true });
    expect(fieldMetaOf(secret().optional())).toEqual({ secret: true, hasDefault: false });
    expect(fieldMetaOf(port(1))).toEqual({ secret: false, hasDefault: true });
    expect(fieldMetaOf(z.string())).toBeUndefined();
  });

  it('is redacted, wrapped or not', () => {
    const schema = defineConfig({ A: secret('a'), B: secret('b').optional(), C: str({ default: 'c' }) });
    expect(redactConfig(loadConfig(schema, { B: 'b-value' }))).toEqual({ A: '***', B: '***', C: 'c' });
    // Unset stays visibly unset: whether a secret is configured is not itself a secret.
    expect(redactConfig(loadConfig(schema, {}))).toEqual({ A: '***', B: undefined, C: 'c' });
  });

  it('never shows the value of a secret-looking variable in an error', () => {
    const config = defineConfig({ API_TOKEN: str({ pattern: /^tok_/, hint: 'must start with tok_' }) });
    try {
      loadConfig(config, { API_TOKEN: 'hunter2' }, { service: 'test' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        'Invalid configuration for service "test":\nAPI_TOKEN: must start with tok_',
      );
    }
  });
});
