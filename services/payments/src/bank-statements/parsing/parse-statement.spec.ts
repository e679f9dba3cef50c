import { readFileSync, readdirSync } from 'node:fs';
import { detectFormat } from './parse-statement';
import { fixture } from './testing/fixtures';

describe('detectFormat', () => {
  it.each([
    ['camt053', 'camt053'],
    ['mt940', 'mt940'],
  ])('tells every %s sample by its content', (folder, format) => {
    for (const name of readdirSync(fixture(folder))) {
      const head = readFileSync(fixture(`${folder}/${name}`)).subarray(0, 8192);
      expect({ name, ...detectFormat(head) }).toEqual({ name, format });
    }
  });

  it('tells camt.054, and the Chinese exports by their header names', () => {
    const head = (name: string): Buffer => readFileSync(fixture(`other/${name}`)).subarray(0, 8192);
    expect(detectFormat(head('camt.054.001.02-fi-fffs-guideline-sample.xml'))).toEqual({ format: 'camt054' });
    expect(detectFormat(head('camt.054.001.08-ch-postfinance-qrr-batch.xml'))).toEqual({ format: 'camt054' });
    expect(detectFormat(head('cn-boc-debit-card-export.csv'))).toEqual({ format: 'csv', layout: 'boc' });
    expect(detectFormat(head('cn-icbc-debit-card-export-v2.csv'))).toEqual({ format: 'csv', layout: 'icbc' });
  });

  it('reads other CSV with the generic layout and refuses what is none of them', () => {
    expect(detectFormat(Buffer.from('booking_date,amount,currency\n2024-01-02,10.00,EUR\n'))).toEqual({
      format: 'csv',
      layout: 'generic',
    });
    expect(detectFormat(Buffer.from('<?xml version="1.0"?><Document xmlns="urn:other"/>'))).toBeUndefined();
    expect(detectFormat(Buffer.from('just some words'))).toBeUndefined();
  });
});
