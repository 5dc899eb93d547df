/**
 * `lab lessons`: the lessons shipped with lab (folders under the package's `topology/`), each loaded
 * and checked like `--lesson <id>` would: id, title, nodes, Calico version, workloads, exercises.
 * A lesson whose files are broken is listed with its error and makes the exit status 1.
 */
import { errorMessage, LabError } from '../errors.js';
import { listLessonFolders } from '../lab/catalog.js';
import { loadLab } from '../lab/load.js';
import type { Lab } from '../lab/model.js';
import type { CommandContext } from './context.js';

export interface LessonRow {
  id: string;
  title: string;
  summary: string;
  dir: string;
  topology: string;
  nodes: number;
  calicoVersion: string;
  /** `Kind namespace/name` of every workload object lab applies. */
  workloads: string[];
  waitFor: string[];
  images: string[];
  exercises: number;
  notes: string[];
}

export function lessonRow(lab: Lab, dir: string): LessonRow {
  return {
    id: lab.lesson.id,
    title: lab.lesson.title,
    summary: lab.lesson.summary,
    dir,
    topology: lab.topologyFile,
    nodes: lab.nodes.length,
    calicoVersion: lab.calico.version,
    workloads: lab.workloads.manifests.map((m) => `${m.object.kind} ${m.object.metadata.namespace ?? 'default'}/${m.object.metadata.name}`),
    waitFor: lab.workloads.waitFor.map((w) => `${w.kind} ${w.namespace}/${w.name}`),
    images: lab.workloads.images,
    exercises: lab.lesson.exercises?.length ?? 0,
    notes: lab.lesson.notes,
  };
}

/** What the workloads column shows: the waited-for objects (`DaemonSet multitool-1`), `-` for none. */
function workloadCell(row: LessonRow): string {
  if (row.waitFor.length === 0) return '-';
  return row.waitFor.map((w) => w.replace(/ default\//, ' ')).join(', ');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export async function run(ctx: CommandContext<'lessons'>): Promise<number> {
  const o = ctx.options;
  const rows: LessonRow[] = [];
  const broken: { id: string; dir: string; error: string; hint: string | undefined }[] = [];
  for (const folder of listLessonFolders()) {
    try {
      rows.push(lessonRow(await loadLab({ topology: folder.dir, pins: o.pins, cwd: ctx.cwd, env: ctx.env }), folder.dir));
    } catch (error) {
      broken.push({ id: folder.id, dir: folder.dir, error: errorMessage(error), hint: error instanceof LabError ? error.hint : undefined });
    }
  }
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: broken.length === 0, lessons: rows, broken }, null, 2)}\n`);
  } else {
    const header = ['ID', 'TITLE', 'NODES', 'CALICO', 'EXERCISES', 'WORKLOADS'];
    ctx.stdout.write(table([header, ...rows.map((r) => [r.id, r.title, String(r.nodes), r.calicoVersion, String(r.exercises), workloadCell(r)])]));
    for (const b of broken) ctx.log.error(`lesson ${b.id} (${b.dir}) cannot be loaded: ${b.error}${b.hint ? ` — ${b.hint}` : ''}`);
  }
  return broken.length === 0 ? 0 : 1;
}
