/** Injectable time source: cooldowns, TTLs and schedulers read it, so tests can move it. */
export interface Clock {
  now(): Date;
  nowMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
};

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  private ms: number;
  constructor(start: Date | string | number = '2025-11-20T18:00:00Z') {
    this.ms = new Date(start).getTime();
  }
  now() {
    return new Date(this.ms);
  }
  nowMs() {
    return this.ms;
  }
  advance(ms: number) {
    this.ms += ms;
    return this.now();
  }
  set(to: Date | string | number) {
    this.ms = new Date(to).getTime();
  }
}
