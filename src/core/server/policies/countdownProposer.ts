/**
 * Simulated Countdown step proposer (not a language model): reads a Countdown problem (any phrasing the core
 * reader accepts, e.g. "Use the numbers … to reach T.") and the steps so far, and writes the rest of a solution in
 * the Countdown text format, one step per paragraph, ending with an `Answer:` line. Each step is legal or, with
 * `errorRate`, illegal (wrong arithmetic or a number not available); with `guidance` it prefers steps from which
 * the target is still reachable. Seeded: same request → same text.
 */
import type { Policy, PolicyChoice, PolicyRequest } from '../policy';
import { createRng, seedFrom } from '../rng';
import type { Rng } from '../rng';
import { continuationLead, promptParts, promptTokenCount } from './promptParts';
import { tokenize } from '../tokenize';
import { COUNTDOWN_EXAMPLE, readCountdownProblem, type CountdownSpec } from '../../problems/countdown';

export interface CountdownPolicyOptions {
  name?: string;
  /** Probability that a step is illegal (default 0.1). */
  errorRate?: number;
  /** Probability of choosing a step that keeps the target reachable, when one exists (default 0.6). */
  guidance?: number;
}

type Op = '+' | '-' | '*' | '/';
interface Item {
  value: number;
  expr: string;
}

const STEP = /^\s*(-?\d+)\s*([+\-*/×÷])\s*(-?\d+)\s*=\s*(-?\d+(?:\.\d+)?)\s*(?:\(left:\s*([^)]*)\))?/;

/** The problem in a prompt: the one Countdown reader (src/core/problems), last statement in the text. */
export function parseCountdownProblem(text: string): CountdownSpec | null {
  return readCountdownProblem(text);
}

function apply(a: number, op: Op, b: number): number | null {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b >= 0 ? a - b : null;
    case '*':
      return a * b;
    case '/':
      return b !== 0 && a % b === 0 ? a / b : null;
  }
}

function solvable(values: number[], target: number, memo: Map<string, boolean>): boolean {
  if (values.includes(target)) return true;
  if (values.length < 2) return false;
  const key = [...values].sort((x, y) => x - y).join(',');
  const known = memo.get(key);
  if (known !== undefined) return known;
  let ok = false;
  outer: for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      if (i === j) continue;
      for (const op of ['+', '-', '*', '/'] as Op[]) {
        const r = apply(values[i] as number, op, values[j] as number);
        if (r === null) continue;
        const rest = values.filter((_, k) => k !== i && k !== j);
        if (solvable([...rest, r], target, memo)) {
          ok = true;
          break outer;
        }
      }
    }
  }
  memo.set(key, ok);
  return ok;
}

const stripOuter = (e: string): string => (e.startsWith('(') && e.endsWith(')') ? e.slice(1, -1) : e);

/** Replays the steps so far on the numbers, trusting each step's stated result (a model continues from its own text). */
function replay(numbers: number[], partial: string): { items: Item[]; answered: boolean; steps: number } {
  let items: Item[] = numbers.map((v) => ({ value: v, expr: String(v) }));
  let steps = 0;
  for (const line of partial.split('\n')) {
    if (/^\s*Answer:/i.test(line)) return { items, answered: true, steps };
    const m = STEP.exec(line);
    if (!m) continue;
    steps++;
    const a = Number(m[1]);
    const b = Number(m[3]);
    const op = (m[2] === '×' ? '*' : m[2] === '÷' ? '/' : m[2]) as Op;
    const r = Number(m[4]);
    const ia = items.findIndex((x) => x.value === a);
    const ib = items.findIndex((x, k) => x.value === b && k !== ia);
    const ea = ia >= 0 ? (items[ia] as Item).expr : String(a);
    const eb = ib >= 0 ? (items[ib] as Item).expr : String(b);
    items = items.filter((_, k) => k !== ia && k !== ib);
    items.push({ value: r, expr: `(${ea} ${op} ${eb})` });
  }
  return { items, answered: false, steps };
}

