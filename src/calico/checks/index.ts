/** The ten checks, in report order. Ids are stable (JUnit classnames, `--check`). */
import { affinityDetails } from './affinity-details.js';
import { blockAffinities } from './block-affinities.js';
import { cidrHygiene } from './cidr-hygiene.js';
import type { Check } from './common.js';
import { ipamCheck } from './ipam-check.js';
import { ipamPool } from './ipam-pool.js';
import { nodeBlocks } from './node-blocks.js';
import { nodes } from './nodes.js';
import { podIps } from './pod-ips.js';
import { tigerastatus } from './tigerastatus.js';
import { topology } from './topology.js';

export const CHECKS: readonly Check[] = [topology, tigerastatus, nodes, ipamPool, blockAffinities, affinityDetails, nodeBlocks, podIps, cidrHygiene, ipamCheck];

export { runCheck, type Check, type Verdict } from './common.js';
export { affinityDetails, blockAffinities, cidrHygiene, ipamCheck, ipamPool, nodeBlocks, nodes, podIps, tigerastatus, topology };
