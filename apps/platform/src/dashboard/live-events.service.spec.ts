import { PlatformEvents } from '../common/platform-events';
import { LiveEventsService } from './live-events.service';

describe('LiveEventsService', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('coalesces stored events into one message per second, with the rate, and says when they stop', () => {
    const events = new PlatformEvents();
    const live = new LiveEventsService(events);
    const seen: any[] = [];
    const sub = live.stream().subscribe((m) => seen.push(m.data));
    expect(seen).toEqual([{ type: 'hello', eventsPerSecond: 0 }]);
    events.emit('events-stored', ['dev-a', 'dev-b'], 5);
    events.emit('events-stored', ['dev-a'], 5);
    jest.advanceTimersByTime(1000);
    expect(seen.slice(1)).toEqual([
      { type: 'events', count: 10, eventsPerSecond: 10, devices: ['dev-a', 'dev-b'], truncated: false },
    ]);
    jest.advanceTimersByTime(1000); // nothing new: one last message so views can show the rate falling
    jest.advanceTimersByTime(5000); // then silence
    expect(seen.slice(2)).toEqual([{ type: 'events', count: 0, eventsPerSecond: 5, devices: [], truncated: false }]);
    sub.unsubscribe();
    live.onModuleDestroy();
  });

  it('groups OTA transitions per rollout, relays device changes, and ends every stream on shutdown', () => {
    const events = new PlatformEvents();
    const live = new LiveEventsService(events);
    const seen: any[] = [];
    let completed = false;
    live.stream().subscribe({ next: (m) => seen.push(m.data), complete: () => (completed = true) });
    events.emit('ota-job-transition', 1, 'dev-a', 7, 'NOTIFIED');
    events.emit('ota-job-transition', 2, 'dev-b', 7, 'NOTIFIED');
    events.emit('device-registered', 'dev-c');
    events.emit('device-connectivity', 'dev-c', 'OFFLINE');
    jest.advanceTimersByTime(300);
    expect(seen.slice(1)).toEqual([
      { type: 'device', deviceId: 'dev-c', change: 'registered' },
      { type: 'device', deviceId: 'dev-c', change: 'offline' },
      { type: 'ota', rolloutIds: [7], deviceIds: ['dev-a', 'dev-b'] },
    ]);
    live.onModuleDestroy();
    expect(completed).toBe(true);
  });

  it('lists at most 500 devices per message and flags the rest', () => {
    const events = new PlatformEvents();
    const live = new LiveEventsService(events);
    const seen: any[] = [];
    live.stream().subscribe((m) => seen.push(m.data));
    events.emit(
      'events-stored',
      Array.from({ length: 800 }, (_, i) => `dev-${i}`),
      800,
    );
    jest.advanceTimersByTime(1000);
    expect(seen[1]).toMatchObject({ count: 800, truncated: true });
    expect(seen[1].devices).toHaveLength(500);
    live.onModuleDestroy();
  });
});
