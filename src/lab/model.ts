/**
 * The lab model: everything a lesson needs, derived from the lab's own files (topology, kind config,
 * Calico custom resources, pins). Nothing about a particular lesson is hard-coded in `src/`.
 */

import type { ExerciseSpec } from '../exercises/types.js';

export type NodeRole = 'control-plane' | 'worker';

export interface ExpectedNode {
  /** Kubernetes node name = kind container name: `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`… */
  name: string;
  role: NodeRole;
}

export interface CalicoPool {
  /** Name the operator gives the IPPool (`default-ipv4-ippool` when the Installation's pool has none). */
  name: string;
  cidr: string;
  blockSize: number;
  encapsulation: string;
  natOutgoing: string;
  nodeSelector: string;
}

export interface ManifestDocument {
  /** The file it came from (absolute) and the line of its first key, for error messages. */
  file: string;
  line: number;
  object: KubeObject;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface PinnedArtifact {
  url: string;
  sha256: string;
}

export interface CalicoRelease {
  version: string;
  manifests: { 'operator-crds.yaml': PinnedArtifact; 'tigera-operator.yaml': PinnedArtifact };
  /** Keyed by `<os>-<arch>` in Go/Calico naming: linux-amd64, linux-arm64, darwin-arm64… */
  calicoctl: Record<string, PinnedArtifact>;
  /** Images the operator deploys for an Installation (the operator's own first). */
  images: string[];
  /** Images it adds per other custom resource kind the lab applies (APIServer, Goldmane, Whisker…). */
  customResourceImages?: Record<string, string[]>;
}

export interface Pins {
  file: string;
  default: string;
  versions: Record<string, CalicoRelease>;
}

/** What the lab's files cannot say themselves: from the lesson file (`lesson.yaml`), or derived from a series-style folder. */
export interface Lesson {
  /** `01-calico-ipam`; for a folder without a lesson file, the folder's name. */
  id: string;
  title: string;
  summary: string;
  /** Where lab differs from the series' own README, and why. */
  notes: string[];
  /** The lesson file, or undefined when everything was derived from the folder. */
  file: string | undefined;
  /** The lesson file's `exercises:`, parsed and validated (src/exercises/spec.ts); absent when it has none. */
  exercises?: ExerciseSpec[];
}

/** What "ready" means for a workload lab applies after Calico. */
export interface WorkloadWait {
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'Pod';
  namespace: string;
  name: string;
}

/** The lesson's own objects (the series' `tools/*.yaml`), applied once Calico is Available. */
export interface Workloads {
  /** In apply order (file-name order, then document order); Namespaces are applied first. */
  manifests: ManifestDocument[];
  /** What must be ready before deploy is done (default: every Deployment/DaemonSet/StatefulSet/Pod among the manifests). */
  waitFor: WorkloadWait[];
  /** Every image the workloads run, pinned (by digest where known), for `lab images` and `--preload`. */
  images: string[];
}

export interface Lab {
  lesson: Lesson;
  workloads: Workloads;
  /** Directory that holds the topology file; containerlab's lab dir `clab-<name>` and the kubeconfig go here. */
  dir: string;
  topologyFile: string;
  /** containerlab lab name (`name:` of the topology). */
  name: string;
  /** The k8s-kind node's name = the kind cluster's name. */
  cluster: string;
  /** Image of every kind node, e.g. kindest/node:v1.28.0. */
  nodeImage: string;
  /** Kubernetes version from the node image tag (v1.28.0), or undefined when the tag is not a version. */
  kubernetesVersion: string | undefined;
  kindConfigFile: string;
  nodes: ExpectedNode[];
  podSubnet: string;
  serviceSubnet: string;
  pool: CalicoPool;
  /** Custom resources to apply after the operator (Installation, APIServer, …), in file order. */
  customResources: ManifestDocument[];
  /** `<dir>/<cluster>.kubeconfig`, written mode 0600. */
  kubeconfigPath: string;
  /** Directory containerlab creates: `<dir>/clab-<name>`. */
  labDir: string;
  calico: CalicoRelease;
  pinsFile: string;
}
