/**
 * The segmentation an import is about to write, as a person checks it before the file exists: one line per node the
 * importer created (index, opening text, the answer it states, backtrack / branch marks; for a search library's tree
 * also its selection, visits, value and rating) and the counts. Pure (no
 * `vscode`): the import command shows it in a quick pick (importPrompts.ts), the unit tests read it directly.
 */
import type { ImportBuild, ImportSource } from '../core/trace/import/sources';
import { SHAPE_LABELS } from '../core/trace/import/sources';
import type { TraceNode } from '../core/trace/schema';

export interface PreviewStep {
  /** 1-based, in the order the importer created the nodes (text order for a long CoT). */
  index: number;
  nodeId: string;
  kind: TraceNode['kind'];
  /** The opening of the step, on one line (about 80 characters). */
  text: string;
  /** Full step text (shown on demand). */
  fullText: string;
  answer?: string;
  /** Readable marks: the step's move (backtrack, regret, check), a new branch and where it leaves, answers. */
  marks: string[];
}

export interface ImportPreview {
  /** Counts on one line, for the picker's title. */
  title: string;
  /** The step types and source, for the picker's placeholder. */
  subtitle: string;
  steps: PreviewStep[];
  nodes: number;
  /** Leaves: how many lines of thought the tree holds. */
  branches: number;
  counts: { progress: number; backtrack: number; verification: number; regret: number };
  finalAnswer?: string;
  verified?: boolean;
}

const PREVIEW_CHARS = 80;

export function clipLine(s: string, n = PREVIEW_CHARS): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('ch') ? 'es' : 's'}`;

export function importPreview(build: ImportBuild, src: ImportSource): ImportPreview {
  const trace = build.tree.trace;
  const nodes = trace.nodes.filter((n) => n.kind !== 'root');
  const indexOf = new Map(nodes.map((n, i) => [n.id, i + 1]));
  const children = new Map<string, string[]>();
  for (const n of trace.nodes) if (n.parentId !== null) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id]);
  const where = (id: string | null): string => (id === null || !indexOf.has(id) ? 'the root' : `step ${indexOf.get(id)}`);
  const counts = { progress: 0, backtrack: 0, verification: 0, regret: 0 };
  const steps = nodes.map((n, i): PreviewStep => {
    const marks: string[] = [];
    const type = n.meta?.stepType;
    if (n.kind === 'step' && (type === 'progress' || type === 'backtrack' || type === 'verification' || type === 'regret')) counts[type]++;
    if (type === 'backtrack') marks.push(`↩ backtrack to ${where(n.parentId)}`);
    else if (type === 'regret') marks.push(`↩ regret, back to ${where(n.parentId)}`);
    else if (type === 'verification') marks.push('✓ check');
    const siblings = n.parentId === null ? [] : (children.get(n.parentId) ?? []);
    if (siblings.length > 1 && siblings[0] !== n.id && type !== 'backtrack' && type !== 'regret') marks.push(`⑂ branch ${siblings.indexOf(n.id) + 1} of ${siblings.length} at ${where(n.parentId)}`);
    if (typeof n.meta?.restates === 'string') marks.push(`restates step ${indexOf.get(n.meta.restates) ?? '?'}`);
    if (n.status === 'pruned') marks.push('pruned');
    // A search library's tree: the numbers it carried, and which nodes it selected.
    if (build.library) {
      if (n.selection) marks.push('★ selected');
      if (n.visits !== undefined) marks.push(`visits ${n.visits}`);
      if (n.value !== undefined) marks.push(`value ${+n.value.toFixed(3)}`);
      if (n.label) marks.push(n.label === 'correct' ? 'rated +1' : 'rated −1');
    }
    if (n.kind === 'answer') marks.push(`final answer${n.answer !== undefined ? ` ${n.answer}` : ''}${n.verified === true ? ' ✓' : n.verified === false ? ' ✗' : ''}`);
    else if (n.answer !== undefined) marks.push(`states ${n.answer}${n.meta?.answerMismatch === true ? ' (≠ final answer)' : ''}`);
    return { index: i + 1, nodeId: n.id, kind: n.kind, text: clipLine(n.text), fullText: n.text, ...(n.answer !== undefined ? { answer: n.answer } : {}), marks };
  });
  const branches = nodes.filter((n) => !children.has(n.id)).length;
  const result = trace.result;
  const finalAnswer = result?.finalAnswer;
  // A long CoT is verified only against a reference answer; a Stream-of-Search goal is checked arithmetic.
  const best = result?.bestNodeId !== undefined ? build.tree.get(result.bestNodeId) : undefined;
  // Imported libraries' answers are verified only against a reference answer (the node says; the result defaults to false).
  const verified = build.longCot ? build.longCot.verified : build.library ? best?.verified : result?.verified;
  const answerPart = finalAnswer !== undefined ? `answer ${finalAnswer}${verified === true ? ' ✓' : verified === false ? ' ✗' : ''}` : 'no final answer';
  const title =
    build.kind === 'sos'
      ? `Import preview: ${build.sos!.explored} operations, ${build.sos!.goalNodeId ? 'goal reached' : 'no goal reached'}, ${plural(branches, 'branch')} — ${trace.nodes.length} nodes`
      : `Import preview: ${plural(steps.filter((s) => s.kind === 'step').length, 'step')}, ${plural(branches, 'branch')}, ${answerPart} — ${trace.nodes.length} nodes`;
  const typeLine = build.library ? `${build.library.summary}${build.issues.length ? ` · ${build.issues.length} issue(s)` : ''}` : build.kind === 'sos' ? `${build.issues.length} issue(s)` : `${counts.progress} progress · ${counts.backtrack} backtrack · ${counts.verification} verification · ${counts.regret} regret`;
  const subtitle = `${typeLine} — from ${SHAPE_LABELS[src.shape]} (${src.where})`;
  return { title, subtitle, steps, nodes: trace.nodes.length, branches, counts, ...(finalAnswer !== undefined ? { finalAnswer } : {}), ...(verified !== undefined ? { verified } : {}) };
}
