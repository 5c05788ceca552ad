/**
 * The `metacot` program as a child process (not a test file itself): stdout through a pipe this side may read
 * slowly, or straight into a file, so tests see the bytes and exit code a shell would.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface SpawnOptions {
  /** Read nothing from stdout for this long (the pipe fills), then read it all. */
  stallMs?: number;
  /** Stop reading after this many bytes and close the pipe (a reader like `head -c N`). */
  closeAfter?: number;
  /** Send stdout into this file instead of a pipe (what `> FILE` does). */
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function runCli(args: readonly string[], opts: SpawnOptions = {}): Promise<CliResult> {
  const fd = opts.stdoutFile !== undefined ? openSync(opts.stdoutFile, 'w') : undefined;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd ?? 'pipe', 'pipe'],
  });
  if (fd !== undefined) closeSync(fd);
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (t: string) => void (stderr += t));
  const out = child.stdout;
  if (out) {
    let got = 0;
    out.on('data', (b: Buffer) => {
      chunks.push(b);
      got += b.length;
      if (opts.closeAfter !== undefined && got >= opts.closeAfter) out.destroy();
    });
    if (opts.stallMs) {
      out.pause();
      setTimeout(() => out.resume(), opts.stallMs);
    }
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(chunks), stderr });
    });
  });
}
