// Imports of the other search libraries' files (src/core/trace/import/{llmReasoners,openR,searchAndLearn,prm800k}.ts)
// through the one reader (sources.ts), against fixtures written from each library's code and docs
// (test/fixtures/import/libraries/README.md names the source of each): node counts, values, visits, Q, the selected
// path, the answer, meta kept; detection with no flags; errors that name the file, the path inside it and the shape;
// round trips (OpenR → trace → OpenR JSON, PRM800K → trace → our prm800k export); and the CLI writing the trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportError } from '../../src/core/trace/import/importError';
import { buildImport, jsonlLines, needsProblem, readSourceText, sourceFromJson, type BuildOptions, type ImportSource } from '../../src/core/trace/import/sources';
import { toOpenRJson, type OpenRNode } from '../../src/core/trace/import/openR';
import { pythonJsonToJson } from '../../src/core/trace/import/libraryImport';
import { buildPrm800kRecords } from '../../src/core/export/prm800kRecord';
import { importPreview } from '../../src/extension/importPreview';
import { runImportCommand } from '../../src/cli/commands/import';
import { readTraceFile } from '../../src/core/trace/io';
import type { TraceNode } from '../../src/core/trace/schema';
import type { TraceTree } from '../../src/core/trace/tree';

const FIX = join(__dirname, '../fixtures/import/libraries');
const text = (name: string) => readFileSync(join(FIX, name), 'utf8');
const json = (name: string): unknown => JSON.parse(text(name));
const read = (name: string, line?: number): ImportSource => readSourceText(text(name), { name, ...(line !== undefined ? { line } : {}) });
const build = (src: ImportSource, opts: BuildOptions = {}) => buildImport(src, opts);
const throwsImport = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof ImportError && re.test(e.message));
/** From the root along the selected children. */
const selectedPath = (tree: TraceTree): TraceNode[] => {
  const out: TraceNode[] = [];
  for (let cur = tree.root(); ; ) {
    const next = tree.children(cur.id).find((c) => c.selection);
    if (!next) return out;
    out.push(next);
    cur = next;
  }
};
const byMeta = (tree: TraceTree, key: string, value: unknown) => tree.trace.nodes.find((n) => n.meta?.[key] === value)!;

test('llm-reasoners MCTS TreeLog: the last log becomes the tree, Q → q, reward → value, selected edges → the path', () => {
  const src = read('llm-reasoners-mcts.json');
  assert.deepEqual([src.kind, src.shape], ['llm-reasoners', 'llm-reasoners-treelog']);
  // A TreeLog does not carry the question: the caller gives it.
  assert.equal(needsProblem(src), true);
  throwsImport(() => build(src), /^llm-reasoners-mcts\.json: importing this llm-reasoners TreeLog needs the problem it searched/);
  const r = build(src, { problem: "Janet's ducks lay 16 eggs per day…", answer: '18' });
  const t = r.tree;
  assert.equal(t.size, 8);
  assert.equal(r.library!.summary, '2 logs, log 1 imported (the last): 8 nodes, selected path of 3 steps, answer 18');
  const n1 = byMeta(t, 'treelog.node', 1);
  assert.equal(n1.text, 'Question 1.1: How many eggs does Janet use every day?\nAnswer 1.1: She eats 3 for breakfast and bakes muffins with 4, so she uses 3 + 4 = 7 eggs. The answer is 7.');
  assert.ok(Math.abs(n1.q! - 2.1151892008149207) < 1e-12, 'Q above 1 stays in q');
  assert.ok(Math.abs(n1.value! - 0.784219357067906) < 1e-12);
  assert.deepEqual(n1.valueSource, { kind: 'imported', source: 'llm-reasoners reward' });
  assert.deepEqual([n1.meta!['edge.r_useful'], n1.meta!['edge.r_conf'], n1.meta!['treelog.edge'], n1.author], [0.82, 0.75, 0, 'imported']);
  const path = selectedPath(t);
  assert.deepEqual(path.map((n) => n.meta!['treelog.node']), [1, 4, 6]);
  assert.match(path[0]!.selection!.reason, /MCTS path of this iteration, else the highest Q/);
  const end = path[2]!;
  assert.deepEqual([end.kind, end.status, end.answer, end.verified], ['answer', 'terminal', '18', true]);
  assert.deepEqual(t.trace.result, { bestNodeId: end.id, verified: true, finalAnswer: '18' });
  // An unexpanded child (state None → data {}) keeps its fast reward.
  const n7 = byMeta(t, 'treelog.node', 7);
  assert.deepEqual([n7.text, n7.status, n7.value, n7.q], ['(not expanded)', 'open', 0.22, 0.22]);
  assert.deepEqual(t.trace.problem.meta, { 'treelog.logs': 2, 'treelog.log': 1 });
  // A chosen log: the first iteration's tree.
  const first = build(src, { problem: 'p', log: 0 });
  assert.equal(first.tree.size, 6);
  assert.ok(Math.abs(byMeta(first.tree, 'treelog.node', 1).q! - 1.632747494491763) < 1e-12);
  throwsImport(() => build(src, { problem: 'p', log: 2 }), /^llm-reasoners-mcts\.json: no log 2: the TreeLog holds 2 \(0 to 1\)/);
});

