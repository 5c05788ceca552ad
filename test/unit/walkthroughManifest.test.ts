// The first-run surface as package.json declares it: the walkthrough's steps (a command button each, completion on
// that command, local markdown media) and the Traces view's welcome buttons, checked against the contributed commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents: string[];
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  contributes: {
    commands: { command: string }[];
    walkthroughs: { id: string; title: string; steps: Step[] }[];
    viewsWelcome: { view: string; contents: string }[];
    configuration: { properties: Record<string, { type?: string; default?: unknown }> };
  };
};
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
/** `[label](command:id?args)` links of a text, in order. */
const links = (text: string) => [...text.matchAll(/\[([^\]]+)\]\(command:([\w.-]+)(?:\?([^)]*))?\)/g)].map((m) => ({ label: m[1]!, id: m[2]!, args: m[3] }));
/** Lines that are one link alone: VS Code draws those as buttons. */
const buttons = (text: string) => text.split('\n').filter((l) => /^\[[^\]]+\]\(command:[^)]+\)$/.test(l.trim())).flatMap(links);

const walkthrough = () => {
  const w = pkg.contributes.walkthroughs.find((x) => x.id === 'gettingStarted');
  assert.ok(w, 'no gettingStarted walkthrough');
  return w;
};

test('walkthrough: five steps in order, each a button for a contributed command that also completes the step', () => {
  const w = walkthrough();
  assert.equal(w.title, 'Get started with the Meta-CoT Trace Debugger');
  const firstButtons = w.steps.map((s) => buttons(s.description)[0]?.id);
  assert.deepEqual(firstButtons, ['metacot.runSample', 'metacot.openLatestTrace', 'metacot.editNode', 'metacot.configureEndpoint', 'metacot.export']);
  for (const s of w.steps) {
    const ids = buttons(s.description).map((b) => b.id);
    for (const id of ids) assert.ok(contributed.has(id), `step ${s.id} links ${id}, which package.json does not contribute`);
    for (const e of s.completionEvents) {
      const m = /^onCommand:(.+)$/.exec(e);
      assert.ok(m && contributed.has(m[1]!), `step ${s.id}: completion event ${e} names no contributed command`);
    }
    // The step's last button is the action the step is about: running it ticks the step.
    assert.ok(s.completionEvents.includes(`onCommand:${ids.at(-1)}`), `step ${s.id}: ${ids.at(-1)} does not complete it`);
  }
  assert.ok(w.steps[2]!.completionEvents.includes('onCommand:metacot.rerunLatestTrace'));
});

test('walkthrough: every step shows a local markdown file under media/walkthrough with no remote images', () => {
  for (const s of walkthrough().steps) {
    const md = s.media.markdown;
    assert.ok(md && md.startsWith('media/walkthrough/') && md.endsWith('.md'), `step ${s.id} has media ${JSON.stringify(s.media)}`);
    const file = join(root, md);
    assert.ok(existsSync(file), `${md} is missing`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# \S/, `${md} has no heading`);
    assert.doesNotMatch(text, /!\[[^\]]*\]\(\s*https?:|<img[^>]+src=["']?https?:/i, `${md} loads a remote image`);
  }
});

test('welcome view: buttons for the sample run, the walkthrough, the endpoint wizard and a problem file', () => {
  const welcome = pkg.contributes.viewsWelcome.find((v) => v.view === 'metacot.traces');
  assert.ok(welcome);
  const b = buttons(welcome.contents);
  assert.deepEqual(b.map((x) => x.label), ['Run the Sample Problem', 'Open Walkthrough', 'Configure Endpoint', 'Run on Problem File']);
  assert.deepEqual(b.map((x) => x.id), ['metacot.runSample', 'workbench.action.openWalkthrough', 'metacot.configureEndpoint', 'metacot.runSearchOnProblemFile']);
  // The command link's argument is URI-encoded JSON: the walkthrough's full id.
  assert.equal(JSON.parse(decodeURIComponent(b[1]!.args!)), `${pkg.publisher}.${pkg.name}#${walkthrough().id}`);
  for (const l of links(welcome.contents)) if (l.id.startsWith('metacot.')) assert.ok(contributed.has(l.id), `${l.id} is not contributed`);
});

test('settings: metacot.search.askStrategy is a boolean, on by default, and documented in docs/extension.md', () => {
  const s = pkg.contributes.configuration.properties['metacot.search.askStrategy'];
  assert.deepEqual([s?.type, s?.default], ['boolean', true]);
  assert.match(readFileSync(join(root, 'docs', 'extension.md'), 'utf8'), /^\| `metacot\.search\.askStrategy` \| `true` \|/m);
});
