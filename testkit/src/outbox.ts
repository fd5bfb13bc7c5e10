import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';

/** One message read back from an outbox directory, parsed as a mail client would. */
export interface OutboxMessage {
  file: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
}

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).join(',');

/** Every `.eml` file in `dir`, oldest first (names start with the time). */
export async function readOutbox(dir: string): Promise<OutboxMessage[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml')).sort();
  return Promise.all(
    names.map(async (file) => {
      const parsed = await simpleParser(await readFile(join(dir, file)));
      return {
        file,
        from: addresses(parsed.from),
        to: addresses(parsed.to),
        subject: parsed.subject ?? '',
        text: parsed.text ?? '',
        ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
        ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
      };
    }),
  );
}

/** Messages to `to` whose subject contains `subject`, oldest first. */
export async function mailTo(dir: string, to: string, subject: string): Promise<OutboxMessage[]> {
  return (await readOutbox(dir)).filter((m) => m.to === to && m.subject.includes(subject));
}

/**
 * Waits for a message to `to` whose subject contains `subject`, beyond the first `after` such
 * messages (mail may go out after the answer), and returns the newest.
 */
export async function waitForMail(
  dir: string,
  to: string,
  subject: string,
  options: { after?: number; timeoutMs?: number } = {},
): Promise<OutboxMessage> {
  const { after = 0, timeoutMs = 5000 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await mailTo(dir, to, subject);
    if (found.length > after) return found[found.length - 1] as OutboxMessage;
    if (Date.now() > deadline) throw new Error(`no new mail to ${to} with subject "${subject}" within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The token of the `<origin>/<page>?token=` link in a message's text. */
export function tokenFromMail(message: Pick<OutboxMessage, 'text'>, page: 'verify-email' | 'reset-password'): string {
  const match = message.text.match(new RegExp(`(https?://\\S+/${page}\\?token=[A-Za-z0-9_-]+)`));
  if (!match?.[1]) throw new Error(`no ${page} link in: ${message.text}`);
  return new URL(match[1]).searchParams.get('token') ?? '';
}
