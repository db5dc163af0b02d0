import { describe, expect, it } from 'vitest';
import { stateMachine } from './state-machine.ts';

type Light = 'red' | 'green' | 'amber' | 'broken';
const LIGHT = stateMachine<Light>('light', { red: ['green', 'broken'], green: ['amber', 'broken'], amber: ['red', 'broken'], broken: [] });

describe('stateMachine', () => {
  it.each<[Light, Light, string]>([
    ['red', 'green', 'apply'],
    ['green', 'green', 'repeat'],
    ['broken', 'broken', 'repeat'],
    ['green', 'red', 'refused'],
    ['broken', 'red', 'refused'],
  ])('judges %s → %s as %s', (from, to, verdict) => {
    expect(LIGHT.judge(from, to)).toBe(verdict);
  });

  it('lists the source states of a move (the UPDATE guard), never the target itself', () => {
    expect(LIGHT.sourcesOf('broken').sort()).toEqual(['amber', 'green', 'red']);
    expect(LIGHT.sourcesOf('red')).toEqual(['amber']);
  });

  it('knows its states and fails closed on an unknown one read from a row', () => {
    expect(LIGHT.is('amber')).toBe(true);
    expect(LIGHT.is('blue')).toBe(false);
    expect(() => LIGHT.judge('blue' as Light, 'red')).toThrow(/unknown light state blue/);
  });

  it('marks states without moves as final', () => {
    expect(LIGHT.states.filter((s) => LIGHT.isFinal(s))).toEqual(['broken']);
  });

  it('refuses a write whose named source states are not moves of the table', () => {
    expect(() => LIGHT.assertMoves(['red', 'amber'], 'broken')).not.toThrow();
    expect(() => LIGHT.assertMoves(['red', 'green'], 'amber')).toThrow(/light cannot move red → amber/);
  });

  it('refuses a table that moves to a state it does not define', () => {
    expect(() => stateMachine('bad', { a: ['b'] } as unknown as Record<'a' | 'b', readonly ('a' | 'b')[]>)).toThrow(/unknown state b/);
  });
});