test('llm-reasoners beam TreeLog: the edge action is the step, a reward outside [0, 1] stays in meta, state fields kept', () => {
  const r = build(read('llm-reasoners-beam.json'), { problem: 'Blocksworld: the orange block on the red block' });
  const t = r.tree;
  assert.equal(t.size, 7);
  const path = selectedPath(t);
  assert.deepEqual(path.map((n) => n.text), ['unstack the orange block from on top of the blue block', 'put down the orange block']);
  assert.equal(path[0]!.selection!.reason, 'llm-reasoners selected edge: the highest reward');
  const n6 = byMeta(t, 'treelog.node', 6);
  assert.equal(n6.value, undefined);
  assert.equal(n6.meta!['edge.reward'], -0.4);
  assert.deepEqual(n6.meta!['data.action_history'], ['pick up the red block', 'stack the red block on top of the orange block']);
  assert.equal(byMeta(t, 'treelog.node', 5).meta!['data.end'], true);
  assert.deepEqual(t.root().meta, { 'treelog.node': 0, 'data.step_idx': 0, 'data.action_history': [], 'data.end': false });
  // No answer in the last step: the end of the path is the result, not verified.
  assert.deepEqual(t.trace.result, { bestNodeId: path[1]!.id, verified: false });
});

test('OpenR tree: visits, q, value, terminal answers, the problem from text_state, the robust-child path', () => {
  const src = read('openr-tree.json');
  assert.deepEqual([src.kind, src.shape, src.problem, needsProblem(src)], ['openr', 'openr-tree', 'What is the value of $\\sqrt{36 \\times \\sqrt{16}}$?', false]);
  const r = build(src, { answer: '12' });
  const t = r.tree;
  assert.equal(t.size, 8);
  assert.deepEqual([t.root().visits, t.root().q], [4, 0.47000000000000003]);
  const path = selectedPath(t);
  assert.deepEqual(path.map((n) => [n.visits, n.value]), [[3, 0.81], [2, 0.88], [1, 0.93]]);
  assert.match(path[0]!.selection!.reason, /^most visits among its siblings \(visit_cnt 3 of the parent's 4\)/);
  const end = path[2]!;
  assert.deepEqual([end.kind, end.status, end.answer, end.verified, end.q], ['answer', 'terminal', '12', true, 0.93]);
  const wrong = t.trace.nodes.find((n) => n.answer === '14')!;
  assert.deepEqual([wrong.status, wrong.verified, wrong.selection], ['terminal', false, undefined]);
  assert.deepEqual(t.trace.result, { bestNodeId: end.id, verified: true, finalAnswer: '12' });
  assert.deepEqual(end.meta, { prior_p: 0.8, initial_value: 0.93, prm_value: null });
  assert.deepEqual(end.valueSource, { kind: 'imported', source: 'OpenR initial_value' });
  const unvisited = t.trace.nodes.find((n) => n.visits === 0)!;
  assert.deepEqual([unvisited.status, unvisited.q, unvisited.value], ['open', 0.4, 0.4]);
  assert.match(String(t.root().meta!.text_state), /^<\|im_start\|>system\nPlease reason step by step/);
  assert.equal(r.library!.summary, '8 nodes, 4 root visits, 2 terminal, most-visited path of 3 steps ending in answer 12');
});

test('OpenR round trip: tree → trace → OpenR JSON is the same tree; a prm_value is the value', () => {
  const original = json('openr-tree.json') as OpenRNode;
  const t = build(read('openr-tree.json')).tree;
  assert.deepEqual(toOpenRJson(t), original);
  // Through the trace file's own JSON as well (what a saved trace holds).
  const again = build(sourceFromJson(toOpenRJson(t), 'again.json')).tree;
  assert.deepEqual(toOpenRJson(again), original);
  const withPrm = structuredClone(original);
  const first = Object.values(withPrm.children)[0]!;
  first.info.prm_value = 0.66;
  const n = build(sourceFromJson(withPrm, 'prm.json')).tree.node('n1');
  assert.deepEqual([n.value, n.valueSource, n.meta!.prm_value], [0.66, { kind: 'imported', source: 'OpenR prm_value' }, 0.66]);
  assert.equal(toOpenRJson(build(sourceFromJson(withPrm, 'prm.json')).tree).children[Object.keys(withPrm.children)[0]!]!.info.prm_value, 0.66);
});

test('OpenR: a tree 5000 steps deep imports and writes back (checked node by node, no recursion)', () => {
  type Node = { children: Record<string, Node>; info: Record<string, unknown> };
  const root: Node = { children: {}, info: { visit_cnt: 1, value: 0.5, prior_p: 1, initial_value: 0, terminated: false, text_state: 'Q?' } };
  let cur = root;
  for (let i = 0; i < 5000; i++) {
    const c: Node = { children: {}, info: { visit_cnt: 1, value: 0.5, prior_p: 1, initial_value: 0.5, terminated: i === 4999, last_action: `step ${i}`, prm_value: null } };
    cur.children[`step ${i}`] = c;
    cur = c;
  }
  const t = build(sourceFromJson(root, 'deep.json')).tree;
  assert.equal(t.size, 5001);
  assert.equal(selectedPath(t).length, 5000);
  // Compared level by level: assert.deepEqual itself recurses.
  const flat = (n: Node | OpenRNode): string[] => {
    const out: string[] = [];
    const stack: [string, Node | OpenRNode][] = [['', n]];
    while (stack.length) {
      const [key, x] = stack.pop()!;
      out.push(`${key}\u0000${JSON.stringify(x.info)}`);
      for (const [k, c] of Object.entries(x.children)) stack.push([k, c]);
    }
    return out;
  };
  assert.deepEqual(flat(toOpenRJson(t)), flat(root));
});

test('search-and-learn best-of-N rows: completions → paths cut at blank lines, scores → values, pred → the selection', () => {
  const lines = jsonlLines(text('best_of_n_completions.jsonl'), 'best_of_n_completions.jsonl');
  assert.deepEqual(lines.map((l) => [l.line, l.shape, l.error]), [[1, 'search-and-learn-row', undefined], [2, 'search-and-learn-row', undefined]]);
  assert.match(lines[0]!.summary, /^search-and-learn result row · problem “Compute: \$1-2\+3-4\+5- \\dots \+99-100\$\.” · 4 completions$/);
  const r = build(read('best_of_n_completions.jsonl', 1));
  const t = r.tree;
  // Completions 1 and 2 share their first step: 1 root + 1 shared + 2 + 2 + 2 + 2.
  assert.equal(t.size, 10);
  assert.equal(r.library!.summary, '4 completions (4 distinct) → 10 nodes, pred = completion 1 (answer -50 ✓)');
  const first = t.node('n1');
  assert.deepEqual([first.text, first.value, first.meta!['sal.completions'], t.childIdsOf('n1').length], ['## Step 1: Pair the terms\nGroup the sum as $(1-2)+(3-4)+\\dots+(99-100)$.', 0.98, [0, 1], 2]);
  assert.deepEqual(first.valueSource, { kind: 'imported', source: 'search-and-learn PRM score' });
  const path = selectedPath(t);
  assert.deepEqual(path.map((n) => n.value), [0.98, 0.97, 0.96]);
  const leaf = path[2]!;
  assert.deepEqual([leaf.kind, leaf.status, leaf.answer, leaf.verified, leaf.meta!.completion_tokens, leaf.meta!.agg_score], ['answer', 'terminal', '-50', true, 78, 0.96]);
  assert.deepEqual(t.trace.result, { bestNodeId: leaf.id, verified: true, finalAnswer: '-50' });
  const answers = t.trace.nodes.filter((n) => n.kind === 'answer').map((n) => [n.answer, n.verified]);
  assert.deepEqual(answers, [['-50', true], ['-49', false], ['-50', true], ['5050', false]]);
  const p = t.trace.problem;
  assert.deepEqual([p.answer, p.id, p.meta!.level, p.meta!['pred_maj@4'], p.meta!['pred_weighted@2']], ['-50', 'test/intermediate_algebra/134.json', 1, '\\boxed{-50}', '\\boxed{-50}']);
  assert.equal(build(read('best_of_n_completions.jsonl', 2)).tree.trace.result!.finalAnswer, '\\frac{14}{3}');
});

test('search-and-learn beam search row: beams share their prefix; a copied beam lands on the same leaf; a score-count mismatch is an issue', () => {
  const r = build(read('beam_search_completions.jsonl'));
  const t = r.tree;
  assert.equal(t.size, 9);
  assert.equal(r.library!.summary, '4 completions (3 distinct) → 9 nodes, pred = completion 1 (answer 3\\sqrt{13} ✓)');
  assert.deepEqual(t.node('n1').meta!['sal.completions'], [0, 1, 2, 3]);
  const leaf = selectedPath(t).at(-1)!;
  assert.deepEqual(leaf.meta!['sal.completions'], [0, 3]);
  assert.equal(t.trace.nodes.find((n) => n.answer === '10.8')!.verified, false);
  const row = JSON.parse(text('beam_search_completions.jsonl')) as { scores: number[][] };
  row.scores[1] = [0.9, 0.8];
  const bad = build(sourceFromJson(row, 'short.json'));
  assert.deepEqual(bad.issues, ['completion 2: 4 steps but 2 scores (matched from the first step)']);
});

test('PRM800K rows: alternatives are siblings, ratings → labels and values, the chosen completion continues', () => {
  const lines = jsonlLines(text('prm800k.jsonl'), 'prm800k.jsonl');
  assert.deepEqual(lines.map((l) => l.shape), ['prm800k-row', 'prm800k-row', 'prm800k-row', 'prm800k-row']);
  // Line 3: phase 1, finish_reason solution, 7 alternatives at its last step.
  const r = build(read('prm800k.jsonl', 3));
  const t = r.tree;
  const row = JSON.parse(text('prm800k.jsonl').split('\n')[2]!) as { label: { steps: { completions: { text: string; rating: number }[]; chosen_completion: number }[] } };
  const total = row.label.steps.reduce((s, x) => s + x.completions.length, 0);
  assert.equal(t.size, 1 + total);
  const path = selectedPath(t);
  assert.deepEqual(
    path.map((n) => n.text),
    row.label.steps.map((s) => s.completions[s.chosen_completion]!.text),
  );
  for (const n of t.trace.nodes.slice(1)) {
    const rating = n.meta!.rating;
    assert.equal(n.value, rating === 1 ? 1 : rating === 0 ? 0.5 : 0);
    assert.equal(n.label, rating === 1 ? 'correct' : rating === -1 ? 'incorrect' : undefined);
  }
  const end = path.at(-1)!;
  assert.deepEqual([end.kind, end.answer, end.verified], ['answer', t.trace.problem.answer, true]);
  assert.equal(t.trace.result!.bestNodeId, end.id);
  assert.equal(t.trace.problem.meta!['label.finish_reason'], 'solution');
  assert.equal(typeof t.trace.problem.meta!.labeler, 'string');
});

test('PRM800K: a human completion continues the path; found_error ends at the last chosen step; phase-2 fields kept', () => {
  const human = build(read('prm800k.jsonl', 1)).tree;
  const h = human.trace.nodes.find((n) => n.meta?.['prm800k.human'] === true)!;
  assert.deepEqual([h.text, h.meta!.source, h.value, h.author], ['We have $3p+e=1.24$ and $5p+e=1.82$.', 'human', undefined, 'imported']);
  assert.match(h.selection!.reason, /^human_completion/);
  // its five model siblings were all rated -1
  assert.deepEqual(human.children(h.parentId!).map((n) => n.label ?? 'none'), ['incorrect', 'incorrect', 'incorrect', 'incorrect', 'incorrect', 'none']);
  const found = build(read('prm800k.jsonl', 2));
  const ft = found.tree;
  const end = selectedPath(ft).at(-1)!;
  assert.deepEqual(ft.trace.result, { bestNodeId: end.id, verified: false });
  assert.equal(ft.children(end.id).length, 4);
  assert.equal(ft.trace.problem.meta!['label.finish_reason'], 'found_error');
  assert.equal(ft.trace.problem.meta!['question.pre_generated_answer'], '7200');
  assert.equal((ft.trace.problem.meta!['question.pre_generated_steps'] as string[]).length > 0, true);
  assert.match(found.library!.summary, /^7 labelled steps, 10 completions, chosen path of 6, finish_reason found_error → 11 nodes$/);
  // give_up with a final step that has no completions at all
  assert.equal(build(read('prm800k.jsonl', 4)).tree.trace.problem.meta!['label.finish_reason'], 'give_up');
});

test('PRM800K round trip: row → trace → our prm800k export gives the same completions, ratings and choices', () => {
  for (const line of [2, 3]) {
    const row = JSON.parse(text('prm800k.jsonl').split('\n')[line - 1]!) as { label: { steps: { completions: { text: string; rating: number | null }[]; chosen_completion: number | null }[] } };
    const tree = build(read('prm800k.jsonl', line)).tree;
    const records = buildPrm800kRecords(tree);
    const steps = row.label.steps;
    const chosenTexts = steps.filter((s) => s.chosen_completion !== null).map((s) => s.completions[s.chosen_completion!]!.text);
    // The record along the labeler's path (found_error: each last alternative ends its own record; take the first).
    const rec = records.find((r) => chosenTexts.every((t, k) => r.label.steps[k]!.completions?.[r.label.steps[k]!.chosen_completion!]?.text === t))!;
    assert.ok(rec, `line ${line}: no exported record follows the chosen path`);
    steps.forEach((s, k) => {
      assert.deepEqual(
        rec.label.steps[k]!.completions!.map((c) => [c.text, c.rating]),
        s.completions.map((c) => [c.text, c.rating]),
        `line ${line} step ${k}`,
      );
      if (s.chosen_completion !== null) assert.equal(rec.label.steps[k]!.chosen_completion, s.chosen_completion);
    });
    assert.equal(rec.question.problem, tree.trace.problem.text);
  }
});

test('detection: no flags needed; a chosen kind that does not fit, and broken files, name the path inside and the shape', () => {
  const shapes = ['llm-reasoners-mcts.json', 'openr-tree.json'].map((f) => read(f).shape);
  assert.deepEqual(shapes, ['llm-reasoners-treelog', 'openr-tree']);
  throwsImport(
    () => readSourceText(text('llm-reasoners-mcts.json'), { name: 'log.json', kind: 'openr' }),
    /^log\.json: not a valid OpenR tree \(info: .*\); expected an OpenR tree \(Node\.to_json\(\)\) \{"children": \{action: node\}, "info": \{visit_cnt/,
  );
  const log = json('llm-reasoners-mcts.json') as { logs: { edges: Record<string, { target: number }> }[] };
  log.logs[1]!.edges['3']!.target = 99;
  throwsImport(() => build(sourceFromJson(log, 'broken.json'), { problem: 'p' }), /^broken\.json: logs\.1\.edges\.3\.target: no node 99 in logs\.1\.nodes; expected an llm-reasoners TreeLog/);
  throwsImport(
    () => sourceFromJson({ logs: [{ nodes: { 0: { id: 0, data: {} } }, edges: { 0: { id: 0, source: 0 } } }] }, 'x.json'),
    /^x\.json: not a valid llm-reasoners TreeLog \(logs\.0\.edges\.0\.target: .*\); expected an llm-reasoners TreeLog \{"logs": /,
  );
  const openr = json('openr-tree.json') as { children: Record<string, { info: Record<string, unknown> }> };
  Object.values(openr.children)[1]!.info.visit_cnt = 'three';
  throwsImport(() => sourceFromJson(openr, 'tree.json'), /^tree\.json: not a valid OpenR tree \(children\."First, \$36 \\\\times 16 = 576\$\.\\n\\n"\.info\.visit_cnt: Invalid input: expected number, received string\)/);
  const row = JSON.parse(text('beam_search_completions.jsonl').trim()) as { scores: unknown[] };
  row.scores.pop();
  throwsImport(() => sourceFromJson(row, 'rows.jsonl line 1'), /^rows\.jsonl line 1: not a valid search-and-learn result row \(scores: 3 score lists for 4 completions\); expected a search-and-learn result row \{problem/);
  const prm = JSON.parse(text('prm800k.jsonl').split('\n')[2]!) as { label: { steps: { chosen_completion: number }[] } };
  prm.label.steps[0]!.chosen_completion = 5;
  throwsImport(() => build(sourceFromJson(prm, 'p.jsonl line 3')), /^p\.jsonl line 3: label\.steps\.0\.chosen_completion: 5 but the step has 1 completions; expected a PRM800K row/);
  throwsImport(() => readSourceText('a plain text', { name: 'a.txt', kind: 'prm800k' }), /^a\.txt: a prm800k import reads JSON/);
  // An unknown JSON shape's error lists the library shapes too.
  throwsImport(() => sourceFromJson({ data: [1] }, 'u.json'), /accepted: .*an llm-reasoners TreeLog .*an OpenR tree .*a search-and-learn result row .*a PRM800K row/);
});

test("Python-written JSON: NaN and Infinity outside strings read as null (llm-reasoners' Q of a node with no rewards)", () => {
  assert.equal(pythonJsonToJson('{"a": NaN, "b": -Infinity, "c": "NaN Infinity", "d": [Infinity]}'), '{"a": null, "b": null, "c": "NaN Infinity", "d": [null]}');
  assert.equal(pythonJsonToJson('{"a": 1}'), undefined);
  const withNaN = text('llm-reasoners-mcts.json').replace('"Q": 0.22', '"Q": NaN');
  const t = build(readSourceText(withNaN, { name: 'nan.json' }), { problem: 'p' }).tree;
  const n7 = byMeta(t, 'treelog.node', 7);
  assert.deepEqual([n7.q, n7.value], [undefined, 0.22]);
});

test('the import preview of a library tree shows its selection, visits and values', () => {
  const src = read('openr-tree.json');
  const p = importPreview(build(src, { answer: '12' }), src);
  assert.equal(p.title, 'Import preview: 5 steps, 5 branches, answer 12 ✓ — 8 nodes');
  assert.match(p.subtitle, /^8 nodes, 4 root visits, 2 terminal, most-visited path of 3 steps ending in answer 12 — from OpenR tree \(Node\.to_json\) \(openr-tree\.json\)$/);
  assert.deepEqual(p.steps[0]!.marks, ['★ selected', 'visits 3', 'value 0.81']);
  // Without a reference the answer is neither ✓ nor ✗.
  assert.match(importPreview(build(src), src).title, /answer 12 — 8 nodes$/);
});

async function inTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-libimport-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (s: string) => void (o.out += s), err: (s: string) => void (o.err += s) } };
}

test('CLI: metacot import FILE reads each library with no flags and writes the trace; bad input writes nothing', async () => {
  await inTmp(async (dir) => {
    const c = capture();
    assert.equal(await runImportCommand([join(FIX, 'openr-tree.json'), '--out', join(dir, 'o.metacot.json')], c.io), 0, c.o.err);
    assert.equal(c.o.out, `${join(dir, 'o.metacot.json')}: 8 nodes, 4 root visits, 2 terminal, most-visited path of 3 steps ending in answer 12\n`);
    const o = await readTraceFile(join(dir, 'o.metacot.json'));
    assert.deepEqual([o.nodes.length, o.result?.finalAnswer, o.problem.text], [8, '12', 'What is the value of $\\sqrt{36 \\times \\sqrt{16}}$?']);

    const l = capture();
    assert.equal(await runImportCommand([join(FIX, 'llm-reasoners-mcts.json'), '--log', '0', '--answer', '18', '--out', join(dir, 'l.metacot.json')], l.io), 0, l.o.err);
    // After the first iteration the selected path ends at the sub-answer 9: the result, and not the reference.
    assert.match(l.o.out, /: 2 logs, log 0 imported: 6 nodes, selected path of 2 steps, answer 9\n$/);
    const lt = await readTraceFile(join(dir, 'l.metacot.json'));
    assert.deepEqual([lt.problem.text, lt.result?.finalAnswer, lt.result?.verified], ['(imported)', '9', false]);

    const p = capture();
    assert.equal(await runImportCommand([join(FIX, 'prm800k.jsonl'), '--out', join(dir, 'p.metacot.json')], p.io), 2);
    assert.match(p.o.err, /holds 4 JSONL records: choose one with --line N\n {2}line 1: PRM800K row · problem “Three pencils/);
    assert.equal(await runImportCommand([join(FIX, 'prm800k.jsonl'), '--line', '3', '--out', join(dir, 'p.metacot.json')], p.io), 0);
    const pt = await readTraceFile(join(dir, 'p.metacot.json'));
    assert.equal(pt.nodes.filter((n) => n.label === 'correct').length > 0, true);

    const s = capture();
    assert.equal(await runImportCommand([join(FIX, 'beam_search_completions.jsonl'), '--kind', 'search-and-learn', '--out', join(dir, 's.metacot.json')], s.io), 0, s.o.err);
    assert.match(s.o.out, /: 4 completions \(3 distinct\) → 9 nodes, pred = completion 1 \(answer 3\\sqrt\{13\} ✓\)\n$/);

    // --log is only for a TreeLog; a broken file is an error naming the path inside it, and nothing is written.
    const b = capture();
    assert.equal(await runImportCommand([join(FIX, 'openr-tree.json'), '--log', '1', '--out', join(dir, 'x.metacot.json')], b.io), 2);
    assert.match(b.o.err, /--log is for an llm-reasoners TreeLog; .*openr-tree\.json is a openr file/);
    const broken = JSON.parse(text('llm-reasoners-beam.json')) as { logs: { nodes: Record<string, unknown> }[] };
    delete broken.logs[0]!.nodes['4'];
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    assert.equal(await runImportCommand([join(dir, 'broken.json'), '--out', join(dir, 'x.metacot.json')], b.io), 1);
    assert.match(b.o.err, /broken\.json: logs\.0\.edges\.1\.target: no node 4 in logs\.0\.nodes/);
    assert.equal(existsSync(join(dir, 'x.metacot.json')), false);
    const k = capture();
    assert.equal(await runImportCommand(['x.json', '--kind', 'pdf', '--out', 'y'], k.io), 2);
    assert.match(k.o.err, /--kind must be long-cot, sos or thought-anchors, or a library: llm-reasoners, openr, search-and-learn or prm800k/);
  });
});
