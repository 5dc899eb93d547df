/** The probe registry: lesson files name a probe; exec probes (pods, nodes) and API-object probes. */
import type { Probe } from '../types.js';
import { API_PROBES } from './api.js';
import { nodePodRoute } from './node-pod-route.js';
import { podInterface } from './pod-interface.js';
import { podResolv } from './pod-resolv.js';
import { podRoutes } from './pod-routes.js';

export const EXEC_PROBES: Record<string, Probe> = {
  [podInterface.name]: podInterface,
  [podRoutes.name]: podRoutes,
  [podResolv.name]: podResolv,
  [nodePodRoute.name]: nodePodRoute,
};

export const PROBES: Record<string, Probe> = { ...EXEC_PROBES, ...API_PROBES };
