import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateDevSecrets } from '@lfusys/commons/dev-secrets';
import { BUCKET_CORS_RULE, defineResources } from '@lfusys/commons/local-aws';
import { gatewayConfigSchema } from '@lfusys/gateway/config';
import { sessionsConfigSchema } from '@lfusys/sessions/config';
import { uploadsConfigSchema } from '@lfusys/uploads/config';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadCompose } from './support/compose.ts';
import { block, hcl, type Json, resourceBlocks, root, tfRef } from './support/hcl.ts';

/**
 * Terraform, docker compose and the code must describe the same system. The Go system this
 * replaces drifted in exactly these places; here a drift fails `make test`.
 */
// The code's own resource list, with Terraform's prefix expression as the prefix.
const spec = defineResources({ prefix: tfRef('var.prefix'), corsOrigins: [] });

const SERVICES = {
  gateway: gatewayConfigSchema,
  sessions: sessionsConfigSchema,
  uploads: uploadsConfigSchema,
} as const;
type Service = keyof typeof SERVICES;

/** Keys a service refuses to start without (no default, not optional). */
function requiredKeys(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key);
}

describe('DynamoDB tables: Terraform = the local bootstrap', async () => {
  const data = await hcl('modules/data/main.tf');
  const tables = resourceBlocks(data, 'aws_dynamodb_table');

  it('has exactly the tables the code uses', () => {
    expect(tables.map((t) => t.name).sort()).toEqual(spec.tables.map((t) => t.name).sort());
  });

  for (const table of spec.tables) {
    it(`${table.name}: keys, attribute types, indexes, TTL, billing, recovery, encryption`, () => {
      const tf = tables.find((t) => t.name === table.name) ?? {};
      expect(tf.hash_key).toBe(table.partitionKey.name);
      expect(tf.range_key).toBe(table.sortKey?.name);
      const attributes = Object.fromEntries((tf.attribute as Json[]).map((a) => [a.name, a.type]));
      const keyAttributes = [
        table.partitionKey,
        table.sortKey,
        ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
      ];
      for (const attribute of keyAttributes) if (attribute) expect(attributes[attribute.name]).toBe(attribute.type);
      // DynamoDB rejects attribute definitions that no key uses.
      expect(Object.keys(attributes).sort()).toEqual(
        [...new Set(keyAttributes.flatMap((a) => (a ? [a.name] : [])))].sort(),
      );
      const indexes = ((tf.global_secondary_index ?? []) as Json[]).map((i) => ({
        name: i.name,
        hash: i.hash_key,
        range: i.range_key,
        projection: i.projection_type,
      }));
      expect(indexes.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        table.indexes
          .map((i) => ({ name: i.name, hash: i.partitionKey.name, range: i.sortKey?.name, projection: i.projection }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
      if (table.ttlAttribute) expect(tf.ttl?.[0]).toMatchObject({ attribute_name: table.ttlAttribute, enabled: true });
      else expect(tf.ttl).toBeUndefined();
      expect(tf.billing_mode).toBe('PAY_PER_REQUEST');
      expect(tf.point_in_time_recovery?.[0]?.enabled).toBe(true);
      expect(tf.server_side_encryption?.[0]?.enabled).toBe(true);
      expect(tf.deletion_protection_enabled).toBe(tfRef('var.deletion_protection'));
    });
  }
});

describe('the assembly queue', async () => {
  const queues = await hcl('modules/queues/main.tf');
  const main = block(queues, 'aws_sqs_queue', 'assembly');
  const dlq = block(queues, 'aws_sqs_queue', 'assembly_dlq');

  it('is FIFO with a FIFO dead-letter queue after the same receive count as the code', () => {
    expect(main.name).toBe(spec.assemblyQueue.name);
    expect(dlq.name).toBe(spec.assemblyQueue.dlqName);
    expect(main.fifo_queue).toBe(true);
    expect(dlq.fifo_queue).toBe(true);
    expect(main.redrive_policy).toContain('aws_sqs_queue.assembly_dlq.arn');
    expect(main.redrive_policy).toMatch(new RegExp(`maxReceiveCount\\s*=\\s*${spec.assemblyQueue.maxReceiveCount}\\b`));
    expect(main.sqs_managed_sse_enabled).toBe(true);
    expect(dlq.sqs_managed_sse_enabled).toBe(true);
  });

  it('hides a message at least as long as the assembler expects', async () => {
    const variables = await hcl('modules/queues/variables.tf');
    const visibility = variables.variable?.visibility_timeout_seconds?.[0];
    expect(main.visibility_timeout_seconds).toBe(tfRef('var.visibility_timeout_seconds'));
    expect(visibility?.default).toBeGreaterThanOrEqual(spec.assemblyQueue.visibilityTimeoutSeconds);
  });
});

describe('the object bucket', async () => {
  const storage = await hcl('modules/storage/main.tf');

  it('is named like the code, blocks public access, encrypts, enforces ownership', () => {
    expect(block(storage, 'aws_s3_bucket', 'objects').bucket).toBe(spec.bucket.name);
    const [publicAccess] = resourceBlocks(storage, 'aws_s3_bucket_public_access_block');
    expect(publicAccess).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resourceBlocks(storage, 'aws_s3_bucket_server_side_encryption_configuration')).toHaveLength(1);
    const [ownership] = resourceBlocks(storage, 'aws_s3_bucket_ownership_controls');
    expect(ownership?.rule?.[0]?.object_ownership).toBe('BucketOwnerEnforced');
  });

  it('aborts abandoned multipart uploads like the local bucket', () => {
    const [lifecycle] = resourceBlocks(storage, 'aws_s3_bucket_lifecycle_configuration');
    const abort = ((lifecycle?.rule ?? []) as Json[]).flatMap((r) => r.abort_incomplete_multipart_upload ?? []);
    expect(abort[0]?.days_after_initiation).toBe(spec.bucket.abortIncompleteMultipartDays);
  });
});

describe('bucket CORS: Terraform = the local bootstrap = docker compose, for the app origin only', async () => {
  const storage = await hcl('modules/storage/main.tf');
  const stack = await hcl('modules/stack/main.tf');
  const compose = loadCompose();
  const sorted = (values: readonly string[]) => [...values].map((v) => v.toLowerCase()).sort();

  it('the bootstrap applies the one rule of resources.ts (the list direct part PUTs need)', () => {
    expect(spec.bucket.cors).toBe(BUCKET_CORS_RULE);
    // A presigned UploadPart signs x-amz-checksum-sha256: the browser must be allowed to send it.
    expect(BUCKET_CORS_RULE.allowedHeaders).toContain('x-amz-checksum-sha256');
    expect(BUCKET_CORS_RULE.methods).toContain('PUT');
    expect(BUCKET_CORS_RULE.exposeHeaders).toContain('ETag');
    const bootstrap = readFileSync(join(root, 'commons/src/local-aws/bootstrap.ts'), 'utf8');
    for (const field of ['methods', 'allowedHeaders', 'exposeHeaders', 'maxAgeSeconds'])
      expect(bootstrap, `bootstrap applies bucket.cors.${field}`).toContain(`bucket.cors.${field}`);
  });

  it('Terraform has exactly that rule, for var.app_origins', () => {
    const [cors] = resourceBlocks(storage, 'aws_s3_bucket_cors_configuration');
    const rules = (cors?.cors_rule ?? []) as Json[];
    expect(rules).toHaveLength(1);
    const [rule] = rules as [Json];
    expect(rule.allowed_origins).toBe(tfRef('var.app_origins'));
    expect(sorted(rule.allowed_methods)).toEqual(sorted(BUCKET_CORS_RULE.methods));
    expect(sorted(rule.allowed_headers)).toEqual(sorted(BUCKET_CORS_RULE.allowedHeaders));
    expect(sorted(rule.expose_headers)).toEqual(sorted(BUCKET_CORS_RULE.exposeHeaders));
    expect(rule.max_age_seconds).toBe(BUCKET_CORS_RULE.maxAgeSeconds);
  });

  it("Terraform's app origin is the gateway's PUBLIC_ORIGIN", () => {
    expect(stack.module?.storage?.[0]?.app_origins).toEqual([tfRef('local.app_origin')]);
    expect(stack.module?.gateway?.[0]?.environment?.PUBLIC_ORIGIN).toBe(tfRef('local.app_origin'));
  });

  it("compose's bootstrap runs that same code for the gateway's origins", () => {
    const bootstrap = compose.services.bootstrap;
    expect(bootstrap?.build).toMatchObject({ dockerfile: 'sessions/Dockerfile', target: 'bootstrap' });
    const dockerfile = readFileSync(join(root, 'sessions/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/bundle-service\.mjs bootstrap/);
    expect(readFileSync(join(root, 'scripts/bootstrap.ts'), 'utf8')).toMatch(
      /bootstrapPrefix\(prefix, endpoint, origins\)/,
    );
    const gateway = compose.services.gateway?.environment ?? {};
    const origins = new Set((bootstrap?.environment?.CORS_ORIGINS ?? '').split(','));
    expect(origins).toEqual(new Set([gateway.PUBLIC_ORIGIN, ...gateway.CORS_ORIGINS.split(',')]));
  });
});

describe('storage origin: the CSP allows the host of the presigned part URLs', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const storageOutputs = await hcl('modules/storage/outputs.tf');
  const compose = loadCompose();

  it("Terraform gives the gateway the bucket's regional virtual-hosted origin (where the SDK signs in AWS)", () => {
    expect(stack.module?.gateway?.[0]?.environment?.STORAGE_ORIGIN).toBe(tfRef('module.storage.bucket_origin'));
    expect(storageOutputs.output?.bucket_origin?.[0]?.value).toBe(
      `https://${tfRef('aws_s3_bucket.objects.bucket_regional_domain_name')}`,
    );
  });

  it('compose gives the gateway the origin of the endpoint sessions presigns on, and it is valid config', () => {
    const gateway = compose.services.gateway?.environment ?? {};
    const sessions = compose.services.sessions?.environment ?? {};
    const signedOn = sessions.S3_PUBLIC_ENDPOINT_URL ?? sessions.AWS_ENDPOINT_URL ?? '';
    expect(gateway.STORAGE_ORIGIN).toBe(new URL(signedOn).origin);
    expect(gatewayConfigSchema.shape.STORAGE_ORIGIN.safeParse(gateway.STORAGE_ORIGIN).success).toBe(true);
  });
});

describe('service configuration: every key a service requires is set, and only keys it knows', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const compose = loadCompose();
  // Read by the AWS SDK or Node itself, not by our schemas.
  const PLATFORM = new Set([
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    'NODE_ENV',
  ]);

  const secretNames = Object.keys(await generateDevSecrets());

  for (const [service, schema] of Object.entries(SERVICES) as Array<[Service, z.ZodObject]>) {
    const known = new Set(Object.keys(schema.shape));
    const required = requiredKeys(schema);

    it(`Terraform sets ${service}'s required keys (${required.join(', ') || 'none'}) and no unknown key`, () => {
      const module = stack.module?.[service]?.[0] as Json | undefined;
      expect(module, `module "${service}" in modules/stack/main.tf`).toBeDefined();
      const keys = [...Object.keys(module?.environment ?? {}), ...Object.keys(module?.secrets ?? {})];
      // A key the service reads from the secret its `<KEY>_SECRET_ID` names counts as set.
      const provided = [...keys, ...keys.filter((k) => k.endsWith('_SECRET_ID')).map((k) => k.slice(0, -10))];
      for (const key of required) expect(provided, `${service} needs ${key}`).toContain(key);
      for (const key of keys) expect(known.has(key), `${service} does not read ${key}`).toBe(true);
      expect(keys).toContain('RESOURCE_PREFIX');
      // In AWS the SDK finds the real endpoints itself.
      expect(keys).not.toContain('AWS_ENDPOINT_URL');
    });

    it(`docker compose sets ${service}'s required keys and no unknown key`, () => {
      const names = Object.keys(compose.services).filter((name) => name === service || name.startsWith(`${service}-`));
      expect(names.length, `a compose service for ${service}`).toBeGreaterThan(0);
      for (const name of names) {
        const service = compose.services[name] ?? {};
        // A service whose entrypoint sources the keys file gets the secrets of dev-secrets.ts too
        // (infra/test/compose.test.ts runs that entrypoint); it ignores those it does not read.
        const sourced = service.volumes?.includes('keys:/keys:ro') ? [...secretNames] : [];
        // …and the caller key its entrypoint picks from them (compose.test.ts checks which).
        if (String(service.entrypoint?.[2] ?? '').includes('SESSIONS_CALLER_KEY=')) sourced.push('SESSIONS_CALLER_KEY');
        const keys = Object.keys(service.environment ?? {});
        for (const key of [...required, 'AWS_ENDPOINT_URL', 'RESOURCE_PREFIX'])
          expect([...keys, ...sourced], `${name}: ${key}`).toContain(key);
        for (const key of keys) expect(known.has(key) || PLATFORM.has(key), `${name} sets unknown ${key}`).toBe(true);
      }
    });
  }

  it('sessions hides assembly messages as long as the queue does', () => {
    const env = ((stack.module?.sessions?.[0] as Json | undefined)?.environment ?? {}) as Json;
    expect(String(env.ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS)).toMatch(/visibility_timeout_seconds/);
  });
});

describe('direct transfer settings: Terraform and compose give sessions values it accepts', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const variables = await hcl('modules/stack/variables.tf');
  const compose = loadCompose();
  const shape = sessionsConfigSchema.shape as Record<string, z.ZodType | undefined>;
  const KEYS = {
    UPLOAD_TRANSFER_DEFAULT: 'upload_transfer_default',
    DIRECT_TRANSFER_ENABLED: 'direct_transfer_enabled',
    PART_URL_TTL_SECONDS: 'part_url_ttl_seconds',
  } as const;

  for (const [key, variable] of Object.entries(KEYS)) {
    it(`${key}: Terraform passes var.${variable}, whose default sessions accepts, and so is compose's value`, () => {
      const field = shape[key];
      expect(field, `sessions reads ${key}`).toBeDefined();
      const env = stack.module?.sessions?.[0]?.environment ?? {};
      expect(String(env[key])).toContain(`var.${variable}`);
      const fallback = variables.variable?.[variable]?.[0]?.default;
      // A null default leaves the choice to Terraform's fallback expression or to sessions' own default.
      const value = fallback === null ? undefined : String(fallback);
      expect(field?.safeParse(value).success, `default ${fallback}`).toBe(true);
      const composed = compose.services.sessions?.environment?.[key];
      expect(field?.safeParse(composed).success, `compose ${composed}`).toBe(true);
    });
  }

  it('Terraform lets no part URL live longer than sessions allows (15 minutes)', () => {
    const validation = variables.variable?.part_url_ttl_seconds?.[0]?.validation?.[0]?.condition as string;
    const max = Number(/part_url_ttl_seconds\s*<=\s*(\d+)/.exec(validation)?.[1]);
    expect(max).toBe(900);
    expect(shape.PART_URL_TTL_SECONDS?.safeParse(String(max)).success).toBe(true);
    expect(shape.PART_URL_TTL_SECONDS?.safeParse(String(max + 1)).success).toBe(false);
  });
});

/** Terraform's `cidrsubnet(prefix, newbits, netnum)` for IPv4, to compute what the network module carves. */
function cidrsubnet(prefix: string, newbits: number, netnum: number): string {
  const [address = '', bits = ''] = prefix.split('/');
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const length = Number(bits) + newbits;
  const start = base + netnum * 2 ** (32 - length);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${length}`;
}

describe('client IP: the gateway trusts X-Forwarded-For from the load balancer only', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const network = await hcl('modules/network/main.tf');
  const networkOutputs = await hcl('modules/network/outputs.tf');
  const edge = await hcl('modules/edge/main.tf');
  const gatewayEnv = ((stack.module?.gateway?.[0] as Json | undefined)?.environment ?? {}) as Json;

  it("passes the CIDRs of the ALB's own subnets as TRUSTED_PROXY_CIDRS", () => {
    expect(gatewayEnv.TRUSTED_PROXY_CIDRS).toBe(tfRef('join(",", module.network.public_subnet_cidrs)'));
    expect(networkOutputs.output?.public_subnet_cidrs?.[0]?.value).toBe(tfRef('aws_subnet.public[*].cidr_block'));
    // …and those are the subnets the ALB lives in.
    expect(stack.module?.edge?.[0]?.public_subnet_ids).toBe(tfRef('module.network.public_subnet_ids'));
    expect(block(edge, 'aws_lb', 'this').subnets).toBe(tfRef('var.public_subnet_ids'));
  });

  it('the value Terraform computes for each environment is valid gateway config', async () => {
    expect(block(network, 'aws_subnet', 'public').cidr_block).toBe(tfRef('cidrsubnet(var.vpc_cidr, 4, count.index)'));
    for (const env of ['dev', 'prod']) {
      const vpcCidr = (await hcl(`envs/${env}/main.tf`)).module?.stack?.[0]?.vpc_cidr as string;
      const value = [0, 1].map((i) => cidrsubnet(vpcCidr, 4, i)).join(',');
      const parsed = gatewayConfigSchema.shape.TRUSTED_PROXY_CIDRS.safeParse(value);
      expect(parsed.success, `${env}: ${value}`).toBe(true);
      expect(parsed.data).toHaveLength(2);
    }
  });

  it('makes the ALB append the address it saw, explicitly', () => {
    expect(block(edge, 'aws_lb', 'this').xff_header_processing_mode).toBe('append');
  });
});

/** SDK commands → the IAM actions they need (TransactWrite needs the per-item actions it carries). */
const ACTIONS: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  QueryCommand: ['dynamodb:Query'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  DescribeTableCommand: ['dynamodb:DescribeTable'],
  TransactWriteCommand: [],
  CreateMultipartUploadCommand: ['s3:PutObject'],
  // Also what a presigned UploadPart URL needs: it acts with the signer's rights.
  UploadPartCommand: ['s3:PutObject'],
  CompleteMultipartUploadCommand: ['s3:PutObject'],
  AbortMultipartUploadCommand: ['s3:AbortMultipartUpload'],
  ListMultipartUploadsCommand: ['s3:ListBucketMultipartUploads'],
  ListPartsCommand: ['s3:ListMultipartUploadParts'],
  // Without s3:ListBucket a missing key answers 403, not 404 (HeadObject/GetObject "Permissions").
  HeadObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  GetObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  DeleteObjectCommand: ['s3:DeleteObject'],
  SendMessageCommand: ['sqs:SendMessage'],
  ReceiveMessageCommand: ['sqs:ReceiveMessage'],
  DeleteMessageCommand: ['sqs:DeleteMessage'],
  ChangeMessageVisibilityCommand: ['sqs:ChangeMessageVisibility'],
  GetQueueUrlCommand: ['sqs:GetQueueUrl'],
  SendEmailCommand: ['ses:SendEmail'],
  GetSecretValueCommand: ['secretsmanager:GetSecretValue'],
  PutSecretValueCommand: ['secretsmanager:PutSecretValue'],
};
/** commons/src/aws/dynamo-pages.ts: the SDK's paginators behind these send Query / Scan commands. */
const PAGED_CALLS: Record<string, string> = { 'queryAll(': 'dynamodb:Query', 'scanAll(': 'dynamodb:Scan' };
const TRANSACT_ITEMS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** What a service's code actually calls: its own sources plus the shared adapters it uses. */
function actionsCalledBy(service: Service): Set<string> {
  const files = sourceFiles(join(root, service, 'src'));
  const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  if (text.includes('SqsAssemblyQueue')) files.push(join(root, 'commons/src/aws/sqs-assembly-queue.ts'));
  if (text.includes('dynamoLoginSessionLookup')) files.push(join(root, 'commons/src/aws/dynamo-login-sessions.ts'));
  // Keys read, made and published at start (commons/src/secrets/key-sources.ts, service-keys.ts).
  if (/keyProvisioning|SecretsManagerSecretStore/.test(text))
    files.push(join(root, 'commons/src/secrets/secrets-manager-secret-store.ts'));
  const actions = new Set<string>();
  let transacts = false;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const [, command] of source.matchAll(/new ([A-Z][A-Za-z]+Command)\(/g)) {
      const mapped = ACTIONS[command as string];
      if (!mapped) throw new Error(`${relative(root, file)} calls ${command}: map it to IAM actions in this test`);
      for (const action of mapped) actions.add(action);
      if (command === 'TransactWriteCommand') transacts = true;
    }
    for (const [call, action] of Object.entries(PAGED_CALLS)) if (source.includes(call)) actions.add(action);
  }
  // Transaction items may be built in another file than the one that sends them
  // (sessions' dynamo-upload-transactions.ts), so every file of a transacting service counts.
  if (transacts) {
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const [item, action] of Object.entries(TRANSACT_ITEMS)) {
      if (new RegExp(`\\b${item}: \\{`).test(text)) actions.add(action);
    }
  }
  return actions;
}

describe('IAM: each task role grants exactly what its code calls', async () => {
  const iam = await hcl('modules/iam/main.tf');
  for (const service of Object.keys(SERVICES) as Service[]) {
    it(`${service}`, () => {
      const document = block(iam, 'aws_iam_policy_document', service);
      const statements = (document.statement ?? []) as Json[];
      expect(document.dynamic).toBeUndefined();
      const granted = new Set(statements.flatMap((s) => s.actions as string[]));
      expect([...granted].sort()).toEqual([...actionsCalledBy(service)].sort());
      for (const statement of statements) {
        for (const action of statement.actions as string[]) expect(action).not.toContain('*');
        for (const resource of statement.resources as string[]) expect(resource).not.toBe('*');
      }
    });
  }
});

describe('environments reuse one composition', () => {
  for (const env of ['dev', 'prod']) {
    it(`envs/${env} only configures modules/stack, pins versions and keeps remote state`, async () => {
      const main = await hcl(`envs/${env}/main.tf`);
      expect(main.resource).toBeUndefined();
      expect(Object.values(main.module ?? {}).map((m) => (m as Json[])[0]?.source)).toEqual(['../../modules/stack']);
      const versions = await hcl(`envs/${env}/versions.tf`);
      expect(versions.terraform?.[0]?.required_version).toBeTruthy();
      expect(versions.terraform?.[0]?.required_providers?.[0]?.aws?.version).toMatch(/\d/);
      const backend = await hcl(`envs/${env}/backend.tf`);
      expect(backend.terraform?.[0]?.backend?.s3).toBeDefined();
    });
  }
});
