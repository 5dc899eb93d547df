/**
 * Fake `kind` (v0.32.0): get clusters|nodes|kubeconfig, delete cluster, export logs, load
 * docker-image|image-archive, create cluster, version — outputs and errors of kind-contract.yaml.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { ToolHandler, ToolInvocation } from '../context.js';
import { FlagError, parseFlags, str, type FlagSpec } from '../dispatch/args.js';
import { hasImage, readSimData, type SimRuntime } from '../dispatch/runtime.js';
import { clusterSpec, KindError, parseKindConfig } from '../cluster/kind.js';
import { readArchive } from './docker.js';
import { kindKubeconfigPaths, kindMergePath, mergeKindKubeconfig, removeKindKubeconfig } from '../cluster/kubeconfig-files.js';

export const KIND_VERSION = 'kind v0.32.0 go1.26.3 linux/amd64';

const common: FlagSpec[] = [
  { long: 'help', short: 'h', type: 'bool' },
  { long: 'loglevel', type: 'string' },
  { long: 'verbosity', short: 'v', type: 'string' },
  { long: 'quiet', short: 'q', type: 'bool' },
];
const nameFlag: FlagSpec = { long: 'name', short: 'n', type: 'string' };

export function imageId(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** A kubeconfig like `kind get kubeconfig` prints when no API server part is present (fake data). */
function fallbackKubeconfig(cluster: string, port: number): string {
  return readSimData('cli/kind-get-kubeconfig.yaml').replaceAll('calico-ipam', cluster).replace('https://127.0.0.1:35677', `https://127.0.0.1:${port}`);
}

