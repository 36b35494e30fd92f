/**
 * Distinct client addresses on loopback (Linux routes all of 127.0.0.0/8 to `lo`), so each load connection
 * is its own client to regauth's per-address brute-force rule. 127.0.0.1 is left to the warm load; each
 * `take` hands out addresses never handed out before, so one scenario's spent budgets do not carry into
 * the next.
 */
export class LoopbackAddresses {
  // 127.0.1.1 onwards: the second and third octets count up, the fourth runs 1 … 254.
  private next = 1 * 256 + 1;

  take(count: number): string[] {
    const addresses: string[] = [];
    while (addresses.length < count) {
      const value = this.next;
      this.next += 1;
      const last = value % 256;
      if (last === 0 || last === 255) continue;
      if (value >= 256 ** 3) throw new Error('no loopback addresses left');
      addresses.push(`127.${Math.floor(value / 65_536)}.${Math.floor(value / 256) % 256}.${last}`);
    }
    return addresses;
  }
}
