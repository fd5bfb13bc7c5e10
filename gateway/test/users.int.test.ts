import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, signedInClient, startGateway, TestClient } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

async function itemsMentioning(userId: string): Promise<unknown[]> {
  const db = createDocumentClient({ region: 'us-east-1', endpoint: gw.config.AWS_ENDPOINT_URL });
  const names = resourceNames(gw.config.RESOURCE_PREFIX);
  const found: unknown[] = [];
  for (const table of [names.usersTable, names.refreshTokensTable]) {
    const { Items = [] } = await db.send(new ScanCommand({ TableName: table }));
    found.push(...Items.filter((item) => JSON.stringify(item).includes(userId)));
  }
  return found;
}

describe('GET/PATCH /users/me', () => {
  it('reads and updates the name and bio, trimming the name', async () => {
    const { client, creds } = await signedInClient(gw);
    expect((await client.get('/users/me')).body).toMatchObject({ user: { email: creds.email, bio: '' } });
    const patched = await client.request('PATCH', '/users/me', {
      json: { name: '  Grace Hopper ', bio: 'Compilers.' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ user: { name: 'Grace Hopper', bio: 'Compilers.' } });
    expect((await client.get('/auth/me')).body).toMatchObject({ user: { name: 'Grace Hopper', bio: 'Compilers.' } });
  });

  it('refuses an empty patch, unknown fields and blank names without changing anything', async () => {
    const { client, creds } = await signedInClient(gw);
    for (const json of [{}, { email: 'x@example.com' }, { name: '   ' }, { bio: 'b'.repeat(1001) }, { name: 5 }]) {
      const res = await client.request('PATCH', '/users/me', { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    expect((await client.get('/users/me')).body).toMatchObject({
      user: { email: creds.email, name: creds.name, bio: '' },
    });
  });

  it('requires a session', async () => {
    expect((await new TestClient(gw.api).get('/users/me')).status).toBe(401);
  });
});

describe('POST /users/me/password', () => {
  it('changes the password, keeps this session and signs out every other one', async () => {
    const { client, creds } = await signedInClient(gw);
    const otherDevice = new TestClient(gw.api);
    expect((await otherDevice.post('/auth/login', { email: creds.email, password: creds.password })).status).toBe(200);

    const res = await client.post('/users/me/password', {
      currentPassword: creds.password,
      newPassword: 'a brand new passphrase',
    });
    expect(res.status).toBe(204);

    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect((await otherDevice.post('/auth/refresh')).status).toBe(401);
    const fresh = new TestClient(gw.api);
    expect((await fresh.post('/auth/login', { email: creds.email, password: creds.password })).status).toBe(401);
    expect((await fresh.post('/auth/login', { email: creds.email, password: 'a brand new passphrase' })).status).toBe(
      200,
    );
  });

  it('refuses a wrong current password or a weak new one, keeping the old password', async () => {
    const { client, creds } = await signedInClient(gw);
    const wrong = await client.post('/users/me/password', {
      currentPassword: 'not-my-password',
      newPassword: 'another good one',
    });
    expect(wrong.status).toBe(403);
    const weak = await client.post('/users/me/password', { currentPassword: creds.password, newPassword: 'password1' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ error: { code: 'invalid_argument', details: { field: 'newPassword' } } });
    const login = await new TestClient(gw.api).post('/auth/login', { email: creds.email, password: creds.password });
    expect(login.status).toBe(200);
  });
});

describe('DELETE /users/me', () => {
  it('needs the password, then deletes the user, its email claim and every session', async () => {
    const { client, creds, userId } = await signedInClient(gw);
    const refresh = client.cookies.get('lfusys-refresh') ?? '';
    expect((await client.request('DELETE', '/users/me', { json: { password: 'wrong password!' } })).status).toBe(403);
    expect(await itemsMentioning(userId)).not.toHaveLength(0);

    const res = await client.request('DELETE', '/users/me', { json: { password: creds.password } });
    expect(res.status).toBe(204);
    expect(client.cookies.has('lfusys-access')).toBe(false);
    expect(await itemsMentioning(userId)).toEqual([]);

    const replay = new TestClient(gw.api);
    replay.cookies.set('lfusys-refresh', refresh);
    expect((await replay.post('/auth/refresh')).status).toBe(401);
    expect(
      (await new TestClient(gw.api).post('/auth/login', { email: creds.email, password: creds.password })).status,
    ).toBe(401);
    // The email is free again.
    expect((await new TestClient(gw.api).post('/auth/register', creds)).status).toBe(201);
  });

  it('turns a still-valid access token of a deleted account into a 401', async () => {
    const { client, creds } = await signedInClient(gw);
    const access = client.cookies.get('lfusys-access') ?? '';
    await client.request('DELETE', '/users/me', { json: { password: creds.password } });
    const stale = new TestClient(gw.api);
    stale.cookies.set('lfusys-access', access);
    expect((await stale.get('/auth/me')).status).toBe(401);
  });
});
