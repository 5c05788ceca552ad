/**
 * What a command may write over. An output path that does not exist is written; one that exists is left alone
 * unless `--force` is given, and even then only when it reads back as a valid file of the kind that would replace
 * it (a trace, or JSONL): a typo'd `--out` never destroys a source file, a corrupt trace is kept for inspection.
 * A file the command itself read and validated as that kind (rescore's TRACE) may be replaced without `--force`.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readTraceFile } from '../core/trace/io';

export type OutputKind = 'trace' | 'jsonl';

const KIND_WORDS: Record<OutputKind, string> = { trace: 'trace file', jsonl: 'JSONL file' };

export interface OutputCheck {
  force: boolean;
  /** Paths this command read and validated as the output's kind. */
  validated?: readonly string[];
  /** The flag the path came from, for the messages (default `--out`). */
  flag?: string;
}

/** The path with links resolved when it exists, so two spellings of one file compare equal. */
async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

/** Why `path` is not a valid file of `kind`, or undefined when it is. */
export async function invalidAs(path: string, kind: OutputKind): Promise<string | undefined> {
  try {
    if (kind === 'trace') {
      await readTraceFile(path);
      return undefined;
    }
    const lines = (await readFile(path, 'utf8')).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        return `line ${i + 1} is not JSON (${(e as Error).message})`;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `line ${i + 1} is not a JSON object`;
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Undefined when `path` may be written; else the refusal, naming the file and what to do. */
export async function refuseOverwrite(path: string, kind: OutputKind, check: OutputCheck): Promise<string | undefined> {
  const flag = check.flag ?? '--out';
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot check ${path}: ${(e as Error).message}`;
  }
  if (!info.isFile()) return `${path} exists and is not a file; ${flag} takes a file path`;
  const target = await canonical(path);
  for (const p of check.validated ?? []) if ((await canonical(p)) === target) return undefined;
  const what = KIND_WORDS[kind];
  if (!check.force) return `${path} exists; pass --force to replace it (only a valid ${what} is replaced), or choose another ${flag}`;
  const why = await invalidAs(path, kind);
  if (why !== undefined) return `${path} exists and is not a valid ${what} (${why.split('\n')[0]}); it is never written over, even with --force: move or delete it, or choose another ${flag}`;
  return undefined;
}
