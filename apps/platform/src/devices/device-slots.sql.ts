/**
 * `LEFT JOIN LATERAL … m`: the model id and version (`m.model_id`, `m.model_version`) of the slot whose
 * tag is `tagExpr` on the device row `d` — how every per-model uplink (events, accuracy reports)
 * names its model, since devices send only the 4-byte tag. The active slot wins when both hold the
 * same model. NULLs when neither slot of the last status has the tag (a model the device reported
 * before its first status, or an unknown one).
 */
export function slotModelJoin(tagExpr: string): string {
  return `LEFT JOIN LATERAL (
    SELECT CASE WHEN d.active_model_tag = ${tagExpr} THEN d.active_model_id
                WHEN d.inactive_model_tag = ${tagExpr} THEN d.inactive_model_id END AS model_id,
           CASE WHEN d.active_model_tag = ${tagExpr} THEN d.active_model_version
                WHEN d.inactive_model_tag = ${tagExpr} THEN d.inactive_model_version END AS model_version
  ) m ON true`;
}
