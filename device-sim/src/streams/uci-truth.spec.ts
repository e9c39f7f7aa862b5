import { loadUciDriftStream, UCI_LABELS } from './gas.stream';
import { UciTruth } from './uci-truth';

describe('UciTruth', () => {
  const truth = new UciTruth();
  const stream = loadUciDriftStream(undefined, { shuffledWithinBatches: true });

  it("finds a replayed exposure's gas from its float32 values, in any channel order", () => {
    for (const i of [0, 1234, stream.length - 1]) {
      const values = Array.from(stream.values(i));
      expect(truth.label(stream.channels, values)).toBe(UCI_LABELS[stream.groundTruth(i)]);
      const reversed = [...stream.channels].reverse();
      expect(truth.label(reversed, [...values].reverse())).toBe(UCI_LABELS[stream.groundTruth(i)]);
    }
  });

  it('knows nothing of values that are not a row of the recording, or of other channels', () => {
    const values = Array.from(stream.values(7));
    expect(
      truth.label(
        stream.channels,
        values.map((v) => v + 0.5),
      ),
    ).toBeNull();
    expect(truth.label(stream.channels.slice(1), values.slice(1))).toBeNull();
    expect(truth.label(['temperature'], [21])).toBeNull();
  });
});
