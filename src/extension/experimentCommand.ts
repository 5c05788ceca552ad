/**
 * "Meta-CoT: Open Experiment…": an experiment folder (or its summary.json) from the explorer's context menu, an
 * argument `{ folder }`, or picked (the workspace's summary.json files, or a folder browsed to). A folder that is
 * not an experiment is refused with what is wrong, before any view opens. Returns what the view shows.
 */
import * as vscode from 'vscode';
import * as z from 'zod';
import { SUMMARY_FILE } from '../core/experiment/summary';
import { resolvePath } from './commandArgs';
import type { CommandContext } from './commandPickers';
import { experimentFolderOf, readExperimentFolder } from './experimentFolder';
import { ExperimentView, folderLabel } from './experimentView';
import { CancelledByUser } from './services';

/** API form: `{ folder }`, the experiment folder or its summary.json (a path or a Uri). */
export const OpenExperimentArgsSchema = z.strictObject({
  folder: z.union([z.custom<vscode.Uri>((v) => v instanceof vscode.Uri, 'a Uri'), z.string().min(1)]).transform((p) => resolvePath(p)),
});

export interface OpenExperimentResult {
  folder: string;
  cells: number;
  problems: number;
  failed: number;
  complete: boolean;
}

async function pickFolder(): Promise<vscode.Uri> {
  const found = await vscode.workspace.findFiles(`**/${SUMMARY_FILE}`, '**/node_modules/**', 500);
  const items: { label: string; description?: string; uri: vscode.Uri | undefined }[] = [];
  for (const f of found) {
    const folder = vscode.Uri.joinPath(f, '..');
    // Only folders whose summary is an experiment's (package folders have summary.json files of their own).
    if ((await readExperimentFolder(folder.fsPath)).ok) items.push({ label: vscode.workspace.asRelativePath(folder), uri: folder });
  }
  items.push({ label: '$(folder-opened) Browse…', description: 'a folder `metacot experiment --out` wrote', uri: undefined });
  const pick = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Open Experiment' });
  if (!pick) throw new CancelledByUser();
  if (pick.uri) return pick.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Open Experiment' });
  if (!chosen?.[0]) throw new CancelledByUser();
  return chosen[0];
}

export async function openExperiment(ctx: CommandContext, raw: unknown): Promise<OpenExperimentResult> {
  let target: vscode.Uri;
  if (raw instanceof vscode.Uri) target = raw;
  else if (raw === undefined || raw === null) target = await pickFolder();
  else {
    const parsed = OpenExperimentArgsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`Open Experiment takes { folder }: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(argument)'}: ${i.message}`).join('; ')}`);
    target = parsed.data.folder;
  }
  if (target.scheme !== 'file') throw new Error(`${target.toString()} is not on disk: an experiment folder is read from the file system`);
  const where = experimentFolderOf(target.fsPath);
  if (!where.ok) throw new Error(where.message);
  const folder = vscode.Uri.file(where.folder);
  // Checked before a view opens: a folder that is not an experiment gets the reason, not an empty view.
  const read = await readExperimentFolder(folder.fsPath, folderLabel(folder));
  if (!read.ok) throw new Error(read.message);
  const view = await ExperimentView.open(ctx.services, folder);
  const s = view.current ?? read.summary;
  return {
    folder: folder.fsPath,
    cells: s.cells.length,
    problems: s.spec.problems.count,
    failed: s.totals.failed,
    complete: s.complete,
  };
}

/** Whether a call came from a person (the palette, a menu) rather than an argument object. */
const interactiveCall = (raw: unknown) => raw === undefined || raw === null || raw instanceof vscode.Uri;

/** Registers the command; errors become a notification for a person and are thrown back to an API caller. */
export function registerExperimentCommands(ctx: CommandContext, table: Map<string, (...args: unknown[]) => Promise<unknown>>): void {
  table.set('metacot.openExperiment', async (raw?: unknown) => {
    try {
      return await openExperiment(ctx, raw);
    } catch (err) {
      const message = ctx.services.keys.redact(err instanceof Error ? err.message : String(err));
      if (err instanceof CancelledByUser) {
        ctx.services.log.info('metacot.openExperiment: cancelled');
        if (interactiveCall(raw)) return undefined;
        throw new Error(message);
      }
      ctx.services.log.error(`metacot.openExperiment: ${message}`);
      if (!interactiveCall(raw)) throw new Error(message);
      void vscode.window.showErrorMessage(`Meta-CoT: ${message}`, 'Show Log').then((a) => a && ctx.services.log.show(true));
      return undefined;
    }
  });
}
