export interface Sleep {
  loop: 'fixed' | 'nodes' | 'crs' | 'tigerastatus';
  startAt: number;
  endAt: number;
}
export function baselineWaste(sleeps: Sleep[], ready: Partial<Record<'nodes' | 'crs' | 'tigerastatus', number | undefined>>): { ms: number; byLoop: Record<string, number> };
export function runBaseline(options: { world: unknown; lab: unknown; scale: number; signal?: AbortSignal }): Promise<{
  wallMs: number;
  startAt: number;
  endAt: number;
  steps: { name: string; ms: number }[];
  sleeps: Sleep[];
  customResources: { apiVersion: string; kind: string }[];
}>;
