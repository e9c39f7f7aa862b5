/**
 * Commander argument parsers for numeric options. Each is made for one option, so that a bad
 * value stops the command with a message naming the option and what was given (main.ts prints it
 * as `tinyfleet: <message>`). Integers are plain decimal digits: `Number()` alone would take
 * `0x10`, `1e3` and an empty string (as 0).
 */

const DECIMAL_INTEGER = /^[+-]?\d+$/;

/** A whole number from `min` to `max` (both included). */
export function integerOption(option: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const expected =
    max !== Number.MAX_SAFE_INTEGER
      ? `an integer from ${min} to ${max}`
      : min === 1
        ? 'a positive integer'
        : min === 0
          ? 'a non-negative integer'
          : `an integer of at least ${min}`;
  return (value) => {
    const n = DECIMAL_INTEGER.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Error(`${option} must be ${expected}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** 1, 2, 3, … */
export function positiveInt(option: string): (value: string) => number {
  return integerOption(option, 1);
}

/** 0, 1, 2, … */
export function nonNegativeInt(option: string): (value: string) => number {
  return integerOption(option, 0);
}

/** Any finite number above 0. */
export function positiveNumber(option: string): (value: string) => number {
  return numberOption(option, 'a positive number', (n) => n > 0);
}

/** Any finite number from 0 up. */
export function nonNegativeNumber(option: string): (value: string) => number {
  return numberOption(option, 'a non-negative number', (n) => n >= 0);
}

function numberOption(option: string, expected: string, allowed: (n: number) => boolean): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n) || !allowed(n))
      throw new Error(`${option} must be ${expected}, got ${JSON.stringify(value)}`);
    return n;
  };
}
