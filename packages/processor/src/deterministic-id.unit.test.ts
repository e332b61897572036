import { describe, expect, it } from 'vitest';
import { deterministicId, uuidV5 } from './deterministic-id.ts';

describe('uuidV5', () => {
  it('gives the RFC 9562 test vector (Appendix A.4: DNS namespace, "www.example.com")', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('deterministicId', () => {
  // Known answers, computed once with another implementation of the same algorithm (Python's uuid
  // module, not this code): the namespace 6f1c2a8e-4b3d-4e7f-9a0b-1c2d3e4f5a6b, the parts joined by NUL:
  //   python3 -c "import uuid; ns = uuid.UUID('6f1c2a8e-4b3d-4e7f-9a0b-1c2d3e4f5a6b');
  //               print(uuid.uuid5(ns, 'evt-1\x00inventory\x000'))"
  // A change here changes every follow-on event ID the fleet has ever published: consumers that
  // dedupe by ID would apply a republished event again.
  it.each([
    [['evt-1', 'inventory', 0], 'a21fb819-9403-5a79-8d92-f1b06b2b1613'],
    [['evt-1', 'inventory', 1], '05c4af56-e420-59b2-a52a-065f50f37cd1'],
    [['evt-2', 'inventory', 0], 'c54133c5-ec76-536c-af80-491995d5fa18'],
    [['payments', 'order-1'], '16706fe4-458e-54b1-bedf-3cf262c5cc49'],
    [['chaos-1567809140-0', 'ledger_chaos', 0], '27fa1ce3-11d5-53da-825b-e8967f9005c7'],
    [['évt-ü€', 'inventory', 0], '9b91faa1-38e8-5367-93fb-abaa1f014ec0'],
  ] as const)('%j → %s (known answer)', (parts, expected) => {
    expect(deterministicId(...parts)).toBe(expected);
  });

  it('is a stable RFC 9562 version-5 UUID of its parts', () => {
    const id = deterministicId('evt-1', 'inventory', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicId('evt-1', 'inventory', 0)).toBe(id);
  });

  it('differs when any part differs, including how parts are split', () => {
    const ids = new Set([
      deterministicId('evt-1', 'inventory', 0),
      deterministicId('evt-1', 'inventory', 1),
      deterministicId('evt-2', 'inventory', 0),
      deterministicId('evt-1', 'payments', 0),
      deterministicId('evt-1inventory', 0),
    ]);
    expect(ids.size).toBe(5);
  });
});
