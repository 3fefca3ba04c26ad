import ts from 'typescript';

/**
 * A README's TypeScript example as the JavaScript a user's build would run: types stripped by
 * TypeScript itself, imports and top-level await left as they are (an ES module).
 */
export function toJavaScript(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
    },
  }).outputText;
}
