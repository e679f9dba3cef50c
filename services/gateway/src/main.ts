import './instrument';
import type { Server } from 'node:http';
import { loadConfigOrExit } from '@duemap/config';
import { createLogger, profileOnSignal } from '@duemap/observability';
import { gatewayConfig } from './config';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfig, process.env, { service: 'gateway' });
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  profileOnSignal('gateway');
  try {
    const app = await createGateway(config, logger);
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    // Clients keep idle sockets for a few seconds (undici: 4 s); closing ours at Node's default 5 s
    // races with a client sending on a socket it still thinks open ("other side closed").
    const server = app.getHttpServer() as Server;
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    logger.info(`gateway listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
  } catch (err) {
    logger.fatal({ err }, 'gateway failed to start');
    process.exit(1);
  }
}

void main();
