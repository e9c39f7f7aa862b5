/**
 * Devices online at once that the embedded database (PGlite: one wasm PostgreSQL, one connection,
 * queries one after another) keeps up with on a 2-core machine at the default fleet's virtual speed
 * (60×). Measured with `bench:fleet` (device-sim/README.md, "Embedded PGlite"): 4,000 nodes at 60×
 * joined in 72 s and for 240 s stored every event as it was made (260.6 created / 260.5 stored per s,
 * 0 dropped, the platform at 851 MB RSS and 29 % of a core); 2,000 at 30× the same. The bound was
 * 1,000 before the CONNECT checks and event batches were batched (#14): from ~1,200 the query queue
 * then grew without bound. Above it the embedded broker refuses further device CONNECTs (CONNACK 3,
 * the device retries) and says why in the log, instead of slowing every device; larger fleets, or
 * faster virtual time, need PostgreSQL (10,000 nodes measured there). The default of
 * EMBEDDED_DATABASE_MAX_ONLINE_DEVICES (AppConfig `database.maxOnlineDevices`): a slower machine may
 * want less, a test a handful.
 */
export const EMBEDDED_DATABASE_DEFAULT_MAX_ONLINE_DEVICES = 4000;

/** What the boot banner and the refusal log say about the bound. */
export function embeddedDatabaseCapacityNote(maxOnlineDevices: number): string {
  return `holds up to ${maxOnlineDevices.toLocaleString('en-US')} devices online; set DATABASE_URL=postgres://… for a larger fleet`;
}
