// The in-extension-host integration suite: one import per test file, in run order.
// esbuild bundles test/integration/index.ts (no globs at run time), so a new file `foo.test.ts` in this
// folder only runs once it is listed here. Test files use mocha's BDD globals (describe / it / before ...)
// and `harness()` from ../harness for the run configuration and the extension's manifest.
import './activation.test';
import './commands.test';
import './outputChannel.test';
import './trust.test';
import './extensionManifest.test';
import './extensionRuns.test';
import './traceEditor.test';
import './traceTreeView.test';
import './trustAndSecrets.test';
import './secretsOrigin.test';
import './walkthrough.test';
import './crashRecovery.test';
import './uiFixtures.test';
import './failedRuns.test';
import './capabilities.test';
import './rerunForm.test';
import './compare.test';
import './importUi.test';
import './libraryImport.test';
import './unprune.test';
import './honestSignals.test';
import './bigTrace.test';
import './openFast.test';
import './trainerExports.test';
import './experimentView.test';
import './reasonerInContext.test';
import './importance.test';
