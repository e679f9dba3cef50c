import { Injectable } from '@nestjs/common';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { RecordLocationUseCase } from './usecases/record-location.usecase';

/** geocoding's verdicts on customers' addresses -> the customer JSON's `location`. */
@Injectable()
@EventSubscriberProvider()
export class LocationsConsumer implements EventSubscriber {
  constructor(private readonly recordLocation: RecordLocationUseCase) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.CustomerGeocoded), async (event, ctx) => {
        await this.recordLocation.geocoded(event, ctx.em);
      }),
      subscribe(eventTopic(Topic.GeocodeFailed), async (event, ctx) => {
        await this.recordLocation.failed(event, ctx.em);
      }),
    ];
  }
}