export function kind(rt: SimRuntime): ToolHandler {
  return async (inv) => {
    let quiet = false;
    const err = (line: string): void => {
      if (!quiet) inv.err(line.endsWith('\n') ? line : `${line}\n`);
    };
    const fail = (message: string): number => {
      inv.err(`ERROR: ${message}\n`);
      return 1;
    };
    const words: string[] = [];
    let i = 0;
    while (i < inv.argv.length && !(inv.argv[i] as string).startsWith('-') && words.length < 2) words.push(inv.argv[i++] as string);
    const [group, sub] = words;
    const route = `${group ?? ''} ${sub ?? ''}`.trim();
    let specs: FlagSpec[];
    switch (route) {
      case 'version':
        specs = common;
        break;
      case 'get clusters':
        specs = common;
        break;
      case 'get nodes':
        specs = [...common, nameFlag, { long: 'all-clusters', short: 'A', type: 'bool' }];
        break;
      case 'get kubeconfig':
        specs = [...common, nameFlag, { long: 'internal', type: 'bool' }];
        break;
      case 'delete cluster':
        specs = [...common, nameFlag, { long: 'kubeconfig', type: 'string' }];
        break;
      case 'export logs':
        specs = [...common, nameFlag];
        break;
      case 'load docker-image':
      case 'load image-archive':
        specs = [...common, nameFlag, { long: 'nodes', type: 'string' }];
        break;
      case 'create cluster':
        specs = [...common, nameFlag, { long: 'config', type: 'string' }, { long: 'image', type: 'string' }, { long: 'wait', type: 'string' }, { long: 'retain', type: 'bool' }, { long: 'kubeconfig', type: 'string' }];
        break;
      default: {
        const known: Record<string, string[]> = { get: ['clusters', 'nodes', 'kubeconfig'], delete: ['cluster', 'clusters'], export: ['logs', 'kubeconfig'], load: ['docker-image', 'image-archive'], create: ['cluster'] };
        if (group === undefined) {
          if (inv.argv.includes('--version')) {
            inv.out(`${KIND_VERSION.replace('kind v', 'kind version ')}\n`);
            return 0;
          }
          inv.out('kind creates and manages local Kubernetes clusters using Docker container \'nodes\'\n\nUsage:\n  kind [command]\n');
          return 0;
        }
        if (!known[group]) return fail(`unknown command "${group}" for "kind"`);
        if (sub === undefined) {
          inv.out(`Usage:\n  kind ${group} [flags]\n  kind ${group} [command]\n`);
          return 0;
        }
        return fail(`unknown command "${sub}" for "kind ${group}"`);
      }
    }
    let parsed;
    try {
      parsed = parseFlags(inv.argv.slice(i), specs);
    } catch (e) {
      if (e instanceof FlagError) return fail(e.message);
      throw e;
    }
    quiet = parsed.flags['quiet'] === true;
    const name = str(parsed.flags['name']) ?? 'kind';
    const args = parsed.args;
    const noArgs = (): number | undefined => (args.length > 0 ? fail(`unknown command "${args[0]}" for "kind ${route}"`) : undefined);
    switch (route) {
      case 'version':
        return noArgs() ?? (inv.out(`${KIND_VERSION}\n`), 0);
      case 'get clusters': {
        const bad = noArgs();
        if (bad !== undefined) return bad;
        const names = rt.clusters.names();
        if (names.length === 0) err('No kind clusters found.');
        else inv.out(names.map((n) => `${n}\n`).join(''));
        return 0;
      }
      case 'get nodes': {
        const bad = noArgs();
        if (bad !== undefined) return bad;
        const clusters = parsed.flags['all-clusters'] ? rt.clusters.names() : [name];
        const nodes = clusters.flatMap((c) => rt.clusters.nodes(c));
        if (nodes.length === 0) err(parsed.flags['all-clusters'] ? 'No kind nodes for any cluster.' : `No kind nodes found for cluster "${name}".`);
        else inv.out(nodes.map((n) => `${n.name}\n`).join(''));
        return 0;
      }
      case 'get kubeconfig': {
        const bad = noArgs();
        if (bad !== undefined) return bad;
        if (!rt.clusters.exists(name)) return fail(`could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
        let text = rt.api ? rt.api.kubeconfig(name) : fallbackKubeconfig(name, 35677);
        if (parsed.flags['internal']) text = text.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://${name}-control-plane:6443`);
        inv.out(text.endsWith('\n\n') ? text : text.endsWith('\n') ? `${text}\n` : `${text}\n\n`);
        return 0;
      }
      case 'delete cluster': {
        const bad = noArgs();
        if (bad !== undefined) return bad;
        err(`Deleting cluster "${name}" ...`);
        if (rt.clusters.exists(name)) {
          // kind removes the kubeconfig entries first, then the nodes, then reports the kubeconfig error.
          const kerr = removeKindKubeconfig(kindKubeconfigPaths(str(parsed.flags['kubeconfig']), inv.env), name);
          if (kerr !== undefined) err(`ERROR: failed to update kubeconfig: ${kerr}`);
          await rt.ctx.clock.sleep(2_000, inv.signal);
          const gone = rt.clusters.delete(name);
          err(`Deleted nodes: [${gone.map((n) => `"${n}"`).join(' ')}]`);
          if (kerr !== undefined) return 1;
        }
        return 0;
      }
      case 'export logs':
        return exportLogs(rt, inv, name, args[0], err, fail);
      case 'load docker-image':
      case 'load image-archive': {
        const nodes = rt.clusters.nodes(name);
        const only = str(parsed.flags['nodes'])?.split(',');
        const targets = nodes.filter((n) => only === undefined || only.includes(n.name));
        if (route === 'load docker-image') {
          if (args.length === 0) return fail('a list of image names is required');
          for (const image of args) if (!hasImage(rt.host.images, image)) return fail(`image: "${image}" not present locally`);
          if (nodes.length === 0) return fail(`no nodes found for cluster "${name}"`);
          for (const image of args) {
            const missing = targets.filter((n) => !hasImage(rt.host.nodeImages.get(n.name) ?? [], image));
            if (missing.length === 0) {
              err(`Image: "${image}" with ID "${imageId(image)}" found to be already present on all nodes.`);
              continue;
            }
            for (const n of missing) err(`Image: "${image}" with ID "${imageId(image)}" not yet present on node "${n.name}", loading...`);
            await rt.ctx.clock.sleep(3_000, inv.signal);
            for (const n of missing) rt.host.nodeImages.get(n.name)?.add(image);
          }
          return 0;
        }
        if (args.length !== 1) return fail('a list of image archive is required');
        const file = isAbsolute(args[0] as string) ? (args[0] as string) : resolve(inv.cwd, args[0] as string);
        let images: string[];
        try {
          images = readArchive(file);
        } catch (e) {
          return fail(e instanceof Error ? e.message : String(e));
        }
        if (nodes.length === 0) return fail(`no nodes found for cluster "${name}"`);
        await rt.ctx.clock.sleep(3_000, inv.signal);
        for (const n of targets) for (const image of images) rt.host.nodeImages.get(n.name)?.add(image);
        return 0;
      }
      case 'create cluster': {
        const bad = noArgs();
        if (bad !== undefined) return bad;
        const configPath = str(parsed.flags['config']);
        const config = parseKindConfig(configPath === undefined ? undefined : readFileSync(resolve(inv.cwd, configPath), 'utf8'));
        const spec = clusterSpec(name, config, str(parsed.flags['image']) ?? 'kindest/node:v1.36.1');
        try {
          await rt.clusters.create(spec, { log: err, signal: inv.signal, disableDefaultCNI: config.disableDefaultCNI });
        } catch (e) {
          if (e instanceof KindError) return fail(`failed to create cluster: ${e.message}`);
          throw e;
        }
        const text = rt.api ? rt.api.kubeconfig(name) : fallbackKubeconfig(name, 35677);
        mergeKindKubeconfig(kindMergePath(str(parsed.flags['kubeconfig']), inv.env), text);
        err(`Set kubectl context to "kind-${name}"\nYou can now use your cluster with:\n\nkubectl cluster-info --context kind-${name}\n\nHave a nice day! 👋`);
        return 0;
      }
    }
    return fail(`unknown command "${route}" for "kind"`);
  };
}

