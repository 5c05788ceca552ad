/**
 * The run-time strategy question of "Run Search on Selection" / "Run Search on Problem File", as data: its items
 * (built from the core catalog), which item is preselected (the remembered answer), and what an answer means.
 * Free of `vscode` so it is unit-tested on its own; commandPickers.ts shows it and stores the answers.
 */
import * as z from 'zod';
import type { StrategyName } from '../core/trace/schema';
import { StrategyNameSchema } from '../core/trace/schema';
import { STRATEGY_CATALOG, strategyPickItems } from '../core/search/catalog';

/** Setting (under `metacot.`) that turns the question off; "Always use settings" writes `false` to it. */
export const ASK_STRATEGY_SETTING = 'search.askStrategy';
/** globalState key of the last answer, preselected the next time. */
export const LAST_STRATEGY_KEY = 'metacot.lastRunStrategy';

/** The remembered answer: the settings' strategy, or one strategy of the catalog. */
export const RememberedStrategySchema = z.union([z.literal('settings'), StrategyNameSchema]);
export type RememberedStrategy = z.infer<typeof RememberedStrategySchema>;

export type StrategyAnswer = { kind: 'settings' } | { kind: 'strategy'; strategy: StrategyName } | { kind: 'alwaysSettings' };

export interface StrategyChoiceItem {
  label: string;
  description: string;
  detail?: string;
  answer: StrategyAnswer;
}

export const ALWAYS_USE_SETTINGS = 'Always use settings';

function labelOf(name: string): string {
  return STRATEGY_CATALOG.strategies.find((s) => s.name === name)?.label ?? name;
}

/**
 * "Use settings (<strategy>)" first, then every catalog strategy (label, name, summary), then "Always use settings".
 * The remembered strategy is marked "last used".
 */
export function strategyChoiceItems(settingsStrategy: string, remembered?: RememberedStrategy): StrategyChoiceItem[] {
  const settings: StrategyChoiceItem = {
    label: `Use settings (${settingsStrategy})`,
    description: `${labelOf(settingsStrategy)} · metacot.search.strategy`,
    answer: { kind: 'settings' },
  };
  const strategies = strategyPickItems().map((i): StrategyChoiceItem => ({
    label: i.label,
    description: i.name === remembered ? `${i.description} · last used` : i.description,
    detail: i.detail,
    answer: { kind: 'strategy', strategy: StrategyNameSchema.parse(i.name) },
  }));
  const always: StrategyChoiceItem = {
    label: ALWAYS_USE_SETTINGS,
    description: `stop asking; set metacot.${ASK_STRATEGY_SETTING} to true to ask again`,
    answer: { kind: 'alwaysSettings' },
  };
  return [settings, ...strategies, always];
}

/** The item to preselect: the remembered strategy's, else "Use settings". Anything unreadable counts as no memory. */
export function preselectedItem(items: readonly StrategyChoiceItem[], remembered: unknown): StrategyChoiceItem {
  const r = RememberedStrategySchema.safeParse(remembered);
  const hit = r.success && r.data !== 'settings' ? items.find((i) => i.answer.kind === 'strategy' && i.answer.strategy === r.data) : undefined;
  return hit ?? items[0]!;
}

/** What to store for an answer ("Always use settings" is remembered as "settings" plus the setting turned off). */
export function rememberAnswer(answer: StrategyAnswer): RememberedStrategy {
  return answer.kind === 'strategy' ? answer.strategy : 'settings';
}

/** The strategy the run gets from an answer; undefined: whatever the settings say. */
export function strategyOfAnswer(answer: StrategyAnswer): StrategyName | undefined {
  return answer.kind === 'strategy' ? answer.strategy : undefined;
}

/** A remembered value read back from storage, or undefined when it is missing or no longer a catalog strategy. */
export function readRemembered(value: unknown): RememberedStrategy | undefined {
  const r = RememberedStrategySchema.safeParse(value);
  return r.success ? r.data : undefined;
}
