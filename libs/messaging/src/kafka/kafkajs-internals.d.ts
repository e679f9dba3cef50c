// kafkajs's request queue (one per broker connection), which has no typings of its own: the parts
// request-queue.fix.ts replaces and its spec drives.
declare module 'kafkajs/src/network/requestQueue' {
  interface QueuedRequest {
    entry: {
      correlationId: number;
      apiName: string;
      apiKey: number;
      apiVersion: number;
      resolve: (response: unknown) => void;
      reject: (error: Error) => void;
    };
    expectResponse: boolean;
    sendRequest: () => void;
  }
  class RequestQueue {
    constructor(options: {
      maxInFlightRequests: number | null;
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      clientId: string;
      broker: string;
      logger: Record<'debug' | 'info' | 'warn' | 'error', (...args: unknown[]) => void>;
    });
    pending: unknown[];
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    scheduleCheckPendingRequests: (this: RequestQueue) => void;
    push(request: QueuedRequest): void;
    fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
    checkPendingRequests(): void;
    maybeThrottle(ms: number): void;
    destroy(): void;
  }
  export = RequestQueue;
}
