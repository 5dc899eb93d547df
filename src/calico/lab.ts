/** The part of the `Lab` model verify needs (a full `Lab` satisfies it; a snapshot carries it too). */
import type { Lab } from '../lab/model.js';

export type VerifyLab = Pick<Lab, 'name' | 'cluster' | 'nodeImage' | 'kubernetesVersion' | 'nodes' | 'podSubnet' | 'serviceSubnet' | 'pool' | 'topologyFile'>;

export function verifyLabOf(lab: VerifyLab): VerifyLab {
  return {
    name: lab.name,
    cluster: lab.cluster,
    nodeImage: lab.nodeImage,
    kubernetesVersion: lab.kubernetesVersion,
    nodes: lab.nodes.map((n) => ({ name: n.name, role: n.role })),
    podSubnet: lab.podSubnet,
    serviceSubnet: lab.serviceSubnet,
    pool: { ...lab.pool },
    topologyFile: lab.topologyFile,
  };
}
