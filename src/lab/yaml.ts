/**
 * Reading the lab's YAML files so that every mistake names file:line. Parsing is kept apart from the
 * rules (`rules.ts`), which only see plain values plus a way to locate a path in its file.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import { InputError } from '../errors.js';

export interface YamlDoc {
  file: string;
  /** The plain value of the document. */
  value: unknown;
  /** 1-based line of the value at `path` (or of the closest existing parent; 1 if nothing). */
  lineOf(path: readonly (string | number)[]): number;
  /** 1-based line where the document starts. */
  line: number;
}

export async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${what} not found: ${file}`, { hint: 'check the path (relative paths are resolved from the current directory, or from the topology file for startup-config)' });
    if (code === 'EISDIR') throw new InputError(`${what} is a directory, not a file: ${file}`, { hint: 'give the path of the YAML file itself' });
    throw new InputError(`cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Parse every document of a YAML text; a syntax error throws InputError naming file:line:col. */
export function parseYamlDocuments(text: string, file: string): YamlDoc[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) {
    // an EmptyStream: a file with no documents
    return [];
  }
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0];
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      throw new InputError(`${where}: invalid YAML: ${(first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`, {
        hint: 'fix the YAML syntax at that line (indentation, a missing colon or quote)',
      });
    }
  }
  return docs
    .filter((doc) => doc.contents !== null)
    .map((doc) => toYamlDoc(doc, file, lineCounter));
}

function toYamlDoc(doc: Document.Parsed, file: string, lineCounter: LineCounter): YamlDoc {
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const start = doc.contents?.range?.[0];
  return {
    file,
    value: doc.toJS({ maxAliasCount: 100 }) as unknown,
    line: lineAt(start),
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return lineAt(node.range[0]);
      }
      return lineAt(start);
    },
  };
}

export async function readYamlFile(file: string, what: string): Promise<YamlDoc[]> {
  return parseYamlDocuments(await readText(file, what), file);
}

/** Exactly one document expected. */
export async function readSingleYaml(file: string, what: string): Promise<YamlDoc> {
  const docs = await readYamlFile(file, what);
  const [doc] = docs;
  if (!doc) throw new InputError(`${file}: the ${what} is empty`, { hint: `write the ${what} in this file` });
  if (docs.length > 1) throw new InputError(`${file}:${docs[1]?.line ?? 1}: the ${what} must be a single YAML document, found ${docs.length}`, { hint: 'remove the extra `---` documents' });
  return doc;
}
