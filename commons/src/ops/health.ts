/** A named dependency probe; resolves when the dependency answers, rejects otherwise. */
export interface ReadinessCheck {
  name: string;
  check: (signal: AbortSignal) => Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/**
 * Runs every check in parallel with a deadline. Error messages are reduced to the error's class
 * name so a public /readyz never leaks hostnames or credentials.
 */
export async function runReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          check(signal),
          new Promise<never>((_, reject) => {
            signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true });
          }),
        ]);
        return [name, { ok: true }] as const;
      } catch (err) {
        const error = err instanceof Error ? (err.message === 'timeout' ? 'timeout' : err.name) : 'error';
        return [name, { ok: false, error }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}