function proposeRest(items: Item[], target: number, rng: Rng, errorRate: number, guidance: number): string[] {
  const out: string[] = [];
  let state = [...items];
  for (let guard = 0; guard < 12; guard++) {
    const hit = state.find((x) => x.value === target);
    if (hit) {
      out.push(`Answer: ${stripOuter(hit.expr)} = ${target}`);
      return out;
    }
    if (state.length < 2) {
      const last = state[0];
      out.push(last ? `Answer: ${stripOuter(last.expr)} = ${last.value}` : `Answer: none = ${target}`);
      return out;
    }
    const moves: { i: number; j: number; op: Op; r: number; good: boolean }[] = [];
    const memo = new Map<string, boolean>();
    for (let i = 0; i < state.length; i++) {
      for (let j = 0; j < state.length; j++) {
        if (i === j) continue;
        for (const op of ['+', '-', '*', '/'] as Op[]) {
          const a = (state[i] as Item).value;
          const b = (state[j] as Item).value;
          if ((op === '+' || op === '*') && a < b) continue; // commutative: one order is enough
          if (op === '/' && b === 1) continue;
          const r = apply(a, op, b);
          if (r === null) continue;
          const rest = state.filter((_, k) => k !== i && k !== j).map((x) => x.value);
          moves.push({ i, j, op, r, good: solvable([...rest, r], target, memo) });
        }
      }
    }
    if (moves.length === 0) {
      const last = state[state.length - 1] as Item;
      out.push(`Answer: ${stripOuter(last.expr)} = ${last.value}`);
      return out;
    }
    const good = moves.filter((m) => m.good);
    const move = good.length > 0 && rng.chance(guidance) ? rng.pick(good) : rng.pick(moves);
    const a = state[move.i] as Item;
    const b = state[move.j] as Item;
    let shownA = a.value;
    let r = move.r;
    if (rng.chance(errorRate)) {
      // Illegal step: a wrong result, or an operand that is not available.
      if (rng.chance(0.5)) r = move.r + (rng.chance(0.5) ? 1 : -1) * (1 + rng.int(3));
      else shownA = a.value + 1 + rng.int(5);
    }
    const rest = state.filter((_, k) => k !== move.i && k !== move.j);
    const next: Item = { value: r, expr: `(${shownA === a.value ? a.expr : String(shownA)} ${move.op} ${b.expr})` };
    state = [...rest, next];
    out.push(`${shownA} ${move.op} ${b.value} = ${r} (left: ${state.map((x) => x.value).join(', ')})`);
  }
  return out;
}

export function countdownPolicy(options: CountdownPolicyOptions = {}): Policy {
  const name = options.name ?? 'sim-countdown';
  const errorRate = options.errorRate ?? 0.1;
  const guidance = options.guidance ?? 0.6;
  return {
    name,
    async generate(req: PolicyRequest) {
      const { context, partial } = promptParts(req);
      const problem = parseCountdownProblem(context) ?? parseCountdownProblem(partial);
      const choices: PolicyChoice[] = [];
      for (let c = 0; c < req.n; c++) {
        const rng = createRng(seedFrom(name, req.seed, req.temperature > 0 ? c : 0, context, partial));
        let text: string;
        if (!problem) {
          text = `I cannot find a Countdown problem in the prompt; write it like: "${COUNTDOWN_EXAMPLE}"`;
        } else {
          const state = replay(problem.numbers, partial);
          text = state.answered ? '' : continuationLead(req, partial) + proposeRest(state.items, problem.target, rng, errorRate, guidance).join('\n\n');
        }
        choices.push({ text, finishReason: 'stop' });
      }
      return { choices, promptTokens: promptTokenCount(req), completionTokens: choices.map((ch) => tokenize(ch.text).length) };
    },
  };
}
