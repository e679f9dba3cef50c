import { BadRequestException } from '@nestjs/common';
import { afterOf } from './get-unlocated.usecase';

describe('afterOf', () => {
  it('reads the customer id of a cursor the service handed out', () => {
    const id = '3f1e0f6a-7d55-4a43-9c1b-1f0e3a9b2c10';
    expect(afterOf(Buffer.from(id).toString('base64url'))).toBe(id);
    expect(afterOf(undefined)).toBeUndefined();
  });

  it('refuses a cursor that decodes to bytes no id has (NUL, control characters) with a 400 naming it', () => {
    // 'AAAA…' decodes to NUL bytes, which PostgreSQL refuses: found by the access-control property run.
    expect(() => afterOf('A'.repeat(100))).toThrow(BadRequestException);
    try {
      afterOf(Buffer.from('a\nb').toString('base64url'));
      throw new Error('accepted');
    } catch (err) {
      expect((err as BadRequestException).getResponse()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'cursor must be the nextCursor of a previous page',
          details: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' }],
        },
      });
    }
  });
});
