/** How a {@link Coalescer} groups calls. */
export interface CoalescerOptions<I> {
  /** Most calls in one batch (default 256). */
  readonly maxBatch?: number;
  /** Most batches running at once (default 2); what arrives meanwhile waits for the next. */
  readonly maxInFlight?: number;
  /**
   * Calls with the same key never share a batch, nor run beside one another: the second waits until the
   * first's batch is done, so that calls of one key run in the order they were made. A batch statement then
   * sees each row once (two claims of one transfer in one UPDATE … FROM would both look successful).
   */
  readonly key?: (input: I) => string;
}

interface Call<I, O> {
  readonly input: I;
  readonly resolve: (o: O) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Calls that arrive together go to the database as one statement. Idle, a call runs at the end of the
 * event-loop turn it was made in, alone; busy, the calls made while batches run wait for the next one,
 * so batches grow with the load and each costs one round trip and one commit instead of one per call.
 *
 * `run` answers a batch's inputs in order, all or nothing (one statement). A failed batch of several is
 * run again call by call, so that one bad call fails alone and the others are answered as if alone. That
 * is safe for the calls it is used for: each is conditional on the state it finds (a batch that committed
 * although its answer was lost is seen as done by the calls that run again), or, for kept telegrams,
 * harmless to keep twice.
 */
export class Coalescer<I, O> {
  private pending: Call<I, O>[] = [];
  private scheduled = false;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  /** Keys of the calls in the batches running now. */
  private readonly running = new Set<string>();
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly run: (inputs: readonly I[]) => Promise<readonly O[]>,
    private readonly options: CoalescerOptions<I> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Runs `input` in the next batch; resolves with its own answer once that batch has committed. */
  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every call made so far has been answered. */
  drained(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
        const batch = this.take();
        if (batch.length === 0) return; // every pending call waits for a key that is running
        void this.execute(batch);
      }
    });
  }

  /** The next batch: pending calls in order, up to `maxBatch`, none sharing a key with another or with a running one. */
  private take(): Call<I, O>[] {
    const key = this.options.key;
    if (!key) return this.pending.splice(0, this.maxBatch);
    const batch: Call<I, O>[] = [];
    const rest: Call<I, O>[] = [];
    const taken = new Set<string>(); // and those of calls left waiting: a later call of their key waits too
    for (const c of this.pending) {
      const k = key(c.input);
      if (batch.length < this.maxBatch && !taken.has(k) && !this.running.has(k)) batch.push(c);
      else rest.push(c);
      taken.add(k);
    }
    this.pending = rest;
    for (const c of batch) this.running.add(key(c.input));
    return batch;
  }

  private async execute(batch: Call<I, O>[]): Promise<void> {
    this.inFlight++;
    try {
      await this.answer(batch);
    } finally {
      this.inFlight--;
      const key = this.options.key;
      if (key) for (const c of batch) this.running.delete(key(c.input));
      this.schedule();
      if (this.pending.length === 0 && this.inFlight === 0) for (const r of this.idle.splice(0)) r();
    }
  }

  private async answer(batch: Call<I, O>[]): Promise<void> {
    try {
      const out = await this.run(batch.map((c) => c.input));
      if (out.length !== batch.length) throw new Error(`coalescer: ${batch.length} calls were answered with ${out.length} results`);
      batch.forEach((c, i) => c.resolve(out[i]!));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      // One after another: this batch's slot is the only one it may use.
      for (const c of batch) await this.run([c.input]).then((out) => c.resolve(out[0]!), c.reject);
    }
  }
}
