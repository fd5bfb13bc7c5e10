import { AppError } from '@lfusys/commons';

export const MAX_FILE_NAME_LENGTH = 255;

/**
 * A display name safe to store and show: NFC, no control characters (C0, C1, DEL), no
 * bidirectional overrides (which can disguise `exe.pdf` as `fdp.exe`), no path separators, trimmed.
 * Names are metadata only: they never become part of an object key.
 */
export function sanitizeFileName(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/\\]/g, '_')
    .trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') {
    throw new AppError('invalid_argument', 'file name is empty after removing unsafe characters', {
      details: { field: 'fileName' },
    });
  }
  if ([...cleaned].length > MAX_FILE_NAME_LENGTH) {
    throw new AppError('invalid_argument', `file name must be at most ${MAX_FILE_NAME_LENGTH} characters`, {
      details: { field: 'fileName' },
    });
  }
  return cleaned;
}
