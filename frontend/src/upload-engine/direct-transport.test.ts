import { describe, expect, it } from 'vitest';
import { gate, ManualClock, settle, until } from '../../test/support/clock.ts';
import { FakeServer } from '../../test/support/fake-server.ts';
import { patternBytes } from '../../test/support/sources.ts';
import type { ChunkToSend } from './chunk-transport.ts';
import { CONFIRM_BATCH, CONFIRM_HOLD_MS, DirectTransport, URL_EXPIRY_MARGIN_MS } from './direct-transport.ts';
import { subtleHasher } from './sha256.ts';

const CHUNK = 4;

function setup(size: number) {
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const server = new FakeServer(clock);
  server.chunkSize = CHUNK;
  server.transfer = 'direct';
  const upload = server.createUpload({ fileName: 'a.bin', size });
  const transport = new DirectTransport({ server, clock }, upload.uploadId);
  const bytes = patternBytes(size);
  const chunk = async (index: number, signal = new AbortController().signal): Promise<ChunkToSend> => {
    const body = new Blob([bytes.slice(index * CHUNK, (index + 1) * CHUNK)]);
    return { index, body, sha256: await subtleHasher.sha256(body), signal, onProgress: () => undefined };
  };
  return { clock, server, upload, transport, chunk };
}

