/**
 * Where a lab's files are: the shipped lessons (folders under the package's `topology/`), `--lesson`
 * (an id or its prefix), and `--topology` (a `.clab.yaml` file, or a folder holding exactly one).
 * Nothing here knows a particular lesson: the default is the first shipped lesson by folder name.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../errors.js';
import { LESSON_FILE_NAME } from './lesson.js';
import { isRecord } from './rules.js';
import { parseYamlDocuments } from './yaml.js';

/** The installed package's root (holds package.json, topology/, manifests/). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The folder of the shipped lessons. */
export function lessonsRoot(): string {
  return join(packageRoot(), 'topology');
}

export interface LessonFolder {
  /** The lesson file's id, else the folder name. */
  id: string;
  dir: string;
}

const TOPOLOGY = /\.clab\.ya?ml$/;

/** The `id:` of a folder's lesson file (read leniently: loadLab reports its problems), else the folder name. */
function folderId(dir: string): string {
  const file = join(dir, LESSON_FILE_NAME);
  if (!existsSync(file)) return basename(dir);
  try {
    const [doc] = parseYamlDocuments(readFileSync(file, 'utf8'), file);
    const id = doc && isRecord(doc.value) ? doc.value['id'] : undefined;
    return typeof id === 'string' && id !== '' ? id : basename(dir);
  } catch {
    return basename(dir);
  }
}

/** Every lesson folder under `root` (a folder with a lesson file or a topology file), by folder name. */
export function listLessonFolders(root: string = lessonsRoot()): LessonFolder[] {
  const names = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
  return names
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, LESSON_FILE_NAME)) || readdirSync(dir).some((n) => TOPOLOGY.test(n)))
    .map((dir) => ({ id: folderId(dir), dir }));
}

/** `--lesson <id>`: the exact id, else the one lesson whose id starts with it (`02` → 02-pod-network). */
export function findLesson(wanted: string, lessons: LessonFolder[] = listLessonFolders()): LessonFolder {
  const list = lessons.map((l) => l.id).join(', ') || '(none shipped)';
  const exact = lessons.filter((l) => l.id === wanted);
  const matches = exact.length > 0 ? exact : lessons.filter((l) => l.id.startsWith(wanted));
  if (wanted === '' || matches.length === 0) {
    throw new UsageError(`--lesson ${wanted}: no such lesson`, { hint: `choose one of ${list} (a prefix such as 02 is enough); \`lab lessons\` lists them` });
  }
  if (matches.length > 1) {
    throw new UsageError(`--lesson ${wanted} is ambiguous: it matches ${matches.map((l) => l.id).join(', ')}`, { hint: 'give more of the id' });
  }
  return matches[0]!;
}

/** The default lab: the first shipped lesson. */
export function defaultLesson(): LessonFolder {
  const [first] = listLessonFolders();
  if (!first) throw new InputError(`no lesson folder under ${lessonsRoot()}`, { hint: 'reinstall lab, or pass --topology <file or folder>' });
  return first;
}

/** The `*.clab.yaml` files of a folder, by name. */
export function topologiesIn(dir: string): string[] {
  return readdirSync(dir).filter((n) => TOPOLOGY.test(n)).sort();
}

/** The one topology of a folder; none or several is an InputError naming them. */
export function onlyTopologyIn(dir: string, flag: string): string {
  const found = topologiesIn(dir);
  if (found.length === 1) return join(dir, found[0]!);
  if (found.length === 0) {
    const lessons = listLessonFolders(dir).map((l) => basename(l.dir));
    throw new InputError(`${flag}: the folder ${dir} holds no *.clab.yaml topology`, {
      hint: lessons.length > 0
        ? `it holds lesson folders (${lessons.join(', ')}): pass one of them, e.g. --topology ${join(dir, lessons[0]!)}`
        : 'point --topology at a lesson folder (with its <name>.clab.yaml) or at the topology file itself',
    });
  }
  throw new InputError(`${flag}: the folder ${dir} holds ${found.length} topologies: ${found.join(', ')}`, {
    hint: `pass one of them: --topology ${join(dir, found[0]!)}, or name it in ${LESSON_FILE_NAME} (\`topology: ${found[0]!}\`)`,
  });
}

/** `--topology <path>`: a file, or a folder; undefined (a folder) means "pick its topology later". */
export function resolveTopologyArg(path: string, cwd: string): { dir: string; file: string | undefined } {
  const abs = resolve(cwd, path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new InputError(`--topology ${path}: not found (looked for ${abs})`, { hint: 'give a *.clab.yaml file or a lesson folder; relative paths start at the current directory' });
  }
  return isDir ? { dir: abs, file: undefined } : { dir: dirname(abs), file: abs };
}
