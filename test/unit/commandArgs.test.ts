import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCommand } from '../../src/cli/commandArgs';

const USAGE = 'metacot demo [options]\n';
const config = { allowPositionals: true, strict: true, options: { n: { type: 'string' }, help: { type: 'boolean' } } } as const;

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

test('startCommand: --help prints the usage and exits 0, a parse error prints it after the message and exits 2', () => {
  const help = capture();
  assert.equal(startCommand('demo', USAGE, ['x', '--help'], help.io, config), 0);
  assert.deepEqual(help.o, { out: USAGE, err: '' });

  const bad = capture();
  assert.equal(startCommand('demo', USAGE, ['--bogus'], bad.io, config), 2);
  assert.equal(bad.o.out, '');
  assert.match(bad.o.err, /^metacot demo: Unknown option '--bogus'.*\n\nmetacot demo \[options\]\n$/s);
});

test('startCommand: parsed values and positionals, and bad / badWithUsage write to err and return 2', () => {
  const c = capture();
  const cmd = startCommand('demo', USAGE, ['--n', '3', 'file'], c.io, config);
  assert.notEqual(typeof cmd, 'number');
  if (typeof cmd === 'number') return;
  assert.equal(cmd.values.n, '3');
  assert.deepEqual(cmd.positionals, ['file']);
  cmd.out('o');
  assert.equal(cmd.bad('--n takes a number'), 2);
  assert.equal(cmd.badWithUsage('give one file'), 2);
  assert.deepEqual(c.o, { out: 'o', err: `metacot demo: --n takes a number\nmetacot demo: give one file\n\n${USAGE}` });
});
