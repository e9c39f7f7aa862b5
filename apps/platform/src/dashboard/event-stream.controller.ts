import { Controller, MessageEvent, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { LiveEventsService } from './live-events.service';

@ApiTags('dashboard')
@Controller('api/events')
export class EventStreamController {
  constructor(private readonly live: LiveEventsService) {}

  /**
   * Server-Sent Events for the dashboard. It sits under /api/, so with an API_TOKEN it needs the
   * Authorization header: the dashboard reads it with fetch() (EventSource cannot send headers).
   */
  @Sse('stream')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'JSON messages: hello, events (coalesced per second: count, eventsPerSecond, devices), device (registered/online/offline), ota (rollouts and devices whose jobs moved), ping',
  })
  stream(): Observable<MessageEvent> {
    return this.live.stream();
  }
}
