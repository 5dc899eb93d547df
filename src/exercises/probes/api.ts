/**
 * The probes that judge API objects only (lessons 03–05, and lesson 02's Service): no exec, no
 * samples; one list per resource type (Services, EndpointSlices, DaemonSets, Pods) whatever the
 * cluster's size. Expected values are derived from the lab (its nodes and roles, service CIDR) and the
 * Calico objects (BlockAffinities, IPAMBlocks), never typed in the lesson file.
 */
import type { Probe } from '../types.js';
import { clusterDns } from './api/cluster-dns.js';
import { daemonSetPods } from './api/daemonset-pods.js';
import { serviceEndpoints } from './api/service-endpoints.js';

export const API_PROBES: Record<string, Probe> = {
  [daemonSetPods.name]: daemonSetPods,
  [serviceEndpoints.name]: serviceEndpoints,
  [clusterDns.name]: clusterDns,
};
