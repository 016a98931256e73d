/**
 * Every `{@link name}` (and `@linkcode`, `@linkplain`) in the TSDoc of the given files whose name the
 * TypeScript checker cannot resolve from where the comment stands — in every comment, public or not.
 * TypeDoc validates only the comments of what the entry points export: a broken link in the TSDoc
 * of an internal helper (exported from its file, not from `rxrun`) passes `npm run docs:check`.
 */
import path from 'node:path';
import ts from 'typescript';

export interface BrokenTsdocLink {
  /** `file:line`, the file relative to `root`. */
  readonly at: string;
  /** The link's target as written, e.g. `missing$` or `AppContext.nope`. */
  readonly target: string;
}

type LinkNode = ts.JSDocLink | ts.JSDocLinkCode | ts.JSDocLinkPlain;

function isLink(node: ts.Node): node is LinkNode {
  return ts.isJSDocLink(node) || ts.isJSDocLinkCode(node) || ts.isJSDocLinkPlain(node);
}

/** The link nodes in one JSDoc comment (its text and the text of each of its tags). */
function linksOf(doc: ts.JSDoc): LinkNode[] {
  const found: LinkNode[] = [];
  const parts = (comment: string | ts.NodeArray<ts.JSDocComment> | undefined): void => {
    if (comment !== undefined && typeof comment !== 'string') for (const part of comment) if (isLink(part)) found.push(part);
  };
  parts(doc.comment);
  for (const tag of doc.tags ?? []) {
    parts(tag.comment);
    // `@param x - see {@link y}` keeps the link on the tag; `@see {@link y}` keeps it as the tag's name.
    if (ts.isJSDocSeeTag(tag) && tag.name !== undefined) found.push(tag.name as unknown as LinkNode);
  }
  return found;
}

/**
 * The broken links in `files` (absolute paths), compiled with `tsconfig` (absolute path). A name
 * that is not in the comment's scope still resolves, as in TypeDoc, when it is exported from one of
 * `entryPoints` (absolute paths), with each `.member` after it a member of what it names.
 */
export function brokenTsdocLinks(files: readonly string[], tsconfig: string, root: string, entryPoints: readonly string[] = []): BrokenTsdocLink[] {
  const config = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error(`cannot read ${tsconfig}`);
  const program = ts.createProgram({ rootNames: [...files], options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const exported = new Map<string, ts.Symbol>();
  for (const entry of entryPoints) {
    const module = program.getSourceFile(entry);
    const moduleSymbol = module && checker.getSymbolAtLocation(module);
    if (moduleSymbol === undefined) throw new Error(`not a module in the program: ${entry}`);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) exported.set(symbol.name, symbol);
  }
  const member = (symbol: ts.Symbol, name: string): ts.Symbol | undefined => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return target.members?.get(name as ts.__String) ?? target.exports?.get(name as ts.__String)
      ?? checker.getPropertyOfType(checker.getDeclaredTypeOfSymbol(target), name);
  };
  const fromEntryPoints = (text: string): boolean => {
    const [first, ...rest] = text.split('.');
    let symbol = exported.get(first ?? '');
    for (const name of rest) symbol = symbol && member(symbol, name);
    return symbol !== undefined;
  };
  const broken: BrokenTsdocLink[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`not in the program: ${file}`);
    const visit = (node: ts.Node): void => {
      for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
        for (const link of linksOf(doc)) {
          const name = (link as { name?: ts.EntityName | ts.JSDocMemberName }).name;
          if (name === undefined) continue; // `{@link https://…}`: a URL, not a name
          const text = name.getText(source);
          if (link.text.startsWith('://')) continue; // `{@link https://…}`: TypeScript parses `https` as the name
          if (checker.getSymbolAtLocation(name) !== undefined || fromEntryPoints(text)) continue;
          const { line } = source.getLineAndCharacterOfPosition(link.getStart(source));
          broken.push({ at: `${path.relative(root, file)}:${line + 1}`, target: text });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return broken;
}
