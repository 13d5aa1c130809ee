import type { Submission } from './task-state.ts';

// The UTF-8 bytes of the JSON texts Koii's selection hashes, written into one growing buffer:
// each text is encoded once, and a hasher then reads whole words of it from a word boundary
// (Sha256Stream.writeBytes), which is several times cheaper than feeding it characters.

const encoder = new TextEncoder();

export class JsonBytes {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.bytes = new Uint8Array(capacity);
  }

  private room(extra: number): Uint8Array {
    if (this.length + extra > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  byte(b: number): void {
    this.room(1)[this.length++] = b;
  }

  /** `text` as UTF-8. */
  text(text: string): void {
    const bytes = this.room(text.length);
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        // Not ASCII: the encoder writes all of it (at most 3 bytes per UTF-16 unit).
        const { written } = encoder.encodeInto(text, this.room(text.length * 3).subarray(this.length));
        this.length += written;
        return;
      }
      bytes[at++] = c;
    }
    this.length = at;
  }

  /** JSON.stringify(text), in one pass when it is printable ASCII without quotes or backslashes (keys, CIDs). */
  jsonString(text: string): void {
    const start = this.length;
    const bytes = this.room(text.length + 2);
    let at = start;
    bytes[at++] = 0x22; // "
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        // Something JSON escapes, or not ASCII: written again, the general way.
        this.length = start;
        return this.text(JSON.stringify(text));
      }
      bytes[at++] = c;
    }
    bytes[at++] = 0x22;
    this.length = at;
  }

  /**
   * JSON.stringify of the submission object as K2 holds it: the decoder's kept text, else the
   * two fields as JSON.stringify would write them (without making that string).
   */
  submission(s: Submission): void {
    if (s.json !== undefined) return this.text(s.json);
    this.text('{"submission_value":');
    this.jsonString(s.submissionValue);
    this.text(',"slot":');
    this.text(Number.isFinite(s.slot) ? String(s.slot) : 'null');
    this.byte(0x7d); // }
  }
}
