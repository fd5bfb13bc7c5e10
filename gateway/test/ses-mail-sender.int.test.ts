import { randomUUID } from 'node:crypto';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, inject, it } from 'vitest';
import { SesMailSender } from '../src/adapters/ses-mail-sender.ts';

/**
 * The SES v2 adapter against the emulator's SES v2 API: the real SDK request, accepted from a
 * verified identity and refused (as SES does) from any other. What is delivered cannot be read
 * back there; the request's shape is pinned in src/adapters/ses-mail-sender.test.ts.
 */
describe('SesMailSender against the emulator', () => {
  const client = new SESv2Client({ region: 'us-east-1', endpoint: inject('awsEndpoint') });

  it('sends from a verified identity', async () => {
    const identity = `sender-${randomUUID()}@example.com`;
    await client.send(new CreateEmailIdentityCommand({ EmailIdentity: identity }));
    const sender = new SesMailSender(client, identity);
    await expect(
      sender.send({ to: 'ada@example.com', subject: 'Verify your email', text: 'plain', html: '<p>rich</p>' }),
    ).resolves.toBeUndefined();
  });

  it('answers unavailable when SES refuses the sender', async () => {
    const sender = new SesMailSender(client, `unverified-${randomUUID()}@example.com`);
    await expect(sender.send({ to: 'ada@example.com', subject: 's', text: 't' })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
