/** How `npm run bench` runs one of the scenarios beside the RPC round-trip table. */
export interface ScenarioOptions {
  /** A short run (CI smoke): fewer sockets / events, one round. */
  readonly smoke: boolean;
  /** Repetitions; the scenario reports the median and spread. */
  readonly rounds: number;
}

/** A scenario's entry point: runs it and returns its Markdown section (a `###` heading, a table, notes). */
export type Scenario = (options: ScenarioOptions) => Promise<string>;
