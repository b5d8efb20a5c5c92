import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivedId } from '../../../shared/domain/ids.ts';
import { RequestId } from '../../../shared/schemas/common.ts';

const clientId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

describe('derived ids', () => {
  it('are never a client id, so no client can book one first', () => {
    fc.assert(
      fc.property(fc.constantFrom('expire', 'rfid', 'hq', 'birthday'), clientId, (kind, id) => {
        expect(RequestId.safeParse(derivedId(kind, id)).success).toBe(false);
      }),
    );
  });

  it('never collide: different parts give different ids, however long they are', () => {
    fc.assert(
      fc.property(clientId, clientId, clientId, clientId, (a, b, c, d) => {
        fc.pre(a !== c || b !== d);
        expect(derivedId('hq', a, b)).not.toBe(derivedId('hq', c, d));
      }),
    );
    const stem = 'x'.repeat(57);
    expect(derivedId('expire', `${stem}-first1`)).not.toBe(derivedId('expire', `${stem}-secnd2`));
  });
});
