import { EventPolicyState } from './event-policy';
import { OfflineBuffer } from './offline-buffer';

const r = (label: number, scoreQ: number) => ({ label, scoreQ, marginQ: 255 });

describe('EventPolicyState', () => {
  it('on-change: first inference, class changes and threshold crossings within a class', () => {
    const p = new EventPolicyState('on-change', 64);
    expect(
      [r(0, 100), r(0, 110), r(1, 30), r(1, 90), r(1, 95), r(1, 10), r(0, 10)].map((x) => p.shouldReport(x)),
    ).toEqual([true, false, true, true, false, true, true]);
  });

  it('threshold: only crossings upwards into confidence, or a confident new class', () => {
    const p = new EventPolicyState('threshold', 64);
    expect([r(0, 10), r(0, 70), r(0, 80), r(1, 20), r(1, 90), r(0, 100)].map((x) => p.shouldReport(x))).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
    ]);
  });

  it('debounces class changes when asked to (fast, noisy streams)', () => {
    const p = new EventPolicyState('on-change', 64, 2);
    // a: confirmed after 2; a lone b is a flicker; b b is a change.
    expect(
      [r(0, 100), r(0, 100), r(1, 100), r(0, 100), r(1, 100), r(1, 100), r(1, 100)].map((x) => p.shouldReport(x)),
    ).toEqual([false, true, false, false, false, true, false]);
  });

  it('every: everything', () => {
    const p = new EventPolicyState('every', 0);
    expect([r(0, 1), r(0, 1)].map((x) => p.shouldReport(x))).toEqual([true, true]);
  });
});

describe('OfflineBuffer', () => {
  const ev = (seq: number) => ({ seq, timestampMs: seq, modelTag: 1, label: 0, scoreQ: 0, latencyUs: 0, energyUj: 0 });

  it('drops the oldest unsent event when full and counts it', () => {
    const b = new OfflineBuffer(2);
    [1, 2, 3].forEach((s) => b.push(ev(s)));
    expect(b.dropped).toBe(1);
    expect(b.takeNext()?.seq).toBe(2);
    b.push(ev(4)); // 2 is in flight: the victim is 3
    expect(b.dropped).toBe(2);
    expect(b.takeNext()?.seq).toBe(4);
    b.ack(2);
    b.ack(4);
    expect(b.size).toBe(0);
  });

  it('keeps in-flight events until acknowledged and re-queues them when the link drops', () => {
    const b = new OfflineBuffer(8);
    [1, 2].forEach((s) => b.push(ev(s)));
    b.takeNext();
    b.takeNext();
    expect(b.takeNext()).toBeUndefined();
    b.requeueInFlight();
    expect(b.takeNext()?.seq).toBe(1);
    b.ack(1);
    b.ack(2); // a late ack from before the reconnect still removes it
    expect(b.size).toBe(0);
  });
});
