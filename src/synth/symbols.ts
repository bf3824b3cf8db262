/** Symbols a scenario build accumulates: the scenario's own, and what the builder lays out. */
export interface SynthSymbol {
  name: string;
  address: bigint;
  type: string;
}

export class SymbolSink {
  readonly list: SynthSymbol[] = [];
  private readonly byName = new Map<string, SynthSymbol>();

  add(name: string, address: bigint, type: string): void {
    if (this.byName.has(name)) {
      const s = this.byName.get(name)!;
      s.address = address;
      s.type = type;
      return;
    }
    const s = { name, address, type };
    this.byName.set(name, s);
    this.list.push(s);
  }

  get(name: string): SynthSymbol | undefined {
    return this.byName.get(name);
  }
}
