/** One naming rule for trace files, shared by the CLI (`<out>/…`) and the extension (the traces folder). */
import { TRACE_FILE_SUFFIX } from '../trace/io';
import type { Problem } from '../trace/schema';

const MAX_STEM = 120;

/** A problem id made safe for any file system: runs of other characters become `_`, no leading dot. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, MAX_STEM);
}

/** The first words of the problem text, lower case, joined by dashes. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
}

/** The stem a problem's trace file starts with: its id when it has one, else a slug of its text. */
export function traceFileStem(problem: Problem): string {
  return (problem.id !== undefined ? safeId(problem.id) : '') || slug(problem.text) || 'problem';
}

/** `<stem>.metacot.json`, else `<stem>-2.metacot.json`, `-3`, …: the first name `taken` says is free. */
export function traceFileName(problem: Problem, taken: (fileName: string) => boolean): string {
  const stem = traceFileStem(problem);
  let name = `${stem}${TRACE_FILE_SUFFIX}`;
  for (let k = 2; taken(name); k++) name = `${stem}-${k}${TRACE_FILE_SUFFIX}`;
  return name;
}
