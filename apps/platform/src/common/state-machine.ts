/** A transition table and the one check every state change goes through. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

/**
 * The table allowed the change, but the row was no longer in the state the caller saw (someone else
 * moved it meanwhile): nothing was written.
 */
export class StaleTransitionError extends Error {
  override name = 'StaleTransitionError';
}

export interface StateMachine<S extends string> {
  readonly table: Readonly<Record<S, readonly S[]>>;
  readonly terminal: readonly S[];
  canTransition(from: S, to: S): boolean;
  assertTransition(what: string, from: S, to: S): void;
  /**
   * The guarded write every state change of a persisted aggregate goes through: checks the table,
   * runs `write` (which must change the row only where it is still in `from`, and return how many
   * rows it changed), and fails with the check that did not hold — the table
   * (IllegalTransitionError) or the affected rows (StaleTransitionError).
   */
  transition(what: string, from: S, to: S, write: () => Promise<number>): Promise<void>;
}

export function defineStateMachine<S extends string>(table: Readonly<Record<S, readonly S[]>>): StateMachine<S> {
  const terminal = (Object.keys(table) as S[]).filter((s) => table[s].length === 0);
  const canTransition = (from: S, to: S): boolean => table[from]?.includes(to) ?? false;
  const assertTransition = (what: string, from: S, to: S): void => {
    if (!canTransition(from, to)) {
      throw new IllegalTransitionError(
        `${what}: ${from} → ${to} is not allowed (from ${from}: ${table[from]?.join(', ') || 'nothing, it is final'})`,
      );
    }
  };
  return {
    table,
    terminal,
    canTransition,
    assertTransition,
    async transition(what, from, to, write) {
      assertTransition(what, from, to);
      const affected = await write();
      if (affected === 0)
        throw new StaleTransitionError(`${what}: ${from} → ${to} was not applied: it is no longer ${from}`);
      if (affected !== 1) throw new Error(`${what}: ${from} → ${to} changed ${affected} rows, expected 1`);
    },
  };
}
