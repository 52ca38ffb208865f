import { expect } from 'chai';
import { done, need, proceed, requeueAfter, runSteps, type Step, type StepResult } from './steps.js';

type Ctx = { ran: string[] };
const step = (name: string, result: StepResult): Step<Ctx> => ({
  name,
  run: async (ctx) => {
    ctx.ran.push(name);
    return result;
  },
});

describe('reconcile steps', () => {
  it('runs every step in order and is done when all of them continue', async () => {
    const ctx: Ctx = { ran: [] };
    expect(await runSteps([step('a', proceed), step('b', proceed), step('c', proceed)], ctx)).to.equal(undefined);
    expect(ctx.ran).to.deep.equal(['a', 'b', 'c']);
  });

  it('stops at a step that is done, without requeue', async () => {
    const ctx: Ctx = { ran: [] };
    expect(await runSteps([step('a', proceed), step('b', done), step('c', proceed)], ctx)).to.equal(undefined);
    expect(ctx.ran).to.deep.equal(['a', 'b']);
  });

  it('stops at a step that asks to look again, with its delay', async () => {
    const ctx: Ctx = { ran: [] };
    const result = await runSteps([step('a', requeueAfter(2_000)), step('b', proceed)], ctx);
    expect(result).to.deep.equal({ requeueAfter: 2_000 });
    expect(ctx.ran).to.deep.equal(['a']);
  });

  it('lets an error of a step end the pass (the work queue backs off and retries)', async () => {
    const ctx: Ctx = { ran: [] };
    const failing: Step<Ctx> = {
      name: 'fails',
      run: async () => {
        throw new Error('boom');
      },
    };
    let thrown: unknown;
    await runSteps([failing, step('after', proceed)], ctx).catch((err: unknown) => (thrown = err));
    expect((thrown as Error).message).to.equal('boom');
    expect(ctx.ran).to.deep.equal([]);
  });

  it('names a value an earlier step should have set as a step-order mistake', () => {
    expect(need(0, 'count')).to.equal(0);
    expect(() => need(undefined, 'client')).to.throw('reconcile step order: client is not set yet');
  });
});
