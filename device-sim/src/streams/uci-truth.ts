import { loadUciDriftStream, UCI_FILES, UCI_LABELS } from './gas.stream';

/**
 * The true gas behind an evidence window from a simulated gas-ethylene node, looked up by its raw
 * values in the UCI recording: the stand-in for the lab reference a person labelling field evidence
 * would consult (`tinyfleet sim label-evidence`). A node captures the features as float32, so the
 * stored values equal the recording's row exactly.
 */
export class UciTruth {
  private readonly channels: readonly string[];
  /** Row values (the recording's channel order, joined) → gas index; -1 where two gases share a row. */
  private readonly byValues = new Map<string, number>();

  constructor(files = UCI_FILES) {
    const stream = loadUciDriftStream(files);
    this.channels = stream.channels;
    for (let i = 0; i < stream.length; i++) {
      const key = Array.from(stream.values(i)).join(',');
      const gas = stream.groundTruth(i);
      const seen = this.byValues.get(key);
      this.byValues.set(key, seen === undefined || seen === gas ? gas : -1);
    }
  }

  /**
   * The gas of the window's last sample (the one the inference ran on; its truth is the node's), or
   * null when its values are not one row of the recording.
   */
  label(channels: readonly string[], values: readonly number[]): string | null {
    if (channels.length === 0 || values.length % channels.length !== 0) return null;
    const last = values.slice(values.length - channels.length);
    const row = new Array<number>(this.channels.length);
    channels.forEach((c, j) => {
      const k = this.channels.indexOf(c);
      if (k >= 0) row[k] = last[j]!;
    });
    if (channels.length !== this.channels.length || row.some((v) => v === undefined)) return null;
    const gas = this.byValues.get(row.join(','));
    return gas === undefined || gas < 0 ? null : UCI_LABELS[gas]!;
  }
}