function exportLogs(rt: SimRuntime, inv: ToolInvocation, name: string, dirArg: string | undefined, err: (l: string) => void, fail: (m: string) => number): number {
  const nodes = rt.clusters.nodes(name);
  if (nodes.length === 0) return fail(`unknown cluster "${name}"`);
  const dir = dirArg === undefined ? mkdtempSync(join(tmpdir(), '')) : isAbsolute(dirArg) ? dirArg : resolve(inv.cwd, dirArg);
  err(`Exporting logs for cluster "${name}" to:`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kind-version.txt'), `${KIND_VERSION}\n`);
  writeFileSync(join(dir, 'docker-info.txt'), 'Client: Docker Engine - Community\n Version:    28.5.2\n\nServer:\n Server Version: 28.5.2\n Cgroup Driver: systemd\n Cgroup Version: 2\n');
  for (const n of nodes) {
    const d = join(dir, n.name);
    mkdirSync(join(d, 'containers'), { recursive: true });
    mkdirSync(join(d, 'pods'), { recursive: true });
    writeFileSync(join(d, 'inspect.json'), `${JSON.stringify([{ Id: n.id, Name: `/${n.name}`, Config: { Image: n.image, Labels: n.labels }, State: { Status: n.state } }], null, 4)}\n`);
    writeFileSync(join(d, 'kubernetes-version.txt'), `${/:(v[\d.]+)/.exec(n.image)?.[1] ?? 'v1.28.0'}\n`);
    writeFileSync(join(d, 'serial.log'), '');
    writeFileSync(join(d, 'journal.log'), `-- Journal begins (simulated node ${n.name}) --\n`);
    writeFileSync(join(d, 'containerd.log'), 'level=info msg="containerd successfully booted"\n');
    writeFileSync(join(d, 'images.log'), [...(rt.host.nodeImages.get(n.name) ?? [])].map((i) => `${i}\n`).join(''));
    writeFileSync(
      join(d, 'kubelet.log'),
      `E kubelet.go:2855] "Container runtime network not ready" networkReady="NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"\n`,
    );
  }
  inv.out(`${dir}\n`);
  return 0;
}
