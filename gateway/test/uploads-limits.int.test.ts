import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, signedInClient, startGateway } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ UPLOADS_OPENS_PER_MINUTE: '4' }, { UPLOADS_IN_PROGRESS_MAX: '3' });
});
afterAll(() => gw.close());

const file = { fileName: 'a.bin', size: 10 };

describe('POST /uploads per-user limits', () => {
  it('refuses opens beyond UPLOADS_OPENS_PER_MINUTE with 429 too_many_requests and Retry-After, per user', async () => {
    const { client } = await signedInClient(gw);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await client.post('/uploads', file)).status);
    expect(statuses).toEqual([201, 201, 201]);
    // The 4th open reaches sessions and meets the uploads-in-progress cap.
    const capped = await client.post('/uploads', file);
    expect(capped.status).toBe(429);
    expect(capped.body).toMatchObject({ error: { code: 'too_many_uploads', details: { limit: 3 } } });
    expect((capped.body as { error: { message: string } }).error.message).toContain('3 uploads in progress');
    expect(capped.headers.get('retry-after')).toBe('60');
    // The 5th is over the per-minute budget: refused before sessions is asked.
    const limited = await client.post('/uploads', file);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'too_many_requests', details: { limit: 4 } } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another user has their own budget.
    const other = await signedInClient(gw);
    expect((await other.client.post('/uploads', file)).status).toBe(201);
  });
});

describe('GET /uploads', () => {
  it('lists uploads in progress a page at a time, with nextCursor null on the last page', async () => {
    const { client } = await signedInClient(gw);
    const opened = [];
    for (let i = 0; i < 3; i++)
      opened.push(((await client.post('/uploads', file)).body as { uploadId: string }).uploadId);
    await client.request('DELETE', `/uploads/${opened[0]}`);
    const all = await client.get('/uploads');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ nextCursor: null });
    expect((all.body as { uploads: Array<{ uploadId: string }> }).uploads.map((u) => u.uploadId)).toEqual([
      opened[2],
      opened[1],
    ]);
    const first = (await client.get('/uploads?limit=1')).body as { uploads: unknown[]; nextCursor: string };
    expect(first.uploads).toHaveLength(1);
    expect(typeof first.nextCursor).toBe('string');
    const second = (await client.get(`/uploads?limit=1&cursor=${first.nextCursor}`)).body as {
      uploads: Array<{ uploadId: string }>;
    };
    expect(second.uploads.map((u) => u.uploadId)).toEqual([opened[1]]);
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=***', 'other=1', 'cursor=eyJ4IjoxfQ']) {
      expect((await client.get(`/uploads?${query}`)).status, query).toBe(400);
    }
  });
});
