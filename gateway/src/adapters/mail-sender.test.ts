import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOutbox } from '@lfusys/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { mailSenderContract } from '../../test/mail-sender-contract.ts';
import { MemoryMailSender } from './memory-mail-sender.ts';
import { OutboxMailSender } from './outbox-mail-sender.ts';

mailSenderContract('memory', async () => {
  const sender = new MemoryMailSender();
  return { sender, delivered: async () => sender.sent };
});

/** A directory of the test's own, removed when the test ends. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

mailSenderContract('outbox', async () => {
  const dir = join(await tempDir(), 'nested', 'outbox');
  return { sender: new OutboxMailSender(dir, 'lfusys <no-reply@example.com>'), delivered: () => readOutbox(dir) };
});

describe('OutboxMailSender', () => {
  it('writes one RFC 5322 .eml file per message, from the configured sender, with a Message-ID and a Date', async () => {
    const dir = await tempDir();
    const sender = new OutboxMailSender(dir, 'lfusys <no-reply@example.com>');
    await sender.send({ to: 'ada@example.com', subject: 'Hi', text: 'x' });
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{8}\.eml$/);
    const raw = await readFile(join(dir, files[0] ?? ''), 'utf8');
    expect(raw).toMatch(/^From: lfusys <no-reply@example\.com>$/m);
    expect(raw).toMatch(/^To: ada@example\.com$/m);
    expect(raw).toMatch(/^Message-ID: <[^>]+>$/m);
    expect(raw).toMatch(/^Date: /m);
    expect((await readOutbox(dir))[0]).toMatchObject({ from: 'no-reply@example.com' });
  });

  it('answers unavailable when the directory cannot be written', async () => {
    // A path below a regular file can never be a directory.
    const file = join(await tempDir(), 'not-a-dir');
    await writeFile(file, '');
    const sender = new OutboxMailSender(join(file, 'outbox'), 'a@example.com');
    await expect(sender.send({ to: 'b@example.com', subject: 's', text: 't' })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
