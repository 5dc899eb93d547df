/** Stub: helper Y's API-object probes replace this file. */
import type { Probe } from '../types.js';

export const API_PROBES: Record<string, Probe> = {};
