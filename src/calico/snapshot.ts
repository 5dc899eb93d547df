/**
 * Snapshots: `lab snapshot` writes every input verify reads into one versioned JSON file, and
 * `lab verify --snapshot <file-or-dir>` reads it back — or a directory of ordinary outputs a user
 * attaches to a bug report, each file recognised by its CONTENT (never its name):
 * `kubectl get <kind> -o yaml|json` (a List, single objects or several YAML documents; both the
 * crd.projectcalico.org/v1 and projectcalico.org/v3 shapes), `containerlab inspect --format json`,
 * `docker network inspect kind`, `calicoctl ipam show` (with or without --show-blocks), the
 * `calicoctl ipam check -o` report, `ip -j route` and /proc/net/route.
 * A snapshot never holds kubeconfigs, tokens, certificates, Secrets or managedFields: inputs are slimmed
 * when gathered, and `assertNoSecrets` refuses to write a document that still looks like one.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../errors.js';
import {
  cleanObject,
  emptyInputs,
  INPUT_NAMES,
  isPodNetwork,
  normaliseAffinity,
  present,
  slimInstallation,
  slimNode,
  slimPod,
  slimTigeraStatus,
  type Input,
  type InputName,
  type VerifyInputs,
} from './inputs.js';
import type { VerifyLab } from './lab.js';
import {
  isClabInspect,
  isIpamCheckReport,
  isIpamShowText,
  parseClabInspect,
  parseIpamCheckReport,
  parseIpamShow,
  parseIpJsonRoutes,
  parseProcNetRoute,
} from './parse.js';
import { captureInputs } from './captures.js';
import { readCapture } from './readers/index.js';
import { tryJson } from './readers/registry.js';
import type { KubeItem } from './types.js';
import { slimDaemonSet, slimEndpointSlice, slimService, slimWorkloadPod } from './workload-objects.js';

export const SNAPSHOT_FORMAT = 'lab-verify-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface SnapshotDocument {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  createdAt: string;
  /** The lab's expectations (names, roles, image, pool, service CIDR) at capture time. */
  lab: VerifyLab;
  inputs: VerifyInputs;
}

export function buildSnapshot(lab: VerifyLab, inputs: VerifyInputs, now = new Date()): SnapshotDocument {
  const doc: SnapshotDocument = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt: now.toISOString(), lab, inputs };
  assertNoSecrets(JSON.stringify(doc));
  return doc;
}

/** Markers of credentials. Anything matching is a bug in slimming, never written. */
const SECRET_MARKERS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*(CERTIFICATE|PRIVATE KEY)-----/, 'a PEM certificate or key'],
  [/"(client-key-data|client-certificate-data|certificate-authority-data|token)"\s*:/, 'kubeconfig credentials'],
  [/"kind"\s*:\s*"Secret"/, 'a Secret'],
  [/"managedFields"\s*:/, 'managedFields'],
  [/eyJhbGciOi[A-Za-z0-9_-]{10,}/, 'a bearer token (JWT)'],
];

