import { describe, expect, it } from 'vitest';
import { memorySessions, openInput, silentLogger } from '../../test/fakes.ts';
import { resolveTransfer } from './transfer-mode.ts';

const both = { defaultTransfer: 'relay' as const, directEnabled: true };

describe('resolveTransfer', () => {
  it("takes the client's choice, or the deployment's default when it names none", () => {
    expect(resolveTransfer('', both, 'u1', silentLogger)).toBe('relay');
    expect(resolveTransfer('', { ...both, defaultTransfer: 'direct' }, 'u1', silentLogger)).toBe('direct');
    expect(resolveTransfer('direct', both, 'u1', silentLogger)).toBe('direct');
    expect(resolveTransfer('relay', { ...both, defaultTransfer: 'direct' }, 'u1', silentLogger)).toBe('relay');
  });

  it('refuses direct where it is disabled, and unknown names', () => {
    expect(() => resolveTransfer('direct', { ...both, directEnabled: false }, 'u1', silentLogger)).toThrow(
      expect.objectContaining({ code: 'failed_precondition', details: { reason: 'transfer_unavailable' } }),
    );
    expect(() => resolveTransfer('tus', both, 'u1', silentLogger)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', details: { field: 'transfer' } }),
    );
  });
});

describe('UploadService.create with a transfer', () => {
  it('stores the transfer on the upload', async () => {
    const s = memorySessions({}, { defaultTransfer: 'direct', directEnabled: true });
    expect((await s.uploads.create(openInput('u1'))).transfer).toBe('direct');
    expect((await s.uploads.create({ ...openInput('u1'), transfer: 'relay' })).transfer).toBe('relay');
  });

  it('refuses direct where it is disabled before opening anything', async () => {
    const s = memorySessions({}, { defaultTransfer: 'relay', directEnabled: false });
    await expect(s.uploads.create({ ...openInput('u1'), transfer: 'direct' })).rejects.toMatchObject({
      code: 'failed_precondition',
    });
    expect(s.objects.created).toBe(0);
    expect((await s.repository.usage('u1')).uploadsInProgress).toBe(0);
  });

  it('treats an idempotent re-open with another transfer as a different upload', async () => {
    const s = memorySessions();
    const first = await s.uploads.create({ ...openInput('u1'), idempotencyKey: 'k1', transfer: 'direct' });
    await expect(s.uploads.create({ ...openInput('u1'), idempotencyKey: 'k1', transfer: 'direct' })).resolves.toEqual(
      first,
    );
    await expect(
      s.uploads.create({ ...openInput('u1'), idempotencyKey: 'k1', transfer: 'relay' }),
    ).rejects.toMatchObject({ code: 'aborted' });
  });
});
