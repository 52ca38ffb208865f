// Runs a herder's state changes one at a time, in arrival order: REST
// writes, membership callbacks and config reactions never interleave. A
// failed change does not stop the ones queued after it.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