export function assertNoSecrets(text: string): void {
  for (const [re, what] of SECRET_MARKERS) {
    if (re.test(text)) throw new Error(`refusing to write a snapshot that contains ${what}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSnapshot(v: unknown): v is SnapshotDocument {
  return isRecord(v) && v['format'] === SNAPSHOT_FORMAT;
}

function readSnapshotDocument(v: SnapshotDocument, file: string): SnapshotDocument {
  if (v.version !== SNAPSHOT_VERSION) {
    throw new InputError(`${file}: snapshot format version ${String(v.version)} is not supported (this lab reads version ${SNAPSHOT_VERSION})`, { hint: 'take the snapshot again with this version of lab: `lab snapshot -o <file>`' });
  }
  const inputs = emptyInputs('not in the snapshot');
  for (const name of INPUT_NAMES) {
    const i = (v.inputs as unknown as Record<string, unknown>)?.[name];
    if (isRecord(i) && (i['ok'] === true || i['ok'] === false)) (inputs as unknown as Record<string, unknown>)[name] = i;
  }
  return { ...v, inputs };
}

export interface LoadedSnapshot {
  /** Present when the input was a snapshot file (its lab expectations). */
  lab: VerifyLab | undefined;
  inputs: VerifyInputs;
  /** Which file fed which input (and files that held nothing verify reads). */
  files: { file: string; recognisedAs: string[] }[];
  /** Files (or parts of transcripts) verify could not read, with the reason: listed, an error only with --strict. */
  ignored: { source: string; reason: string }[];
}

export interface LoadOptions {
  /** The lab's node names: a transcript prompt `user@<host>` names a node only when host is one of them. */
  nodeNames?: readonly string[];
}

/** Read `lab verify --snapshot <path>`: a snapshot file, a tool output or transcript, or a directory of them. */
export async function loadSnapshot(path: string, o: LoadOptions = {}): Promise<LoadedSnapshot> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new InputError(`--snapshot: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'give a file written by `lab snapshot` or a directory of kubectl/calicoctl/containerlab outputs' });
  }
  if (info.isDirectory()) return loadDirectory(path, o);
  const text = await readText(path);
  const value = tryJson(text);
  if (isSnapshot(value)) {
    const doc = readSnapshotDocument(value, path);
    return { lab: doc.lab, inputs: doc.inputs, files: [{ file: path, recognisedAs: ['lab snapshot'] }], ignored: [] };
  }
  // A single tool output is a one-file directory.
  const acc = new Accumulator(o.nodeNames ?? []);
  acc.addOrIgnore(path, text);
  return { lab: undefined, inputs: acc.inputs(), files: acc.files, ignored: acc.ignored };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function loadDirectory(dir: string, o: LoadOptions): Promise<LoadedSnapshot> {
  const acc = new Accumulator(o.nodeNames ?? []);
  let lab: VerifyLab | undefined;
  const files = await listFiles(dir);
  if (files.length === 0) throw new InputError(`--snapshot: the directory ${dir} is empty`, { hint: 'put the outputs of kubectl get … -o yaml, calicoctl ipam show/check and containerlab inspect --format json in it' });
  for (const file of files) {
    const text = await readText(file);
    const value = tryJson(text);
    if (isSnapshot(value)) {
      const doc = readSnapshotDocument(value, file);
      lab ??= doc.lab;
      for (const name of INPUT_NAMES) if (doc.inputs[name].ok) acc.set(name, doc.inputs[name] as Input<unknown>);
      acc.files.push({ file: relative(dir, file), recognisedAs: ['lab snapshot'] });
      continue;
    }
    acc.addOrIgnore(file, text, relative(dir, file));
  }
  return { lab, inputs: acc.inputs(), files: acc.files, ignored: acc.ignored };
}

const KIND_TO_INPUT: Record<string, InputName> = {
  TigeraStatus: 'tigeraStatuses',
  Node: 'nodes',
  Pod: 'pods',
  IPPool: 'ippools',
  IPAMBlock: 'ipamBlocks',
  BlockAffinity: 'blockAffinities',
  IPAMHandle: 'ipamHandles',
  Installation: 'installations',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  DaemonSet: 'daemonSets',
};

/** Collects inputs from many files; objects of one kind from several files are merged by name. */
export class Accumulator {
  readonly files: { file: string; recognisedAs: string[] }[] = [];
  readonly ignored: { source: string; reason: string }[] = [];

  constructor(private readonly nodeNames: readonly string[] = []) {}
  private readonly objects = new Map<InputName, { items: Map<string, KubeItem>; sources: Set<string> }>();
  private readonly singles = new Map<InputName, Input<unknown>>();

  set(name: InputName, input: Input<unknown>): void {
    if (!input.ok) return;
    if (Array.isArray(input.value) && KIND_INPUTS.has(name)) {
      for (const item of input.value as KubeItem[]) this.object(name, item, input.source);
    } else this.singles.set(name, input);
  }

  private object(name: InputName, item: KubeItem, source: string): void {
    const entry = this.objects.get(name) ?? { items: new Map(), sources: new Set() };
    entry.items.set(`${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`, item);
    entry.sources.add(source);
    this.objects.set(name, entry);
  }

