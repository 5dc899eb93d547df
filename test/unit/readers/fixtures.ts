import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, '../../fixtures/readers');
export const REFERENCE = join(here, '../../../../shared/reference/cli');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export const NODES = ['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2'] as const;
export const ctx = { nodeNames: NODES };
