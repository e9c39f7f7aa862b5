/**
 * `LEFT JOIN LATERAL … m`: the model id and version (`m.model_id`, `m.model_version`) of the slot whose
 * tag is `tagExpr` in the last status of the device row `d` — how every per-model uplink (events,
 * accuracy reports) names its model, since devices send only the 4-byte tag. NULLs when the status
 * does not list the tag (a model the device reported before its first status, or an unknown one).
 */
export function slotModelJoin(tagExpr: string): string {
  return `LEFT JOIN LATERAL (
    SELECT s->>'modelId' AS model_id, s->>'modelVersion' AS model_version
    FROM jsonb_array_elements(COALESCE(d.last_status->'slots', '[]'::jsonb)) s
    WHERE jsonb_typeof(s) = 'object' AND (s->>'tag')::bigint = ${tagExpr}
    LIMIT 1
  ) m ON true`;
}
