import { describe, expect, it } from 'vitest';
import { followOnId, nameBasedUuidV5 } from './follow-on-id.ts';

// The chaos oracle's own follow-on IDs against answers fixed outside this code: the RFC's vector and
// values computed once with Python's uuid module (the same literals pin the runtime's
// deterministicId in packages/processor/src/deterministic-id.unit.test.ts):
//   python3 -c "import uuid; ns = uuid.UUID('6f1c2a8e-4b3d-4e7f-9a0b-1c2d3e4f5a6b');
//               print(uuid.uuid5(ns, 'evt-1\x00inventory\x000'))"
describe('followOnId (the oracle’s independent implementation)', () => {
  it('gives the RFC 9562 test vector (Appendix A.4)', () => {
    expect(nameBasedUuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it.each([
    ['evt-1', 'inventory', 0, 'a21fb819-9403-5a79-8d92-f1b06b2b1613'],
    ['evt-1', 'inventory', 1, '05c4af56-e420-59b2-a52a-065f50f37cd1'],
    ['evt-2', 'inventory', 0, 'c54133c5-ec76-536c-af80-491995d5fa18'],
    ['chaos-1567809140-0', 'ledger_chaos', 0, '27fa1ce3-11d5-53da-825b-e8967f9005c7'],
    ['évt-ü€', 'inventory', 0, '9b91faa1-38e8-5367-93fb-abaa1f014ec0'],
  ] as const)('(%s, %s, %i) → %s', (source, processor, n, expected) => {
    expect(followOnId(source, processor, n)).toBe(expected);
  });
});
