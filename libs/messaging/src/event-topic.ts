import type { DescMessage } from '@bufbuild/protobuf';
import { TOPICS, type SchemaOf, type TopicName } from '@duemap/events';

/**
 * A topic and the protobuf message it carries; records on it are keyed by customer id.
 * Services use `eventTopic(Topic.X)`; tests may build their own on a private topic name.
 */
export interface EventTopic<Desc extends DescMessage = DescMessage> {
  readonly name: string;
  readonly schema: Desc;
}

export function eventTopic<T extends TopicName>(name: T): EventTopic<SchemaOf<T>> {
  return { name, schema: TOPICS[name] };
}
