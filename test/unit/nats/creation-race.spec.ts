import { afterCreationRace } from '../../../lib/nats/creation-race.js';

/** Making a stream or bucket that another instance makes at the same moment: the loser tries again. */
describe('afterCreationRace', () => {
  it("a try that loses the race (JetStream's refusal) is made again, and the second succeeds", async () => {
    let tries = 0;
    const made = await afterCreationRace(async () => {
      tries++;
      if (tries === 1) throw new Error('subjects overlap with an existing stream');
      return 'bucket';
    });
    expect({ made, tries }).toEqual({ made: 'bucket', tries: 2 });
  });

  it('gives up after three tries with the last error', async () => {
    let tries = 0;
    await expect(
      afterCreationRace(async () => {
        tries++;
        throw new Error(`refused ${tries}`);
      }),
    ).rejects.toThrow('refused 3');
    expect(tries).toBe(3);
  });
});
