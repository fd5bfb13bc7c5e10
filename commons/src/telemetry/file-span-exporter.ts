import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * Writes each batch of spans as one line of OTLP/JSON (an `ExportTraceServiceRequest`:
 * `{"resourceSpans": [...]}`, ids in hex) to `<dir>/<service>-<pid>.jsonl`, for `make dev` and the
 * tests. One file per process, so the workers of a clustered service never interleave lines.
 * The encoding is the OTLP exporters' own serializer, so a line can be replayed as is to any
 * OTLP/HTTP JSON endpoint. https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
export class FileSpanExporter implements SpanExporter {
  readonly path: string;

  constructor(dir: string, serviceName: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${serviceName}-${process.pid}.jsonl`);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      const body = JsonTraceSerializer.serializeRequest(spans);
      if (body) appendFileSync(this.path, `${Buffer.from(body).toString('utf8')}\n`);
      done({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  async shutdown(): Promise<void> {}
}
