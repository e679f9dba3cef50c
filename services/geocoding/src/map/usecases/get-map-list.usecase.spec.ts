import { BadRequestException } from '@nestjs/common';
import { cursorOf } from './get-map-list.usecase';

describe('map list cursors', () => {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('reads the position of a cursor the service handed out', () => {
    expect(cursorOf(encode({ id: 'c-1', p: '1200' }))).toEqual({ id: 'c-1', p: '1200' });
    expect(cursorOf(encode({ id: 'c-1' }))).toEqual({ id: 'c-1' });
    expect(cursorOf(undefined)).toBeUndefined();
  });

  it.each([
    ['not JSON', Buffer.from('c-1').toString('base64url')],
    ['NUL in the id', encode({ id: 'a\u0000b' })],
    ['a priority that is no number', encode({ id: 'c-1', p: '1; DROP' })],
    ['no id', encode({ p: '1' })],
    ['NUL bytes', 'A'.repeat(40)],
  ])('refuses a cursor with %s as a 400 naming it', (_what, cursor) => {
    expect(() => cursorOf(cursor)).toThrow(BadRequestException);
  });
});
