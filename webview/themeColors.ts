/**
 * Reads the VS Code theme (CSS variables on the body, and its vscode-light / vscode-dark / vscode-high-contrast
 * class) into plain colours the canvas can use. Re-read when the body's class or style changes.
 */
import { noValueColor } from './colorScale';
import type { ThemeKind } from './colorScale';

export interface ThemeColors {
  kind: ThemeKind;
  background: string;
  foreground: string;
  muted: string;
  edge: string;
  cardBackground: string;
  cardBorder: string;
  focus: string;
  selection: string;
  best: string;
  error: string;
  success: string;
  human: string;
  noValue: string;
  /** Outline of coloured card boxes (zoomed out): keeps the ends of viridis apart from the background. */
  cardOutline: string;
  /** Tree diff outlines (git decoration colours of the theme). */
  diffAdded: string;
  diffRemoved: string;
  diffChanged: string;
  /** VS Code's count badge (a merged node's ×k), as the activity bar and lists draw counts. */
  badgeBackground: string;
  badgeForeground: string;
  contrastBorder: string | null;
  fontFamily: string;
  monoFamily: string;
}

export function themeKind(body: HTMLElement): ThemeColors['kind'] {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

export function readThemeColors(body: HTMLElement = document.body): ThemeColors {
  const cs = getComputedStyle(body);
  const kind = themeKind(body);
  const dark = kind === 'dark' || kind === 'high-contrast';
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const contrast = v('--vscode-contrastBorder', '');
  return {
    kind,
    background: v('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    foreground: v('--vscode-editor-foreground', dark ? '#d4d4d4' : '#1f1f1f'),
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#616161'),
    edge: v('--vscode-editorIndentGuide-activeBackground1', '') || (dark ? '#707070' : '#a0a0a0'),
    cardBackground: v('--vscode-editorWidget-background', dark ? '#252526' : '#f3f3f3'),
    // editorWidget-border before widget-border: Dark Modern's widget border (#313131) is 1.3:1 on its background.
    cardBorder: contrast || v('--vscode-editorWidget-border', '') || v('--vscode-widget-border', dark ? '#454545' : '#c8c8c8'),
    focus: v('--vscode-focusBorder', dark ? '#0078d4' : '#005fb8'),
    selection: v('--vscode-list-activeSelectionBackground', dark ? '#04395e' : '#0060c0'),
    best: dark ? '#f5c518' : '#b8860b',
    error: v('--vscode-errorForeground', dark ? '#f48771' : '#a1260d'),
    success: v('--vscode-testing-iconPassed', dark ? '#73c991' : '#388a34'),
    human: '#E69F00',
    noValue: noValueColor(kind),
    cardOutline: contrast || (dark ? 'rgba(200, 200, 200, 0.45)' : 'rgba(60, 60, 60, 0.45)'),
    diffAdded: v('--vscode-gitDecoration-addedResourceForeground', dark ? '#81b88b' : '#587c0c'),
    diffRemoved: v('--vscode-gitDecoration-deletedResourceForeground', dark ? '#c74e39' : '#ad0707'),
    diffChanged: v('--vscode-gitDecoration-modifiedResourceForeground', dark ? '#e2c08d' : '#895503'),
    badgeBackground: v('--vscode-badge-background', dark ? '#616161' : '#cccccc'),
    badgeForeground: v('--vscode-badge-foreground', dark ? '#f8f8f8' : '#3b3b3b'),
    contrastBorder: contrast || null,
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
    monoFamily: v('--vscode-editor-font-family', 'monospace'),
  };
}
