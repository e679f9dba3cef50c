import path from 'node:path';
import type { GatewayConfig } from '../config';
import type { ConsoleOptions } from './console-static';

/** services/console/dist of this checkout, where `npm run build -w services/console` writes it. */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '..', '..', '..', 'console', 'dist');

export function consoleOptions(config: GatewayConfig): ConsoleOptions {
  return {
    dir: config.CONSOLE_DIR || DEFAULT_CONSOLE_DIR,
    tileUrl: config.CONSOLE_TILE_URL || undefined,
    tileAttribution: config.CONSOLE_TILE_ATTRIBUTION || undefined,
  };
}
