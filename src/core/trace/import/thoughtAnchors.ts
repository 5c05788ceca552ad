/**
 * The Thought Anchors data layout (interp-reasoning/thought-anchors.com, MIT; copies in ../shared/data/long-cot):
 * `problem.json`, `base_solution.json` (prompt ends with `<think>\n`, solution = thinking + `</think>` + answer) and
 * `chunks_labeled.json` (the thinking already cut into sentences, each with function tags and a resampled accuracy,
 * i.e. a Monte-Carlo value of the prefix). Imported as a long CoT whose steps are those chunks.
 */
import * as z from 'zod';
import type { Problem } from '../schema';
import { importLongCotSteps, type ImportedStep, type LongCotOptions, type LongCotResult } from './longCot';
import { ThinkSplitter } from './thinkSplitter';

export const ThoughtAnchorsProblemSchema = z.object({
  problem: z.string(),
  level: z.string().optional(),
  type: z.string().optional(),
  gt_solution: z.string().optional(),
  gt_answer: z.string(),
  nickname: z.string().optional(),
});

export const ThoughtAnchorsSolutionSchema = z.object({
  prompt: z.string(),
  solution: z.string(),
  full_cot: z.string().optional(),
  answer: z.string().optional(),
  is_correct: z.boolean().optional(),
});

export const ThoughtAnchorsChunkSchema = z.object({
  chunk: z.string(),
  chunk_idx: z.number().int(),
  function_tags: z.array(z.string()).optional(),
  depends_on: z.array(z.union([z.string(), z.number()])).optional(),
  summary: z.string().optional(),
  accuracy: z.number().optional(),
});

export type ThoughtAnchorsProblem = z.infer<typeof ThoughtAnchorsProblemSchema>;
export type ThoughtAnchorsSolution = z.infer<typeof ThoughtAnchorsSolutionSchema>;
export type ThoughtAnchorsChunk = z.infer<typeof ThoughtAnchorsChunkSchema>;

export function importThoughtAnchors(
  data: { problem: unknown; solution: unknown; chunks: unknown; id?: string },
  opts: LongCotOptions = {},
): LongCotResult {
  const p = ThoughtAnchorsProblemSchema.parse(data.problem);
  const sol = ThoughtAnchorsSolutionSchema.parse(data.solution);
  const chunks = z.array(ThoughtAnchorsChunkSchema).parse(data.chunks);
  const splitter = new ThinkSplitter();
  const a = splitter.push(sol.solution);
  const b = splitter.flush();
  const thinking = a.thinking + b.thinking;
  const content = a.content + b.content;
  // Find each chunk in the thinking so the whitespace between chunks (the fork prefix) stays exact.
  let pos = 0;
  const steps: ImportedStep[] = chunks.map((c) => {
    const at = thinking.indexOf(c.chunk, pos);
    const sep = at >= 0 && thinking.slice(pos, at).trim() === '' ? thinking.slice(pos, at) : ' ';
    if (at >= 0) pos = at + c.chunk.length;
    const meta: ImportedStep['meta'] = { chunkIdx: c.chunk_idx };
    if (c.function_tags) meta.tags = c.function_tags;
    if (c.summary !== undefined) meta.summary = c.summary;
    return c.accuracy === undefined ? { text: c.chunk, sep, meta } : { text: c.chunk, sep, value: c.accuracy, meta };
  });
  const problem: Problem = { text: p.problem, answer: p.gt_answer };
  if (data.id !== undefined) problem.id = data.id;
  return importLongCotSteps(problem, steps, content, { valueSource: 'thought-anchors resampled accuracy', ...opts });
}
