/**
 * What the fake executables share with the world: the simulated context, the Docker host, the kind
 * clusters, the API server (when the API server part is present) and the dispatcher.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simDataDir } from '../paths.js';
import type { HostState, SimContext } from '../context.js';
import type { Dispatcher } from './server.js';
import type { KindClusters } from '../cluster/kind.js';

/** The part of the API server (`src/sim/apiserver/index.ts`) the world uses. */
export interface ApiServerLike {
  url: string;
  port: number;
  kubeconfig(clusterName: string): string;
  setMode(mode: 'up' | 'down' | 'flaky'): void;
  setAdminRights(granted: boolean): void;
  onNextReady(callback: () => void): void;
  requestCount(): number;
  resetRequestCount(): void;
  close(): Promise<void>;
}

export interface SimRuntime {
  ctx: SimContext;
  host: HostState;
  clusters: KindClusters;
  dispatcher: Dispatcher;
  /** The world's bin dir (shims). */
  binDir: string;
  /** root's HOME (sudo sets it): kind under sudo writes `<rootHome>/.kube/config` unless told otherwise. */
  rootHome: string;
  api: ApiServerLike | undefined;
  /** Invocations of a once-only fault already used (e.g. `clab-image-pull` fails the first pull only). */
  spentFaults: Set<string>;
}

/** A data file of the world, under `src/sim/data/` (see src/sim/paths.ts). */
export function simDataFile(relative: string): string {
  const p = join(simDataDir(), relative);
  if (!existsSync(p)) throw new Error(`simulated world data file not found: ${p}`);
  return p;
}

export function readSimData(relative: string): string {
  return readFileSync(simDataFile(relative), 'utf8');
}

/** `HH:MM:SS` of the wall clock (containerlab's log timestamps). */
export function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** Docker's short names: `docker.io/library/x` = `x`, no tag = `:latest`. */
export function imageKey(image: string): string {
  let name = image.replace(/^docker\.io\//, '').replace(/^library\//, '');
  const at = name.indexOf('@');
  if (at !== -1) name = name.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  if (!name.slice(lastSlash + 1).includes(':')) name = `${name}:latest`;
  return name;
}

export function hasImage(images: Iterable<string>, image: string): boolean {
  const k = imageKey(image);
  for (const i of images) if (imageKey(i) === k) return true;
  return false;
}

/** Docker's `HumanDuration` (used in `Up 6 minutes`, `6 minutes ago`). */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}
