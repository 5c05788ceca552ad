/**
 * In-process policies for the search tests (not a test file itself). Each is deterministic given the request,
 * so tests can count exactly what a strategy should do.
 */
import type { GenerateRequest } from '../../src/core/llm/generator';
import { InProcessGenerator, type InProcessOptions } from '../../src/core/search/inProcessGenerator';
import { TraceTree } from '../../src/core/trace/tree';
import type { Problem, Trace } from '../../src/core/trace/schema';
import { applyStep, legalOps, parseStep, stepLine } from '../../src/core/embedded/countdown';
import { readCountdownProblem } from '../../src/core/problems/countdown';

export const mathProblem: Problem = { text: 'What is 6 * 7?', answer: '42' };

/**
 * Two first steps, "branch A" and "branch B" (alternating by sibling index); deeper steps "a<d>"/"b<d>".
 * A rollout from a path under A verifies with probability pA (the first round(pA*n) of n siblings answer 42),
 * under B with pB. Full solutions answer from `answers` in the order they are asked for.
 */
export function branchPolicy(opts: { pA?: number; pB?: number; answers?: string[]; terminalAt?: number } = {}) {
  const pA = opts.pA ?? 0.8;
  const pB = opts.pB ?? 0.2;
  let full = 0;
  return (req: GenerateRequest, i: number): string => {
    const first = req.steps[0] ?? '';
    switch (req.purpose) {
      case 'step': {
        const d = req.steps.length;
        if (d === 0) return i % 2 === 0 ? 'branch A' : 'branch B';
        if (opts.terminalAt !== undefined && d + 1 >= opts.terminalAt) return first.includes('A') ? 'The answer is 42' : 'The answer is 41';
        return `${first.includes('A') ? 'a' : 'b'}${d}.${i}`;
      }
      case 'rollout': {
        const p = first.includes('A') ? pA : pB;
        return i < Math.round(p * req.n) ? 'so the answer is 42' : 'so the answer is 41';
      }
      case 'full':
      case 'revision':
        return opts.answers?.[full++ % opts.answers.length] ?? 'The answer is 42';
      case 'judge':
        return 'Score: 0.5';
    }
  };
}

export function makeGenerator(policy: ReturnType<typeof branchPolicy>, opts?: InProcessOptions): InProcessGenerator {
  return new InProcessGenerator(policy, opts);
}

export function freshTree(problem: Problem = mathProblem): TraceTree {
  return TraceTree.create(problem, { id: 'test-trace', createdAt: '2025-01-01T00:00:00.000Z' });
}

/** Fixed clock so traces compare equal across runs. */
export function fixedClock(): () => number {
  let t = Date.parse('2025-01-01T00:00:00.000Z');
  return () => (t += 1);
}

/** The trace without run timestamps, for determinism comparisons. */
export function stripTimes(trace: Trace): unknown {
  return JSON.parse(JSON.stringify(trace, (k, v) => (k === 'startedAt' || k === 'endedAt' || k === 'latencyMs' ? undefined : v)));
}

/**
 * Every legal next step of a Countdown request, as step lines (`9 + 4 = 13 (left: 10, 13, 13)`): the problem's
 * numbers with the request's steps applied, then the Countdown rules' own moves (src/core/embedded/countdown.ts).
 */
export function countdownMoves(req: GenerateRequest): string[] {
  let pool = [...readCountdownProblem(req.problem)!.numbers];
  for (const s of req.steps) pool = applyStep(pool, parseStep(s)!)!;
  return legalOps(pool).map((op) => stepLine(op, applyStep(pool, op)!));
}
