import { PaymentReceivedSchema, Topic } from '@duemap/events';
import { eventTopic } from './event-topic';

describe('eventTopic', () => {
  it('pairs a topic name with its schema', () => {
    const topic = eventTopic(Topic.PaymentReceived);
    expect(topic.name).toBe('payments.payment-received.v1');
    expect(topic.schema).toBe(PaymentReceivedSchema);
  });
});
