/**
 * A small import-graph walker for the structure tests. Files are parsed with the TypeScript parser (not regexes),
 * so imports inside strings, template literals and comments are not mistaken for edges. Each edge records whether
 * it is erased at run time (type-only) and whether it is a dynamic `import()`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import * as ts from 'typescript';

export interface ImportRef {
  specifier: string;
  /** Erased at run time: `import type`, `export type`, `import { type A }` with every specifier a type, `typeof import()`. */
  typeOnly: boolean;
  /** `import('…')` in code: loaded when the call runs, not when the file loads. */
  dynamic: boolean;
  /** 1-based line of the import in its file. */
  line: number;
}

export interface ImportEdge extends ImportRef {
  /** Importing file, relative to the graph root, with `/` separators. */
  from: string;
  /** Resolved file (same form) for a relative specifier; undefined for packages and for what does not resolve. */
  to: string | undefined;
  /** A package or built-in (`zod`, `node:fs`, `vscode`), not a path. */
  external: boolean;
}

export interface ImportGraph {
  root: string;
  files: string[];
  edges: ImportEdge[];
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

const toPosix = (p: string): string => p.split(sep).join('/');

/** Every file under `dirs` (relative to `root`) whose name matches `pattern`, sorted, as `/`-separated relative paths. */
export function listFiles(root: string, dirs: readonly string[], pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      if (name === 'node_modules') continue;
      const p = join(abs, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(name)) out.push(toPosix(relative(root, p)));
    }
  };
  for (const d of dirs) if (existsSync(join(root, d))) walk(join(root, d));
  return out.sort();
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function importIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './x'`: run for its side effects
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  // `import { type A, type B }` is erased; one value specifier (or a default / namespace binding) keeps it.
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The imports of one source text: static imports, re-exports, `import()`, `require()` and `import('…')` types. */
export function parseImports(source: string, fileName = 'source.ts'): ImportRef[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (specifier: string | undefined, at: ts.Node, typeOnly: boolean, dynamic: boolean): void => {
    if (specifier === undefined) return;
    const line = file.getLineAndCharacterOfPosition(at.getStart(file)).line + 1;
    refs.push({ specifier, typeOnly, dynamic, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(literalText(node.moduleSpecifier), node, importIsTypeOnly(node.importClause), false);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) add(literalText(node.moduleSpecifier), node, exportIsTypeOnly(node), false);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(literalText(node.moduleReference.expression), node, node.isTypeOnly, false);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(literalText(arg.literal), node, true, false);
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(literalText(first), node, false, true);
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(literalText(first), node, false, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return refs;
}

const isRelative = (specifier: string): boolean => specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/**
 * Where a relative specifier of `from` (root-relative) points, as bundler resolution finds it: `x.ts`, `x.tsx`,
 * `x.d.ts`, the exact file, `x.js` written for `x.ts`, then `x/index.ts`. Undefined when nothing matches.
 */
export function resolveImport(root: string, from: string, specifier: string): string | undefined {
  const base = join(root, dirname(from), specifier);
  const candidates = [`${base}.ts`, `${base}.tsx`, `${base}.d.ts`, base];
  if (/\.(m|c)?js$/.test(base)) candidates.push(base.replace(/\.(m|c)?js$/, (_, m: string | undefined) => `.${m ?? ''}ts`));
  candidates.push(join(base, 'index.ts'), join(base, 'index.tsx'));
  const hit = candidates.find(isFile);
  return hit === undefined ? undefined : toPosix(relative(root, hit));
}

/** Parses every TypeScript file under `dirs` (relative to `root`) and resolves its relative imports. */
export function buildImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const files = listFiles(root, dirs, SOURCE);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const ref of parseImports(readFileSync(join(root, from), 'utf8'), from)) {
      const external = !isRelative(ref.specifier);
      edges.push({ ...ref, from, external, to: external ? undefined : resolveImport(root, from, ref.specifier) });
    }
  }
  return { root, files, edges };
}

/**
 * One cycle per strongly connected component of the resolved edges given (filter them first, e.g. value edges
 * only), each as a closed path `[a, b, …, a]`: the shortest loop through the component's first file. Sorted.
 */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.to === undefined) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (!next.has(e.to)) next.set(e.to, new Set());
    next.get(e.from)!.add(e.to);
  }
  const nodes = [...next.keys()].sort();
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...next.get(v)!].sort()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);

  const cycles: string[][] = [];
  for (const component of components) {
    const start = component[0]!;
    if (component.length === 1 && !next.get(start)!.has(start)) continue;
    const inside = new Set(component);
    // Breadth-first from the start back to it, staying inside the component: the shortest loop.
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    for (let i = 0; i < queue.length && closing === undefined; i++) {
      const v = queue[i]!;
      for (const w of [...next.get(v)!].sort()) {
        if (w === start) {
          closing = v;
          break;
        }
        if (inside.has(w) && !cameFrom.has(w)) {
          cameFrom.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = closing!; v !== start; v = cameFrom.get(v)!) path.splice(1, 0, v);
    path.push(start);
    cycles.push(path);
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

export const formatCycle = (cycle: readonly string[]): string => cycle.join(' → ');