  /** `add`, but a file verify cannot read is listed as ignored instead of stopping the run. */
  addOrIgnore(file: string, text: string, shown = file): void {
    // Not JSON: a terminal transcript or the human form of an output, read by the readers.
    if (tryJson(text) === undefined && this.addCapture(text, shown)) return;
    try {
      this.add(file, text, shown);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const m = error.message.startsWith(shown) ? /^:(\d+)?:?\s*([\s\S]*)$/.exec(error.message.slice(shown.length)) : null;
      this.ignored.push(m ? { source: m[1] ? `${shown}:${m[1]}` : shown, reason: m[2]! } : { source: shown, reason: error.message });
    }
  }

  /** Read `text` with the transcript/output readers; false when they found nothing in it. */
  private addCapture(text: string, shown: string): boolean {
    const read = readCapture(shown, text, { nodeNames: this.nodeNames });
    if (read.parts.length === 0) return false;
    // Plain `kubectl get -o yaml` output (no prompt): the object path below reads it, naming file:line on a YAML error.
    if (read.parts.every((p) => p.reader === 'kube-objects' && p.command === undefined)) return false;
    const c = captureInputs(read.parts);
    const found: string[] = [];
    for (const [name, input] of Object.entries(c.inputs) as [InputName, Input<unknown>][]) this.put(name, input);
    for (const obj of c.objects) {
      try {
        this.addKube({ kind: 'List', items: obj.items }, obj.source, found);
      } catch (error) {
        this.ignored.push({ source: obj.source, reason: (error as Error).message });
      }
    }
    this.ignored.push(...read.ignored, ...c.ignored);
    const transcript = read.parts.length > 1 || read.parts.some((p) => p.command !== undefined);
    this.files.push({ file: shown, recognisedAs: [...new Set([...c.used.map((u) => (transcript ? `${u.as} (${u.source})` : u.as)), ...found])] });
    return true;
  }

  /** Put one input read by another provider (a transcript reader): objects merge by name, values replace. */
  put(name: InputName, input: Input<unknown>): void {
    const prev = this.singles.get(name);
    if (input.ok && prev?.ok && Array.isArray(prev.value) && Array.isArray(input.value) && !KIND_INPUTS.has(name)) {
      this.singles.set(name, present([...(prev.value as unknown[]), ...(input.value as unknown[])], `${prev.source}, ${input.source}`));
    } else if (input.ok && prev?.ok && (name === 'nodeRoutes' || name === 'podObservations')) {
      this.singles.set(name, present({ ...(prev.value as object), ...(input.value as object) }, `${prev.source}, ${input.source}`));
    } else this.set(name, input);
  }

  /** Recognise one file by content and take what it holds. Throws InputError naming the file. */
  add(file: string, text: string, shown = file): void {
    const found: string[] = [];
    const value = tryJson(text);
    if (value !== undefined) {
      this.addJson(value, shown, found);
    } else if (isIpamShowText(text)) {
      let show;
      try {
        show = parseIpamShow(text);
      } catch (error) {
        throw new InputError(`${shown}: looks like \`calicoctl ipam show\` but cannot be read: ${(error as Error).message}`);
      }
      this.singles.set('ipamShow', present(show, shown));
      found.push(show.showBlocks ? 'calicoctl ipam show --show-blocks' : 'calicoctl ipam show');
    } else if (/^Iface\s+Destination\s+Gateway/.test(text)) {
      this.singles.set('hostRoutes', present(parseProcNetRoute(text), shown));
      found.push('/proc/net/route');
    } else {
      this.addYaml(text, shown, found);
    }
    if (found.length === 0) {
      throw new InputError(`${shown}: not a file verify can read`, {
        hint: 'expected a `lab snapshot` file, `kubectl get <kind> -o yaml|json`, `containerlab inspect --format json`, `calicoctl ipam show`, a `calicoctl ipam check -o` report, `docker network inspect kind` or `ip -j route`',
      });
    }
    this.files.push({ file: shown, recognisedAs: [...new Set(found)] });
  }

