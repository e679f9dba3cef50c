import type { IncomingMessage } from 'node:http';
import { Controller, Get, Query, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { DEFAULT_STREAM_SECONDS, GetMapLiveRequestDto } from './dtos/get-map-live.request.dto';
import { PinChangeResponseDto } from './dtos/pin-change.response.dto';
import { MapLiveHub } from './map-live.hub';

/** A comment line this often keeps the stream alive through the gateway (UPSTREAM_TIMEOUT_MS, 15 s) and proxies. */
const HEARTBEAT_MS = 10_000;
/** Unsent bytes a stream may hold for a slow client before it is ended. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Streams one instance holds at most; beyond, 503 and the client's EventSource retries. */
export const MAX_STREAMS = 5000;

@ApiTags('map')
@ApiExtraModels(PinChangeResponseDto)
@Controller('api/v1/map')
export class MapLiveController {
  constructor(private readonly hub: MapLiveHub) {}

  @Get('live')
  @ApiOperation({
    summary: 'Pin changes as they happen (server-sent events)',
    description:
      'A text/event-stream: an `event: pin` whose data is {customerId, status, color, lat, lng, version} each ' +
      'time a customer’s map status changes (within a second of the payment that changed it), a comment line ' +
      'every 10 s, and the end of the stream after maxSeconds (EventSource reconnects by itself). Only the ' +
      'caller’s territory. Nothing is replayed: after a reconnection, ask for the view again.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'The stream; each `data:` line is one PinChange as JSON.',
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath(PinChangeResponseDto) } } },
  })
  @ApiBadRequestResponse({ description: 'maxSeconds is not an integer from 1 to 3600 (the field is named).' })
  live(
    @Query() query: GetMapLiveRequestDto,
    @CurrentIdentity() identity: Identity,
    @Req() req: IncomingMessage,
    @Res() res: Response,
  ): void {
    if (this.hub.size >= MAX_STREAMS) {
      throw new ServiceUnavailableException({
        error: {
          code: 'TOO_MANY_STREAMS',
          message: 'too many live map streams on this instance; retry',
          details: [],
        },
      });
    }
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      // nginx and similar proxies would otherwise hold the events back in their buffers.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    // The stream has no request body and no end of its own: Node's socket timeouts must not cut it.
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    let open = true;
    const finish = (): void => {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      clearTimeout(lifetime);
      remove();
      res.end();
    };
    const remove = this.hub.add({
      territory: territoryOf(identity),
      write: (frame) => {
        if (!open) return;
        res.write(frame);
        // A client that stopped reading is cut off rather than buffered for: it reconnects and asks again.
        if (res.writableLength > MAX_BUFFERED_BYTES) finish();
      },
      end: finish,
    });
    // retry: how long EventSource waits before reconnecting after the end below or a dropped connection.
    res.write('retry: 1000\n: connected\n\n');
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    const lifetime = setTimeout(finish, (query.maxSeconds ?? DEFAULT_STREAM_SECONDS) * 1000);
    req.once('close', finish);
    res.once('close', finish);
  }
}
