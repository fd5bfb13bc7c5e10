import { log } from './format.ts';
import { withTimeout } from './time.ts';

/** Undo steps, run newest first; each one bounded and isolated so one failure does not skip the rest. */
export class Cleanup {
  private readonly steps: Array<{ what: string; fn: () => Promise<unknown> }> = [];

  add(what: string, fn: () => Promise<unknown>): () => Promise<void> {
    const step = { what, fn };
    this.steps.push(step);
    // Running a step early removes it from the list.
    return async () => {
      const at = this.steps.indexOf(step);
      if (at >= 0) this.steps.splice(at, 1);
      await fn();
    };
  }

  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      await withTimeout(step.fn(), 30_000, `cleanup: ${step.what}`).catch((err: unknown) =>
        log(`cleanup "${step?.what}" failed: ${(err as Error).message}`),
      );
    }
  }
}
