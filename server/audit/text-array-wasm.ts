// JSON strings and arrays of strings written from PostgreSQL's binary forms,
// in WebAssembly. Full verification (./copy-walk.ts) spends most of its time
// turning each audit row's text and a list row's ~140 disclosed event ids
// into canonical JSON: in JavaScript every value costs a native call or a
// byte loop; here a row's tuple is copied into the module's memory once and
// each text or text[] column is one call, each value a `memory.copy`.
//
// The module is small enough to be written out here instruction by
// instruction (no toolchain, nothing downloaded); its text form:
//
//   (func $jsonCopy (param $src i32) (param $len i32) (param $dst i32) (result i32)
//     store8(dst, '"'); memory.copy(dst + 1, src, len); store8(dst + 1 + len, '"')
//     return dst + len + 2)
//
//   (func $textArrayToJson (param $src i32) (param $count i32) (param $dst i32) (result i32)
//     out = dst; store8(out++, '[')
//     repeat count times (i = 0, 1, …):
//       len = big-endian int32 at src
//       if len == -1: return -1                             ;; a NULL element: the caller's careful path
//       if i != 0: store8(out++, ',')
//       out = $jsonCopy(src + 4, len, out)
//       src += 4 + len
//     store8(out++, ']'); return out)
//
// Neither looks inside the strings: the bytes are what JSON.stringify writes
// only for text with no `"`, `\` or control character. The caller uses them
// only for tuples with no `"` and no `\` byte; a control character left
// unescaped makes bytes no canonical JSON holds, so the row's hash cannot
// match and the caller re-encodes it the careful way.

const I32 = 0x7f;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  call: 0x10,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  load8u: 0x2d,
  store8: 0x3a,
  i32Const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  geU: 0x4f,
  add: 0x6a,
  shl: 0x74,
  or: 0x72,
} as const;
const VOID = 0x40;

/** Unsigned LEB128 (sizes, indices). */
function u32(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** Signed LEB128 (i32.const). */
function s32(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

const name = (text: string): number[] => [...u32(text.length), ...Buffer.from(text, "utf8")];
const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];
const vector = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];

const get = (local: number) => [op.localGet, local];
const set = (local: number) => [op.localSet, local];
const konst = (value: number) => [op.i32Const, ...s32(value)];
/** store8(out, byte); out += 1 — `out` is local `outLocal` */
const emit = (outLocal: number, byte: number) => [...get(outLocal), ...konst(byte), op.store8, 0, 0, ...get(outLocal), ...konst(1), op.add, ...set(outLocal)];
const RETURN_REFUSED = [op.if, VOID, ...konst(-1), op.return, op.end];

// $jsonCopy — locals: 0 src, 1 len, 2 dst (parameters)
const jsonCopy = (() => {
  const [SRC, LEN, DST] = [0, 1, 2];
  return [
    ...vector([]),
    ...get(DST), ...konst(0x22), op.store8, 0, 0,
    ...get(DST), ...konst(1), op.add, ...get(SRC), ...get(LEN), 0xfc, ...u32(10), 0, 0, // memory.copy(dst + 1, src, len)
    ...get(DST), ...get(LEN), op.add, ...konst(0x22), op.store8, 0, 1, // store8 offset=1: dst + len + 1
    ...get(DST), ...get(LEN), op.add, ...konst(2), op.add,
    op.end,
  ];
})();

// $textArrayToJson — locals: 0 src, 1 count, 2 dst (parameters), 3 i, 4 len, 5 out
const textArrayToJson = (() => {
  const [SRC, COUNT, DST, I, LEN, OUT] = [0, 1, 2, 3, 4, 5];
  /** the byte at src + k, shifted left by `shift` */
  const srcByte = (k: number, shift: number) => [...get(SRC), op.load8u, 0, ...u32(k), ...(shift ? [...konst(shift), op.shl] : [])];
  return [
    ...vector([[3, I32]]),
    ...get(DST), ...set(OUT),
    ...emit(OUT, 0x5b), // [
    op.block, VOID,
    op.loop, VOID,
    ...get(I), ...get(COUNT), op.geU, op.brIf, 1, // i >= count: done
    ...srcByte(0, 24), ...srcByte(1, 16), op.or, ...srcByte(2, 8), op.or, ...srcByte(3, 0), op.or,
    op.localTee, LEN,
    ...konst(-1), op.eq,
    ...RETURN_REFUSED, // a NULL element
    ...get(I),
    op.if, VOID, ...emit(OUT, 0x2c), op.end, // ',' before every element but the first
    ...get(SRC), ...konst(4), op.add, ...get(LEN), ...get(OUT), op.call, 0, // $jsonCopy(src + 4, len, out)
    ...set(OUT),
    ...get(SRC), ...konst(4), op.add, ...get(LEN), op.add, ...set(SRC),
    ...get(I), ...konst(1), op.add, ...set(I),
    op.br, 0,
    op.end, // loop
    op.end, // block
    ...emit(OUT, 0x5d), // ]
    ...get(OUT),
    op.end,
  ];
})();

const MODULE = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
  ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32]]), ...vector([[I32]])]])), // type 0: (i32 i32 i32) -> i32
  ...section(3, vector([[0], [0]])), // functions 0 and 1 have type 0
  ...section(5, vector([[0x00, ...u32(1)]])), // one memory, at least one page
  ...section(7, vector([[...name("memory"), 0x02, 0], [...name("jsonCopy"), 0x00, 0], [...name("textArrayToJson"), 0x00, 1]])),
  ...section(10, vector([[...u32(jsonCopy.length), ...jsonCopy], [...u32(textArrayToJson.length), ...textArrayToJson]])),
]);

export type TextArrayToJson = {
  /** the module's memory: the caller writes and reads through views of it (renewed after `grow`) */
  memory: WebAssembly.Memory;
  /** writes the `len` bytes at `src` between quotes at `dst`; the end of what it wrote */
  jsonCopy: (src: number, len: number, dst: number) => number;
  /** writes the `count` elements of a binary text[] payload at `src` as a JSON array of strings at `dst`; the end, or -1 for a NULL element */
  textArrayToJson: (src: number, count: number, dst: number) => number;
};

let instance: TextArrayToJson | undefined;

/** The compiled module (compiled once, synchronously: a few hundred bytes). */
export function textArrayToJsonModule(): TextArrayToJson {
  if (!instance) {
    const compiled = new WebAssembly.Instance(new WebAssembly.Module(MODULE));
    const exports = compiled.exports as unknown as TextArrayToJson;
    instance = { memory: exports.memory, jsonCopy: exports.jsonCopy, textArrayToJson: exports.textArrayToJson };
  }
  return instance;
}
