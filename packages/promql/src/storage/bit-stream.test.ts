import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBitsAt } from './bit-reader.ts';
import { BitWriter } from './bit-writer.ts';

const field = fc
  .integer({ min: 0, max: 32 })
  .chain((count) =>
    fc.record({ count: fc.constant(count), value: fc.integer({ min: 0, max: 2 ** count - 1 }) }),
  );

describe('bit writer and reader', () => {
  it('read back any sequence of fields of 0 to 32 bits exactly as written', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 200 }), (fields) => {
        const writer = new BitWriter(1);
        for (const { value, count } of fields) writer.writeBits(value, count);
        let position = 0;
        for (const { value, count } of fields) {
          expect(readBitsAt(writer.bytes, position, count)).toBe(value);
          position += count;
        }
        expect(readBitsAt(writer.bytes, writer.byteLength * 8, 32)).toBe(0);
        const bits = fields.reduce((sum, f) => sum + f.count, 0);
        expect(writer.byteLength).toBe(Math.ceil(bits / 8));
      }),
    );
  });

  it('keep the bytes after a dropped prefix readable from the new start', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (head, tail) => {
          const writer = new BitWriter();
          for (const byte of head) writer.writeBits(byte, 8);
          writer.writeBit(1);
          writer.alignToByte();
          for (const byte of tail) writer.writeBits(byte, 8);
          writer.dropBytes(head.length + 1);
          expect(writer.byteLength).toBe(tail.length);
          for (const [i, byte] of tail.entries()) expect(readBitsAt(writer.bytes, i * 8, 8)).toBe(byte);
          expect(writer.capacity).toBeLessThan(tail.length + 64);
        },
      ),
    );
  });
});
