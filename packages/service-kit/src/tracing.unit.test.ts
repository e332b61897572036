import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { startTracing, traceLogFields, tracingExporters } from './tracing.ts';

describe('tracing from the OTEL_* variables', () => {
  it('is off unless an exporter is asked for', () => {
    expect(tracingExporters({})).toEqual([]);
    expect(tracingExporters({ OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
    expect(tracingExporters({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_SDK_DISABLED: 'true' })).toEqual([]);
    expect(tracingExporters({ OTEL_SERVICE_NAME: 'x', OTEL_PROPAGATORS: 'tracecontext' })).toEqual([]);
  });

  it('takes the listed exporters, or the one whose endpoint alone is set', () => {
    expect(tracingExporters({ OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual(['zipkin']);
    expect(tracingExporters({ OTEL_TRACES_EXPORTER: ' Zipkin, console ,zipkin' })).toEqual([
      'zipkin',
      'console',
    ]);
    expect(tracingExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual(['otlp']);
    expect(tracingExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toEqual([
      'otlp',
    ]);
    expect(tracingExporters({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:9411/api/v2/spans' })).toEqual(
      ['zipkin'],
    );
  });

  it('refuses an exporter it does not know, naming it', () => {
    expect(() => tracingExporters({ OTEL_TRACES_EXPORTER: 'zipkin,jaeger' })).toThrow(ConfigError);
    expect(() => tracingExporters({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/unknown exporter "jaeger"/);
  });

  it('off, starts nothing: the API stays a no-op and log lines get no trace fields', async () => {
    const started = performance.now();
    const tracing = await startTracing({ serviceName: 'test', env: {} });
    expect(performance.now() - started).toBeLessThan(50);
    expect(tracing.exporters).toEqual([]);
    const span = trace.getTracer('t').startSpan('s');
    expect(span.isRecording()).toBe(false);
    trace.getTracer('t').startActiveSpan('s', (active) => {
      expect(traceLogFields()).toEqual({});
      active.end();
    });
    await tracing.shutdown();
  });
});
