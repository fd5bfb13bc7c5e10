/** A slice of the measured run: honest users alone (`baseline`) or beside the hostile tenants (`noisy`). */
export interface Window {
  kind: 'baseline' | 'noisy';
  from: number;
  to: number;
}

/**
 * Baseline and noisy windows in a counterbalanced order (B N N B B N N B …), `phaseMs` of each kind
 * in windows of `windowMs`. Run back to back, a baseline phase and then a noisy one compare an early
 * machine with a later one: the emulator's tables grow, caches warm, other work on the machine comes
 * and goes. Alternating in ABBA order gives both kinds the same mean time, so a linear drift cancels
 * out and only the attacks remain as the difference.
 */
export function counterbalanced(start: number, phaseMs: number, windowMs: number): Window[] {
  const perKind = Math.max(1, Math.round(phaseMs / windowMs));
  const length = phaseMs / perKind;
  const windows: Window[] = [];
  for (let pair = 0; pair < perKind; pair++) {
    const order: Window['kind'][] = pair % 2 === 0 ? ['baseline', 'noisy'] : ['noisy', 'baseline'];
    for (const kind of order) {
      const from = start + windows.length * length;
      windows.push({ kind, from, to: from + length });
    }
  }
  return windows;
}

/** The windows of one kind, as [from, to) pairs. */
export const windowsOf = (windows: readonly Window[], kind: Window['kind']) =>
  windows.filter((w) => w.kind === kind).map((w): [number, number] => [w.from, w.to]);
