/**
 * `docker exec <kind node> <cmd>`: the node's network namespace (net.ts nodeView) from the store's
 * Node (or, before it registers, the container's own kind-network address), with the docker
 * network's prefix and gateway. A program that is not there fails as runc reports it.
 */
import type { HostState, SimContainer } from '../context.js';
import { R } from '../calico/refs.js';
import { nodeView, uplinkFor, type NetWorld } from './net.js';
import { runInView, unwrapShell, type ExecOutput } from './shell.js';

export function nodeExec(world: NetWorld, host: HostState, c: SimContainer, argv: readonly string[]): ExecOutput {
  const net = Object.entries(c.networks)[0];
  const ip = c.networks['kind']?.ipv4 ?? net?.[1].ipv4 ?? '';
  const subnet = host.networks.get(c.networks['kind'] ? 'kind' : (net?.[0] ?? ''))?.subnets.find((s) => !s.subnet.includes(':'));
  const node = world.store.get(R.nodes, undefined, c.name) ?? { apiVersion: 'v1', kind: 'Node', metadata: { name: c.name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } };
  const out = runInView(nodeView(world, node, uplinkFor(ip, subnet)), argv);
  const shell = unwrapShell(argv).length !== argv.length || argv[0] === 'sh';
  if (out.exitCode === 127 && !shell) {
    return { stdout: '', stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ''}": executable file not found in $PATH: unknown\n`, exitCode: 127 };
  }
  return out;
}
