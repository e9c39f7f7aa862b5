/** A model file that is malformed, inconsistent or outside what the interpreter can represent. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/** The model uses an operator (or an operator variant) that this interpreter does not implement. */
export class UnsupportedOpError extends Error {
  constructor(
    message: string,
    readonly op: string,
    readonly opIndex: number,
    /** The tensor type the build lacks a kernel for, when the op itself is registered for other types. */
    readonly type?: string,
  ) {
    super(message);
    this.name = 'UnsupportedOpError';
  }
}

/** The planned arena does not fit in the RAM budget given to the interpreter. */
export class ArenaTooSmallError extends Error {
  constructor(
    readonly neededBytes: number,
    readonly availableBytes: number,
  ) {
    super(`arena too small: model needs ${neededBytes} bytes, ${availableBytes} bytes available`);
    this.name = 'ArenaTooSmallError';
  }
}

/**
 * A kernel found its runtime data invalid during invoke() (e.g. a GATHER index outside the gathered axis), where
 * TFLM's Eval returns kTfLiteError. Raised instead of reading or writing outside a tensor, never a wrong answer.
 */
export class InvokeError extends Error {
  constructor(
    message: string,
    readonly op: string,
    readonly opIndex: number,
  ) {
    super(message);
    this.name = 'InvokeError';
  }
}
