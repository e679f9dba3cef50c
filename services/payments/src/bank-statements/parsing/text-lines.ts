import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import type { ByteSource, ParseOptions } from './statement-line';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';
import { chunkBytes } from './values';

/** One physical line of a text file, 1-based, without its line break. */
export interface TextLine {
  number: number;
  text: string;
}

/** Longest line accepted: a file without line breaks must not be held whole. */
export const MAX_LINE_CHARS = 1_000_000;

/** A decoder for the file's encoding: utf8 by Node, anything else (GBK, GB18030, latin1) by iconv-lite. */
export function decoderFor(encoding: string): { write(bytes: Buffer): string; end(): string } {
  const normalized = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'utf8') {
    const decoder = new StringDecoder('utf8');
    let first = true;
    return {
      write: (bytes) => {
        let text = decoder.write(bytes);
        // A byte-order mark is not content (Excel writes one in front of UTF-8 CSV).
        if (first && text.length > 0) {
          first = false;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        }
        return text;
      },
      end: () => decoder.end(),
    };
  }
  const label: string = encoding;
  if (!iconv.encodingExists(label)) {
    throw new StatementParseError(StatementErrorCode.InvalidValue, `unknown encoding "${encoding}"`);
  }
  const decoder = iconv.getDecoder(encoding);
  return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? '' };
}

/**
 * Splits a byte stream into lines (LF, CRLF or a lone CR, as old Mac files have), decoding as it
 * goes, and reports progress per chunk. Only the current chunk and one partial line are held. The
 * lines come a chunk at a time: one await per line would cost more than reading it.
 */
export async function* textLines(
  source: ByteSource,
  options: ParseOptions & { encoding?: string },
  linesSoFar: () => number,
): AsyncGenerator<TextLine[]> {
  const decoder = decoderFor(options.encoding ?? 'utf8');
  let carry = '';
  let number = 0;
  let bytesRead = 0;
  // A CR at the end of a chunk may be the first half of a CRLF split across chunks.
  let pendingCr = false;

  function* split(text: string, final: boolean): Generator<TextLine> {
    let data = carry + text;
    carry = '';
    if (pendingCr && data.startsWith('\n')) data = data.slice(1);
    pendingCr = false;
    let start = 0;
    for (let i = 0; i < data.length; i += 1) {
      const c = data.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      number += 1;
      yield { number, text: data.slice(start, i) };
      if (c === 0x0d) {
        if (i + 1 < data.length) {
          if (data.charCodeAt(i + 1) === 0x0a) i += 1;
        } else if (!final) {
          pendingCr = true;
        }
      }
      start = i + 1;
    }
    carry = data.slice(start);
    if (carry.length > MAX_LINE_CHARS) {
      throw new StatementParseError(
        StatementErrorCode.EntryTooLarge,
        `line is longer than ${MAX_LINE_CHARS} characters`,
        number + 1,
      );
    }
    if (final && carry.length > 0) {
      number += 1;
      yield { number, text: carry };
      carry = '';
    }
  }

  for await (const chunk of source) {
    const bytes = chunkBytes(chunk);
    bytesRead += bytes.length;
    const lines = [...split(decoder.write(bytes), false)];
    if (lines.length > 0) yield lines;
    options.onProgress?.({ bytesRead, totalBytes: options.totalBytes, lines: linesSoFar() });
  }
  const rest = [...split(decoder.end(), true)];
  if (rest.length > 0) yield rest;
}
