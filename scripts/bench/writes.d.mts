export interface WriteEvent {
  at: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  group: string;
  resource: string;
  name: string | undefined;
  managers: string[];
}
export interface Lag {
  ms: number | null;
  reason?: string;
  condition?: string;
  via?: string;
  what?: string;
}
export function recordWrites(world: unknown): { events: WriteEvent[]; marks: { name: string; at: number }[]; stop(): void };
export function mergeMarks(conditions: { name: string; at: number }[], derived: { name: string; at: number }[]): { name: string; at: number }[];
export function detectionLags(input: {
  conditions: { name: string; at: number }[];
  events: WriteEvent[];
  exitAt: number;
  startAt: number;
  requestLog?: { at: number; method?: string; path?: string }[];
}): { apiUpToFirstWrite: Lag; crdEstablishedToCustomResource: Lag; readyToExit: Lag };
