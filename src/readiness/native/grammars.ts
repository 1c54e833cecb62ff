/**
 * The tree-sitter grammars the native checks parse with: C, C++ and Rust, loaded once, each
 * with one parser, on the thread that runs the readiness stage.
 *
 * Stage: readiness. The grammars are native bindings built for the project's tree-sitter.
 */
import { createRequire } from 'node:module';
import Parser from 'tree-sitter';

const require = createRequire(import.meta.url);

export type NativeLanguage = 'c' | 'cpp' | 'rust';

const PACKAGES: Record<NativeLanguage, string> = { c: 'tree-sitter-c', cpp: 'tree-sitter-cpp', rust: 'tree-sitter-rust' };

const parsers = new Map<NativeLanguage, Parser>();

/** The parser for a language, created on first use. */
export function parserFor(language: NativeLanguage): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    // The grammar packages ship CommonJS bindings without types.
    parser.setLanguage(require(PACKAGES[language]) as Parser.Language);
    parsers.set(language, parser);
  }
  return parser;
}
