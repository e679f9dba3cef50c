import {
  type ConfigOf,
  type ConfigSchema,
  type EnvSource,
  type LoadConfigOptions,
  loadConfig,
} from './config';
import { ConfigError } from './config.error';

/** sysexits.h EX_CONFIG: lets a supervisor tell "fix the environment" from "the code crashed". */
export const EX_CONFIG = 78;

/**
 * For main.ts: the config or, if the environment is wrong, the list of problems on stderr and
 * exit code 78. No stack trace: it points into this library and says nothing the message does
 * not. Anything other than a ConfigError is a bug and is rethrown with its stack.
 */
export function loadConfigOrExit<S extends ConfigSchema>(
  schema: S,
  env: EnvSource = process.env,
  options: LoadConfigOptions = {},
): ConfigOf<S> {
  try {
    return loadConfig(schema, env, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return process.exit(EX_CONFIG);
  }
}
