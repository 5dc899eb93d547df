/**
 * The containerlab/kind part of the conformance report (issue 11 §3/§4): what the REAL tools printed
 * in the contract test (test/contract/real-tools.test.ts writes `${cache}/lab/real/conformance/tools.json`)
 * beside what the simulated tools answer to the same commands, here and now.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startTestWorld, type RunResult, type TestWorld } from './world.js';

export interface ToolCall {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ToolsRecord {
  written?: string;
  tools?: Record<string, string>;
  calls: Record<string, ToolCall & Record<string, unknown>>;
}

export interface ToolComparison {
  key: string;
  real: ToolCall;
  sim: ToolCall;
}

export function toolsJsonPath(): string {
  return join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'lab', 'real', 'conformance', 'tools.json');
}

export function readToolsRecord(file = toolsJsonPath()): ToolsRecord | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ToolsRecord;
}

/** Timestamps and temp paths as the contract test writes them. */
export function normalTool(text: string, labDir: string): string {
  return text.replaceAll(labDir, '<labdir>').replace(/^\d\d:\d\d:\d\d /gm, 'HH:MM:SS ').replace(/lab-contract-\d+/g, 'lab-contract-N');
}

const ENV = { CLAB_VERSION_CHECK: 'disable' };

async function simCall(tw: TestWorld, argv: string[]): Promise<ToolCall> {
  const dir = join(tw.topology, '..');
  const args = argv.slice(1).map((a) => a.replace('<labdir>', dir));
  const r: RunResult = await tw.run(argv[0]!, args, { env: ENV });
  return { argv, exitCode: r.exitCode, stdout: normalTool(r.stdout, dir), stderr: normalTool(r.stderr, dir) };
}

/** The commands of the contract test that need no cluster, asked of the simulated tools. */
const PLAIN = [
  'containerlab version --json',
  'kind version',
  'kind get clusters (none)',
  'kind get kubeconfig --name=calico-ipam (absent)',
  'containerlab inspect --format json (absent lab)',
  'containerlab destroy --cleanup (absent lab, #1)',
  'containerlab destroy --cleanup (absent lab, #2)',
];

export async function simulatedToolCalls(record: ToolsRecord): Promise<ToolComparison[]> {
  const out: ToolComparison[] = [];
  const tw = await startTestWorld();
  try {
    for (const key of PLAIN) {
      const real = record.calls[key];
      if (real) out.push({ key, real, sim: await simCall(tw, real.argv) });
    }
  } finally {
    await tw.close();
  }
  // kind's node-image pull failure, which containerlab's k8s-kind node wraps: the simulated
  // clab-image-pull fault is the same failure seen through containerlab deploy.
  const pull = record.calls['kind create cluster (node image pull fails)'];
  const deploy = record.calls['containerlab deploy (lesson topology, no registry)'];
  const faulty = await startTestWorld({ faults: ['clab-image-pull'] });
  try {
    const sim = await simCall(faulty, ['containerlab', 'deploy', '-t', '<labdir>/calico-ipam.clab.yaml']);
    if (pull) out.push({ key: 'kind create cluster (node image pull fails)', real: pull, sim });
    if (deploy) out.push({ key: 'containerlab deploy (lesson topology, no registry)', real: deploy, sim });
  } finally {
    await faulty.close();
  }
  return out;
}

/** The line of kind's pull failure both worlds must carry (what lab shows as the cause). */
export function pullFailureLine(text: string): string | undefined {
  // containerlab's error box word-wraps the message: compare it unwrapped
  return /failed to pull image "[^"]+": command "docker pull [^"]+" failed with error: exit status \d+/.exec(text.replace(/\s+/g, ' '))?.[0];
}

export interface ToolDifference {
  what: string;
  sim: string;
  real: string;
}

export function toolDifferences(calls: ToolComparison[]): ToolDifference[] {
  const out: ToolDifference[] = [];
  for (const { key, real, sim } of calls) {
    if (real.exitCode !== sim.exitCode) out.push({ what: `tool ${key}: exit code`, sim: String(sim.exitCode), real: String(real.exitCode) });
    if (key === 'kind create cluster (node image pull fails)') {
      const r = pullFailureLine(real.stderr);
      const s = pullFailureLine(sim.stderr);
      if (r !== s) out.push({ what: `tool ${key}: pull failure message`, sim: s ?? '(none)', real: r ?? '(none)' });
      continue;
    }
    if (key === 'containerlab deploy (lesson topology, no registry)') {
      const r = real.stderr.split('\n').filter((l) => / (INFO|ERRO|WARN) /.test(l) || /ERROR|Error/.test(l)).map((l) => l.trim());
      const s = sim.stderr.split('\n').filter((l) => / (INFO|ERRO|WARN) /.test(l) || /ERROR|Error/.test(l)).map((l) => l.trim());
      if (r.at(-1) !== s.at(-1)) out.push({ what: `tool ${key}: last message`, sim: s.at(-1) ?? '(none)', real: r.at(-1) ?? '(none)' });
      continue;
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      if (real[stream] !== sim[stream]) out.push({ what: `tool ${key}: ${stream}`, sim: JSON.stringify(sim[stream]), real: JSON.stringify(real[stream]) });
    }
  }
  return out;
}
