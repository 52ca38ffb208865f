// Mocha reporter: mocha's own "spec" output, the slowest top-level suites (to watch the CI
// budget), then one plain line that CI reads:
//   N passed, N failed, N skipped
// Failed hooks count as failures, so a broken before() can never look green.
'use strict';
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_SUITE_BEGIN, EVENT_SUITE_END } =
  Mocha.Runner.constants;

const SLOWEST_SHOWN = 15;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const started = new Map();
    const durations = [];
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.on(EVENT_TEST_PENDING, () => skipped++);
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.parent?.root) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const at = started.get(suite);
      if (at !== undefined) durations.push([suite.title, Date.now() - at]);
    });
    runner.once(EVENT_RUN_END, () => {
      const slowest = durations.sort((a, b) => b[1] - a[1]).slice(0, SLOWEST_SHOWN);
      if (slowest.length > 1) {
        process.stdout.write('\nslowest suites:\n');
        for (const [title, ms] of slowest)
          process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${title}\n`);
      }
      process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    });
  }
}
module.exports = SummaryReporter;
