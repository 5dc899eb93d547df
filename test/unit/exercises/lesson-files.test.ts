/**
 * Lessons 03–05 declare their API-object exercises as the issue asks (03: both DaemonSets; 04: the two
 * Services; 05: cluster DNS, nginx-service and the DaemonSets in default and foo), each with parameters
 * its probe accepts, the learner's commands and what it teaches.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHECK_IDS } from '../../../src/calico/types.js';
import { API_PROBES } from '../../../src/exercises/probes/api.js';

const exercises = (folder: string): Record<string, any>[] => (parse(readFileSync(new URL(`../../../topology/${folder}/lesson.yaml`, import.meta.url), 'utf8')) as { exercises?: Record<string, any>[] }).exercises ?? [];
const api = (folder: string): string[] => exercises(folder).filter((e) => API_PROBES[e['probe']]).map((e) => `${e['probe']} ${JSON.stringify(e['with'])}`);

describe('the API exercises of lessons 03–05', () => {
  it('are the ones the issue lists', () => {
    expect(api('03-pod-routing')).toEqual(['daemonset-pods {"daemonSets":["multitool-1","multitool-2"],"namespace":"default"}']);
    expect(api('04-k8s-services')).toEqual(['service-endpoints {"service":"nginx-service","namespace":"default"}', 'service-endpoints {"service":"multitool-1-service","namespace":"default"}']);
    expect(api('05-k8s-dns')).toEqual([
      'cluster-dns {}',
      'service-endpoints {"service":"nginx-service","namespace":"default"}',
      'daemonset-pods {"daemonSets":["multitool-1","multitool-2"],"namespace":"default"}',
      'daemonset-pods {"daemonSets":["multitool-3"],"namespace":"foo"}',
    ]);
  });

  it.each(['03-pod-routing', '04-k8s-services', '05-k8s-dns'])('%s: valid parameters, unique ids that are no built-in check\'s, commands and teaches', (folder) => {
    const list = exercises(folder);
    const ids = list.map((e) => e['id'] as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of list) {
      expect(e['id']).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect((CHECK_IDS as readonly string[]).includes(e['id'])).toBe(false);
      expect(Object.keys(e).sort()).toEqual(['commands', 'id', 'probe', 'teaches', 'title', 'with']);
      expect(e['commands'].length).toBeGreaterThan(0);
      expect(String(e['teaches']).length).toBeGreaterThan(80);
      const probe = API_PROBES[e['probe']];
      if (probe) expect(probe.validate(e['with']), e['id']).toEqual([]);
    }
  });
});
