/**
 * Prints one upload's traces as terminal waterfalls, from the spans `make dev` wrote:
 *
 *   make trace UPLOAD=<uploadId>            (TRACES_DIR=.local/traces by default)
 *
 * Its creation (POST /uploads → CreateUpload → DynamoDB), every chunk PUT (verify, record, the
 * last one's SQS send) and its assembly (linked to the chunk that queued it), oldest first.
 */
import { resolve } from 'node:path';
import { readSpans, renderWaterfall, uploadTraces } from '@lfusys/commons/telemetry/traces';

const uploadId = process.argv[2] ?? '';
const dir = resolve(process.env.TRACES_DIR || '.local/traces');
if (!/^[0-9a-f-]{36}$/.test(uploadId)) {
  console.error('usage: make trace UPLOAD=<uploadId>');
  process.exit(2);
}
const traces = uploadTraces(await readSpans(dir), uploadId);
if (traces.length === 0) {
  console.error(`no spans of upload ${uploadId} in ${dir} (is make dev running with tracing, and was it sampled?)`);
  process.exit(1);
}
console.log(traces.map(renderWaterfall).join('\n\n'));
