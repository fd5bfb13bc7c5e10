import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { trustProxySetting } from './trusted-proxies.ts';

/** A bare Fastify with our setting and one route that reports what it believes the client IP is. */
async function clientIpSeenBy(trusted: string[], remoteAddress: string, xff?: string): Promise<string> {
  const app = Fastify({ trustProxy: trustProxySetting(trusted) });
  app.get('/ip', async (request) => ({ ip: request.ip }));
  const res = await app.inject({
    method: 'GET',
    url: '/ip',
    remoteAddress,
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  });
  await app.close();
  return (res.json() as { ip: string }).ip;
}

// The ALB's subnets in the examples: two /20s as Terraform carves them from a /16.
const ALB_SUBNETS = ['10.0.0.0/20', '10.0.16.0/20'];

describe('trustProxySetting (client IP behind trusted proxies)', () => {
  it('trusts no proxy when the list is empty, so X-Forwarded-For is ignored', async () => {
    expect(trustProxySetting([])).toBe(false);
    expect(await clientIpSeenBy([], '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer outside the trusted ranges', async () => {
    expect(await clientIpSeenBy(ALB_SUBNETS, '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(await clientIpSeenBy(ALB_SUBNETS, '203.0.113.9', '10.0.0.5, 198.51.100.1')).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted address from a trusted peer, not the spoofable left-most one', async () => {
    // What the ALB sends in append mode: the client's own header, then the address it saw.
    expect(await clientIpSeenBy(ALB_SUBNETS, '10.0.3.7', '1.1.1.1, 198.51.100.23')).toBe('198.51.100.23');
    expect(await clientIpSeenBy(ALB_SUBNETS, '10.0.3.7', '198.51.100.23')).toBe('198.51.100.23');
  });

  it('walks past several trusted hops but stops at the first untrusted one', async () => {
    expect(await clientIpSeenBy(ALB_SUBNETS, '10.0.3.7', '9.9.9.9, 198.51.100.23, 10.0.17.1')).toBe('198.51.100.23');
  });

  it('falls back to the peer when a trusted peer sends no X-Forwarded-For', async () => {
    expect(await clientIpSeenBy(ALB_SUBNETS, '10.0.3.7')).toBe('10.0.3.7');
  });

  it('matches an IPv4-mapped IPv6 peer (a dual-stack socket) against IPv4 ranges', async () => {
    expect(await clientIpSeenBy(ALB_SUBNETS, '::ffff:10.0.3.7', '198.51.100.23')).toBe('198.51.100.23');
    expect(await clientIpSeenBy(ALB_SUBNETS, '::ffff:203.0.113.9', '198.51.100.23')).toBe('::ffff:203.0.113.9');
  });

  it('accepts IPv6 ranges and single addresses', async () => {
    expect(await clientIpSeenBy(['2001:db8::/64'], '2001:db8::7', '2001:db8:1::99')).toBe('2001:db8:1::99');
    expect(await clientIpSeenBy(['192.0.2.10'], '192.0.2.10', '198.51.100.4')).toBe('198.51.100.4');
    expect(await clientIpSeenBy(['192.0.2.10'], '192.0.2.11', '198.51.100.4')).toBe('192.0.2.11');
  });
});
