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
 * An op refused its input data during invoke(), where TFLM's Eval returns kTfLiteError (e.g. int8 RSQRT of a
 * negative value). The outputs of that invoke are not valid.
 */
export class OpEvalError extends Error {
  constructor(
    message: string,
    readonly op: string,
    readonly opIndex: number,
  ) {
    super(message);
    this.name = 'OpEvalError';
  }
}
