/** Number and text formatting shared by the detail pane, the status line and the screen-reader descriptions. */
import type { TraceNode, ValueSource } from '../src/protocol/fromCore';

export function fmt(v: number | undefined | null, digits = 3): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return v.toFixed(digits).replace(/\.?0+$/, '');
}

export function fmtInt(v: number | undefined): string {
  return v === undefined ? '—' : v.toLocaleString('en-US');
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function valueSourceText(vs: ValueSource | undefined): string {
  if (!vs) return '';
  switch (vs.kind) {
    case 'rollouts':
      return `${vs.k}/${vs.K} rollouts verified`;
    case 'prm':
      return `PRM${vs.model ? ` ${vs.model}` : ''}${vs.aggregation ? ` (${vs.aggregation})` : ''}`;
    case 'judge':
      return `LLM judge, ${vs.samples} samples${vs.model ? ` (${vs.model})` : ''}`;
    case 'heuristic':
      return `${vs.heuristic} heuristic (distance to the target)`;
    case 'oracle':
      return 'oracle';
    case 'verifier':
      return `verifier ${vs.verifier}`;
    case 'human':
      return 'set by a person';
    case 'imported':
      return `imported${vs.source ? ` from ${vs.source}` : ''}`;
  }
}

/** One line of a node's text for lists and announcements (simple TeX shown as plain characters). */
export function oneLine(text: string, max = 90): string {
  const s = plainMath(text).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function nodeTitle(n: TraceNode): string {
  return n.kind === 'root' ? 'Problem' : n.kind === 'answer' ? 'Answer' : n.kind === 'rollout' ? 'Rollout' : n.kind === 'verification' ? 'Verification' : 'Step';
}

const TEX_SYMBOLS: Record<string, string> = {
  times: '×', cdot: '·', div: '÷', pm: '±', le: '≤', leq: '≤', ge: '≥', geq: '≥', ne: '≠', neq: '≠', approx: '≈',
  to: '→', rightarrow: '→', Rightarrow: '⇒', infty: '∞', pi: 'π', alpha: 'α', beta: 'β', theta: 'θ', sum: 'Σ', cdots: '⋯', ldots: '…',
};

/**
 * Plain-text rendering of simple TeX for canvas labels (the detail pane renders real KaTeX): drops $ delimiters and
 * turns \frac{a}{b}, \sqrt{x}, \times and friends into readable characters.
 */
export function plainMath(text: string): string {
  // Only text that looks like TeX; "$5 and $6" keeps its dollars.
  if (!/\\[A-Za-z()[\]]|\^|_\{/.test(text)) return text;
  return text
    .replace(/\\[()[\]]/g, '')
    .replace(/\$\$?/g, '')
    .replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, '$1/$2')
    .replace(/\\sqrt\{([^{}]*)\}/g, '√($1)')
    .replace(/\\(?:text|mathrm|mathbf|operatorname)\{([^{}]*)\}/g, '$1')
    .replace(/\\([A-Za-z]+)/g, (m, name: string) => TEX_SYMBOLS[name] ?? name)
    .replace(/[{}]/g, '')
    .replace(/\^(\w)/g, (m, c: string) => SUPERSCRIPTS[c] ?? `^${c}`);
}

const SUPERSCRIPTS: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', n: 'ⁿ' };

/**
 * A value in two decimals, as cards, summaries, the reading view and tooltips print it, except that a value rounding
 * to 0.00 or 1.00 without being 0 or 1 says so: a calibrated estimate of 0.0004 is not a verifier's 0 (rejected).
 */
export function valueLabel(v: number): string {
  if (v > 0 && v < 0.005) return '<0.01';
  if (v < 1 && v >= 0.995) return '>0.99';
  return v.toFixed(2);
}

/** The card's ×k badge: a node standing for k ≥ 2 identical sibling samples; '' otherwise. */
export function copiesLabel(n: Pick<TraceNode, 'copies'>): string {
  return n.copies !== undefined && n.copies > 1 ? `×${n.copies}` : '';
}

/** What the engine noted on a node (`meta`), as sentences for the detail pane: widening, cuts, the checker, the cache. */
export function metaNotes(meta: TraceNode['meta']): string[] {
  if (!meta) return [];
  const out: string[] = [];
  const say = (key: string, lead: string) => {
    const v = meta[key];
    if (v !== undefined && v !== null && v !== false) out.push(v === true ? lead : `${lead}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  };
  say('widened', 'Widened (progressive widening)');
  say('widenings', 'Widenings in this run');
  say('stepCut', 'Step cut by the client (the server ran past the step delimiter)');
  say('cut', 'Cut');
  say('check', 'Checker');
  say('cached', 'Served from the replay cache');
  return out;
}
