export interface NightlyLeg {
  lesson: string;
  calico: string;
  install: 'preload' | 'early';
  /** `<lesson>-<calico>-<install>`: unique per leg (artifact names). */
  key: string;
}
export function nightlyMatrix(
  lessonsDoc: { lessons?: { id: string; calicoVersion: string }[]; broken?: { id: string; error: string }[] },
  pins: { versions?: Record<string, unknown> },
  pinsFile?: string,
): { include: NightlyLeg[] };
