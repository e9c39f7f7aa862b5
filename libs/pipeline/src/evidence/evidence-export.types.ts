/**
 * The labelled-evidence export (`tinyfleet evidence export DIR` writes DIR/evidence.json), which
 * `tinyfleet model build --add-evidence DIR` reads. Values are the raw window the device's model read.
 */
export const EVIDENCE_EXPORT_FORMAT = 'tinyfleet-evidence/1';
export const EVIDENCE_EXPORT_FILE = 'evidence.json';

export interface EvidenceExportWindow {
  id: number;
  requestId: number;
  deviceId: string;
  modelTag: number;
  /** name@version of the model that made the inference, when registered. */
  model: string | null;
  /** The operator's label: a class name of the model. */
  label: string;
  /** The class the model chose, by name when known. */
  predicted: string | null;
  /** Names of the values of one sample (sensor channels, or one image channel), when known. */
  channels: string[] | null;
  format: 'f32le' | 'u8';
  samples: number;
  valuesPerSample: number;
  /** 0 = not an image. */
  imageWidth: number;
  /** base64 of the raw window: samples × valuesPerSample values, oldest sample first. */
  data: string;
}

export interface EvidenceExport {
  format: typeof EVIDENCE_EXPORT_FORMAT;
  exportedAt: string;
  windows: EvidenceExportWindow[];
}
