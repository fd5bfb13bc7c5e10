import { fmt, markdownTable, sizeLabel } from '../format.ts';
import type { BenchResults } from '../results.ts';

/** After the last byte: assembly (relay), and the whole-file SHA-256 verification (direct). */
export function assemblySections(results: BenchResults): string[] {
  const parts: string[] = [];
  const a = results.assembly;
  if (a?.length) {
    parts.push(
      '### Assembly (last chunk 200 → complete), medians over the A runs',
      markdownTable(
        [
          'File',
          'Runs',
          '→ assembled (sessions log)',
          '→ status completed (100 ms polls)',
          'completed → listed',
          'moto CompleteMultipartUpload alone (B)',
        ],
        a.map((r) => [
          sizeLabel(r.sizeMiB),
          String(r.samples),
          `${fmt(r.loggedMedianMs, 0)} ms`,
          `${fmt(r.polledMedianMs, 0)} ms`,
          `${fmt(r.listMedianMs, 0)} ms`,
          `${fmt(r.s3CompleteMedianMs, 0)} ms`,
        ]),
      ),
    );
  }
  const v = results.verification?.filter((r) => r.samples > 0);
  if (v?.length) {
    parts.push(
      '### Whole-file SHA-256 verification at assembly (direct transfer, medians)',
      'Sessions reads the assembled object back and hashes it before COMPLETED when the client declared a ' +
        'SHA-256 (A′+sha). "Logged" is its own "whole-file sha256 verified" time; "added" is how much later ' +
        '"upload assembled" came after the last confirmation than without a declared hash (A′).',
      markdownTable(
        ['File', 'Runs', 'logged read + hash', 'per GiB', 'last confirm → assembled, with / without', 'added per GiB'],
        v.map((r) => [
          sizeLabel(r.sizeMiB),
          String(r.samples),
          `${fmt(r.loggedMedianMs, 0)} ms`,
          `**${fmt(r.loggedSecondsPerGiB, 2)} s**`,
          `${fmt(r.assemblyWithShaMedianMs, 0)} / ${fmt(r.assemblyWithoutShaMedianMs, 0)} ms`,
          `${fmt(r.addedSecondsPerGiB, 2)} s`,
        ]),
      ),
    );
  }
  return parts;
}
