import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createCallerTokenSigner,
  createDocumentClient,
  createLogger,
  createServiceMetrics,
  dynamoLoginSessionLookup,
  type Logger,
  resourceNames,
  SessionLiveness,
} from '@lfusys/commons';
import { createSessionsClient } from '@lfusys/proto/sessions-client';
import { Argon2PasswordHasher } from './adapters/argon2-password-hasher.ts';
import { DynamoIdentityRepository } from './adapters/dynamo-identity-repository.ts';
import { DynamoLoginAttemptCounter } from './adapters/dynamo-login-attempt-counter.ts';
import { DynamoRefreshTokenStore } from './adapters/dynamo-refresh-token-store.ts';
import { DynamoUserRepository } from './adapters/dynamo-user-repository.ts';
import { createAccessTokens } from './auth/access-tokens.ts';
import { loadSigningKeys } from './auth/signing-keys.ts';
import { createUploadTokens } from './auth/upload-tokens.ts';
import { createAccountMail } from './compose-account-mail.ts';
import type { GatewayConfig } from './config.ts';
import { AccountService } from './domain/account-service.ts';
import { AuthService } from './domain/auth-service.ts';
import { LoginAttemptLimiter } from './domain/login-attempt-limiter.ts';
import { LoginSessions } from './domain/login-sessions.ts';
import { ProviderAccounts } from './domain/provider-accounts.ts';
import type { GatewayDeps } from './http/app.ts';
import { ProviderRegistry } from './oidc/provider-registry.ts';
import { type Clock, systemClock } from './ports/clock.ts';

/** The login limit counts in fixed windows of this length (the config key names it: …_PER_15_MINUTES). */
const LOGIN_WINDOW_SECONDS = 15 * 60;

/**
 * The per-account login limit, counted in the refresh-tokens table so that every gateway instance
 * draws on one budget. Exported so tests can build it on a manual clock.
 */
export function createLoginAttemptLimiter(
  config: GatewayConfig,
  db: DynamoDBDocumentClient,
  clock: Clock,
): LoginAttemptLimiter {
  return new LoginAttemptLimiter({
    counter: new DynamoLoginAttemptCounter(db, resourceNames(config.RESOURCE_PREFIX).refreshTokensTable),
    clock,
    maxAttempts: config.RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_15_MINUTES,
    windowSeconds: LOGIN_WINDOW_SECONDS,
    secret: config.CSRF_SECRET,
  });
}

/** Wires real adapters from config: the composition shared by `main.ts` and integration tests. */
export async function createGatewayDeps(config: GatewayConfig, logger?: Logger): Promise<GatewayDeps> {
  const names = resourceNames(config.RESOURCE_PREFIX);
  const db = createDocumentClient({
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    socketTimeoutMs: config.AWS_SOCKET_TIMEOUT_MS,
  });
  const users = new DynamoUserRepository(db, names.usersTable);
  const tokens = new DynamoRefreshTokenStore(db, names.refreshTokensTable);
  const identities = new DynamoIdentityRepository(db, names.usersTable);
  const hasher = new Argon2PasswordHasher(
    {
      memoryKiB: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_TIME_COST,
      parallelism: config.ARGON2_PARALLELISM,
    },
    { maxConcurrent: config.ARGON2_MAX_CONCURRENT, maxQueue: config.ARGON2_MAX_QUEUE },
  );
  const clock = systemClock;
  const sessionLiveness = new SessionLiveness({
    lookup: dynamoLoginSessionLookup(db, names.refreshTokensTable),
    cacheMs: config.SESSION_LIVENESS_CACHE_MS,
  });
  const sessionsEnded = (familyIds: string[]) => sessionLiveness.markEnded(familyIds);
  const log = logger ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const { verification, passwordReset } = createAccountMail(config, db, {
    users,
    sessions: tokens,
    hasher,
    clock,
    sessionsEnded,
    logger: log,
  });
  const signingKeys = await loadSigningKeys(config.JWT_PRIVATE_KEYS);
  const sessions = createSessionsClient({
    address: config.SESSIONS_ADDRESS,
    sign: await createCallerTokenSigner('gateway', config.SESSIONS_CALLER_KEY),
    tlsCaPem: config.SESSIONS_TLS_CA_PEM,
    deadlineMs: config.SESSIONS_DEADLINE_MS,
  });
  const files = {
    async deleteAll(userId: string) {
      await sessions.deleteUserData({ userId }, { deadlineMs: config.SESSIONS_DEADLINE_MS * 10 });
    },
  };
  return {
    logger: log,
    auth: new AuthService({
      users,
      tokens,
      hasher,
      clock,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      sessionsEnded,
    }),
    accounts: new AccountService({
      users,
      tokens,
      hasher,
      clock,
      files,
      identities,
      sessionsEnded,
      onPasswordChanged: (user) => passwordReset.notifyPasswordChanged(user),
    }),
    identityProviders: ProviderRegistry.fromConfig(config),
    providerAccounts: new ProviderAccounts({ users, identities, clock }),
    loginSessions: new LoginSessions({ tokens, clock, sessionsEnded }),
    verification,
    passwordReset,
    sessionLiveness,
    loginAttempts: createLoginAttemptLimiter(config, db, clock),
    sessions,
    uploadTokens: createUploadTokens({
      keys: signingKeys,
      issuer: config.JWT_ISSUER,
      ttlSeconds: config.UPLOAD_TOKEN_TTL_SECONDS,
      clock,
    }),
    accessTokens: createAccessTokens({
      keys: signingKeys,
      issuer: config.JWT_ISSUER,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      clock,
    }),
    signingKeys,
    readiness: [
      {
        name: 'dynamodb',
        check: async (signal) => {
          await db.send(new DescribeTableCommand({ TableName: names.usersTable }), { abortSignal: signal });
        },
      },
      {
        name: 'sessions',
        check: async () => void (await sessions.listUploads({ userId: 'readiness-probe' }, { deadlineMs: 1000 })),
      },
    ],
    metrics: createServiceMetrics('gateway'),
  };
}
