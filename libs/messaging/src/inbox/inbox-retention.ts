import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/** How long after writing a message Kafka may still hand it to a consumer of `topic`. */
export interface RedeliveryWindow {
  topic: string;
  /** The topic's effective `retention.ms`; negative: forever. */
  retentionMs: number;
  /** The topic's effective `segment.ms`. */
  segmentMs: number;
  /** `cleanup.policy` without `delete` (compaction only): a key's latest message stays forever. */
  compactedOnly: boolean;
  /** retention.ms + segment.ms, or Infinity. */
  windowMs: number;
}

const CONFIG_NAMES = ['retention.ms', 'segment.ms', 'cleanup.policy'];

/**
 * Reads the subscribed topics' effective configuration (topic settings, else the broker's).
 *
 * Kafka deletes whole segments, once the newest message in one is `retention.ms` old, and it rolls
 * a new segment at most `segment.ms` after the first message of the current one: a message can be
 * read again up to `retention.ms + segment.ms` after it was written. A group whose committed
 * offsets expired (offsets.retention.minutes) starts over from the oldest message kept, so this is
 * also the window within which an applied event can come again.
 */
export async function readRedeliveryWindows(
  kafka: Kafka,
  topics: readonly string[],
): Promise<RedeliveryWindow[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin
      .describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: CONFIG_NAMES,
        })),
      })
      .catch((err: unknown) => {
        // kafkajs names no topic when one does not exist.
        throw new Error(
          `Cannot read the retention of ${topics.join(', ')} from Kafka: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      });
    return resources.map((resource) => {
      const value = (name: string): string => {
        const entry = resource.configEntries.find((e) => e.configName === name);
        if (entry === undefined) {
          throw new Error(`Kafka did not report ${name} of topic ${resource.resourceName}`);
        }
        return entry.configValue;
      };
      const retentionMs = Number(value('retention.ms'));
      const segmentMs = Number(value('segment.ms'));
      const compactedOnly = !value('cleanup.policy').split(',').includes('delete');
      const forever = retentionMs < 0 || compactedOnly;
      return {
        topic: resource.resourceName,
        retentionMs,
        segmentMs,
        compactedOnly,
        windowMs: forever ? Infinity : retentionMs + segmentMs,
      };
    });
  } finally {
    await admin.disconnect();
  }
}

/** Thrown at start when purging the inbox could let an applied event be applied again. */
export class InboxRetentionError extends Error {
  override name = 'InboxRetentionError';
}

/**
 * Whether the inbox may be purged of rows older than `retentionMs`: it must outlast every topic's
 * redelivery window, or a redelivered event finds no inbox row and is applied twice. A purge that
 * could do that is refused (InboxRetentionError). A topic that keeps messages forever can redeliver
 * any event: then nothing is purged (false), with a warning, since a growing inbox is a smaller harm
 * than a service that will not start.
 */
export function inboxMayBePurged(
  retentionMs: number,
  windows: readonly RedeliveryWindow[],
  logger: Logger,
): boolean {
  const forever = windows.filter((w) => w.windowMs === Infinity);
  if (forever.length > 0) {
    logger.warn(
      {
        topics: forever.map((w) => ({
          topic: w.topic,
          retentionMs: w.retentionMs,
          cleanupPolicy: w.compactedOnly ? 'compact' : 'delete',
        })),
      },
      'inbox: not purged, since Kafka keeps the messages of these topics forever and can redeliver any of them',
    );
    return false;
  }
  const tooLong = windows.filter((w) => w.windowMs >= retentionMs);
  if (tooLong.length > 0) {
    const longest = Math.max(...tooLong.map((w) => w.windowMs));
    const topics = tooLong
      .map(
        (w) =>
          `${w.topic} (retention.ms ${w.retentionMs} = ${formatMs(w.retentionMs)} + segment.ms ${w.segmentMs} = ${formatMs(w.segmentMs)})`,
      )
      .join(', ');
    throw new InboxRetentionError(
      `INBOX_RETENTION is ${retentionMs} ms (${formatMs(retentionMs)}), but Kafka can redeliver an event up to ` +
        `${longest} ms (${formatMs(longest)}) after it was written on ${topics}: an event applied, purged from ` +
        `the inbox and then redelivered would be applied again. Set INBOX_RETENTION above ${formatMs(longest)} ` +
        `(e.g. ${Math.floor(longest / 86_400_000) + 1}d), ` +
        `or lower the topics' retention.ms or segment.ms (\`npm run infra:up\` gives Duemap's topics ` +
        `7-day retention in 1-day segments).`,
    );
  }
  return true;
}

/** For people: 1209600000 -> "14d", 5400000 -> "1h 30m". */
export function formatMs(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0ms';
}
