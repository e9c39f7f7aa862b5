/**
 * Canonical JSON for signatures: object keys sorted by UTF-16 code unit order, no whitespace,
 * JSON.stringify number/string encoding. Signing the canonical form (not the file bytes) lets the
 * manifest be pretty-printed on disk while any change to a value still breaks the signature.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // NaN/Infinity have no JSON form; refusing them keeps signer and verifier in agreement.
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: unsupported type ${typeof value}`);
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => [k, sortDeep(obj[k])]),
    );
  }
  return value;
}

/**
 * The on-disk layout of manifest.json: sorted keys, 2-space indent, final newline. Verification
 * requires the file to be exactly this rendering of its content, so that even a whitespace-only
 * edit (which the signature over canonicalJson would not see) is rejected.
 */
export function prettyCanonicalJson(value: unknown): string {
  return `${JSON.stringify(sortDeep(value), null, 2)}\n`;
}
