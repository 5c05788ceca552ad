// Imported first by main.ts: zod decides at schema-definition time whether to compile validators with new Function,
// which our CSP (no 'unsafe-eval') refuses; jitless mode avoids the attempt and the CSP violation report.
import * as z from 'zod';

z.config({ jitless: true });
