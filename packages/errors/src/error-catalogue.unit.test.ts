import { describe, expect, it } from 'vitest';
import { errorBody, errorOfBody } from './error-body.ts';
import { errorAreas, errorCatalogue, isErrorCode } from './error-catalogue.ts';
import { ExitCode } from './error-spec.ts';
import { FleetError } from './fleet-error.ts';

describe('the error catalogue', () => {
  it('defines each code once, in exactly one area', () => {
    const all = errorAreas.flatMap((area) => Object.keys(area.codes));
    expect(new Set(all).size).toBe(all.length);
    expect(Object.keys(errorCatalogue).sort()).toEqual([...all].sort());
  });

  it('gives every code a description, an error HTTP status and a known exit code', () => {
    const exits = new Set<number>(Object.values(ExitCode));
    for (const [code, spec] of Object.entries(errorCatalogue)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(spec.description.length, code).toBeGreaterThan(20);
      expect(spec.httpStatus >= 400 && spec.httpStatus <= 599, code).toBe(true);
      expect(exits.has(spec.exitCode) && spec.exitCode !== (ExitCode.ok as number), code).toBe(true);
    }
  });

  it('keeps the codes written in dead letters and logs byte for byte', () => {
    for (const code of [
      'HANDLER_FAILED',
      'EVENT_INVALID',
      'ENVELOPE_INVALID',
      'BAD_MAGIC_BYTE',
      'TRUNCATED',
      'UNKNOWN_SCHEMA_ID',
      'UNDECODABLE',
      'UNEXPECTED_TYPE',
      'TYPE_MISMATCH',
      'RECORD_BATCH_REFUSED',
      'REGISTRY_ERROR',
      'UNKNOWN',
    ])
      expect(isErrorCode(code), code).toBe(true);
  });
});

describe('FleetError', () => {
  it('reads its HTTP status and exit code from the catalogue', () => {
    const error = new FleetError('REPLAY_PARTIAL', 'records were deleted', {
      details: { start: 'earliest' },
    });
    expect([error.name, error.code, error.httpStatus, error.exitCode]).toEqual([
      'FleetError',
      'REPLAY_PARTIAL',
      409,
      ExitCode.refused,
    ]);
    expect(error.details).toEqual({ start: 'earliest' });
    expect('cause' in error).toBe(false);
    const cause = new Error('socket hang up');
    expect(new FleetError('UNAVAILABLE', 'Kafka failed', { cause }).cause).toBe(cause);
  });

  it('is named after its subclass', () => {
    class ThingError extends FleetError {}
    expect(new ThingError('NOT_FOUND', 'no thing').name).toBe('ThingError');
  });
});

describe('the HTTP error body', () => {
  it('nests code, message and details under error, and reads back only that shape', () => {
    expect(errorBody('NOT_FOUND', 'no such route')).toEqual({
      error: { code: 'NOT_FOUND', message: 'no such route' },
    });
    const body = errorBody('VALIDATION_FAILED', 'invalid', [{ path: 'body', message: 'required' }]);
    expect(errorOfBody(body)).toEqual(body.error);
    expect(errorOfBody({ error: 'NOT_FOUND', message: 'old shape' })).toBeUndefined();
    expect(errorOfBody('<html>')).toBeUndefined();
  });
});
