// node:test reporter that writes the tier's counts as JSON (see docs/CONTRACTS.md); the spec reporter prints beside it.
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites are reported like tests; only leaves count. Failing hooks arrive as failures of their suite.
    const isSuite = event.data.details?.type === 'suite';
    if (event.type === 'test:pass') {
      if (isSuite) continue;
      if (event.data.skip || event.data.todo) counts.skipped++;
      else counts.passed++;
    } else {
      const err = event.data.details?.error;
      if (isSuite && err?.failureType === 'subtestsFailed') continue;
      counts.failed++;
      counts.failures.push({ name: `${event.data.file ?? ''} › ${event.data.name}`, error: String(err?.cause?.message ?? err?.message ?? err) });
    }
  }
  yield JSON.stringify(counts) + '\n';
}
