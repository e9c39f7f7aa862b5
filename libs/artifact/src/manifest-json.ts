/**
 * The layout of manifest.json: keys sorted at every level, 2-space indent, final newline. The
 * signature covers the file's sha256 (through the device manifest), so any layout would verify; one
 * fixed layout makes a rebuild of the same model byte-identical and diffs between builds readable.
 */
export function manifestJson(manifest: unknown): string {
  return `${JSON.stringify(sortKeys(manifest), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`manifest: non-finite number ${value}`);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}
