/**
 * Fake `docker` (28.5.2) for what an orchestrator around containerlab + kind runs: info, ps, network
 * inspect|ls|rm, rm, pull, image inspect, save, load, version — formats of docker-contract.yaml and the
 * recorded samples (docker-ps-kind.jsonl, docker-network-inspect-kind.json, docker-info.json), with a
 * small Go-template evaluator for the `--format` forms used (`{{json .}}`, `{{.A.B}}`, `{{.Label "k"}}`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { SimContainer, ToolHandler, ToolInvocation } from '../context.js';
import { FlagError, parseFlags, str, type FlagSpec } from '../dispatch/args.js';
import { hasImage, humanDuration, imageKey, readSimData, type SimRuntime } from '../dispatch/runtime.js';
import { sortNewestFirst } from '../cluster/kind.js';
import { nodeExec } from '../exec/node.js';

export const DOCKER_VERSION = '28.5.2';

/** Evaluate the subset of Go templates docker users write in `--format`. */
export function renderTemplate(template: string, data: unknown): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    const json = /^json\s+(\S+)$/.exec(expr);
    if (json) return goJson(lookup(data, json[1] as string));
    const label = /^\.Label\s+"([^"]*)"$/.exec(expr);
    if (label) {
      const labels = (data as { __labels?: Record<string, string> }).__labels ?? {};
      return labels[label[1] as string] ?? '';
    }
    if (expr.startsWith('.')) {
      const v = lookup(data, expr);
      if (v === undefined || v === null) return '<no value>';
      return typeof v === 'object' ? goPrint(v) : String(v);
    }
    throw new Error(`template: :1: function "${expr.split(/\s/)[0]}" not defined`);
  });
}

function lookup(data: unknown, path: string): unknown {
  if (path === '.') return stripHidden(data);
  let cur: unknown = data;
  for (const part of path.slice(1).split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return stripHidden(cur);
}

function stripHidden(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('__')));
}

/** Go's json.Marshal: compact, `<`/`>`/`&` escaped. */
function goJson(v: unknown): string {
  return JSON.stringify(v ?? null).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}
function goPrint(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'object' ? goPrint(x) : String(x))).join(' ')}]`;
  return `map[${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}:${typeof x === 'object' && x !== null ? goPrint(x) : String(x)}`).join(' ')}]`;
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/** One `docker ps --format '{{json .}}'` object (keys sorted, as docker's formatter emits). */
export function psObject(rt: SimRuntime, c: SimContainer): Record<string, unknown> {
  const up = humanDuration((Date.now() - c.createdAt.getTime()) / rt.ctx.clock.scale);
  const created = c.createdAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC');
  const labels = Object.keys(c.labels).sort().map((k) => `${k}=${c.labels[k]}`).join(',');
  return {
    ...sortKeys({
      Command: '"/usr/local/bin/entr…"',
      CreatedAt: created,
      ID: c.id.slice(0, 12),
      Image: c.image,
      Labels: labels,
      LocalVolumes: '1',
      Mounts: `/lib/modules,${c.id.slice(12, 25)}…`,
      Names: c.name,
      Networks: Object.keys(c.networks).join(','),
      Platform: { architecture: 'amd64', os: 'linux' },
      Ports: c.ports,
      RunningFor: `${up} ago`,
      Size: '0B',
      State: c.state,
      Status: c.state === 'running' ? `Up ${up}` : 'Exited (0) 1 second ago',
    }),
    __labels: c.labels,
  };
}

const ARCHIVE_MAGIC = 'lab-simulated-docker-image-archive';

/** The image names in a `docker save` archive written by the fake docker. */
export function readArchive(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`open ${file}: no such file or directory`);
  }
  const doc = JSON.parse(text.split('\n').slice(1).join('\n') || '{}') as { images?: string[] };
  if (!text.startsWith(ARCHIVE_MAGIC) || !Array.isArray(doc.images)) throw new Error('unrecognized image archive format');
  return doc.images;
}

interface Ctx {
  rt: SimRuntime;
  inv: ToolInvocation;
  out(s: string): void;
  err(s: string): void;
}

type Sub = { flags: FlagSpec[]; /** false: flags end at the first argument (`docker exec <c> ip -j route`). */ interspersed?: false; run(c: Ctx, flags: Record<string, unknown>, args: string[]): Promise<number> | number };