describe('DirectTransport', () => {
  it('signs the chunks leaving together in one batch, PUTs each with exactly the signed headers, then confirms', async () => {
    const { server, upload, transport, chunk } = setup(3 * CHUNK);
    const chunks = await Promise.all([0, 1, 2].map((index) => chunk(index)));
    const answers = await Promise.all(chunks.map((c) => transport.send(c)));

    expect(server.apiCallsOf('sign').map((call) => call.indexes)).toEqual([[0, 1, 2]]);
    for (const [index, call] of server.calls.entries()) {
      expect(call).toMatchObject({ mode: 'direct', index, sha256: chunks[index]?.sha256 });
      expect(call.headers).toEqual({ 'x-amz-checksum-sha256': chunks[index]?.sha256 });
      expect(new URL(call.url).searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-checksum-sha256');
    }
    expect(
      server
        .apiCallsOf('confirm')
        .flatMap((call) => call.indexes)
        .sort(),
    ).toEqual([0, 1, 2]);
    // The parts of the confirmation that completed the set say so; those of earlier ones do not.
    const last = server.apiCallsOf('confirm').at(-1)?.indexes ?? [];
    expect(answers.map((a, index) => a.complete === last.includes(index))).toEqual([true, true, true]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect([...upload.received.keys()].sort()).toEqual([0, 1, 2]);
  });

  it('asks at most 100 parts per request', async () => {
    const { server, transport, chunk } = setup(150 * CHUNK);
    const chunks = await Promise.all(Array.from({ length: 150 }, (_, index) => chunk(index)));
    await Promise.all(chunks.map((c) => transport.send(c)));
    expect(server.apiCallsOf('sign').map((call) => call.indexes?.length)).toEqual([100, 50]);
    for (const call of server.apiCallsOf('confirm')) expect(call.indexes?.length).toBeLessThanOrEqual(100);
    expect(server.only().status).toBe('assembling');
  });

  it('confirms the parts that finish while a confirmation is in flight together in the next one', async () => {
    const { server, transport, chunk } = setup(3 * CHUNK);
    const held = gate();
    let confirms = 0;
    server.beforeApi = (call) => (call.op === 'confirm' && ++confirms === 1 ? held.wait : undefined);
    const first = transport.send(await chunk(0));
    await until(() => confirms === 1, 'first confirmation');
    const rest = [transport.send(await chunk(1)), transport.send(await chunk(2))];
    await until(() => server.calls.filter((c) => c.settled).length === 3, 'all stored');
    await settle();
    held.open();
    await Promise.all([first, ...rest]);
    expect(server.apiCallsOf('confirm').map((call) => call.indexes)).toEqual([[0], [1, 2]]);
  });

  it('holds confirmations while other parts are being PUT until CONFIRM_BATCH can go together', async () => {
    const { server, transport, chunk } = setup(10 * CHUNK);
    server.onChunk = () => 'hold';
    const sends = (await Promise.all(Array.from({ length: 10 }, (_, index) => chunk(index)))).map((c) =>
      transport.send(c),
    );
    await until(() => server.open.length === 10, 'ten PUTs open');
    const store = async (index: number) => {
      server.open.find((call) => call.index === index)?.respond();
      await settle();
    };
    const confirmed = () => server.apiCallsOf('confirm').map((call) => [...(call.indexes ?? [])].sort((a, b) => a - b));
    for (let index = 0; index < CONFIRM_BATCH - 1; index++) await store(index);
    // Seven parts stored while three are still being PUT: no confirmation yet.
    expect(confirmed()).toEqual([]);
    await store(7);
    expect(confirmed()).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
    await store(8);
    expect(confirmed()).toHaveLength(1);
    // The last PUT ends: nothing more can join, what waits leaves.
    await store(9);
    await Promise.all(sends);
    expect(confirmed()).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('once every chunk is out, holds what is stored until the last PUT ends, however many: one request', async () => {
    const { server, transport, chunk } = setup(10 * CHUNK);
    server.onChunk = () => 'hold';
    const sends = (await Promise.all(Array.from({ length: 10 }, (_, index) => chunk(index)))).map((c) =>
      transport.send({ ...c, lastOut: c.index === 9 }),
    );
    await until(() => server.open.length === 10, 'ten PUTs open');
    for (let index = 0; index < 9; index++) {
      server.open.find((call) => call.index === index)?.respond();
      await settle();
    }
    // Nine stored (more than CONFIRM_BATCH) while the last is being PUT: they wait for it.
    expect(server.apiCallsOf('confirm')).toEqual([]);
    server.open.find((call) => call.index === 9)?.respond();
    await Promise.all(sends);
    expect(server.apiCallsOf('confirm').map((call) => [...(call.indexes ?? [])].sort((a, b) => a - b))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ]);
  });

  it('sends held confirmations after CONFIRM_HOLD_MS even while a PUT hangs (manual clock)', async () => {
    const { clock, server, transport, chunk } = setup(3 * CHUNK);
    server.onChunk = (call) => (call.index === 2 ? 'hold' : undefined);
    const [zero, one, two] = await Promise.all([0, 1, 2].map((index) => chunk(index)));
    if (!zero || !one || !two) throw new Error('no chunks');
    void transport.send(two);
    const sends = [transport.send(zero), transport.send(one)];
    await until(() => server.calls.filter((call) => call.settled).length === 2, 'two parts stored');
    await settle();
    expect(server.apiCallsOf('confirm')).toEqual([]);
    await clock.advance(CONFIRM_HOLD_MS);
    await Promise.all(sends);
    expect(server.apiCallsOf('confirm').map((call) => [...(call.indexes ?? [])].sort())).toEqual([[0, 1]]);
  });

  it('tells the engine when storage holds the bytes, before the confirmation', async () => {
    const { server, transport, chunk } = setup(CHUNK);
    const held = gate();
    server.beforeApi = (call) => (call.op === 'confirm' ? held.wait : undefined);
    let stored = false;
    const sent = transport.send({ ...(await chunk(0)), onStored: () => (stored = true) });
    await until(() => stored, 'stored');
    expect(server.apiCallsOf('confirm')).toHaveLength(1);
    held.open();
    expect((await sent).status).toBe(200);
  });

  it('signs again when storage answers 403, once: a second 403 is the answer', async () => {
    const { server, transport, chunk } = setup(2 * CHUNK);
    server.onChunk = (call) => (call.index === 0 && call.attempt === 1 ? { status: 403 } : undefined);
    expect(await transport.send(await chunk(0))).toEqual({ status: 200, complete: false });
    expect(server.apiCallsOf('sign').map((call) => call.indexes)).toEqual([[0], [0]]);
    expect(new URL(server.callsFor(0)[1]?.url ?? '').searchParams.get('sig')).not.toBe(
      new URL(server.callsFor(0)[0]?.url ?? '').searchParams.get('sig'),
    );

    server.onChunk = (call) => (call.index === 1 ? { status: 403 } : undefined);
    expect(await transport.send(await chunk(1))).toEqual({ status: 403 });
    expect(server.callsFor(1)).toHaveLength(2);
    expect(server.apiCallsOf('confirm').map((call) => call.indexes)).toEqual([[0]]);
  });

  it('reuses a fresh URL, and signs again before use once it is near its expiry (manual clock)', async () => {
    const { clock, server, transport, chunk } = setup(2 * CHUNK);
    server.onChunk = (call) => (call.attempt <= 2 ? { status: 503 } : undefined);
    const c = await chunk(0);
    expect(await transport.send(c)).toEqual({ status: 503 });
    await clock.advance(server.partUrlTtlMs - URL_EXPIRY_MARGIN_MS - 1);
    expect(await transport.send(c)).toEqual({ status: 503 });
    expect(server.apiCallsOf('sign')).toHaveLength(1);
    await clock.advance(1);
    expect(await transport.send(c)).toEqual({ status: 200, complete: false });
    expect(server.apiCallsOf('sign')).toHaveLength(2);
    // The URL storage accepted was the fresh one.
    const [first, , last] = server.callsFor(0).map((call) => new URL(call.url).searchParams.get('sig'));
    expect(last).not.toBe(first);
  });

  it('a storage 200 whose confirmation got no answer is only confirmed on the next attempt, not PUT again', async () => {
    const { server, transport, chunk } = setup(2 * CHUNK);
    let confirms = 0;
    server.beforeApi = (call) =>
      call.op === 'confirm' && ++confirms === 1 ? new TypeError('Failed to fetch') : undefined;
    const c = await chunk(0);
    await expect(transport.send(c)).rejects.toThrow('Failed to fetch');
    expect(await transport.send(c)).toEqual({ status: 200, complete: false });
    expect(server.callsFor(0)).toHaveLength(1);
    expect(server.apiCallsOf('confirm')).toHaveLength(2);
  });

  it('a confirmation refused with 409 `aborted` answers 409 for the part, and its next attempt PUTs it again', async () => {
    const { server, upload, transport, chunk } = setup(2 * CHUNK);
    let lost = false;
    server.beforeApi = (call) => {
      if (call.op === 'confirm' && !lost) {
        lost = true;
        upload.stored.delete(0);
      }
      return undefined;
    };
    const c = await chunk(0);
    expect(await transport.send(c)).toMatchObject({ status: 409, code: 'aborted' });
    expect(upload.received.size).toBe(0);
    expect(await transport.send(c)).toEqual({ status: 200, complete: false });
    expect(server.callsFor(0)).toHaveLength(2);
  });

  it('maps API refusals to statuses (404 gone, 409 not uploading) and stops at once when aborted', async () => {
    const { server, upload, transport, chunk } = setup(2 * CHUNK);
    const held = gate();
    server.beforeApi = (call) => (call.op === 'sign' ? held.wait : undefined);
    const controller = new AbortController();
    const waiting = transport.send(await chunk(0, controller.signal));
    await until(() => server.apiCalls.length === 1, 'signing');
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    held.open();
    await settle();
    expect(server.calls).toEqual([]);

    server.beforeApi = () => undefined;
    upload.status = 'cancelled';
    expect(await transport.send(await chunk(1))).toMatchObject({ status: 409, code: 'failed_precondition' });
    server.uploads.delete(upload.uploadId);
    expect(await transport.send(await chunk(1))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('signs a prepared chunk ahead, and its send uses that URL without signing again', async () => {
    const { server, transport, chunk } = setup(2 * CHUNK);
    const ahead = await chunk(1);
    transport.prepare({ index: 1, sha256: ahead.sha256, length: CHUNK });
    await until(() => server.apiCallsOf('sign').length === 1, 'signed ahead');
    await settle();
    expect(server.calls).toHaveLength(0);
    expect(await transport.send(ahead)).toMatchObject({ status: 200 });
    expect(server.apiCallsOf('sign').map((call) => call.indexes)).toEqual([[1]]);
    expect(server.callsFor(1)).toHaveLength(1);
  });

  it('a send while its chunk is being signed ahead joins that signing', async () => {
    const { server, transport, chunk } = setup(2 * CHUNK);
    const held = gate();
    server.beforeApi = (call) => (call.op === 'sign' ? held.wait : undefined);
    const ahead = await chunk(0);
    transport.prepare({ index: 0, sha256: ahead.sha256, length: CHUNK });
    const sent = transport.send(ahead);
    await settle();
    held.open();
    expect(await sent).toMatchObject({ status: 200 });
    expect(server.apiCallsOf('sign')).toHaveLength(1);
  });

  it('a URL prepared for other bytes is not used: the send signs its own', async () => {
    const { server, transport, chunk } = setup(2 * CHUNK);
    const real = await chunk(0);
    transport.prepare({ index: 0, sha256: (await chunk(1)).sha256, length: CHUNK });
    await until(() => server.apiCallsOf('sign').length === 1, 'signed ahead');
    expect(await transport.send(real)).toMatchObject({ status: 200 });
    expect(server.apiCallsOf('sign')).toHaveLength(2);
    expect(server.callsFor(0)[0]?.headers).toEqual({ 'x-amz-checksum-sha256': real.sha256 });
  });

  it('a failed signing ahead fails nothing: the send signs again and meets the answer itself', async () => {
    const { server, upload, transport, chunk } = setup(2 * CHUNK);
    const ahead = await chunk(0);
    upload.status = 'cancelled';
    transport.prepare({ index: 0, sha256: ahead.sha256, length: CHUNK });
    await until(() => server.apiCallsOf('sign').length === 1, 'signing ahead refused');
    await settle();
    upload.status = 'uploading';
    expect(await transport.send(ahead)).toMatchObject({ status: 200 });
    expect(server.apiCallsOf('sign')).toHaveLength(2);
  });

  it('an aborted send stops waiting for the signing it joined', async () => {
    const { server, transport, chunk } = setup(2 * CHUNK);
    const held = gate();
    server.beforeApi = (call) => (call.op === 'sign' ? held.wait : undefined);
    const controller = new AbortController();
    const ahead = await chunk(0, controller.signal);
    transport.prepare({ index: 0, sha256: ahead.sha256, length: CHUNK });
    const sent = transport.send(ahead);
    controller.abort();
    await expect(sent).rejects.toThrow(/abort/i);
    held.open();
    await settle();
    expect(server.calls).toHaveLength(0);
  });
});
