/**
 * The one state-machine helper behind every table Purse keeps (orders, holds, disputes, auto top-up
 * attempts and configs). A table lists, for each state, the states it may move to. A move to the state a
 * row is already in is a repeat (a no-op); a move the table does not list is refused; nothing moves out of
 * a final state (one with no moves). Code that writes a state names the move, and the move is checked
 * against the table: a write the table does not allow is a bug and fails loudly.
 */
export type Verdict = 'apply' | 'repeat' | 'refused';

export interface StateMachine<S extends string> {
  readonly name: string;
  readonly states: readonly S[];
  /** A state this table knows; anything else read from a row is corrupt and fails closed. */
  is(value: string): value is S;
  judge(from: S, to: S): Verdict;
  /** The states from which a move to `to` applies: the guard of the UPDATE that makes the move. */
  sourcesOf(to: S): S[];
  /** Throws unless every `from → to` is a move of the table (for writes that name their source states). */
  assertMoves(from: readonly S[], to: S): void;
  isFinal(state: S): boolean;
}

export function stateMachine<S extends string>(name: string, transitions: Readonly<Record<S, readonly S[]>>): StateMachine<S> {
  const states = Object.keys(transitions) as S[];
  for (const from of states) {
    for (const to of transitions[from]) {
      if (!Object.hasOwn(transitions, to)) throw new Error(`Invariant violated: ${name} table moves ${from} to unknown state ${to}`);
    }
  }
  const is = (value: string): value is S => Object.hasOwn(transitions, value);
  const judge = (from: S, to: S): Verdict => {
    if (!is(from)) throw new Error(`Invariant violated: unknown ${name} state ${from}`);
    if (from === to) return 'repeat';
    return transitions[from].includes(to) ? 'apply' : 'refused';
  };
  return {
    name,
    states,
    is,
    judge,
    sourcesOf: (to) => states.filter((from) => judge(from, to) === 'apply'),
    assertMoves: (from, to) => {
      const illegal = from.filter((f) => judge(f, to) !== 'apply');
      if (illegal.length > 0) throw new Error(`Invariant violated: ${name} cannot move ${illegal.join(', ')} → ${to}`);
    },
    isFinal: (state) => is(state) && transitions[state].length === 0,
  };
}