  private addJson(value: unknown, shown: string, found: string[]): void {
    if (isIpamCheckReport(value)) {
      this.singles.set('ipamCheck', present(parseIpamCheckReport(value), shown));
      found.push('calicoctl ipam check report');
    } else if (isClabInspect(value) || (isRecord(value) && Object.keys(value).length === 0)) {
      this.singles.set('containers', present(parseClabInspect(value), shown));
      found.push('containerlab inspect --format json');
    } else if (Array.isArray(value) && value.length > 0 && value.every((n) => isRecord(n) && isRecord(n['IPAM']) && typeof n['Name'] === 'string')) {
      const kind = value.find((n) => (n as Record<string, unknown>)['Name'] === 'kind') as { IPAM: { Config?: { Subnet?: string }[] } } | undefined;
      if (kind) {
        this.singles.set('kindSubnets', present((kind.IPAM.Config ?? []).map((c) => c.Subnet).filter((s): s is string => typeof s === 'string'), shown));
        found.push('docker network inspect kind');
      }
    } else if (Array.isArray(value) && value.every((r) => isRecord(r) && typeof r['dst'] === 'string')) {
      this.singles.set('hostRoutes', present(parseIpJsonRoutes(value), shown));
      found.push('ip -j route');
    } else if (isRecord(value) && typeof value['kind'] === 'string') {
      this.addKube(value, shown, found);
    }
  }

  private addYaml(text: string, shown: string, found: string[]): void {
    let docs;
    try {
      docs = parseAllDocuments(text);
    } catch {
      return;
    }
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0) {
        const e = doc.errors[0]!;
        const line = e.linePos?.[0]?.line;
        throw new InputError(`${shown}${line !== undefined ? `:${line}` : ''}: ${e.message.split('\n')[0]}`);
      }
      const v: unknown = doc.toJS();
      if (isRecord(v) && typeof v['kind'] === 'string') this.addKube(v, shown, found);
    }
  }

  private addKube(value: Record<string, unknown>, shown: string, found: string[]): void {
    const items: unknown[] = Array.isArray(value['items']) ? value['items'] : [value];
    const kinds = new Set<string>();
    for (const raw of items) {
      if (!isRecord(raw) || typeof raw['kind'] !== 'string' || !isRecord(raw['metadata'])) continue;
      const kind = raw['kind'];
      const name = KIND_TO_INPUT[kind];
      if (!name) {
        // A Kubernetes object verify does not read (a ConfigMap list, …): recognised, ignored — and never kept.
        kinds.add(`${kind} (not used by verify)`);
        continue;
      }
      const item = raw as unknown as KubeItem;
      let source = `${shown} (${String(raw['apiVersion'] ?? '?')})`;
      let obj: KubeItem | undefined;
      switch (name) {
        case 'nodes': obj = slimNode(item); break;
        case 'pods':
          // Every pod is a workload pod (labels, owners, conditions); only pod-network ones are `pods`.
          this.object('workloadPods', slimWorkloadPod(item), source);
          obj = isPodNetwork(item) ? slimPod(item) : undefined;
          break;
        case 'services': obj = slimService(item); break;
        case 'endpointSlices': obj = slimEndpointSlice(item); break;
        case 'daemonSets': obj = slimDaemonSet(item); break;
        case 'tigeraStatuses': obj = slimTigeraStatus(item); break;
        case 'installations': obj = slimInstallation(item); break;
        case 'blockAffinities': {
          const n = normaliseAffinity(item);
          obj = n.affinity;
          source = `${shown} (${n.shape})`;
          break;
        }
        default: obj = cleanObject(item);
      }
      kinds.add(`${kind} ${String(raw['apiVersion'] ?? '')}`.trim());
      if (obj) this.object(name, obj, source);
      else this.objects.set(name, this.objects.get(name) ?? { items: new Map(), sources: new Set([source]) });
    }
    if (kinds.size === 0 && items.length === 0) {
      // An empty List (`kubectl get x -o yaml` with nothing): say so; the kind is unknown.
      kinds.add('empty List');
    }
    found.push(...kinds);
  }

  inputs(): VerifyInputs {
    const inputs = emptyInputs('not among the files given');
    const record = inputs as unknown as Record<InputName, Input<unknown>>;
    for (const [name, input] of this.singles) record[name] = input;
    for (const [name, entry] of this.objects) record[name] = present([...entry.items.values()], [...entry.sources].join(', '));
    return inputs;
  }
}

const KIND_INPUTS = new Set<InputName>([...Object.values(KIND_TO_INPUT), 'workloadPods']);

