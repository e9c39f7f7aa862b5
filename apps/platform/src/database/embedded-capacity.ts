/**
 * Devices online at once that the embedded database (PGlite: one wasm PostgreSQL, one connection,
 * queries one after another) keeps up with on a 2-core machine at the simulator's default report
 * rates. Measured with `bench:fleet` (device-sim/README.md, "Fleet benchmark"): 1,000 nodes held;
 * from ~1,200 the query queue grew without bound, `/health` stopped answering within 5 s and ingest
 * crawled, while PostgreSQL carried 3,000. Above it the embedded broker refuses further device
 * CONNECTs (CONNACK 3, the device retries) and says why in the log, instead of slowing every device.
 */
export const EMBEDDED_DATABASE_MAX_ONLINE_DEVICES = 1000;

export const EMBEDDED_DATABASE_CAPACITY_NOTE = `holds up to ${EMBEDDED_DATABASE_MAX_ONLINE_DEVICES.toLocaleString('en-US')} devices online; set DATABASE_URL=postgres://… for a larger fleet`;
