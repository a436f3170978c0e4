// SPDX-License-Identifier: GPL-2.0-only
//
// check_trace.mjs - loads a `vftrace replay --trace-json` file with the trace
// engine of Chrome DevTools' Performance panel (not vftrace's code) and
// checks it against what `vftrace replay --json` said of the same capture.
//
// Usage: node check_trace.mjs TRACE.json EXPECT.json
//   EXPECT.json: {"vfs":[{"key","steps","away"}], "findings":[{"code","vf","severity"}],
//                 "flows": N (optional)}
// Prints one line per check ("ok - ..." / "not ok - ...") and exits 1 if any failed.
import fs from 'node:fs';
import * as Trace from '@paulirish/trace_engine';

const [tracePath, expectPath] = process.argv.slice(2);
const expect = JSON.parse(fs.readFileSync(expectPath, 'utf8'));
let failed = 0;

function check(name, ok, detail) {
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok || !detail ? '' : `: ${detail}`}`);
  if (!ok) failed++;
}

const json = JSON.parse(fs.readFileSync(tracePath, 'utf8'));
check('JSON Object Format: traceEvents array and displayTimeUnit',
  Array.isArray(json.traceEvents) && ['ms', 'ns'].includes(json.displayTimeUnit));

const model = Trace.TraceModel.Model.createWithAllHandlers();
let data, all;
try {
  await model.parse(json.traceEvents);
  data = model.parsedTrace().data;
  all = model.parsedTrace().traceEvents;
  check('the DevTools trace engine parses it', true);
} catch (e) {
  check('the DevTools trace engine parses it', false, e.stack);
  process.exit(1);
}

// Process names: one per VF, "<key>" or "<key> <host netdev>"
const pidOf = new Map();
for (const [pid, ev] of data.Meta.processNames) {
  const key = ev.args.name.split(' ')[0];
  pidOf.set(key, pid);
}
const missing = expect.vfs.filter(v => !pidOf.has(v.key)).map(v => v.key);
check(`a named track for each of the ${expect.vfs.length} VFs`, missing.length === 0,
  `missing: ${missing.join(' ')}`);
check('no track that is not a VF of the capture', pidOf.size === expect.vfs.length,
  `${pidOf.size} tracks`);

// Thread names of each VF's process
const threads = data.Meta.threadsInProcess;
const unnamed = [...pidOf.values()].filter(pid => {
  const names = [...(threads.get(pid)?.values() ?? [])].map(e => e.args.name);
  return !names.includes('netns (pods)') || !names.includes('steps and findings');
});
check('each VF process has its named threads', unnamed.length === 0, `pids ${unnamed}`);

// Stays in a netns away from the host: complete slices the renderer placed on the VF's thread
let badStays = [];
for (const v of expect.vfs) {
  const proc = data.Renderer.processes.get(pidOf.get(v.key));
  const slices = proc ? [...proc.threads.values()].flatMap(t => t.entries)
    .filter(e => e.ph === 'X' && e.cat === 'netns') : [];
  if ((slices.length > 0) !== (v.away > 0) || slices.some(e => !(e.dur >= 0)))
    badStays.push(`${v.key}: ${slices.length} slices, away ${v.away}`);
}
check('a pod/netns slice exactly for the VFs that left the host netns', badStays.length === 0,
  badStays.join('; '));

// Steps: one thread-scoped instant per kept step, with its actor in args
const keyOf = new Map([...pidOf].map(([k, p]) => [p, k]));
const steps = new Map();
let badStep = null;
for (const e of all) {
  if (e.ph !== 'i' && e.ph !== 'I') continue;
  if (e.cat === 'lifecycle') {
    const k = keyOf.get(e.pid);
    steps.set(k, (steps.get(k) ?? 0) + 1);
    if (e.s !== 't' || !('actor' in e.args) || typeof e.args.event !== 'string') badStep = e;
  }
}
const stepDiff = expect.vfs.filter(v => (steps.get(v.key) ?? 0) !== v.steps)
  .map(v => `${v.key}: ${steps.get(v.key) ?? 0} != ${v.steps}`);
check('every kept step of every VF is an instant on its track', stepDiff.length === 0,
  stepDiff.slice(0, 5).join('; '));
check('every step instant is thread-scoped with its actor and kind in args', badStep === null,
  JSON.stringify(badStep));

// Findings: an instant each, severity in the name, code, message and remedy in args
const got = all.filter(e => e.cat === 'finding')
  .map(e => `${e.args.code} ${keyOf.get(e.pid)} ${e.args.severity}`).sort();
const want = expect.findings.map(f => `${f.code} ${f.vf} ${f.severity}`).sort();
check(`the ${want.length} findings, each on its VF's track`,
  JSON.stringify(got) === JSON.stringify(want),
  `got ${got.length}: ${got.slice(0, 3)} want ${want.slice(0, 3)}`);
const badFinding = all.filter(e => e.cat === 'finding').find(e =>
  e.ph !== 'i' || e.s !== 't' || !e.name.startsWith(`${e.args.severity.toUpperCase()} `) ||
  !e.args.message || !e.args.remedy);
check('finding instants: severity first in the name, message and remedy in args',
  badFinding === undefined, JSON.stringify(badFinding));

// Flows from call slices to the steps they caused, as the engine binds them
const nflows = all.filter(e => e.ph === 's').length;
check(`the engine binds each of the ${nflows} flows to a call slice and a step`,
  data.Flows.flows.length === nflows &&
  data.Flows.flows.every(f => f.length === 2 && f[0].ph === 'X' && f[1].ph === 'i'),
  `${data.Flows.flows.length} bound`);
if (expect.flows !== undefined)
  check(`${expect.flows} flows`, nflows === expect.flows, `${nflows}`);

// Times: µs since the first event, none before it
const minTs = Math.min(...all.filter(e => e.ph !== 'M').map(e => e.ts));
check('times start at 0 (µs since the first event)', minTs >= 0 && minTs < 1e9, `min ${minTs}`);
check('no warnings from the engine', data.Warnings.perEvent.size === 0);

process.exit(failed ? 1 : 0);
