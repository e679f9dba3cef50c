import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startKafka, type KafkaBroker } from '@duemap/local-stack/kafka';
import { freePort } from '@duemap/local-stack/processes';
import { createTopics } from '@duemap/local-stack/topics';
import type { PrivateKafka } from './private-kafka';

export interface KafkaProxy {
  /** host:port clients use (the broker advertises it). */
  address: string;
  /**
   * Drop the responses of the next n Produce requests (api key 0): the broker stores the batch,
   * the client never hears. Sets the count (0 cancels what is left). With `reset`, the connection
   * the response would have gone on is reset at once, as when the network fails right after the
   * broker stored the batch; without it the client waits for its request timeout.
   */
  dropProduceResponses(n: number, options?: { reset?: boolean }): void;
  /** Count of Produce responses dropped so far. */
  readonly dropped: number;
  /** Close every client connection (the client sees a reset). */
  resetConnections(): void;
  close(): Promise<void>;
}

const PRODUCE = 0;
const LOOPBACK = '127.0.0.1';

/**
 * Collects a Kafka byte stream into whole frames (int32 size, then that many bytes), whatever the
 * chunks TCP delivers them in.
 */
class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      let head = this.chunks[0];
      if (!head || head.length < 4) head = this.merge();
      const length = 4 + head.readInt32BE(0);
      if (this.buffered < length) break;
      const all = this.merge();
      frames.push(all.subarray(0, length));
      const rest = all.subarray(length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return frames;
  }

  private merge(): Buffer {
    const all = this.chunks.length === 1 && this.chunks[0] ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }
}

/** Reads an unsigned varint (flexible protocol versions), returning [value, next offset]. */
function readUnsignedVarint(buf: Buffer, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let at = offset; at < buf.length; at++) {
    const byte = buf.readUInt8(at);
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value >>> 0, at + 1];
    shift += 7;
  }
  throw new RangeError('truncated varint');
}

/**
 * The acks of a Produce request frame (after the int32 size): a Produce with acks=0 gets no
 * response, so it must not be counted as one to drop. Header v1 up to Produce v8, v2 (flexible,
 * compact strings and tagged fields) from v9.
 */
function produceAcks(frame: Buffer): number {
  const version = frame.readInt16BE(6);
  const clientIdLength = frame.readInt16BE(12);
  let at = 14 + Math.max(clientIdLength, 0);
  const flexible = version >= 9;
  if (flexible) {
    let tags: number;
    [tags, at] = readUnsignedVarint(frame, at);
    for (let i = 0; i < tags; i++) {
      let size: number;
      [, at] = readUnsignedVarint(frame, at);
      [size, at] = readUnsignedVarint(frame, at);
      at += size;
    }
  }
  if (version >= 3) {
    if (flexible) {
      let lengthPlusOne: number;
      [lengthPlusOne, at] = readUnsignedVarint(frame, at);
      at += Math.max(lengthPlusOne - 1, 0);
    } else {
      at += 2 + Math.max(frame.readInt16BE(at), 0);
    }
  }
  return frame.readInt16BE(at);
}

interface Link {
  client: net.Socket;
  broker: net.Socket;
  /** Correlation ids of this connection's Produce requests still waiting for their response. */
  produces: Set<number>;
}

/**
 * A TCP proxy in front of one broker that understands just enough of the Kafka protocol to drop
 * Produce responses: the fault a client meets when the broker stored a batch and the answer was
 * lost. Loopback only. Clients must reach the broker through it for every request, so the broker
 * has to advertise the proxy's address (`startProxiedKafka`).
 */
export async function startKafkaProxy(opts: { listenPort: number; target: string }): Promise<KafkaProxy> {
  const [targetHost, targetPort] = splitAddress(opts.target);
  const links = new Set<Link>();
  let toDrop = 0;
  let resetOnDrop = false;
  let dropped = 0;

  const close = (link: Link, reset: boolean): void => {
    links.delete(link);
    if (reset) {
      if (!link.client.destroyed) link.client.resetAndDestroy();
    } else {
      link.client.destroy();
    }
    link.broker.destroy();
  };

  const server = net.createServer((client) => {
    const broker = net.connect({ host: targetHost, port: targetPort });
    const link: Link = { client, broker, produces: new Set() };
    links.add(link);
    const requests = new FrameReader();
    const responses = new FrameReader();
    client.on('data', (chunk: Buffer) => {
      if (!links.has(link)) return;
      for (const frame of requests.push(chunk)) {
        if (frame.readInt16BE(4) === PRODUCE && produceAcks(frame) !== 0) {
          link.produces.add(frame.readInt32BE(8));
        }
        broker.write(frame);
      }
    });
    broker.on('data', (chunk: Buffer) => {
      if (!links.has(link)) return;
      for (const frame of responses.push(chunk)) {
        const correlationId = frame.readInt32BE(4);
        if (link.produces.delete(correlationId) && toDrop > 0) {
          toDrop--;
          dropped++;
          if (resetOnDrop) {
            close(link, true);
            return;
          }
          continue;
        }
        client.write(frame);
      }
    });
    // Either side closing or failing (a stopped broker refuses the connection) ends both.
    for (const socket of [client, broker]) {
      socket.on('error', () => close(link, false));
      socket.on('close', () => close(link, false));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    address: `${LOOPBACK}:${opts.listenPort}`,
    dropProduceResponses(n, { reset = false } = {}) {
      toDrop = n;
      resetOnDrop = reset;
    },
    get dropped() {
      return dropped;
    },
    resetConnections() {
      for (const link of [...links]) close(link, true);
    },
    async close() {
      for (const link of [...links]) close(link, true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  if (host !== LOOPBACK && host !== 'localhost') {
    throw new Error(`the Kafka proxy forwards to loopback addresses only, not ${address}`);
  }
  return [host, Number(address.slice(at + 1))];
}

export interface ProxiedKafka extends PrivateKafka {
  proxy: KafkaProxy;
  /** Starts the broker again on the same ports and data after `broker.stop()` (and sets `broker`). */
  startBroker(): Promise<KafkaBroker>;
}

/**
 * A private broker (as startPrivateKafka: free ports, temporary data, every Duemap topic) that
 * advertises a proxy's port: `brokers` is the proxy's address, and every connection a client
 * makes, to bootstrap or to the partitions' leader, passes through the proxy.
 */
export async function startProxiedKafka({
  partitions = 3,
  logDir,
}: {
  partitions?: number;
  /** Where the broker's log and GC log go (to outlive the broker); its data directory otherwise. */
  logDir?: string;
} = {}): Promise<ProxiedKafka> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-kafka-'));
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [port, controllerPort, proxyPort] = [...ports] as [number, number, number];
  // Up before the broker: the broker's readiness check already follows Metadata to the proxy.
  const proxy = await startKafkaProxy({ listenPort: proxyPort, target: `${LOOPBACK}:${port}` });
  const start = (): Promise<KafkaBroker> =>
    startKafka({
      port,
      controllerPort,
      advertisedPort: proxyPort,
      dataDir,
      logFile: path.join(logDir ?? dataDir, 'kafka.log'),
    });
  let broker: KafkaBroker;
  try {
    broker = await start();
  } catch (err) {
    await proxy.close();
    throw err;
  }
  const kafka: ProxiedKafka = {
    brokers: [proxy.address],
    broker,
    dataDir,
    proxy,
    async startBroker() {
      kafka.broker = await start();
      return kafka.broker;
    },
    async stop() {
      await kafka.broker.stop();
      await proxy.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await createTopics(proxy.address, { partitions });
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  return kafka;
}
