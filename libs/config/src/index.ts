export {
  type ConfigOf,
  type ConfigSchema,
  type DeepReadonly,
  type EnvSource,
  type LoadConfigOptions,
  defineConfig,
  describeConfig,
  loadConfig,
  redactConfig,
} from './config';
export { ConfigError, type ConfigIssue } from './config.error';
export { CONFIG, InjectConfig, ServiceConfigModule } from './config.module';
export {
  type DurationOptions,
  type EnvField,
  type FieldMeta,
  type IntOptions,
  type StrOptions,
  type UrlOptions,
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
export { EX_CONFIG, loadConfigOrExit } from './load-config-or-exit';
export { LOG_LEVELS, NODE_ENVS, platformConfig, platformShape } from './platform-config';
export { outboundShape } from './outbound-config';
