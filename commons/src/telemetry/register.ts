/**
 * The tracing preload, loaded before the service's own modules so the instrumentations can patch
 * what it imports (ES modules are bound at link time; patching later is too late):
 *
 *   node --import tsx --import @lfusys/commons/telemetry/register src/main.ts
 *
 * With tracing off (no exporter chosen, or OTEL_SDK_DISABLED=true) it loads nothing: the
 * OpenTelemetry API stays a no-op and costs a function call where a span would start.
 */
import { telemetrySettings } from './settings.ts';

const settings = telemetrySettings(process.env);
if (settings.enabled) {
  const { startTelemetry } = await import('./start-sdk.ts');
  await startTelemetry(settings);
}
