// Node's Buffer has a fast, argument-check-free latin1Slice that is not in @types/node.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}
export {};
