/**
 * Edit Node, Prune Branch, Mark Node: find the node (target or pick), ask a person for what is missing, then the
 * trace action does the work (the same one the panel's requests use).
 */
import * as vscode from 'vscode';
import type { z } from 'zod';
import { CancelledByUser } from './services';
import type { EditArgsSchema, Invocation, PruneArgsSchema } from './commandArgs';
import type { CommandContext } from './commandPickers';
import { pickNode } from './commandPickers';
import type { PanelResult } from '../protocol/panelRequests';

export async function editNode(ctx: CommandContext, inv: Invocation<z.output<typeof EditArgsSchema>>): Promise<PanelResult<'editNode'>> {
  const { args } = inv;
  const { uri, node } = await pickNode(ctx, inv.target, inv.interactive, 'Edit which node?');
  ctx.actions.assertEditable(uri);
  let text = args.text;
  if (text === undefined) {
    if (!inv.interactive) throw new Error('text is required');
    text = await vscode.window.showInputBox({ title: `Edit ${node.id}`, value: node.text, prompt: 'New text of the step (the original is kept)', ignoreFocusOut: true });
    if (text === undefined) throw new CancelledByUser();
  }
  let mode = args.mode;
  if (!mode && inv.interactive && node.kind !== 'root') {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Replace the text', description: 'keeps the model text as originalText', mode: 'replace' as const },
        { label: 'Save as a sibling', description: 'adds a human-written alternative, the original branch stays', mode: 'sibling' as const },
      ],
      { title: `Edit ${node.id}` },
    );
    if (!pick) throw new CancelledByUser();
    mode = pick.mode;
  }
  return ctx.actions.editNode(uri, node.id, text, mode ?? 'replace', { save: args.save });
}

export async function pruneBranch(ctx: CommandContext, inv: Invocation<z.output<typeof PruneArgsSchema>>): Promise<PanelResult<'pruneNode'>> {
  const { args } = inv;
  const { uri, node } = await pickNode(ctx, inv.target, inv.interactive, 'Prune which branch?', (n) => n.kind !== 'root' && n.status !== 'pruned');
  ctx.actions.assertEditable(uri);
  let reason = args.reason;
  if (reason === undefined && inv.interactive) {
    reason = await vscode.window.showInputBox({ title: `Prune ${node.id} and its subtree`, prompt: 'Why (optional)', value: '' });
    if (reason === undefined) throw new CancelledByUser();
  }
  return ctx.actions.pruneNode(uri, node.id, reason, { save: args.save });
}

/** Mark Node Correct / Incorrect fix the label; `metacot.markNode` passes its argument's (null clears). */
export async function markNode(ctx: CommandContext, inv: Invocation<{ save?: boolean | undefined }>, label: 'correct' | 'incorrect' | null): Promise<PanelResult<'markNode'>> {
  const { uri, node } = await pickNode(ctx, inv.target, inv.interactive, `Mark which node ${label ?? 'unlabeled'}?`);
  return ctx.actions.markNode(uri, node.id, label, { save: inv.args.save });
}
