/**
 * Every figure in this library carries a citation. `SourceMap<T>` makes that a compile-time rule:
 * a profile's `sources` object must name a source string for each of its data fields, so a new
 * field without a citation does not type-check.
 *
 * Source strings follow /work/shared/docs/energy-sources.md: a source key from its §10 (e.g.
 * `S-NRF-RADIO`), a tag — [DS] datasheet, [MEAS] measurement, [DER] derived here, [ASSUME] modelling
 * assumption (a tunable default, no retrieved source), [2nd] secondary source — and what was read.
 */
export type SourceMap<T> = { readonly [K in Exclude<keyof T, 'id' | 'label' | 'kind' | 'sources'>]-?: string };

/** Figures not in energy-sources.md at all are marked with this prefix, so they are easy to grep. */
export const NOT_IN_DOC = '[ASSUME, not in energy-sources.md]';
