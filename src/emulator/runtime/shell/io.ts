// Streams between the shell's commands: a process's standard input (a pipe, a file, a
// here-document or the container's stdin) and where its output goes.

export type Sink = (data: string | Buffer) => void;

/** Written into a pipe whose reader has gone (`yes | head -1`): the writer ends as on SIGPIPE. */
export class BrokenPipe extends Error {
  constructor() {
    super('broken pipe');
  }
}

/** A readable byte stream with line reads. */
export class Input {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(private readonly next: () => Promise<Buffer | null>) {}

  static empty(): Input {
    return new Input(async () => null);
  }

  static of(data: Buffer | string): Input {
    let done = false;
    return new Input(async () => {
      if (done) return null;
      done = true;
      return typeof data === 'string' ? Buffer.from(data) : data;
    });
  }

  static from(iter: AsyncIterable<Buffer> | undefined): Input {
    if (!iter) return Input.empty();
    const it = iter[Symbol.asyncIterator]();
    return new Input(async () => {
      const r = await it.next();
      return r.done ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    });
  }

  /** The next chunk (what is buffered first), or null at the end. */
  async read(): Promise<Buffer | null> {
    if (this.buf.length) {
      const b = this.buf;
      this.buf = Buffer.alloc(0);
      return b;
    }
    if (this.ended) return null;
    const b = await this.next();
    if (b === null) this.ended = true;
    return b;
  }

  /** A line without its newline; null at the end (a last line without newline is returned). */
  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const line = this.buf.subarray(0, nl).toString();
        this.buf = this.buf.subarray(nl + 1);
        return line;
      }
      if (this.ended) {
        if (!this.buf.length) return null;
        const line = this.buf.toString();
        this.buf = Buffer.alloc(0);
        return line;
      }
      const b = await this.next();
      if (b === null) this.ended = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
    }
  }

  async readAll(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const b = await this.read();
      if (b === null) break;
      parts.push(b);
    }
    return Buffer.concat(parts);
  }

  /** Puts bytes back in front (used by the terminal line editor). */
  unshift(b: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([b, this.buf]) : b;
  }
}

/** A pipe: the writer's sink feeds the reader's Input; the reader leaving breaks it. */
export class Pipe {
  private chunks: Buffer[] = [];
  private closed = false;
  private readerGone = false;
  private waiter: (() => void) | undefined;
  readonly input: Input;

  constructor() {
    this.input = new Input(async () => {
      for (;;) {
        if (this.chunks.length) return this.chunks.shift()!;
        if (this.closed) return null;
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    });
  }

  write: Sink = (data) => {
    if (this.readerGone) throw new BrokenPipe();
    if (this.closed) return;
    this.chunks.push(typeof data === 'string' ? Buffer.from(data) : data);
    this.wake();
  };

  close(): void {
    this.closed = true;
    this.wake();
  }

  readerDone(): void {
    this.readerGone = true;
    this.chunks = [];
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
