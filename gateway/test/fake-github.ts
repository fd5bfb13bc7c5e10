import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The GitHub account the fake signs in, with the addresses its emails API lists. */
export interface FakeGithubAccount {
  id: number;
  login: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGithub {
  /** Env for the gateway: client credentials and the fake's endpoints. */
  env: Record<string, string>;
  /** The account the next authorization signs in. */
  account: FakeGithubAccount;
  close(): Promise<void>;
}

interface IssuedCode {
  challenge: string;
  redirectUri: string;
  used: boolean;
  account: FakeGithubAccount;
}

const CLIENT_ID = 'fake-github-client';
const CLIENT_SECRET = randomBytes(16).toString('hex');

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A test fixture standing in for GitHub's OAuth app endpoints and the two REST calls we make,
 * with GitHub's documented behaviour where it matters: the authorize step approves at once, a
 * code is single-use and bound to its PKCE challenge and redirect URI, and a bad code is answered
 * `200 {"error": "bad_verification_code"}` (https://docs.github.com/en/apps/oauth-apps).
 */
export async function startFakeGithub(account: FakeGithubAccount): Promise<FakeGithub> {
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, FakeGithubAccount>();
  const fake = { account } as FakeGithub;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== CLIENT_ID || q.get('code_challenge_method') !== 'S256') return json(res, 400, {});
      const code = randomBytes(10).toString('hex');
      const redirectUri = q.get('redirect_uri') ?? '';
      codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri, used: false, account: fake.account });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const body = await form(req);
      const issued = codes.get(body.get('code') ?? '');
      const verifier = body.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const valid =
        issued &&
        !issued.used &&
        body.get('client_id') === CLIENT_ID &&
        body.get('client_secret') === CLIENT_SECRET &&
        body.get('redirect_uri') === issued.redirectUri &&
        challenge === issued.challenge;
      if (!valid) return json(res, 200, { error: 'bad_verification_code' });
      issued.used = true;
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, issued.account);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const owner = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!owner) return json(res, 401, { message: 'Bad credentials' });
    if (url.pathname === '/api/user') return json(res, 200, { id: owner.id, login: owner.login, name: null });
    if (url.pathname === '/api/user/emails') return json(res, 200, owner.emails);
    return json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.env = {
    GITHUB_CLIENT_ID: CLIENT_ID,
    GITHUB_CLIENT_SECRET: CLIENT_SECRET,
    GITHUB_AUTHORIZE_URL: `${base}/login/oauth/authorize`,
    GITHUB_TOKEN_URL: `${base}/login/oauth/access_token`,
    GITHUB_API_URL: `${base}/api`,
  };
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