const fmt: FlagSpec = { long: 'format', short: 'f', type: 'string' };
const help: FlagSpec = { long: 'help', type: 'bool' };

function daemonError(c: Ctx, message: string): number {
  c.err(`Error response from daemon: ${message}`);
  return 1;
}

function applyFilters(rt: SimRuntime, containers: SimContainer[], filters: string[]): SimContainer[] {
  return containers.filter((c) =>
    filters.every((f) => {
      const eq = f.indexOf('=');
      const key = f.slice(0, eq);
      const value = f.slice(eq + 1);
      if (key === 'label') {
        const e2 = value.indexOf('=');
        return e2 === -1 ? Object.hasOwn(c.labels, value) : c.labels[value.slice(0, e2)] === value.slice(e2 + 1);
      }
      if (key === 'name') return c.name.includes(value);
      if (key === 'id') return c.id.startsWith(value);
      if (key === 'status') return c.state === value;
      if (key === 'network') return Object.hasOwn(c.networks, value);
      return false;
    }),
  );
  void rt;
}

function findContainer(rt: SimRuntime, ref: string): SimContainer | undefined {
  for (const c of rt.host.containers.values()) if (c.name === ref || c.id.startsWith(ref)) return c;
  return undefined;
}

function networkJson(rt: SimRuntime, name: string): Record<string, unknown> | undefined {
  const n = rt.host.networks.get(name);
  if (!n) return undefined;
  const containers: Record<string, unknown> = {};
  for (const c of [...rt.host.containers.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const ep = c.networks[name];
    if (!ep) continue;
    const last = Number(ep.ipv4.split('.')[3] ?? 0);
    containers[c.id] = {
      Name: c.name,
      EndpointID: createHash('sha256').update(`${c.id}/${name}`).digest('hex'),
      MacAddress: `02:42:ac:12:00:${last.toString(16).padStart(2, '0')}`,
      IPv4Address: `${ep.ipv4}/${n.subnets[0]?.subnet.split('/')[1] ?? '16'}`,
      IPv6Address: ep.ipv6 ? `${ep.ipv6}/64` : '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: '2026-09-23T10:15:02.512907115Z',
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv4: true,
    EnableIPv6: n.subnets.some((s) => s.subnet.includes(':')),
    IPAM: { Driver: 'default', Options: {}, Config: n.subnets.map((s) => ({ Subnet: s.subnet, Gateway: s.gateway })) },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: name === 'kind' ? { 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.driver.mtu': '1500' } : {},
    Labels: n.labels,
  };
}

function imageJson(image: string): Record<string, unknown> {
  const id = `sha256:${createHash('sha256').update(imageKey(image)).digest('hex')}`;
  const key = imageKey(image);
  const repo = key.slice(0, key.lastIndexOf(':'));
  return {
    Id: id,
    RepoTags: [key],
    RepoDigests: [`${repo}@sha256:${createHash('sha256').update(`digest:${key}`).digest('hex')}`],
    Created: '2023-08-15T20:05:41.539416337Z',
    Architecture: 'amd64',
    Os: 'linux',
    Size: 431_372_815,
  };
}

const PULL_MS: [RegExp, number][] = [
  [/kindest\/node/, 20_000],
  [/./, 5_000],
];

const subcommands: Record<string, Sub> = {
  exec: {
    flags: [help, { long: 'interactive', short: 'i', type: 'bool' }, { long: 'tty', short: 't', type: 'bool' }, { long: 'detach', short: 'd', type: 'bool' }, { long: 'user', short: 'u', type: 'string' }, { long: 'env', short: 'e', type: 'list' }, { long: 'workdir', short: 'w', type: 'string' }, { long: 'privileged', type: 'bool' }],
    interspersed: false,
    run(c, _flags, args) {
      const [ref, ...command] = args;
      if (ref === undefined || command.length === 0) return usage(c, 'exec', '"docker exec" requires at least 2 arguments.');
      const x = findContainer(c.rt, ref);
      if (!x) return daemonError(c, `No such container: ${ref}`);
      if (x.state !== 'running') return daemonError(c, `container ${x.id} is not running`);
      const out = nodeExec({ store: c.rt.ctx.store, faults: c.rt.ctx.faults }, c.rt.host, x, command);
      c.out(out.stdout);
      if (out.stderr !== '') c.inv.err(out.stderr);
      return out.exitCode;
    },
  },
  info: {
    flags: [help, fmt],
    run(c, flags) {
      const info = JSON.parse(readSimData('cli/docker-info.json')) as Record<string, unknown>;
      const containers = [...c.rt.host.containers.values()];
      info['Containers'] = containers.length;
      info['ContainersRunning'] = containers.filter((x) => x.state === 'running').length;
      info['ContainersStopped'] = containers.filter((x) => x.state !== 'running').length;
      info['Images'] = c.rt.host.images.size;
      const f = str(flags['format'] as string);
      if (f === undefined) {
        c.out(`Client: Docker Engine - Community\n Version:    ${DOCKER_VERSION}\n\nServer:\n Containers: ${String(info['Containers'])}\n Server Version: ${DOCKER_VERSION}\n Cgroup Driver: ${String(info['CgroupDriver'])}\n Cgroup Version: ${String(info['CgroupVersion'])}\n`);
      } else c.out(`${renderTemplate(f, info)}\n`);
      return 0;
    },
  },
  ps: {
    flags: [help, { long: 'format', type: 'string' }, { long: 'all', short: 'a', type: 'bool' }, { long: 'filter', short: 'f', type: 'list' }, { long: 'quiet', short: 'q', type: 'bool' }, { long: 'no-trunc', type: 'bool' }, { long: 'last', short: 'n', type: 'string' }, { long: 'latest', short: 'l', type: 'bool' }, { long: 'size', short: 's', type: 'bool' }],
    run(c, flags, args) {
      if (args.length > 0) return usage(c, 'ps', `"docker ps" accepts no arguments.`);
      const filters: string[] = [];
      const raw = (c.inv.argv as string[]).reduce<string[]>((acc, a, i, all) => {
        if (a === '--filter' || a === '-f') acc.push(all[i + 1] ?? '');
        else if (a.startsWith('--filter=')) acc.push(a.slice(9));
        return acc;
      }, []);
      filters.push(...raw);
      let list = sortNewestFirst([...c.rt.host.containers.values()]);
      if (!flags['all']) list = list.filter((x) => x.state === 'running');
      list = applyFilters(c.rt, list, filters);
      if (flags['quiet']) {
        c.out(list.map((x) => `${flags['no-trunc'] ? x.id : x.id.slice(0, 12)}\n`).join(''));
        return 0;
      }
      const f = str(flags['format'] as string);
      if (f === undefined || f === 'table') {
        const lines = ['CONTAINER ID   IMAGE                  COMMAND                  CREATED         STATUS         PORTS                       NAMES'];
        for (const x of list) {
          const o = psObject(c.rt, x);
          lines.push(`${String(o['ID'])}   ${String(o['Image']).padEnd(22)} ${String(o['Command']).padEnd(24)} ${String(o['RunningFor']).padEnd(15)} ${String(o['Status']).padEnd(14)} ${String(o['Ports']).padEnd(27)} ${x.name}`);
        }
        c.out(`${lines.join('\n')}\n`);
        return 0;
      }
      c.out(list.map((x) => `${renderTemplate(f, psObject(c.rt, x))}\n`).join(''));
      return 0;
    },
  },
  rm: {
    flags: [help, { long: 'force', short: 'f', type: 'bool' }, { long: 'volumes', short: 'v', type: 'bool' }, { long: 'link', short: 'l', type: 'bool' }],
    run(c, flags, args) {
      if (args.length === 0) return usage(c, 'rm', '"docker rm" requires at least 1 argument.');
      let code = 0;
      for (const ref of args) {
        const x = findContainer(c.rt, ref);
        if (!x) {
          if (flags['force']) continue;
          c.err(`Error response from daemon: No such container: ${ref}`);
          code = 1;
          continue;
        }
        if (x.state === 'running' && !flags['force']) {
          c.err(`Error response from daemon: cannot remove container "/${x.name}": container is running: stop the container before removing or force remove`);
          code = 1;
          continue;
        }
        c.rt.clusters.removeContainer(x.id);
        c.out(`${ref}\n`);
      }
      return code;
    },
  },
  pull: {
    flags: [help, { long: 'quiet', short: 'q', type: 'bool' }, { long: 'platform', type: 'string' }, { long: 'all-tags', short: 'a', type: 'bool' }],
    async run(c, flags, args) {
      if (args.length !== 1) return usage(c, 'pull', '"docker pull" requires exactly 1 argument.');
      const image = args[0] as string;
      const key = imageKey(image);
      const tag = key.slice(key.lastIndexOf(':') + 1);
      const repo = key.slice(0, key.lastIndexOf(':'));
      const full = key.includes('/') && key.split('/')[0]?.includes('.') ? key : `docker.io/${key.includes('/') ? key : `library/${key}`}`;
      if (hasImage(c.rt.host.images, image)) {
        if (!flags['quiet']) c.out(`${tag}: Pulling from ${repo}\nDigest: ${String((imageJson(image)['RepoDigests'] as string[])[0]).split('@')[1]}\nStatus: Image is up to date for ${key}\n`);
        c.out(`${full}\n`);
        return 0;
      }
      if (/kindest\/node/.test(image) && c.rt.ctx.faults.has('clab-image-pull') && !c.rt.spentFaults.has('clab-image-pull')) {
        c.rt.spentFaults.add('clab-image-pull');
        await c.rt.ctx.clock.sleep(3_000, c.inv.signal);
        c.err(`Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`);
        return 1;
      }
      if (!flags['quiet']) c.out(`${tag}: Pulling from ${repo}\n`);
      const ms = PULL_MS.find(([re]) => re.test(image))?.[1] ?? 5_000;
      await c.rt.ctx.clock.sleep(ms, c.inv.signal);
      c.rt.host.images.add(image);
      if (!flags['quiet']) c.out(`Digest: ${String((imageJson(image)['RepoDigests'] as string[])[0]).split('@')[1]}\nStatus: Downloaded newer image for ${key}\n`);
      c.out(`${full}\n`);
      return 0;
    },
  },
  save: {
    flags: [help, { long: 'output', short: 'o', type: 'string' }, { long: 'platform', type: 'string' }],
    async run(c, flags, args) {
      if (args.length === 0) return usage(c, 'save', '"docker save" requires at least 1 argument.');
      for (const image of args) if (!hasImage(c.rt.host.images, image)) return daemonError(c, `No such image: ${image}`);
      const text = `${ARCHIVE_MAGIC}\n${JSON.stringify({ images: args }, null, 2)}\n`;
      const o = str(flags['output'] as string);
      await c.rt.ctx.clock.sleep(2_000 * args.length, c.inv.signal);
      if (o === undefined) c.out(text);
      else writeFileSync(isAbsolute(o) ? o : resolve(c.inv.cwd, o), text);
      return 0;
    },
  },
  load: {
    flags: [help, { long: 'input', short: 'i', type: 'string' }, { long: 'quiet', short: 'q', type: 'bool' }],
    async run(c, flags) {
      const i = str(flags['input'] as string);
      let images: string[];
      try {
        if (i === undefined) {
          const text = c.inv.stdin.toString('utf8');
          if (!text.startsWith(ARCHIVE_MAGIC)) throw new Error('unrecognized image archive format');
          images = (JSON.parse(text.split('\n').slice(1).join('\n')) as { images: string[] }).images;
        } else images = readArchive(isAbsolute(i) ? i : resolve(c.inv.cwd, i));
      } catch (e) {
        c.err(e instanceof Error && e.message.startsWith('open ') ? e.message : `Error response from daemon: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
      }
      await c.rt.ctx.clock.sleep(2_000 * images.length, c.inv.signal);
      for (const image of images) {
        c.rt.host.images.add(image);
        c.out(`Loaded image: ${image}\n`);
      }
      return 0;
    },
  },
  version: {
    flags: [help, fmt],
    run(c, flags) {
      const data = {
        Client: { Version: DOCKER_VERSION, ApiVersion: '1.51', Os: 'linux', Arch: 'amd64' },
        Server: { Version: DOCKER_VERSION, ApiVersion: '1.51', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' },
      };
      const f = str(flags['format'] as string);
      c.out(f === undefined ? `Client: Docker Engine - Community\n Version:           ${DOCKER_VERSION}\n\nServer: Docker Engine - Community\n Engine:\n  Version:          ${DOCKER_VERSION}\n` : `${renderTemplate(f, data)}\n`);
      return 0;
    },
  },
};

const imageSubs: Record<string, Sub> = {
  inspect: {
    flags: [help, fmt, { long: 'platform', type: 'string' }],
    run(c, flags, args) {
      if (args.length === 0) return usage(c, 'image inspect', '"docker image inspect" requires at least 1 argument.');
      const found: Record<string, unknown>[] = [];
      let code = 0;
      for (const image of args) {
        if (!hasImage(c.rt.host.images, image)) {
          c.err(`Error response from daemon: No such image: ${image}`);
          code = 1;
        } else found.push(imageJson(image));
      }
      const f = str(flags['format'] as string);
      if (f === undefined) c.out(`${JSON.stringify(found, null, 4)}\n`);
      else c.out(found.map((x) => `${renderTemplate(f, x)}\n`).join(''));
      return code;
    },
  },
  pull: subcommands['pull'] as Sub,
  save: subcommands['save'] as Sub,
  load: subcommands['load'] as Sub,
  ls: {
    flags: [help, { long: 'format', type: 'string' }, { long: 'quiet', short: 'q', type: 'bool' }, { long: 'all', short: 'a', type: 'bool' }, { long: 'filter', short: 'f', type: 'list' }],
    run(c, flags) {
      const f = str(flags['format'] as string);
      for (const image of [...c.rt.host.images].sort()) {
        const key = imageKey(image);
        const row = { Repository: key.slice(0, key.lastIndexOf(':')), Tag: key.slice(key.lastIndexOf(':') + 1), ID: String(imageJson(image)['Id']).slice(7, 19) };
        c.out(flags['quiet'] ? `${row.ID}\n` : f === undefined ? `${row.Repository} ${row.Tag} ${row.ID}\n` : `${renderTemplate(f, row)}\n`);
      }
      return 0;
    },
  },
};

const networkSubs: Record<string, Sub> = {
  inspect: {
    flags: [help, fmt, { long: 'verbose', short: 'v', type: 'bool' }],
    run(c, flags, args) {
      if (args.length === 0) return usage(c, 'network inspect', '"docker network inspect" requires at least 1 argument.');
      const found: Record<string, unknown>[] = [];
      for (const name of args) {
        const n = networkJson(c.rt, name);
        if (!n) {
          c.err(`Error response from daemon: network ${name} not found`);
          return 1;
        }
        found.push(n);
      }
      const f = str(flags['format'] as string);
      if (f === undefined) c.out(`${JSON.stringify(found, null, 4)}\n`);
      else c.out(found.map((x) => `${renderTemplate(f, x)}\n`).join(''));
      return 0;
    },
  },
  ls: {
    flags: [help, { long: 'format', type: 'string' }, { long: 'filter', short: 'f', type: 'list' }, { long: 'quiet', short: 'q', type: 'bool' }, { long: 'no-trunc', type: 'bool' }],
    run(c, flags) {
      const filters = (c.inv.argv as string[]).reduce<string[]>((acc, a, i, all) => {
        if (a === '--filter' || a === '-f') acc.push(all[i + 1] ?? '');
        else if (a.startsWith('--filter=')) acc.push(a.slice(9));
        return acc;
      }, []);
      const nets = [...c.rt.host.networks.values()].filter((n) =>
        filters.every((f) => {
          const [k, ...rest] = f.split('=');
          const v = rest.join('=');
          if (k === 'label') {
            const e2 = v.indexOf('=');
            return e2 === -1 ? Object.hasOwn(n.labels, v) : n.labels[v.slice(0, e2)] === v.slice(e2 + 1);
          }
          if (k === 'name') return n.name.includes(v);
          return false;
        }),
      );
      const f = str(flags['format'] as string);
      for (const n of nets.sort((a, b) => a.name.localeCompare(b.name))) {
        const row = { ID: n.id.slice(0, 12), Name: n.name, Driver: 'bridge', Scope: 'local' };
        c.out(flags['quiet'] ? `${row.ID}\n` : f === undefined ? `${row.ID}   ${row.Name.padEnd(10)} bridge    local\n` : `${renderTemplate(f, row)}\n`);
      }
      return 0;
    },
  },
  rm: {
    flags: [help, { long: 'force', short: 'f', type: 'bool' }],
    run(c, _flags, args) {
      if (args.length === 0) return usage(c, 'network rm', '"docker network rm" requires at least 1 argument.');
      for (const name of args) {
        if (!c.rt.host.networks.has(name)) return daemonError(c, `network ${name} not found`);
        if ([...c.rt.host.containers.values()].some((x) => x.networks[name])) return daemonError(c, `error while removing network: network ${name} id ${c.rt.host.networks.get(name)?.id ?? ''} has active endpoints`);
        c.rt.host.networks.delete(name);
        c.out(`${name}\n`);
      }
      return 0;
    },
  },
};

const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

/**
 * The `docker-down` fault: the CLI parses its flags, then cannot connect (exit 1). `docker info` still
 * renders its format over the client-side document (server fields at their zero values, the error in
 * ServerErrors), as docker/cli's info command does; everything else prints only the error.
 */
function daemonDown(c: Ctx, name: string, flags: Record<string, unknown>): number {
  const f = str(flags['format'] as string);
  if (name === 'info' && f !== undefined) {
    const sample = JSON.parse(readSimData('cli/docker-info.json')) as Record<string, unknown>;
    const zero = (v: unknown): unknown => (typeof v === 'string' ? '' : typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : null);
    const info: Record<string, unknown> = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, k === 'ClientInfo' ? v : zero(v)]));
    info['ServerErrors'] = [DAEMON_DOWN];
    c.out(`${renderTemplate(f, info)}\n`);
  }
  c.err(DAEMON_DOWN);
  return 1;
}

function usage(c: Ctx, cmd: string, message: string): number {
  c.err(`${message}\nSee 'docker ${cmd} --help'.\n\nUsage:  docker ${cmd} [OPTIONS]\n`);
  return 1;
}

export function docker(rt: SimRuntime): ToolHandler {
  return async (inv) => {
    const c: Ctx = {
      rt,
      inv,
      out: (s) => inv.out(s),
      err: (s) => inv.err(s.endsWith('\n') ? s : `${s}\n`),
    };
    let argv = inv.argv;
    // global flags before the command
    while (argv[0]?.startsWith('-')) {
      const a = argv[0];
      if (a === '--version' || a === '-v') {
        c.out(`Docker version ${DOCKER_VERSION}, build ecc6942\n`);
        return 0;
      }
      if (['--debug', '-D', '--tls', '--tlsverify'].includes(a)) argv = argv.slice(1);
      else if (['--context', '-c', '--host', '-H', '--log-level', '-l', '--config'].includes(a)) argv = argv.slice(2);
      else if (a.startsWith('--context=') || a.startsWith('--host=') || a.startsWith('--log-level=') || a.startsWith('--config=')) argv = argv.slice(1);
      else {
        c.err(`unknown flag: ${a}\nSee 'docker --help'.`);
        return 125;
      }
    }
    const [first, second] = argv;
    if (first === undefined) {
      c.out('Usage:  docker [OPTIONS] COMMAND\n');
      return 0;
    }
    let name = first;
    let sub: Sub | undefined;
    let rest = argv.slice(1);
    if (first === 'network' || first === 'image') {
      const table = first === 'network' ? networkSubs : imageSubs;
      const key = second === 'list' ? 'ls' : second;
      if (key === undefined || !table[key]) {
        c.err(`docker: '${first} ${second ?? ''}' is not a docker command.\nSee 'docker ${first} --help'`);
        return 1;
      }
      name = `${first} ${second}`;
      sub = table[key];
      rest = argv.slice(2);
    } else if (first === 'container' && second === 'ls') {
      sub = subcommands['ps'];
      name = 'container ls';
      rest = argv.slice(2);
    } else if (first === 'images') {
      sub = imageSubs['ls'];
    } else {
      sub = subcommands[first];
    }
    if (!sub) {
      c.err(`docker: unknown command: docker ${first}\n\nRun 'docker --help' for more information`);
      return 1;
    }
    let parsed;
    try {
      parsed = parseFlags(rest, sub.flags, sub.interspersed === false ? { interspersed: false } : {});
    } catch (e) {
      if (e instanceof FlagError) {
        c.err(`${e.message}\n\nUsage:  docker ${name} [OPTIONS]\n\nRun 'docker ${name} --help' for more information`);
        return 125;
      }
      throw e;
    }
    if (parsed.flags['help']) {
      c.out(`\nUsage:  docker ${name} [OPTIONS]\n`);
      return 0;
    }
    if (rt.ctx.faults.has('docker-down') && name !== 'version') return daemonDown(c, name, parsed.flags);
    try {
      return await sub.run(c, parsed.flags, parsed.args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('template:')) {
        c.err(`template parsing error: ${e.message}`);
        return 1;
      }
      throw e;
    }
  };
}
