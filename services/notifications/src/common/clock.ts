/** The time source of use cases, injected so specs can stand at any instant (midnight, DST...). */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
