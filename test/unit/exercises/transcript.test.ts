/**
 * A learner's transcript of lesson 02: `kubectl get pods -o wide` and the pod's `ip addr`, `ip route`
 * and resolv.conf through `kubectl exec`, read by `verify --snapshot` into the exercises' inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/calico/runner.js';
import { loadSnapshot } from '../../../src/calico/snapshot.js';
import { ipAddr, isResolvConfCat, parseCommand } from '../../../src/calico/readers/command.js';
import { isIpAddrText, isResolvConfText } from '../../../src/calico/readers/registry.js';
import { exerciseChecks } from '../../../src/exercises/index.js';
import { fixture, lab02, spec } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-ex-transcript-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROMPT = 'learner@laptop:~/lab$ ';
function transcript(o: { addr?: boolean } = {}): string {
  return [
    `${PROMPT}kubectl get pods -o wide`,
    'NAME        READY   STATUS    RESTARTS   AGE   IP             NODE                 NOMINATED NODE   READINESS GATES',
    'multitool   1/1     Running   0          4m    192.168.8.69   pod-network-worker   <none>           <none>',
    ...(o.addr === false ? [] : [`${PROMPT}kubectl exec -it multitool -- ip addr show dev eth0`, fixture('pod-multitool-ip-addr.txt').trimEnd()]),
    `${PROMPT}kubectl exec -it multitool -- ip route`,
    fixture('pod-multitool-ip-route.txt').trimEnd(),
    `${PROMPT}kubectl exec -it multitool -- cat /etc/resolv.conf`,
    fixture('pod-multitool-resolv.conf').trimEnd(),
    PROMPT,
  ].join('\n');
}

const lesson = { exercises: [spec('pod-interface', { pod: 'multitool' }, 'pod-eth0'), spec('pod-routes', { pod: 'multitool' }, 'pod-routes'), spec('pod-resolv', { pod: 'multitool' }, 'pod-dns'), spec('node-pod-route', { pod: 'multitool' }, 'node-pod-route')] };

describe("a transcript of the pod's outputs", () => {
  it('is read: the pod exercises pass, what the transcript cannot show is not evaluated', async () => {
    const file = join(dir, 'session.txt');
    writeFileSync(file, transcript());
    const loaded = await loadSnapshot(file, { nodeNames: lab02.nodes.map((n) => n.name) });
    expect(loaded.ignored).toEqual([]);
    expect(loaded.files[0]!.recognisedAs.join(', ')).toMatch(/`ip addr` in the pod multitool.*ip route in the pod multitool.*resolv\.conf in the pod multitool/);
    const results = runChecks(exerciseChecks(lesson), lab02, loaded.inputs);
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['pod-routes']!.status).toBe('pass');
    expect(byId['pod-dns']!.status).toBe('pass');
    expect(byId['pod-eth0']!.status).toBe('pass');
    expect(byId['pod-eth0']!.rules!.map((r) => `${r.id}:${r.status}`)).toEqual(['eth0-address:pass', 'eth0-block:not-evaluated', 'eth0-mtu:pass']);
    expect(JSON.stringify(byId['pod-eth0']!.evidence['mtu'])).toMatch(/assumed: pod-network-worker's eth0 was not observed/);
    expect(byId['node-pod-route']!.status).toBe('skip');
  });

  it('leaves the pod out when one of the three outputs is missing (never guessed)', async () => {
    const file = join(dir, 'partial.txt');
    writeFileSync(file, transcript({ addr: false }));
    const loaded = await loadSnapshot(file, { nodeNames: lab02.nodes.map((n) => n.name) });
    const results = runChecks(exerciseChecks(lesson), lab02, loaded.inputs);
    expect(results.map((r) => `${r.id}:${r.status}`)).toEqual(['pod-eth0:skip', 'pod-routes:skip', 'pod-dns:skip', 'node-pod-route:skip']);
    expect(results[1]!.reason).toMatch(/no pod with all of `ip addr` \(eth0\), `ip route` and resolv\.conf/);
  });
});

describe('the ip-addr and resolv-conf readers', () => {
  it('route `ip addr`/`ip a show dev eth0` (text, not -j) and `cat /etc/resolv.conf`', () => {
    expect(ipAddr(parseCommand('ip addr')!)).toBe('text');
    expect(ipAddr(parseCommand('ip a show dev eth0')!)).toBe('text');
    expect(ipAddr(parseCommand('ip -j addr')!)).toBe('json');
    expect(ipAddr(parseCommand('ip route')!)).toBeUndefined();
    expect(isResolvConfCat(parseCommand('cat /etc/resolv.conf')!)).toBe(true);
    expect(isResolvConfCat(parseCommand('cat /etc/hosts')!)).toBe(false);
  });
  it('recognise their formats by content, and not each other\'s', () => {
    expect(isIpAddrText(fixture('pod-multitool-ip-addr.txt'))).toBe(true);
    expect(isIpAddrText(fixture('pod-multitool-ip-route.txt'))).toBe(false);
    expect(isResolvConfText(fixture('pod-multitool-resolv.conf'))).toBe(true);
    expect(isResolvConfText('search default.svc.cluster.local\n')).toBe(false);
    expect(isResolvConfText(fixture('pod-multitool-ip-route.txt'))).toBe(false);
  });
});
