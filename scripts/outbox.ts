/**
 * `make outbox`: the newest messages `make dev` "sent" (the .eml files in .local/outbox/), decoded
 * so the links in them can be clicked or copied: the files themselves are quoted-printable, which
 * wraps long lines and writes `=` as `=3D`. `make outbox N=10` shows more.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOutbox } from '@lfusys/testkit';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const dir = process.env.MAIL_OUTBOX_DIR ?? join(root, '.local', 'outbox');
const count = Math.max(1, Number(process.env.N ?? 3) || 3);

const messages = (await readOutbox(dir)).slice(-count);
if (messages.length === 0) console.log(`no mail in ${dir}`);
for (const m of messages)
  console.log(`── ${join(dir, m.file)}\nTo: ${m.to}\nSubject: ${m.subject}\n\n${m.text.trimEnd()}\n`);
