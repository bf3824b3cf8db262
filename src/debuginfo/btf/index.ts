/** BTF: wire records (wire.ts), the decoded C type graph (types.ts, decode.ts) and the Btf facade. */
export { Btf, type BtfOptions, type BtfVariable, type TypeLookupKind } from './btf.js';
export * from './types.js';
export { BtfWire, BtfKind, KIND_NAMES, type BtfKindName, type BtfHeader, type BtfTypeRecord } from './wire.js';
