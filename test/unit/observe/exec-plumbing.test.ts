/** docker exec's argv and errors (process runner mocked), the status channel's exit code, the node provider. */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, test, vi } from 'vitest';

const calls: { file: string; args: string[] }[] = [];
let next: { exitCode: number; stdout?: string; stderr?: string }[] = [];

vi.mock('../../../src/tools/exec.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/tools/exec.js')>();
  return {
    ...real,
    run: vi.fn(async (file: string, args: readonly string[]) => {
      calls.push({ file, args: [...args] });
      const r = next.shift() ?? { exitCode: 0 };
      return { command: real.displayCommand(file, args), exitCode: r.exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    }),
  };
});

const { dockerExec } = await import('../../../src/tools/docker.js');
const { exitCodeOf } = await import('../../../src/kube/exec.js');
const { nodeRoutes, NODE_COMMANDS } = await import('../../../src/observe/index.js');
const { PrerequisiteError, StepFailedError } = await import('../../../src/errors.js');

const fx = (name: string): string => readFileSync(new URL(`../../fixtures/observe/${name}`, import.meta.url), 'utf8');

beforeEach(() => {
  calls.length = 0;
  next = [];
});

describe('dockerExec', () => {
  test('argv: docker exec <node> <command…>, no shell; a non-zero exit is returned, not thrown', async () => {
    next = [{ exitCode: 2, stdout: '', stderr: 'Error: any valid prefix is expected rather than "bogus".\n' }];
    const r = await dockerExec('calico-ipam-worker', ['ip', '-j', 'route', 'show', 'bogus']);
    expect(calls).toEqual([{ file: 'docker', args: ['exec', 'calico-ipam-worker', 'ip', '-j', 'route', 'show', 'bogus'] }]);
    expect(r).toEqual({ stdout: '', stderr: 'Error: any valid prefix is expected rather than "bogus".\n', exitCode: 2 });
  });

  test('no such container / not running: StepFailedError with a hint; daemon down: PrerequisiteError', async () => {
    next = [{ exitCode: 1, stderr: 'Error response from daemon: No such container: calico-ipam-worker9\n' }];
    const e = (await dockerExec('calico-ipam-worker9', ['ip', 'route']).catch((x: unknown) => x)) as InstanceType<typeof StepFailedError>;
    expect([e instanceof StepFailedError, e.message, e.hint]).toEqual([true, 'docker exec: no container named calico-ipam-worker9', 'is the lab deployed? `lab status` lists its node containers']);
    next = [{ exitCode: 1, stderr: 'Error response from daemon: container 4f2a is not running\n' }];
    await expect(dockerExec('calico-ipam-worker', ['ip', 'route'])).rejects.toBeInstanceOf(StepFailedError);
    next = [{ exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }];
    await expect(dockerExec('calico-ipam-worker', ['ip', 'route'])).rejects.toBeInstanceOf(PrerequisiteError);
  });
});

describe('exit code from the status channel', () => {
  test('Success → 0; NonZeroExitCode → the ExitCode cause; other failures → undefined', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
    expect(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '127' }] } })).toBe(127);
    expect(exitCodeOf({ status: 'Failure', reason: 'InternalError', message: 'container not found ("app")' })).toBeUndefined();
    expect(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [] } })).toBeUndefined();
  });
});

describe('nodeRoutes', () => {
  test('runs ip -j route and ip -j addr in the node and parses both', async () => {
    const seen: string[][] = [];
    const fake = async (node: string, command: readonly string[]) => {
      seen.push([node, ...command]);
      return { stdout: command.includes('route') ? fx('ip-j-route-node.json') : fx('ip-j-addr-node.json'), stderr: '', exitCode: 0 };
    };
    const net = await nodeRoutes(fake, 'calico-ipam-worker');
    expect(seen).toEqual([['calico-ipam-worker', ...NODE_COMMANDS.routes], ['calico-ipam-worker', ...NODE_COMMANDS.links]]);
    expect(net.routes).toHaveLength(7);
    expect(net.links.map((l) => l.name)).toEqual(['lo', 'vxlan.calico', 'cali5d4e1f0a9b2', 'eth0']);
  });

  test('a command that fails or prints something else is a StepFailedError naming node and command (never an empty table)', async () => {
    const failing = async () => ({ stdout: '', stderr: 'OCI runtime exec failed: exec: "ip": executable file not found in $PATH: unknown\n', exitCode: 127 });
    const e = (await nodeRoutes(failing, 'n1').catch((x: unknown) => x)) as InstanceType<typeof StepFailedError>;
    expect([e instanceof StepFailedError, e.message, e.details]).toEqual([true, 'node n1: `ip -j route` exited 127', ['OCI runtime exec failed: exec: "ip": executable file not found in $PATH: unknown']]);
    const prose = async () => ({ stdout: 'default via 172.18.0.1 dev eth0\n', stderr: '', exitCode: 0 });
    await expect(nodeRoutes(prose, 'n1')).rejects.toThrow(/^node n1: `ip -j route`: lab cannot read its output: not JSON/);
  });
});
