/** Typed dataset errors: each names the file (and line) so the user can act on one clear message. */
export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(line !== undefined ? `${file}:${line}: ${message}` : `${file}: ${message}`);
  }
}

export class DatasetMissingError extends DatasetError {
  override name = 'DatasetMissingError';
}

export class DatasetCorruptError extends DatasetError {
  override name = 'DatasetCorruptError';
}

export class DatasetFormatError extends DatasetError {
  override name = 'DatasetFormatError';
}
