import { AppError } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { InFlightPerUser } from './in-flight-per-user.ts';

describe('InFlightPerUser', () => {
  it('refuses the request beyond the cap as too_many_requests with Retry-After and the limit', () => {
    const limiter = new InFlightPerUser(2);
    limiter.enter('u1');
    limiter.enter('u1');
    let refusal: unknown;
    try {
      limiter.enter('u1');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      code: 'too_many_requests',
      retryAfterSeconds: 1,
      details: { limit: 'CHUNKS_IN_FLIGHT_PER_USER', max: 2 },
    });
    expect(limiter.inFlight('u1')).toBe(2);
  });

  it('counts each user apart: one at the cap does not limit another', () => {
    const limiter = new InFlightPerUser(1);
    limiter.enter('attacker');
    expect(() => limiter.enter('attacker')).toThrow(AppError);
    expect(() => limiter.enter('victim')).not.toThrow();
    expect({ total: limiter.total, users: limiter.users }).toEqual({ total: 2, users: 2 });
  });

  it('frees a place on release, once per request, and forgets idle users', () => {
    const limiter = new InFlightPerUser(1);
    const release = limiter.enter('u1');
    release();
    release();
    expect({ inFlight: limiter.inFlight('u1'), users: limiter.users }).toEqual({ inFlight: 0, users: 0 });
    const again = limiter.enter('u1');
    expect(() => limiter.enter('u1')).toThrow(AppError);
    again();
    expect(limiter.total).toBe(0);
  });
});
