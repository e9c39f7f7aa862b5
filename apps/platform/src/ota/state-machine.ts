/** A transition table and the one check every state change goes through. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

export interface StateMachine<S extends string> {
  readonly table: Readonly<Record<S, readonly S[]>>;
  readonly terminal: readonly S[];
  canTransition(from: S, to: S): boolean;
  assertTransition(what: string, from: S, to: S): void;
}

export function defineStateMachine<S extends string>(table: Readonly<Record<S, readonly S[]>>): StateMachine<S> {
  const terminal = (Object.keys(table) as S[]).filter((s) => table[s].length === 0);
  return {
    table,
    terminal,
    canTransition: (from, to) => table[from]?.includes(to) ?? false,
    assertTransition(what, from, to) {
      if (!this.canTransition(from, to)) {
        throw new IllegalTransitionError(
          `${what}: ${from} → ${to} is not allowed (from ${from}: ${table[from]?.join(', ') || 'nothing, it is final'})`,
        );
      }
    },
  };
}
