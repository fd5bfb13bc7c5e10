import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** A client the dev provider accepts: the gateway, with its callback URL registered exactly. */
export interface DevClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface DevIdentityProviderOptions {
  clients: DevClient[];
  /** 0 (the default) picks a free port. Loopback only, always. */
  port?: number;
  /** Whether the provider calls an address verified; default every one (tests make some unverified). */
  emailVerified?: (email: string) => boolean;
  /**
   * Where the email goes: in the ID token as Google puts it (the default), or, `userinfoOnly`, only
   * at the userinfo endpoint as some issuers do (OIDC Core §5.4), so a client must ask there.
   */
  emailClaims?: 'idToken' | 'userinfoOnly';
}

export interface RunningDevIdentityProvider {
  /** The issuer (`http://127.0.0.1:<port>`): its discovery document is at `/.well-known/openid-configuration`. */
  issuer: string;
  close(): Promise<void>;
}

/** The account behind an email: the subject is a hash of it, stable across restarts. */
function subjectOf(email: string): string {
  return `dev-${createHash('sha256').update(email).digest('hex').slice(0, 32)}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(uid: string, clientId: string): string {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;box-sizing:border-box}input,button{padding:.5rem;margin:.25rem 0 1rem}</style>
</head><body><h1>Dev sign-in</h1>
<p>The local identity provider of <code>make dev</code>: no password, whichever email you type signs in to
<code>${escapeHtml(clientId)}</code>.</p>
<form method="post" action="${action}"><label for="email">Email</label>
<input id="email" name="email" type="email" required autofocus autocomplete="email">
<button type="submit">Continue</button></form>
<form method="post" action="${action}/abort"><button type="submit">Cancel</button></form>
</body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The local identity provider for `make dev` and the tests: a real, configured OpenID Connect
 * provider (panva/oidc-provider: discovery, authorization code + PKCE, signed ID tokens,
 * single-use codes) whose only custom part is its sign-in page, an Email field and a Continue button.
 */
export async function startDevIdentityProvider(
  options: DevIdentityProviderOptions,
): Promise<RunningDevIdentityProvider> {
  const emailVerified = options.emailVerified ?? (() => true);
  const emails = new Map<string, string>();
  let provider: Provider | undefined;

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string): Promise<void> {
    if (!provider) throw new Error('not started');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'GET' && action === '') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(uid, String(details.params.client_id)));
      return;
    }
    if (req.method === 'POST' && action === '/abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'sign-in cancelled' });
      return;
    }
    if (req.method === 'POST' && action === '') {
      const email = (await formBody(req)).get('email')?.trim().toLowerCase() ?? '';
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('an email is required');
        return;
      }
      const accountId = subjectOf(email);
      emails.set(accountId, email);
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(405).end();
  }

  const server = createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/abort)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match?.[1]) {
      provider?.callback()(req, res);
      return;
    }
    interaction(req, res, match[1], match[2] ?? '').catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('this sign-in expired; start again from the app');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'dev' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    // Short lives: a sign-in takes seconds, and the gateway keeps nothing of the provider's tokens.
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // false: the scope's claims go in the ID token too, as Google does.
    conformIdTokenClaims: options.emailClaims === 'userinfoOnly',
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, i) => `/interaction/${i.uid}` },
    // Our own client needs no consent screen: every requested scope is granted.
    async loadExistingGrant(ctx) {
      const { provider: op, session, client } = ctx.oidc;
      if (!session?.accountId || !client) return undefined;
      const grant = new op.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, sub) {
      const email = emails.get(sub);
      if (!email) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email, email_verified: emailVerified(email), name: email.split('@')[0] }),
      };
    },
  };
  provider = new Provider(issuer, configuration);
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
