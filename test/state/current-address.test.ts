import { describe, expect, it } from 'vitest';
import { addressFromLine, addressReducer, commandAction, initialAddress, paneForLine, type CurrentAddress } from '../../src/state/current-address.js';

const syms: Record<string, bigint> = { linux_banner: 0xffffffff8c761900n, init_task: 0xffffffff8c614940n };
const opts = { resolve: (n: string) => syms[n] };
const kv = (address: bigint): CurrentAddress => ({ address, space: 'kvaddr' });
const parse = (line: string) => addressFromLine(line, opts);

describe('the address a command line looked at', () => {
  it('rd: the address argument, its space from -p / -u, symbols and -o', () => {
    expect(parse('rd ffff9cba0bf75400 8')).toEqual(kv(0xffff9cba0bf75400n));
    expect(parse('rd -64 -x 0xffff9cba0bf75400')).toEqual(kv(0xffff9cba0bf75400n));
    expect(parse('rd -p 1000 4')).toEqual({ address: 0x1000n, space: 'physaddr' });
    expect(parse('rd -u 7ffd5c3e1000')).toEqual({ address: 0x7ffd5c3e1000n, space: 'uvaddr' });
    expect(parse('rd 7ffd5c3e1000')).toEqual({ address: 0x7ffd5c3e1000n, space: 'uvaddr' });
    expect(parse('rd -s linux_banner 8')).toEqual(kv(0xffffffff8c761900n));
    expect(parse('rd -o 10 linux_banner')).toEqual(kv(0xffffffff8c761910n));
    expect(parse('rd -e ffff888000001000 ffff888000000000')).toEqual(kv(0xffff888000000000n));
    expect(parse('rd (linux_banner+0x20) | grep x')).toEqual(kv(0xffffffff8c761920n));
    expect(parse('rd nosuchsymbol')).toBeUndefined();
  });

  it('vtop, kmem, ptov', () => {
    expect(parse('vtop ffff8b3e81210000')).toEqual(kv(0xffff8b3e81210000n));
    expect(parse('vtop -c 1 7ffd5c3e1000')).toEqual({ address: 0x7ffd5c3e1000n, space: 'uvaddr' });
    expect(parse('vtop -k ffffffff81000000')).toEqual(kv(0xffffffff81000000n));
    expect(parse('kmem -p fffff597a42fdd40')).toEqual(kv(0xfffff597a42fdd40n));
    expect(parse('kmem 190bf75400')).toEqual({ address: 0x190bf75400n, space: 'physaddr' });
    expect(parse('kmem -P ffff8b3e81210000')).toEqual({ address: 0xffff8b3e81210000n, space: 'physaddr' });
    expect(parse('kmem -i')).toBeUndefined();
    expect(parse('ptov 190bf75400')).toEqual({ address: 0x190bf75400n, space: 'physaddr' });
  });

  it('struct / union / * / TYPE.member ADDR forms', () => {
    expect(parse('struct page fffff597a42fdc00')).toEqual(kv(0xfffff597a42fdc00n));
    expect(parse('struct -x page fffff597a42fdc00 2')).toEqual(kv(0xfffff597a42fdc00n));
    expect(parse('struct task_struct init_task')).toEqual(kv(0xffffffff8c614940n));
    expect(parse('*page fffff597a42fdc00')).toEqual(kv(0xfffff597a42fdc00n));
    expect(parse('sk_buff.len ffff9cb0e3b388f8')).toEqual(kv(0xffff9cb0e3b388f8n));
    expect(parse('task_struct.comm,pid ffff8b3e81210000')).toEqual(kv(0xffff8b3e81210000n));
    expect(parse('struct page')).toBeUndefined();
  });

  it('otherwise the first hex word of 8 digits or more', () => {
    expect(parse('px 0xffff9cbf9c679400 + 0x2c0')).toEqual(kv(0xffff9cbf9c679400n));
    expect(parse('skb_shared_info 0xffff9cbf9c6796c0')).toEqual(kv(0xffff9cbf9c6796c0n));
    expect(parse('p jiffies')).toBeUndefined();
    expect(parse('search -k deadbeef')).toBeUndefined(); // the value looked for, not a place
    expect(parse('log 12345678')).toEqual({ address: 0x12345678n, space: 'uvaddr' });
    expect(parse('sym 1234567')).toBeUndefined();
    expect(parse('!echo ffff9cbf9c6796c0')).toBeUndefined();
    expect(parse('# ffff9cbf9c6796c0')).toBeUndefined();
    expect(parse('')).toBeUndefined();
  });

  it('uses the architecture rule for kernel addresses when given one', () => {
    const arm39 = { isKernel: (a: bigint) => a >= 0xffffff8000000000n };
    expect(addressFromLine('rd ffff000012345678', arm39)).toEqual({ address: 0xffff000012345678n, space: 'uvaddr' });
  });

  it('knows which pane a command is about', () => {
    expect(paneForLine('bt -f')).toBe('stack');
    expect(paneForLine('set 1')).toBe('stack');
    expect(paneForLine('vtop ffff8b3e81210000')).toBe('pageflags');
    expect(paneForLine('rd linux_banner')).toBeUndefined();
  });
});

describe('the current address reducer', () => {
  it('a command sets it; following a pointer pushes where the cursor was; back pops', () => {
    const a = commandAction('rd ffff9cb12e1e0000', opts)!;
    let s = addressReducer(initialAddress, a);
    expect(s.current).toEqual(kv(0xffff9cb12e1e0000n));
    expect(s.serial).toBe(1);
    s = addressReducer(s, { type: 'follow', from: kv(0xffff9cb12e1e0008n), to: kv(0xffff9cb124224000n) });
    s = addressReducer(s, { type: 'follow', from: kv(0xffff9cb124224000n), to: kv(0xffff9cb12e1e0000n) });
    expect(s.current).toEqual(kv(0xffff9cb12e1e0000n));
    expect(s.back).toHaveLength(2);
    s = addressReducer(s, { type: 'back' });
    expect(s.current).toEqual(kv(0xffff9cb124224000n));
    s = addressReducer(s, { type: 'back' });
    expect(s.current).toEqual(kv(0xffff9cb12e1e0008n));
    expect(s.back).toEqual([]);
    expect(addressReducer(s, { type: 'back' })).toBe(s);
  });

  it('a new command or a selected frame starts the back stack over, and always bumps the serial', () => {
    let s = addressReducer(initialAddress, { type: 'set', to: kv(1n << 63n) });
    s = addressReducer(s, { type: 'follow', from: kv(1n << 63n), to: kv(0xffff888000000000n) });
    const again = addressReducer(s, { type: 'set', to: kv(0xffff888000000000n) });
    expect(again.back).toEqual([]);
    expect(again.serial).toBe(s.serial + 1);
    expect(commandAction('help')).toBeUndefined();
  });
});
