import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { failedReport, geocodedReport, RecordLocationUseCase } from './usecases/record-location.usecase';

/**
 * geocoding's verdicts on customers' addresses -> the customer JSON's `location`. A batch is read
 * in full first, so a malformed event fails it (and is dead-lettered when replayed alone).
 */
@Injectable()
@EventSubscriberProvider()
export class LocationsConsumer implements EventSubscriber {
  constructor(private readonly recordLocation: RecordLocationUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribeBatch(eventTopic(Topic.CustomerGeocoded), async (items, { em }) => {
        await this.recordLocation.execute(
          items.map((i) => geocodedReport(i.event)),
          em,
        );
      }),
      subscribeBatch(eventTopic(Topic.GeocodeFailed), async (items, { em }) => {
        await this.recordLocation.execute(
          items.map((i) => failedReport(i.event)),
          em,
        );
      }),
    ];
  }
}
