/** Reading back the spans FileSpanExporter wrote: for `make trace` and the tracing tests. */
export { readSpans, type StoredSpan, spansOfLine, uploadTraces } from './trace-files.ts';
export { renderWaterfall } from './waterfall.ts';
