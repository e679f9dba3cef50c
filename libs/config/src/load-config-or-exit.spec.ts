import { z } from 'zod';

import { ConfigError } from './config.error';
import { port } from './fields';
import { EX_CONFIG, loadConfigOrExit } from './load-config-or-exit';
import { platformConfig } from './platform-config';

class ExitCalled extends Error {
  constructor(readonly code: string | number | null | undefined) {
    super(`process.exit(${String(code)})`);
  }
}

describe('loadConfigOrExit', () => {
  let exit: jest.SpiedFunction<typeof process.exit>;
  let write: jest.SpiedFunction<typeof process.stderr.write>;

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new ExitCalled(code);
    });
    write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('returns the config when the environment is valid', () => {
    expect(loadConfigOrExit(platformConfig, { HTTP_PORT: '8080' }, { service: 'payments' }).HTTP_PORT).toBe(
      8080,
    );
    expect(exit).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it('prints only the problem list and exits with EX_CONFIG (78)', () => {
    const env = { HTTP_PORT: '0', DATABASE_URL: 'mysql://db/x' };
    expect(() => loadConfigOrExit(platformConfig, env, { service: 'payments' })).toThrow(new ExitCalled(78));
    expect(EX_CONFIG).toBe(78);
    expect(exit).toHaveBeenCalledWith(78);
    expect(write).toHaveBeenCalledTimes(1);
    expect(write.mock.calls[0]?.[0]).toBe(
      [
        'Invalid configuration for service "payments":',
        'HTTP_PORT: must be a port number between 1 and 65535 (got "0")',
        'DATABASE_URL: must be a postgres:// or postgresql:// URL (got "mysql://db/x")',
        '',
      ].join('\n'),
    );
  });

  it('rethrows anything that is not a ConfigError, since that is a bug with a useful stack', () => {
    const broken = z.object({ 'not-an-env-name': port(1) });
    expect(() => loadConfigOrExit(broken, {})).toThrow('Config keys must be UPPER_SNAKE');
    expect(() => loadConfigOrExit(broken, {})).not.toThrow(ConfigError);
    expect(exit).not.toHaveBeenCalled();
  });
});
